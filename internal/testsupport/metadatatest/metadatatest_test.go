package metadatatest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// spy keeps the errors a check reports instead of failing the test.
type spy struct {
	testing.TB
	errs []string
}

func (s *spy) Helper()                   {}
func (s *spy) Error(a ...any)            { s.errs = append(s.errs, fmt.Sprint(a...)) }
func (s *spy) Errorf(f string, a ...any) { s.errs = append(s.errs, fmt.Sprintf(f, a...)) }

func load(t *testing.T, text string) (*Metadata, error) {
	path := filepath.Join(t.TempDir(), "metadata.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(path)
}

const sample = `
type: sample
display_name: Sample
scope_name: example.com/sample
status:
  class: processor
  stability:
    alpha: [traces]
  distributions: []
attributes:
  reason:
    description: Why.
    type: string
    enum: [full]
telemetry:
  metrics:
    sample_dropped:
      enabled: true
      description: Dropped.
      unit: "{span}"
      sum:
        value_type: int
        monotonic: true
      attributes: [reason]
      stability: alpha
`

// measure creates what a component like sample would, with the given unit
// and reason, plus extra instruments by name, and one a library it uses
// creates in its own scope.
func measure(t *testing.T, unit, reason string, extra ...string) *Telemetry {
	tel := NewTelemetry()
	if _, err := tel.Settings().MeterProvider.Meter("example.com/httplib").Int64Counter("http.server.requests"); err != nil {
		t.Fatal(err)
	}
	m := tel.Settings().MeterProvider.Meter("example.com/sample")
	c, err := m.Int64Counter("otelcol_sample_dropped", metric.WithDescription("Dropped."), metric.WithUnit(unit))
	if err != nil {
		t.Fatal(err)
	}
	c.Add(context.Background(), 1, metric.WithAttributes(attribute.String("reason", reason)))
	for _, name := range extra {
		if _, err := m.Int64ObservableGauge(name); err != nil {
			t.Fatal(err)
		}
	}
	tel.Collect(t)
	return tel
}

func TestCheckTelemetry(t *testing.T) {
	md, err := load(t, sample)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tel  *Telemetry
		want []string // a part of each error, in order
	}{
		{"in step", measure(t, "{span}", "full"), nil},
		{"another unit", measure(t, "{trace}", "full"), []string{`has unit "{trace}", metadata.yaml says "{span}"`}},
		{"a value out of the enum", measure(t, "{span}", "late"), []string{`carries reason="late", outside metadata.yaml's enum [full]`}},
		{"an instrument not listed", measure(t, "{span}", "full", "otelcol_sample_held"), []string{"creates otelcol_sample_held; metadata.yaml does not list it"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &spy{TB: t}
			CheckTelemetry(s, md, tc.tel)
			checkErrors(t, s.errs, tc.want)
		})
	}
	s := &spy{TB: t}
	CheckTelemetry(s, md, NewTelemetry())
	checkErrors(t, s.errs, []string{"lists otelcol_sample_dropped; the component creates no such instrument"})
}

func TestCheckComponent(t *testing.T) {
	md, err := load(t, sample)
	if err != nil {
		t.Fatal(err)
	}
	want := Component{Type: component.MustNewType("sample"), ScopeName: "example.com/sample", Class: "processor",
		Stability: map[string]component.StabilityLevel{"traces": component.StabilityLevelAlpha}}
	s := &spy{TB: t}
	CheckComponent(s, md, want)
	checkErrors(t, s.errs, nil)

	want.Type = component.MustNewType("other")
	want.Stability = map[string]component.StabilityLevel{"traces": component.StabilityLevelBeta, "logs": component.StabilityLevelAlpha}
	s = &spy{TB: t}
	CheckComponent(s, md, want)
	slices.Sort(s.errs)
	checkErrors(t, s.errs, []string{"gives logs stability Undefined, the factory registers Alpha", "gives traces stability Alpha, the factory registers Beta", `type "sample", the factory's is "other"`})
}

func TestLoadRefusesUnknownKeys(t *testing.T) {
	_, err := load(t, strings.Replace(sample, "unit:", "units:", 1))
	if err == nil || !strings.Contains(err.Error(), "field units not found") {
		t.Errorf("a misspelt key gives %v, want it named", err)
	}
}

func checkErrors(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("errors %q, want %d: %q", got, len(want), want)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("error %q does not say %q", got[i], want[i])
		}
	}
}
