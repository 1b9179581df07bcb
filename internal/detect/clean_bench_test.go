package detect_test

import (
	"testing"
	"time"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
	"github.com/querylens/querylens/internal/traceview/pdataview"
	"github.com/querylens/querylens/tools/loadgen"
)

// BenchmarkDetectorsClean runs the detectors over the load generator's clean
// traffic: requests with no trap, most of what a collector sees, where the
// detectors' work is all overhead.
func BenchmarkDetectorsClean(b *testing.B) {
	cache, err := sqlnorm.NewCache(100_000, 4096)
	if err != nil {
		b.Fatal(err)
	}
	g := loadgen.NewClean(1)
	var traces []*traceview.Trace
	spans := 0
	for range 64 {
		t, _ := pdataview.Build(g.Next(time.Unix(1_700_000_000, 0)), cache)
		traces, spans = append(traces, t), spans+len(t.Spans)
	}
	ds := detect.New(detect.DefaultConfig())
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range traces {
			in := detect.NewInput(t)
			if found := detect.Run(ds, in); len(found) != 0 {
				b.Fatalf("clean traffic gave %d findings, the first %s", len(found), found[0].Type)
			}
			in.Release()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spans), "ns/span")
}
