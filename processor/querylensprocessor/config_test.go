package querylensprocessor

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/processor/querylensprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id      component.ID
		want    *Config
		wantErr []string
	}{
		{id: component.NewID(metadata.Type), want: createDefaultConfig().(*Config)},
		{id: component.NewIDWithName(metadata.Type, "custom"), want: func() *Config {
			c := createDefaultConfig().(*Config)
			c.WaitDuration, c.NumTraces, c.MaxSpansPerTrace, c.NumWorkers = 10*time.Second, 1000, 5000, 2
			c.Release, c.SettleDuration, c.MaxHeldMiB = ReleaseWholeTrace, 50*time.Millisecond, 512
			c.Statements = StatementsConfig{CacheSize: 2000, CacheMiB: 8, MaxLength: 4096}
			c.Detectors.NPlusOne = detect.NPlusOneConfig{Enabled: true, MinRepeats: 3, CoarseMinRepeats: 10, MinTotalDuration: 2 * time.Millisecond}
			c.Detectors.MNPlusOne.MinIterations = 4
			c.Detectors.DuplicateQuery.MinRepeats = 2
			c.Detectors.DuplicateQuery.MinReadRepeats = 3
			c.Detectors.NPlusOneAPI.Enabled = false
			c.Detectors.OverFetch = detect.OverFetchConfig{Enabled: true, SelectAll: false, MaxReturnedRows: 5000}
			c.Detectors.DeepOffset.MinOffset = 10000
			c.Detectors.PaginationCount.Enabled = false
			c.Ignore = []engine.IgnoreRule{
				{Fingerprint: "125f54a5c8ec9798"},
				{Service: "legacy-admin", Types: []string{"over_fetch", "deep_offset"}},
				{Statement: "^SELECT .* FROM django_session"},
				{CodeFunction: `^reports\.export_`},
			}
			return c
		}()},
		{id: component.NewIDWithName(metadata.Type, "invalid"), wantErr: []string{
			"wait_duration must be at least 1ms, got 0s",
			"num_traces must be at least 1, got 0",
			"statements: cache_size must be at least 1, got 0",
			"detectors::n_plus_one: min_repeats must be at least 2, got 1",
		}},
		{id: component.NewIDWithName(metadata.Type, "bad_release"), wantErr: []string{
			`release must be local_subtree or whole_trace, got "per_trace"`,
			"wait_duration must be at least 1ms, got 500µs: e.g. 30s",
			"settle_duration must be 0 (release at once) or from 1ms to wait_duration, got 10µs: e.g. 10ms",
			"max_held_mib must be from 1 to 1048576, got 0",
			"statements: cache_mib must be from 1 to 65536, got 100000",
		}},
		{id: component.NewIDWithName(metadata.Type, "settle_too_long"), wantErr: []string{
			"settle_duration must be 0 (release at once) or from 1ms to wait_duration (5s), got 5s",
		}},
		{id: component.NewIDWithName(metadata.Type, "bad_ignore"), wantErr: []string{
			"ignore::0: give at least one of problem, fingerprint, statement, service, code_function",
			"ignore::1: statement is not a regular expression",
			`types: "n_plus_two" is not a finding type; allowed: mn_plus_one, duplicate_query`,
		}},
		{id: component.NewIDWithName(metadata.Type, "unknown"), wantErr: []string{"wait_time"}},
	}
	for _, c := range cases {
		t.Run(c.id.String(), func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			sub, err := cm.Sub(c.id.String())
			if err != nil {
				t.Fatal(err)
			}
			err = sub.Unmarshal(cfg)
			if err == nil {
				err = confmap.Validate(cfg)
			}
			if c.wantErr != nil {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range c.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg, c.want) {
				t.Errorf("config\n got %+v\nwant %+v", cfg, c.want)
			}
		})
	}
}

func TestDefaultConfigIsValid(t *testing.T) {
	if err := confmap.Validate(createDefaultConfig()); err != nil {
		t.Fatal(err)
	}
}
