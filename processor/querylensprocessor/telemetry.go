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
	spansReceived   metric.Int64Counter
	spansReleased   metric.Int64Counter
	spansRefused    metric.Int64Counter
	spansRetried    metric.Int64Counter
	spansPushedBack metric.Int64Counter
	spansIncomplete metric.Int64Counter
	releasedEarly   metric.Int64Counter
	lateSpans       metric.Int64Counter
	findings        metric.Int64Counter
	analysisTime    metric.Float64Histogram
	releaseDelay    metric.Float64Histogram
	tracesBuffered  metric.Int64ObservableGauge
	heldBytes       metric.Int64ObservableGauge
	cacheLookups    metric.Int64ObservableCounter
	ignored         metric.Int64ObservableCounter
	registration    metric.Registration
}

func reasonAttr(reason string) metric.MeasurementOption {
	return metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", reason)))
}

var (
	reasonBufferFullAttr = reasonAttr("buffer_full")
	reasonTooLargeAttr   = reasonAttr("max_spans_per_trace")
	reasonMaxHeldAttr    = reasonAttr("max_held_mib")
	reasonWaitEndedAttr  = reasonAttr("wait_duration")
	reasonShutdownAttr   = reasonAttr("shutdown")
	cacheHit             = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "hit")))
	cacheMiss            = metric.WithAttributeSet(attribute.NewSet(attribute.String("result", "miss")))
)

// incompleteReason is the attribute of spans released without their local
// root, by why their trace left.
func incompleteReason(r releaseReason) metric.MeasurementOption {
	switch r {
	case reasonBufferFull:
		return reasonBufferFullAttr
	case reasonTooLarge:
		return reasonTooLargeAttr
	case reasonMaxHeld:
		return reasonMaxHeldAttr
	case reasonShutdown:
		return reasonShutdownAttr
	}
	return reasonWaitEndedAttr
}

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
	t.spansRefused = counter(contract.TelemetrySpansRefused,
		"Released spans that the next consumer refused permanently, or still refused at shutdown: dropped and logged.", "{span}")
	t.spansRetried = counter(contract.TelemetrySpansRetried,
		"Released spans that the next consumer refused with a retryable error, sent again with backoff (each refusal counted).", "{span}")
	t.spansPushedBack = counter(contract.TelemetrySpansPushedBack,
		"Spans refused to the sender with a retryable error because max_held_mib was reached.", "{span}")
	t.spansIncomplete = counter(contract.TelemetrySpansIncomplete,
		"Spans released without their local root (local_subtree), analyzed with what had arrived, by reason: wait_duration, buffer_full, max_spans_per_trace, max_held_mib or shutdown.", "{span}")
	t.releasedEarly = counter(contract.TelemetryReleasedEarly,
		"Traces released before they were due, by reason: buffer_full (num_traces reached), max_spans_per_trace or max_held_mib.", "{trace}")
	t.lateSpans = counter(contract.TelemetryLateSpans,
		"Spans that arrived after what they belong to was released: their request, whose local root is their parent (local_subtree), or their trace (whole_trace).", "{span}")
	t.findings = counter(contract.TelemetryFindings, "Findings written, by querylens.finding.type.", "{finding}")
	var err error
	t.analysisTime, err = m.Float64Histogram(contract.TelemetryAnalysisTime,
		metric.WithDescription("Time to index, analyze and annotate one request (local_subtree) or trace (whole_trace)."), metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1))
	errs = append(errs, err)
	t.releaseDelay, err = m.Float64Histogram(contract.TelemetryReleaseDelay,
		metric.WithDescription("Time a request was held: from the arrival of its local root to its release (local_subtree), or from the first span of its trace (whole_trace)."),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60))
	errs = append(errs, err)
	t.heldBytes, err = m.Int64ObservableGauge(contract.TelemetryHeldBytes,
		metric.WithDescription("Bytes of spans held, estimated: buffered, being analyzed, or waiting to be retried downstream. Bounded by max_held_mib."),
		metric.WithUnit("By"))
	errs = append(errs, err)
	t.tracesBuffered, err = m.Int64ObservableGauge(contract.TelemetryTracesBuffered,
		metric.WithDescription("Traces held, waiting for their local root, their settle or their window."), metric.WithUnit("{trace}"))
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
		o.ObserveInt64(t.heldBytes, p.buffer.held.Load())
		hits, misses := p.norm.Stats()
		o.ObserveInt64(t.cacheLookups, int64(hits), cacheHit)
		o.ObserveInt64(t.cacheLookups, int64(misses), cacheMiss)
		for _, s := range p.engine.Suppressed() {
			o.ObserveInt64(t.ignored, s.Count, metric.WithAttributes(attribute.String("rule", s.Rule)))
		}
		return nil
	}, t.tracesBuffered, t.heldBytes, t.cacheLookups, t.ignored)
	return t, err
}

func (t *telemetry) unregister() {
	if t.registration != nil {
		_ = t.registration.Unregister()
	}
}
