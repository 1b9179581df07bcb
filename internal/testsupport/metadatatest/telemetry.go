package metadatatest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// metricPrefix is what mdatagen puts before the names in metadata.yaml.
const metricPrefix = "otelcol_"

// Telemetry is a meter provider that records every instrument a component
// creates (a view sees each one as it is made, measured or not) and the last
// data of each that measured something.
type Telemetry struct {
	provider *sdkmetric.MeterProvider
	reader   *sdkmetric.ManualReader

	mu          sync.Mutex
	instruments map[string]sdkmetric.Instrument
	data        map[string]metricdata.Metrics
}

// NewTelemetry returns an empty recorder.
func NewTelemetry() *Telemetry {
	tel := &Telemetry{
		reader:      sdkmetric.NewManualReader(),
		instruments: map[string]sdkmetric.Instrument{},
		data:        map[string]metricdata.Metrics{},
	}
	record := func(i sdkmetric.Instrument) (sdkmetric.Stream, bool) {
		tel.mu.Lock()
		tel.instruments[i.Name] = i
		tel.mu.Unlock()
		return sdkmetric.Stream{}, false
	}
	tel.provider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader), sdkmetric.WithView(record))
	return tel
}

// Settings are the nop settings with this meter provider.
func (tel *Telemetry) Settings() component.TelemetrySettings {
	set := componenttest.NewNopTelemetrySettings()
	set.MeterProvider = tel.provider
	return set
}

// Collect reads what the instruments hold now. Call it while the component
// runs (observable instruments report only then) and after it stopped.
func (tel *Telemetry) Collect(t testing.TB) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			tel.data[m.Name] = m
		}
	}
}

// CheckTelemetry reports every difference between telemetry.metrics in the
// file and the instruments the component created in its scope (those of the
// libraries it uses are theirs to document): names, scope, kind, unit and
// description; and, for those that measured something, value type, bucket
// boundaries and attributes.
func CheckTelemetry(t testing.TB, md *Metadata, tel *Telemetry) {
	t.Helper()
	tel.mu.Lock()
	defer tel.mu.Unlock()
	for name, m := range md.Telemetry.Metrics {
		full := metricPrefix + name
		inst, ok := tel.instruments[full]
		if !ok {
			t.Errorf("metadata.yaml lists %s; the component creates no such instrument", full)
			continue
		}
		checkMetric(t, md, name, m, inst)
		if d, ok := tel.data[full]; ok {
			checkData(t, md, name, m, d)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(tel.instruments)) {
		if tel.instruments[name].Scope.Name != md.ScopeName {
			continue // a library's, such as confighttp's http.server.* metrics
		}
		short, prefixed := strings.CutPrefix(name, metricPrefix)
		if _, listed := md.Telemetry.Metrics[short]; !prefixed || !listed {
			t.Errorf("the component creates %s; metadata.yaml does not list it (by its name without %q)", name, metricPrefix)
		}
	}
}

func checkMetric(t testing.TB, md *Metadata, name string, m Metric, inst sdkmetric.Instrument) {
	t.Helper()
	if inst.Scope.Name != md.ScopeName {
		t.Errorf("%s is created in scope %q, metadata.yaml's scope_name is %q", inst.Name, inst.Scope.Name, md.ScopeName)
	}
	kind, err := kindOf(m)
	if err != nil {
		t.Errorf("metadata.yaml metric %s: %v", name, err)
	} else if kind != inst.Kind {
		t.Errorf("%s is of kind %v, metadata.yaml describes kind %v", inst.Name, inst.Kind, kind)
	}
	if m.Unit != inst.Unit {
		t.Errorf("%s has unit %q, metadata.yaml says %q", inst.Name, inst.Unit, m.Unit)
	}
	if m.Description != inst.Description {
		t.Errorf("%s is described as %q, metadata.yaml says %q", inst.Name, inst.Description, m.Description)
	}
	if !m.Enabled {
		t.Errorf("metadata.yaml metric %s is not enabled; the component has no optional telemetry", name)
	}
	if !slices.Contains([]string{"development", "alpha", "beta", "stable", "deprecated"}, m.Stability) {
		t.Errorf("metadata.yaml metric %s has stability %q: development, alpha, beta, stable or deprecated", name, m.Stability)
	}
	checkAttributes(t, md, name, m)
}

// kindOf is the instrument kind the file describes, or what is wrong with it.
func kindOf(m Metric) (sdkmetric.InstrumentKind, error) {
	var set []string
	for k, a := range map[string]*Aggregation{"sum": m.Sum, "gauge": m.Gauge, "histogram": m.Histogram} {
		if a != nil {
			set = append(set, k)
		}
	}
	if len(set) != 1 {
		sort.Strings(set)
		return 0, fmt.Errorf("it must have exactly one of sum, gauge and histogram, has %v", set)
	}
	switch {
	case m.Sum != nil:
		if m.Sum.Monotonic == nil || m.Sum.BucketBoundaries != nil {
			return 0, fmt.Errorf("a sum has monotonic and no bucket_boundaries")
		}
		return sumKind(*m.Sum.Monotonic, m.Sum.Async), nil
	case m.Gauge != nil:
		if m.Gauge.Monotonic != nil || m.Gauge.BucketBoundaries != nil {
			return 0, fmt.Errorf("a gauge has neither monotonic nor bucket_boundaries")
		}
		if m.Gauge.Async {
			return sdkmetric.InstrumentKindObservableGauge, nil
		}
		return sdkmetric.InstrumentKindGauge, nil
	default:
		if m.Histogram.Monotonic != nil || m.Histogram.Async {
			return 0, fmt.Errorf("a histogram is neither monotonic nor async")
		}
		return sdkmetric.InstrumentKindHistogram, nil
	}
}

func sumKind(monotonic, async bool) sdkmetric.InstrumentKind {
	switch {
	case monotonic && async:
		return sdkmetric.InstrumentKindObservableCounter
	case monotonic:
		return sdkmetric.InstrumentKindCounter
	case async:
		return sdkmetric.InstrumentKindObservableUpDownCounter
	default:
		return sdkmetric.InstrumentKindUpDownCounter
	}
}
