package metadatatest

import (
	"slices"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// checkData checks what an instrument measured against the file: its value
// type, its bucket boundaries, and that each attribute it carries is one the
// file lists for it, with a value of its enum when it has one.
func checkData(t testing.TB, md *Metadata, name string, m Metric, d metricdata.Metrics) {
	t.Helper()
	agg := m.Sum
	if m.Gauge != nil {
		agg = m.Gauge
	} else if m.Histogram != nil {
		agg = m.Histogram
	}
	if agg == nil {
		return // kindOf has said what is wrong
	}
	valueType, bounds, sets := measured(d.Data)
	if valueType != agg.ValueType {
		t.Errorf("%s measures %s values, metadata.yaml says value_type %q", d.Name, valueType, agg.ValueType)
	}
	if m.Histogram != nil && !slices.Equal(bounds, agg.BucketBoundaries) {
		t.Errorf("%s has bucket boundaries %v, metadata.yaml says %v", d.Name, bounds, agg.BucketBoundaries)
	}
	for _, set := range sets {
		for _, kv := range set.ToSlice() {
			key := string(kv.Key)
			if !slices.Contains(m.Attributes, key) {
				t.Errorf("%s carries attribute %q, which metadata.yaml metric %s does not list", d.Name, key, name)
				continue
			}
			if enum := md.Attributes[key].Enum; len(enum) > 0 && !slices.Contains(enum, kv.Value.Emit()) {
				t.Errorf("%s carries %s=%q, outside metadata.yaml's enum %v", d.Name, key, kv.Value.Emit(), enum)
			}
		}
	}
}

// measured is the value type ("int" or "double" as mdatagen names them),
// the bucket boundaries of a histogram and the attribute sets of the points.
func measured(data metricdata.Aggregation) (valueType string, bounds []float64, sets []attribute.Set) {
	switch d := data.(type) {
	case metricdata.Sum[int64]:
		return "int", nil, pointSets(d.DataPoints)
	case metricdata.Sum[float64]:
		return "double", nil, pointSets(d.DataPoints)
	case metricdata.Gauge[int64]:
		return "int", nil, pointSets(d.DataPoints)
	case metricdata.Gauge[float64]:
		return "double", nil, pointSets(d.DataPoints)
	case metricdata.Histogram[int64]:
		bounds, sets = histogramSets(d.DataPoints)
		return "int", bounds, sets
	case metricdata.Histogram[float64]:
		bounds, sets = histogramSets(d.DataPoints)
		return "double", bounds, sets
	}
	return "unknown", nil, nil
}

func pointSets[N int64 | float64](points []metricdata.DataPoint[N]) []attribute.Set {
	sets := make([]attribute.Set, len(points))
	for i, p := range points {
		sets[i] = p.Attributes
	}
	return sets
}

func histogramSets[N int64 | float64](points []metricdata.HistogramDataPoint[N]) (bounds []float64, sets []attribute.Set) {
	for _, p := range points {
		bounds = p.Bounds
		sets = append(sets, p.Attributes)
	}
	return bounds, sets
}
