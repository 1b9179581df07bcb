package querylensprocessor

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/confmap"
)

// TestDurationSettingsNameValueAndUnits: a duration written without a unit,
// or with text that is no duration, is refused when the configuration is
// read, naming the setting, the value and the units, wherever the setting
// is (the processor's own, a detector's, the log's); durations with a unit,
// and 0, are read.
func TestDurationSettingsNameValueAndUnits(t *testing.T) {
	bad := []struct {
		raw  map[string]any
		want []string
	}{
		{map[string]any{"wait_duration": 5}, []string{"wait_duration: 5 has no unit", "ns, us (or µs), ms, s, m, h", "e.g. 5s"}},
		{map[string]any{"wait_duration": "5"}, []string{`wait_duration: "5" is not a duration`, "e.g. 5s"}},
		{map[string]any{"wait_duration": "5 seconds"}, []string{`wait_duration: "5 seconds" is not a duration`}},
		{map[string]any{"wait_duration": 2.5}, []string{"wait_duration: 2.5 has no unit"}},
		{map[string]any{"detectors": map[string]any{"n_plus_one": map[string]any{"min_total_duration": 10}}},
			[]string{"detectors::n_plus_one::min_total_duration: 10 has no unit", "e.g. 10s"}},
		{map[string]any{"log": map[string]any{"gap_interval": "1 minute"}}, []string{`log::gap_interval: "1 minute" is not a duration`}},
		{map[string]any{"wait_duration": []any{"5s"}}, []string{"wait_duration: [5s] is not a duration"}},
	}
	for _, c := range bad {
		cfg := createDefaultConfig().(*Config)
		err := confmap.NewFromStringMap(c.raw).Unmarshal(cfg)
		if err == nil {
			t.Errorf("%v: read", c.raw)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not say %q", c.raw, err, w)
			}
		}
	}
	cfg := createDefaultConfig().(*Config)
	good := map[string]any{"wait_duration": "750ms", "log": map[string]any{"gap_interval": "2m"},
		"detectors": map[string]any{"n_plus_one": map[string]any{"min_total_duration": 0}}}
	if err := confmap.NewFromStringMap(good).Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.WaitDuration != 750*time.Millisecond || cfg.Log.GapInterval != 2*time.Minute || cfg.Detectors.NPlusOne.MinTotalDuration != 0 {
		t.Errorf("read %+v", cfg)
	}
}
