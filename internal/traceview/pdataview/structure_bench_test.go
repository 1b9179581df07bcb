package pdataview_test

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/traceview/pdataview"
	"github.com/querylens/querylens/tools/loadgen"
)

// BenchmarkStructure indexes the load generator's clean traces, spans in the
// order the generator writes them.
func BenchmarkStructure(b *testing.B) {
	g := loadgen.NewClean(1)
	var traces []ptrace.Traces
	spans := 0
	for range 64 {
		td := g.Next(time.Unix(1_700_000_000, 0))
		traces, spans = append(traces, td), spans+td.SpanCount()
	}
	var s pdataview.Scratch
	b.ReportAllocs()
	for b.Loop() {
		for _, td := range traces {
			s.Structure(td)
			s.Release()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spans), "ns/span")
}
