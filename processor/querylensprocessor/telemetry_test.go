package querylensprocessor

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/processor/querylensprocessor/internal/metadata"
)

func TestSelfTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { _ = tel.Shutdown(context.Background()) }()
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	cfg := createDefaultConfig().(*Config)
	cfg.Release, cfg.NumTraces, cfg.WaitDuration, cfg.MaxSpansPerTrace = ReleaseWholeTrace, 2, 20*time.Millisecond, 100
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), set, cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	// Two traces wait; the third pushes the first out early.
	for i := byte(1); i <= 3; i++ {
		_ = p.ConsumeTraces(ctx, synthTrace(i, 5))
	}
	if got := gauge(t, tel, "otelcol_processor_querylens_traces_buffered"); got != 2 {
		t.Errorf("traces buffered %d, want 2", got)
	}
	waitFor(t, func() bool { return sink.SpanCount() == 18 })
	// Observable metrics are read while the processor runs.
	hits := sum(t, tel, "otelcol_processor_querylens_statement_cache_lookups", ptr(attribute.NewSet(attribute.String("result", "hit"))))
	misses := sum(t, tel, "otelcol_processor_querylens_statement_cache_lookups", ptr(attribute.NewSet(attribute.String("result", "miss"))))
	// 15 database spans, five statements of one shape: their values are
	// written inline, and the cache is keyed by the shape.
	if misses != 1 || hits != 14 {
		t.Errorf("cache hits %d misses %d, want 14 and 1", hits, misses)
	}
	// A span of trace 1 after its release is late.
	late := synthTrace(1, 5)
	_ = p.ConsumeTraces(ctx, spanOf(late, 3))
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	checks := map[string]int64{
		"otelcol_processor_querylens_spans_received": 19,
		"otelcol_processor_querylens_spans_released": 19,
		"otelcol_processor_querylens_late_spans":     1,
		"otelcol_processor_querylens_findings":       3,
	}
	for name, want := range checks {
		if got := sum(t, tel, name, nil); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	if got := sum(t, tel, "otelcol_processor_querylens_traces_released_early", ptr(attribute.NewSet(attribute.String("reason", "buffer_full")))); got != 1 {
		t.Errorf("released early because full: %d, want 1", got)
	}
	if got := sum(t, tel, "otelcol_processor_querylens_findings", ptr(attribute.NewSet(attribute.String("querylens.finding.type", "n_plus_one")))); got != 3 {
		t.Errorf("n_plus_one findings %d, want 3", got)
	}
	m, err := tel.GetMetric("otelcol_processor_querylens_analysis_duration")
	if err != nil {
		t.Fatal(err)
	}
	if n := m.Data.(metricdata.Histogram[float64]).DataPoints[0].Count; n != 4 {
		t.Errorf("analysis time recorded %d times, want once per trace window (4)", n)
	}
}

// sum adds up a counter's points with attrs (all when nil); a counter never
// incremented is not reported, and sums to 0.
func sum(t *testing.T, tel *componenttest.Telemetry, name string, attrs *attribute.Set) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0
	}
	var total int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if attrs == nil || dp.Attributes.Equals(attrs) {
			total += dp.Value
		}
	}
	return total
}

func gauge(t *testing.T, tel *componenttest.Telemetry, name string) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m.Data.(metricdata.Gauge[int64]).DataPoints[0].Value
}

func ptr[T any](v T) *T { return &v }

func histogramCount(t *testing.T, tel *componenttest.Telemetry, name string) uint64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var n uint64
	for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
		n += dp.Count
	}
	return n
}

func TestIgnoreRulesTellOnThemselves(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	tel := componenttest.NewTelemetry()
	defer func() { _ = tel.Shutdown(context.Background()) }()
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	set.Logger = zap.New(core)
	cfg := createDefaultConfig().(*Config)
	cfg.WaitDuration = 10 * time.Millisecond
	cfg.Ignore = []engine.IgnoreRule{{Name: "bookshop lookups", Service: "bookshop"}, {Name: "stale", Statement: "FROM legacy_table"}}
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), set, cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	_ = p.ConsumeTraces(ctx, synthTrace(1, 6))
	_ = p.ConsumeTraces(ctx, synthTrace(2, 6))
	waitFor(t, func() bool { return sink.SpanCount() == 14 })
	if got := sum(t, tel, "otelcol_processor_querylens_findings_ignored", ptr(attribute.NewSet(attribute.String("rule", "bookshop lookups")))); got != 2 {
		t.Errorf("the rule suppressed %d findings, want 2", got)
	}
	if got := sum(t, tel, "otelcol_processor_querylens_findings_ignored", ptr(attribute.NewSet(attribute.String("rule", "stale")))); got != 0 {
		t.Errorf("the stale rule suppressed %d", got)
	}
	if f := fixtures.Observe(sink.AllTraces()...); len(f) != 0 {
		t.Errorf("ignored findings were written: %+v", f)
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	stale := logs.FilterMessageSnippet("matched no finding").All()
	if len(stale) != 1 || fmt.Sprint(stale[0].ContextMap()["rules"]) != "[stale]" {
		t.Errorf("stale rules log: %+v", logs.All())
	}
}
