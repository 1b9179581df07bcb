package annotate

import "go.opentelemetry.io/collector/pdata/pcommon"

// Number reads a numeric attribute querylens wrote: a double, or an int when
// another writer (or an older querylens) stored it so. ok is false for any
// other type.
func Number(v pcommon.Value) (n float64, ok bool) {
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	}
	return 0, false
}
