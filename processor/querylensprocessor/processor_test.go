package querylensprocessor

import (
	"context"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/processor/querylensprocessor/internal/metadata"
)

// newTestProcessor builds the processor as the collector does, from its factory.
func newTestProcessor(t testing.TB, mutate func(*Config), next *consumertest.TracesSink) *querylensProcessor {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if mutate != nil {
		mutate(cfg)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*querylensProcessor)
}

// newObservedProcessor is newTestProcessor with the processor's own metrics,
// read from the telemetry it returns.
func newObservedProcessor(t testing.TB, mutate func(*Config), next consumer.Traces) (*querylensProcessor, *componenttest.Telemetry) {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	cfg := createDefaultConfig().(*Config)
	if mutate != nil {
		mutate(cfg)
	}
	p, err := NewFactory().CreateTraces(context.Background(), set, cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*querylensProcessor), tel
}

// runAll consumes every batch, shuts down and returns what came out.
func runAll(t testing.TB, p *querylensProcessor, sink *consumertest.TracesSink, batches []ptrace.Traces) []ptrace.Traces {
	t.Helper()
	ctx := context.Background()
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	for _, td := range batches {
		if err := p.ConsumeTraces(ctx, td); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	return sink.AllTraces()
}

// releaseModes are both values of release, for the tests that hold in both.
var releaseModes = []string{ReleaseLocalSubtree, ReleaseWholeTrace}

// inMode sets the release mode of a test processor.
func inMode(mode string) func(*Config) { return func(c *Config) { c.Release = mode } }

func TestTestdataFindings(t *testing.T) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) == 0 {
		t.Fatal("no testdata scenarios found")
	}
	for _, mode := range releaseModes {
		for _, s := range scenarios {
			t.Run(mode+"/"+s.Source+"/"+s.Name, func(t *testing.T) {
				testScenario(t, s, mode)
			})
		}
	}
}

func testScenario(t *testing.T, s fixtures.Scenario, mode string) {
	sink := new(consumertest.TracesSink)
	out := runAll(t, newTestProcessor(t, inMode(mode), sink), sink, s.Fresh())
	if got, want := fixtures.SpanIDs(out...), fixtures.SpanIDs(s.Requests...); !equal(got, want) {
		t.Fatalf("spans out (%d) differ from spans in (%d)", len(got), len(want))
	}
	if missing := fixtures.DBSpansWithoutFingerprint(out...); len(missing) > 0 {
		t.Errorf("database spans without a fingerprint: %v", missing)
	}
	if missing := fixtures.RootsWithoutRequestCount(out...); len(missing) > 0 {
		t.Errorf("request roots without querylens.request.db_queries: %v", missing)
	}
	observed := fixtures.Observe(out...)
	if err := fixtures.Match(s.Expected.Findings, observed); err != nil {
		t.Error(err)
	}
	for _, o := range observed {
		t.Logf("%s x%d on %q [%s]: %s\n  suggestion: %s", o.Type, o.Count, o.Anchor, o.ORM, o.Statement, o.Suggestion)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestQuickstartTrace checks the README's first trace: one request, one N+1.
func TestQuickstartTrace(t *testing.T) {
	_, requests, err := fixtures.ReadLines(filepath.Join(fixtures.Dir(), "quickstart", "n_plus_one.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(requests) != 1 {
		t.Fatalf("%d requests, want one for a single curl", len(requests))
	}
	sink := new(consumertest.TracesSink)
	found := fixtures.Observe(runAll(t, newTestProcessor(t, nil, sink), sink, requests)...)
	nPlusOne := 0
	for _, f := range found {
		if f.Type == "n_plus_one" && f.Count == 12 && f.ORM == "GORM" {
			nPlusOne++
		}
	}
	if nPlusOne != 1 {
		t.Fatalf("findings %+v", found)
	}
}

// TestAnalyzingTwiceReplacesTheAnnotations passes the testdata through the
// processor twice: the second pass must leave the same findings, not double them.
func TestAnalyzingTwiceReplacesTheAnnotations(t *testing.T) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	var in []ptrace.Traces
	for _, s := range scenarios {
		in = append(in, s.Fresh()...)
	}
	sink := new(consumertest.TracesSink)
	once := runAll(t, newTestProcessor(t, nil, sink), sink, in)
	want := fixtures.Observe(once...)
	var again []ptrace.Traces
	for _, td := range once {
		cp := ptrace.NewTraces()
		td.CopyTo(cp)
		again = append(again, cp)
	}
	sink2 := new(consumertest.TracesSink)
	got := fixtures.Observe(runAll(t, newTestProcessor(t, nil, sink2), sink2, again)...)
	if len(got) != len(want) {
		t.Fatalf("second pass: %d findings, first %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || len(got[i].Members) != len(want[i].Members) {
			t.Errorf("finding %d differs: %+v / %+v", i, got[i].Finding, want[i].Finding)
		}
	}
}
