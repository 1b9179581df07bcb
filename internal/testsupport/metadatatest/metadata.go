// Package metadatatest checks a component's metadata.yaml, written by hand in
// mdatagen's format because mdatagen is not served for this collector set,
// against its code: type, scope name, class and stability against
// internal/metadata and the factory, telemetry against the instruments the
// component creates. Without it the file would drift from the code unseen.
package metadatatest

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.yaml.in/yaml/v3"
)

// Metadata is the part of mdatagen's metadata.yaml that querylens writes.
type Metadata struct {
	Type        string `yaml:"type"`
	DisplayName string `yaml:"display_name"`
	ScopeName   string `yaml:"scope_name"`
	Status      struct {
		Class         string              `yaml:"class"`
		Stability     map[string][]string `yaml:"stability"`
		Distributions []string            `yaml:"distributions"`
		Warnings      []string            `yaml:"warnings"`
		Codeowners    struct {
			Active []string `yaml:"active"`
		} `yaml:"codeowners"`
	} `yaml:"status"`
	Tests struct {
		Config map[string]any `yaml:"config"`
	} `yaml:"tests"`
	Attributes map[string]Attribute `yaml:"attributes"`
	Telemetry  struct {
		Metrics map[string]Metric `yaml:"metrics"`
	} `yaml:"telemetry"`
}

// Attribute is an attribute of the component's telemetry.
type Attribute struct {
	Description string   `yaml:"description"`
	Type        string   `yaml:"type"`
	Enum        []string `yaml:"enum"`
}

// Metric is one metric of the component's own telemetry; its name in the
// file is the instrument's without the "otelcol_" prefix mdatagen adds.
type Metric struct {
	Enabled     bool         `yaml:"enabled"`
	Description string       `yaml:"description"`
	Unit        string       `yaml:"unit"`
	Stability   string       `yaml:"stability"`
	Sum         *Aggregation `yaml:"sum"`
	Gauge       *Aggregation `yaml:"gauge"`
	Histogram   *Aggregation `yaml:"histogram"`
	Attributes  []string     `yaml:"attributes"`
}

// Aggregation holds the settings of sum, gauge and histogram; which apply to
// which is checked by kind.
type Aggregation struct {
	ValueType        string    `yaml:"value_type"`
	Monotonic        *bool     `yaml:"monotonic"`
	Async            bool      `yaml:"async"`
	BucketBoundaries []float64 `yaml:"bucket_boundaries"`
}

// Load reads metadata.yaml. A key this package does not know fails, so a
// misspelt one is not silently ignored.
func Load(path string) (*Metadata, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var md Metadata
	if err := dec.Decode(&md); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &md, nil
}

// Component is what the code says of a component.
type Component struct {
	Type      component.Type
	ScopeName string
	// Class is processor, connector or extension.
	Class string
	// Stability is by signal as metadata.yaml names it (traces,
	// traces_to_metrics, extension), as the factory registers it.
	Stability map[string]component.StabilityLevel
}

// CheckFile loads metadata.yaml from the component's folder (the test's
// working directory), checks it against c and returns it for CheckTelemetry.
func CheckFile(t testing.TB, c Component) *Metadata {
	t.Helper()
	md, err := Load("metadata.yaml")
	if err != nil {
		t.Fatal(err)
	}
	CheckComponent(t, md, c)
	return md
}

// CheckComponent reports every difference between the file's header and
// status and the code.
func CheckComponent(t testing.TB, md *Metadata, want Component) {
	t.Helper()
	if md.Type != want.Type.String() {
		t.Errorf("metadata.yaml type %q, the factory's is %q", md.Type, want.Type)
	}
	if md.ScopeName != want.ScopeName {
		t.Errorf("metadata.yaml scope_name %q, internal/metadata's is %q", md.ScopeName, want.ScopeName)
	}
	if md.DisplayName == "" {
		t.Error("metadata.yaml has no display_name")
	}
	if md.Status.Class != want.Class {
		t.Errorf("metadata.yaml status.class %q, want %q", md.Status.Class, want.Class)
	}
	got := map[string]component.StabilityLevel{}
	for level, signals := range md.Status.Stability {
		var sl component.StabilityLevel
		if err := sl.UnmarshalText([]byte(level)); err != nil {
			t.Errorf("metadata.yaml status.stability: %v", err)
			continue
		}
		for _, s := range signals {
			if _, dup := got[s]; dup {
				t.Errorf("metadata.yaml status.stability lists %s twice", s)
			}
			got[s] = sl
		}
	}
	for s, sl := range want.Stability {
		if got[s] != sl {
			t.Errorf("metadata.yaml gives %s stability %v, the factory registers %v", s, got[s], sl)
		}
	}
	for s := range got {
		if _, ok := want.Stability[s]; !ok {
			t.Errorf("metadata.yaml gives a stability for %s, which the factory does not create", s)
		}
	}
	if md.Status.Distributions == nil {
		t.Error("metadata.yaml has no status.distributions (write [] for none)")
	}
}

// checkAttributes checks that the attributes a metric names are defined and
// that each has a known type.
func checkAttributes(t testing.TB, md *Metadata, name string, m Metric) {
	t.Helper()
	for _, a := range m.Attributes {
		def, ok := md.Attributes[a]
		if !ok {
			t.Errorf("metadata.yaml metric %s names attribute %q, which attributes does not define", name, a)
			continue
		}
		if !slices.Contains([]string{"string", "int", "double", "bool"}, def.Type) {
			t.Errorf("metadata.yaml attribute %q has type %q: telemetry attributes are string, int, double or bool", a, def.Type)
		}
	}
}
