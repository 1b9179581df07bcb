package querylensprocessor

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/processor/querylensprocessor/internal/metadata"
)

// telemetry is the processor's own metrics, on the collector's metrics
// endpoint (names in the README).
type telemetry struct {
	spansReceived  metric.Int64Counter
	spansReleased  metric.Int64Counter
	spansRefused   metric.Int64Counter
	releasedEarly  metric.Int64Counter
	lateSpans      metric.Int64Counter
	findings       metric.Int64Counter
	analysisTime   metric.Float64Histogram
	tracesBuffered metric.Int64ObservableGauge
	cacheLookups   metric.Int64ObservableCounter
	ignored        metric.Int64ObservableCounter
	registration   metric.Registration
}

var (
	reasonBufferFull = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "buffer_full")))
	reasonTooLarge   = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "max_spans_per_trace")))
	cacheHit         = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "hit")))
	cacheMiss        = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "miss")))
)

// findingTypes holds one attribute set per finding type, made once.
var findingTypes = func() map[string]metric.AddOption {
	m := map[string]metric.AddOption{}
	for _, t := range detect.Types {
		m[t] = metric.WithAttributeSet(attribute.NewSet(attribute.String(contract.AttrFindingType, t)))
	}
	return m
}()

func findingType(t string) metric.AddOption { return findingTypes[t] }

func newTelemetry(set component.TelemetrySettings, p *querylensProcessor) (*telemetry, error) {
	m := set.MeterProvider.Meter(metadata.ScopeName)
	t := &telemetry{}
	var errs []error
	counter := func(name, desc, unit string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithDescription(desc), metric.WithUnit(unit))
		errs = append(errs, err)
		return c
	}
	t.spansReceived = counter(contract.TelemetrySpansReceived, "Spans that entered the processor.", "{span}")
	t.spansReleased = counter(contract.TelemetrySpansReleased, "Spans released to the next consumer.", "{span}")
	t.spansRefused = counter(contract.TelemetrySpansRefused, "Released spans that the next consumer refused (logged).", "{span}")
	t.releasedEarly = counter(contract.TelemetryReleasedEarly,
		"Traces released before wait_duration, by reason: buffer_full (num_traces reached) or max_spans_per_trace.", "{trace}")
	t.lateSpans = counter(contract.TelemetryLateSpans, "Spans that arrived after their trace was released; they start a new window.", "{span}")
	t.findings = counter(contract.TelemetryFindings, "Findings written, by querylens.finding.type.", "{finding}")
	var err error
	t.analysisTime, err = m.Float64Histogram(contract.TelemetryAnalysisTime,
		metric.WithDescription("Time to index, analyze and annotate one trace."), metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1))
	errs = append(errs, err)
	t.tracesBuffered, err = m.Int64ObservableGauge(contract.TelemetryTracesBuffered,
		metric.WithDescription("Traces held, waiting for their window to close."), metric.WithUnit("{trace}"))
	errs = append(errs, err)
	t.cacheLookups, err = m.Int64ObservableCounter(contract.TelemetryCacheLookups,
		metric.WithDescription("Lookups of the normalized-statement cache, by result: hit or miss."), metric.WithUnit("{lookup}"))
	errs = append(errs, err)
	t.ignored, err = m.Int64ObservableCounter(contract.TelemetryIgnored,
		metric.WithDescription("Findings suppressed, by ignore rule (its name, or its index in the list)."), metric.WithUnit("{finding}"))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	t.registration, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(t.tracesBuffered, int64(p.buffer.len()))
		hits, misses := p.norm.Stats()
		o.ObserveInt64(t.cacheLookups, int64(hits), cacheHit)
		o.ObserveInt64(t.cacheLookups, int64(misses), cacheMiss)
		for _, s := range p.engine.Suppressed() {
			o.ObserveInt64(t.ignored, s.Count, metric.WithAttributes(attribute.String("rule", s.Rule)))
		}
		return nil
	}, t.tracesBuffered, t.cacheLookups, t.ignored)
	return t, err
}

func (t *telemetry) unregister() {
	if t.registration != nil {
		_ = t.registration.Unregister()
	}
}
