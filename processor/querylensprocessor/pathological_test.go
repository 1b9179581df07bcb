package querylensprocessor

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/processor/querylensprocessor/internal/metadata"
)

// TestPathologicalTrace sends one trace of 100,000 spans (an N+1 of a batch
// job gone wild): the buffer never holds more than max_spans_per_trace of it,
// each full window is released analyzed, counted and logged, and every span
// comes out once.
func TestPathologicalTrace(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	tel := componenttest.NewTelemetry()
	defer func() { _ = tel.Shutdown(context.Background()) }()
	set := processortest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	set.Logger = zap.New(core)
	cfg := createDefaultConfig().(*Config)
	// The root comes first: a settle longer than the test keeps its
	// subtree whole until max_spans_per_trace.
	cfg.WaitDuration, cfg.SettleDuration = time.Hour, time.Minute
	sink := new(consumertest.TracesSink)
	proc, err := NewFactory().CreateTraces(context.Background(), set, cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	p := proc.(*querylensProcessor)
	ctx := context.Background()
	const total, perBatch = 100_000, 1000
	whole := synthTrace(7, total-1)
	spans := whole.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	in := 0
	for start := 0; start < total; start += perBatch {
		batch := ptrace.NewTraces()
		rs := batch.ResourceSpans().AppendEmpty()
		whole.ResourceSpans().At(0).Resource().CopyTo(rs.Resource())
		ss := rs.ScopeSpans().AppendEmpty()
		for i := start; i < start+perBatch; i++ {
			spans.At(i).CopyTo(ss.Spans().AppendEmpty())
		}
		in += batch.SpanCount()
		if err := p.ConsumeTraces(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if held := in - sink.SpanCount(); held >= cfg.MaxSpansPerTrace {
			t.Fatalf("%d spans of one trace held, max_spans_per_trace is %d", held, cfg.MaxSpansPerTrace)
		}
	}
	windows := total / cfg.MaxSpansPerTrace
	if got := len(logs.FilterMessageSnippet("max_spans_per_trace").All()); got != windows {
		t.Errorf("%d early releases logged, want %d", got, windows)
	}
	if got := sum(t, tel, "otelcol_processor_querylens_traces_released_early", ptr(attribute.NewSet(attribute.String("reason", "max_spans_per_trace")))); got != int64(windows) {
		t.Errorf("released early for size: %d, want %d", got, windows)
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := fixtures.SpanIDs(sink.AllTraces()...), fixtures.SpanIDs(whole); !equal(got, want) {
		t.Fatalf("%d spans out, want %d", len(got), len(want))
	}
	// Each released window was analyzed: an N+1 in each.
	found := fixtures.Observe(sink.AllTraces()...)
	if len(found) < windows {
		for _, f := range found {
			t.Logf("%s x%d %v", f.Type, f.Count, f.ParentMissing)
		}
		t.Errorf("%d findings, want one N+1 per window at least", len(found))
	}
}
