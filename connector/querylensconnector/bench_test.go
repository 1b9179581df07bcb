package querylensconnector

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// BenchmarkConsumeTraces feeds every annotated testdata trace (1,900 spans, a
// third of them database spans, 200 findings) to the connector; ns/op is per
// span.
func BenchmarkConsumeTraces(b *testing.B) {
	scenarios, err := fixtures.All()
	if err != nil {
		b.Fatal(err)
	}
	all := ptrace.NewTraces()
	for _, s := range scenarios {
		s.Annotated().ResourceSpans().MoveAndAppendTo(all.ResourceSpans())
	}
	c, _, _ := newTestConnector(b, nil)
	ctx := context.Background()
	spans := all.SpanCount()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = c.ConsumeTraces(ctx, all)
		if i%100 == 0 { // what a flush does, now and then
			c.collect(0)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spans), "ns/span")
}
