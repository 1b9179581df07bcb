//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/report"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// cli runs the querylens binary and returns its exit code and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binaryFromEnv(t, "QUERYLENS_CLI", "querylens"), args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// ciRun writes the traces of one CI test run: each route's request, twice.
func ciRun(t *testing.T, routes [][2]any) string {
	t.Helper()
	dir := t.TempDir()
	n := uint16(0)
	for _, r := range routes {
		for k := 0; k < 2; k++ {
			n++
			line := fixtures.RequestLine(n, "shop", r[0].(string), r[1].([]string)...)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("trace-%d.json", n)), line, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// TestBinaryBaselineRoundTrip is the CI recipe through the binary: a run
// writes the baseline; a clean change passes; a change that adds an N+1
// fails naming it; a change that makes a route run more queries fails
// naming the route.
func TestBinaryBaselineRoundTrip(t *testing.T) {
	list := []string{`SELECT id, title FROM books ORDER BY id LIMIT 20`, `SELECT value FROM settings WHERE key = $1`}
	perBook := func(n int) []string {
		out := []string{list[0]}
		for i := 0; i < n; i++ {
			out = append(out, fmt.Sprintf(`SELECT id, name FROM authors WHERE id = %d`, i+1))
		}
		return out
	}
	baseline := filepath.Join(t.TempDir(), "querylens-baseline.json")
	if code, _, errs := cli(t, "analyze", "--quiet", ciRun(t, [][2]any{{"/books", list}, {"/authors", list[:1]}}), "--write-baseline", baseline); code != 0 {
		t.Fatalf("--write-baseline: exit %d: %s", code, errs)
	}

	code, out, errs := cli(t, "analyze", "--quiet", "--baseline", baseline, ciRun(t, [][2]any{{"/books", list}, {"/authors", list[:1]}}))
	if code != 0 || !strings.Contains(out, "passes: 0 new problems, 0 routes past the tolerance") {
		t.Errorf("clean change: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = cli(t, "analyze", "--quiet", "--baseline", baseline, "--max-query-growth", "1000%",
		ciRun(t, [][2]any{{"/books", perBook(10)}, {"/authors", list[:1]}}))
	if code != 1 || !strings.Contains(out, "new problem: n_plus_one in shop /books (×10") || !strings.Contains(out, "SELECT id, name FROM authors WHERE id = ?") {
		t.Errorf("added N+1: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = cli(t, "analyze", "--quiet", "--baseline", baseline,
		ciRun(t, [][2]any{{"/books", list}, {"/authors", append(list[:1:1], `SELECT id FROM tags`, `SELECT id FROM reviews WHERE book_id = $1`)}}))
	if code != 1 || !strings.Contains(out, "route grew: shop /authors: 3 queries per request at most, the baseline 1") || strings.Contains(out, "new problem:") {
		t.Errorf("grown route: exit %d\n%s%s", code, out, errs)
	}
	// The same verdict in JSON and SARIF, said on stderr.
	code, _, errs = cli(t, "analyze", "--quiet", "--format", "sarif", "--baseline", baseline, ciRun(t, [][2]any{{"/books", perBook(10)}}))
	if code != 1 || !strings.Contains(errs, "new problem: n_plus_one in shop /books") {
		t.Errorf("sarif: exit %d: %s", code, errs)
	}
}

// TestBinaryFindsLazyLoadsOutOfScope: lazy_load_out_of_scope in the recorded
// SQLAlchemy (DetachedInstanceError) and Hibernate
// (LazyInitializationException) traces, worded in each ORM's API; nothing on
// their eager-loaded twins.
func TestBinaryFindsLazyLoadsOutOfScope(t *testing.T) {
	for _, c := range []struct {
		trap, twin, fix string
	}{
		{"sqlalchemy/lazy_out_of_scope.json", "sqlalchemy/lazy_in_scope.json", "selectinload(Book.author)"},
		{"hibernate/lazy_init_exception.json", "hibernate/lazy_init_fixed.json", "join fetch"},
	} {
		code, out, errs := cli(t, "analyze", "--quiet", "--format", "json", filepath.Join(fixtures.Dir(), c.trap))
		var r struct {
			Findings []report.Finding `json:"findings"`
			Problems []report.Problem `json:"problems"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 {
			t.Fatalf("%s: exit %d, %v: %s", c.trap, code, err, errs)
		}
		if len(r.Findings) != 1 || r.Findings[0].Type != "lazy_load_out_of_scope" || r.Findings[0].Anchor != "GET /books/detached" ||
			!strings.Contains(r.Findings[0].Suggestion, c.fix) || r.Findings[0].Exception == "" || len(r.Problems) != 1 {
			t.Errorf("%s: %+v", c.trap, r.Findings)
		}
		code, out, errs = cli(t, "analyze", "--quiet", "--fail-on", "any", filepath.Join(fixtures.Dir(), c.twin))
		if code != 0 || !strings.Contains(out, "0 findings (0 problems) in 1 trace") {
			t.Errorf("%s: exit %d\n%s%s", c.twin, code, out, errs)
		}
	}
}

// TestConfigMistakesSameInCollectorAndAnalyze: a configuration the collector
// refuses, `querylens analyze --config` refuses with the same words (the
// setting, the value, what is allowed); one the collector accepts, analyze
// accepts.
func TestConfigMistakesSameInCollectorAndAnalyze(t *testing.T) {
	collectorBin := collectorBinary(t)
	pipeline := "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\nexporters:\n  debug:\n" +
		"service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [querylens]\n      exporters: [debug]\nprocessors:\n  querylens:\n"
	trace := filepath.Join(fixtures.Dir(), "django", "forward_fk_loop.json")
	for section, want := range map[string]string{
		"    wait_duration: 5\n":                                                                               "wait_duration: 5 has no unit (a number alone is read as nanoseconds): write it with one, ns, us (or µs), ms, s, m, h, e.g. 5s",
		"    wait_duration: 5x\n":                                                                              `wait_duration: "5x" is not a duration`,
		"    detectors:\n      n_plus_one:\n        min_repeats: 1\n":                                          "min_repeats must be at least 2, got 1",
		"    ignore:\n      - problem: 45e8f0495784b573\n        expires: tomorrow\n":                          `expires must be a date, YYYY-MM-DD (e.g. 2026-03-31), got "tomorrow"`,
		"    wait_duration: 5s\n    ignore:\n      - problem: 45e8f0495784b573\n        expires: 2026-03-31\n": "",
	} {
		path := filepath.Join(t.TempDir(), "collector.yaml")
		if err := os.WriteFile(path, []byte(pipeline+section), 0o600); err != nil {
			t.Fatal(err)
		}
		validate := exec.Command(collectorBin, "validate", "--config="+path)
		out, err := validate.CombinedOutput()
		code, _, errs := cli(t, "analyze", "--quiet", "--config", path, trace)
		if want == "" {
			if err != nil || code != 0 {
				t.Errorf("%q: the collector says %v %s; analyze exits %d: %s", section, err, out, code, errs)
			}
			continue
		}
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("%q: the collector's validate: %v\n%s\nwant it to say %q", section, err, out, want)
		}
		if code != 2 || !strings.Contains(errs, want) {
			t.Errorf("%q: analyze exits %d: %s\nwant it to say %q", section, code, errs, want)
		}
	}
}
