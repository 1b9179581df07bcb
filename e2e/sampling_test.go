//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// TestSamplingKeepsTracesWithFindings runs config/sampling.yaml with no share
// of the other traces: the trace store gets exactly the testdata traces that
// have a finding, each whole and annotated, and none of the fixed forms; the metrics, counted before sampling, have every finding.
func TestSamplingKeepsTracesWithFindings(t *testing.T) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	metricsPort := freePort(t)
	out := filepath.Join(t.TempDir(), "traces.jsonl")
	// The shipped configuration on free ports, sampling none of the traces
	// without a finding, with a file exporter as the trace store.
	config, httpPort, healthPort := shippedConfig(t, filepath.Join("..", "config", "sampling.yaml"),
		[2]string{"127.0.0.1:8889", fmt.Sprintf("127.0.0.1:%d", metricsPort)},
		[2]string{"${env:QUERYLENS_SAMPLE_PERCENT:-5}", "0"},
		[2]string{"wait_duration: 10s", "wait_duration: 1s"},
		[2]string{"metrics_flush_interval: 15s", "metrics_flush_interval: 1s"},
		[2]string{"exporters: [otlp_grpc/store]", "exporters: [file]"},
		[2]string{"\nexporters:\n", fmt.Sprintf("\nexporters:\n  file:\n    path: %s\n", out)},
	)
	c := startCollector(t, config, healthPort)

	var sentTraces []ptrace.Traces
	wantKept := map[string]string{} // trace id -> scenario
	wantFindings := map[string]int{}
	for _, s := range scenarios {
		for i, line := range s.Lines {
			if err := postOTLPJSON(context.Background(), httpPort, line); err != nil {
				t.Fatalf("%s line %d: %v", s.Path, i+1, err)
			}
		}
		keep := false
		for _, f := range s.Expected.Findings {
			wantFindings[f.Type]++
			keep = true
		}
		sentTraces = append(sentTraces, s.Requests...)
		for _, id := range traceIDs(s.Requests) {
			if keep {
				wantKept[id] = s.Source + "/" + s.Name
			}
		}
	}

	// The connector counted every finding, also of the traces sampling drops.
	metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)
	var counted map[string]int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if counted = findingsCounted(t, get(t, metricsURL, "")); maps.Equal(counted, wantFindings) {
			break
		}
	}
	if !maps.Equal(counted, wantFindings) {
		t.Errorf("querylens_findings_total by type: %v, want every finding of the testdata: %v", counted, wantFindings)
	}

	c.stop(t)
	received := readExported(t, out)
	sent, kept := spansByTrace(sentTraces), spansByTrace(received)
	for id, spans := range kept {
		name, ok := wantKept[id]
		switch {
		case !ok:
			t.Errorf("trace %s was kept: it has no finding", id)
		case !slices.Equal(spans, sent[id]):
			t.Errorf("%s: kept with %d of its %d spans", name, len(spans), len(sent[id]))
		}
	}
	if len(kept) != len(wantKept) {
		t.Errorf("%d traces kept, want the %d with a finding", len(kept), len(wantKept))
	}
	if n := len(fixtures.Observe(received...)); n == 0 {
		t.Error("the kept traces carry no finding")
	}
	t.Logf("traces sent: %d, kept by sampling: %d (want %d), findings counted in the metrics: %v",
		len(sent), len(kept), len(wantKept), counted)
}

// spansByTrace lists the span ids of each trace, sorted.
func spansByTrace(tds []ptrace.Traces) map[string][]string {
	out := map[string][]string{}
	fixtures.EachSpan(tds, func(_ pcommon.Resource, s ptrace.Span) {
		id := s.TraceID().String()
		out[id] = append(out[id], s.SpanID().String())
	})
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

var findingsTotal = regexp.MustCompile(`^querylens_findings_total\{.*querylens_finding_type="([a-z_+]+)".*\} ([0-9.e+]+)$`)

// findingsCounted sums querylens_findings_total by finding type in a scrape.
func findingsCounted(t *testing.T, scrape string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, line := range strings.Split(scrape, "\n") {
		m := findingsTotal.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		out[m[1]] += int(v)
	}
	return out
}
