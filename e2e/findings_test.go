//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// TestCollectorFindsTestdataTraps posts every testdata trace to the real
// collector, one export request per line, stops it with SIGTERM long before the
// wait has passed, and checks the file exporter's output: every span out
// exactly once, a fingerprint on every database span, and exactly the expected
// findings of each scenario; in both release modes, and the same annotations
// on every span in both.
func TestCollectorFindsTestdataTraps(t *testing.T) {
	annotations := map[string]map[string]string{}
	for _, mode := range []string{"local_subtree", "whole_trace"} {
		t.Run(mode, func(t *testing.T) { annotations[mode] = collectorFindsTestdataTraps(t, mode) })
	}
	subtree, whole := annotations["local_subtree"], annotations["whole_trace"]
	differ := 0
	for k, v := range whole {
		if subtree[k] != v {
			if differ++; differ <= 3 {
				t.Errorf("span %s annotated differently:\n local_subtree: %s\n whole_trace:   %s", k, subtree[k], v)
			}
		}
	}
	if differ > 0 || len(subtree) != len(whole) {
		t.Errorf("%d of %d spans annotated differently in the two modes", differ, len(whole))
	}
}

func collectorFindsTestdataTraps(t *testing.T, mode string) map[string]string {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	var sent []ptrace.Traces
	var lines [][]byte
	scenarioOf := map[string]fixtures.Scenario{} // trace id -> scenario
	for _, s := range scenarios {
		lines = append(lines, s.Lines...)
		sent = append(sent, s.Requests...)
		for _, id := range traceIDs(s.Requests) {
			scenarioOf[id] = s
		}
	}
	received := throughCollectorIn(t, lines, mode)
	in, got := fixtures.SpanIDs(sent...), fixtures.SpanIDs(received...)
	t.Logf("spans in: %d, spans out: %d, scenarios: %d", len(in), len(got), len(scenarios))
	if fmt.Sprint(in) != fmt.Sprint(got) {
		t.Fatalf("spans out (%d) are not the spans in (%d)", len(got), len(in))
	}
	if missing := fixtures.DBSpansWithoutFingerprint(received...); len(missing) > 0 {
		t.Errorf("database spans without a fingerprint: %v", missing)
	}
	if missing := fixtures.RootsWithoutRequestCount(received...); len(missing) > 0 {
		t.Errorf("request roots without querylens.request.db_queries: %v", missing)
	}
	byTrace := map[string][]fixtures.Observed{}
	for _, o := range fixtures.Observe(received...) {
		byTrace[o.TraceID] = append(byTrace[o.TraceID], o)
	}
	for id, s := range scenarioOf {
		if err := fixtures.Match(s.Expected.Findings, byTrace[id]); err != nil {
			t.Errorf("%s/%s: %v", s.Source, s.Name, err)
		}
	}
	return spanAnnotations(received...)
}

// throughCollector posts each line (an OTLP JSON export request) to a real
// collector with the querylens processor, stops it with SIGTERM long before
// its wait has passed, and returns what its file exporter wrote.
func throughCollector(t *testing.T, lines [][]byte) []ptrace.Traces {
	return throughCollectorIn(t, lines, "local_subtree")
}

// throughCollectorIn is throughCollector with querylens in a release mode.
func throughCollectorIn(t *testing.T, lines [][]byte, mode string) []ptrace.Traces {
	t.Helper()
	c, httpPort, out := startFileCollectorIn(t, mode)
	for i, line := range lines {
		if err := postOTLPJSON(context.Background(), httpPort, line); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
	}
	c.stop(t)
	return readExported(t, out)
}

// startFileCollector starts the real collector with querylens (a 10-minute
// wait: in whole_trace only the stop releases, in local_subtree each request
// leaves once complete) and batch, OTLP HTTP in on the port it returns, and a
// file exporter writing to out.
func startFileCollector(t *testing.T) (c *collector, httpPort int, out string) {
	return startFileCollectorIn(t, "local_subtree")
}

// startFileCollectorIn is startFileCollector with querylens in a release mode.
func startFileCollectorIn(t *testing.T, mode string) (c *collector, httpPort int, out string) {
	t.Helper()
	fileEntry, out := fileExporter(t)
	c, httpPort, _ = startPipeline(t, pipeline{
		processors: fmt.Sprintf(`
  querylens:
    release: %s
    wait_duration: 10m
  batch:`, mode),
		exporters:       fileEntry,
		traceProcessors: "querylens, batch",
		traceExporters:  "file",
	})
	return c, httpPort, out
}

func traceIDs(tds []ptrace.Traces) []string {
	seen := map[string]bool{}
	var ids []string
	fixtures.EachSpan(tds, func(_ pcommon.Resource, s ptrace.Span) {
		id := s.TraceID().String()
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	})
	return ids
}
