package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/report"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// runStatements are the queries of one request of a small app: a list and
// two lookups, none repeated.
var runStatements = []string{
	`SELECT id, title FROM books ORDER BY id LIMIT 20`,
	`SELECT id, name FROM authors WHERE id = $1`,
	`SELECT value FROM settings WHERE key = $1`,
}

// lookups are n reads of authors by key with different values: an N+1.
func lookups(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf(`SELECT id, name FROM authors WHERE id = %d`, i+1))
	}
	return out
}

// writeRun writes the traces of a test run, one file per request.
func writeRun(t *testing.T, requests map[string][]string) string {
	t.Helper()
	dir := t.TempDir()
	n := uint16(0)
	for _, route := range slices.Sorted(maps.Keys(requests)) {
		statements := requests[route]
		for k := 0; k < 2; k++ { // each route hit twice
			n++
			line := fixtures.RequestLine(n, "shop", route, statements...)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%d.json", n)), line, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// TestBaselineRoundTrip: a baseline written by one run passes the same run
// and a change that adds nothing; an added N+1 fails naming it; a route
// whose queries per request grew past the tolerance fails naming it; within
// the tolerance, it passes.
func TestBaselineRoundTrip(t *testing.T) {
	base := filepath.Join(t.TempDir(), "querylens-baseline.json")
	before := writeRun(t, map[string][]string{"/books": runStatements, "/authors": runStatements[:2], "/legacy": lookups(6)})
	code, _, errs := runCLI(t, "", "analyze", "--quiet", before, "--write-baseline", base)
	if code != exitClean || !strings.Contains(errs, "baseline written to "+base+": 1 problem, 3 routes") {
		t.Fatalf("write-baseline: exit %d: %s", code, errs)
	}
	b, err := report.ReadBaseline(base)
	if err != nil || len(b.Problems) != 1 || b.Problems[0].Route != "/legacy" || len(b.Routes) != 3 {
		t.Fatalf("baseline %+v, %v", b, err)
	}
	// The same run writes the same file: a diff shows only what changed.
	again := filepath.Join(t.TempDir(), "again.json")
	runCLI(t, "", "analyze", "--quiet", "--write-baseline", again, before)
	if x, y := readFile(t, base), readFile(t, again); x != y {
		t.Errorf("two writes of one run differ:\n%s\n%s", x, y)
	}

	cases := []struct {
		name     string
		run      map[string][]string
		growth   string
		code     int
		say, not []string
	}{
		{"clean change", map[string][]string{"/books": runStatements, "/authors": runStatements[1:3], "/legacy": lookups(6)}, "", exitClean,
			[]string{"passes: 0 new problems, 0 routes past the tolerance; 1 problem of the baseline"}, []string{"new problem:", "route grew:"}},
		{"added N+1", map[string][]string{"/books": append(runStatements[:1:1], lookups(8)...), "/authors": runStatements[:2], "/legacy": lookups(6)}, "1000%", exitFindings,
			[]string{"new problem: n_plus_one in shop /books (×8, 2 findings in 2 traces)", "SELECT id, name FROM authors WHERE id = ?", "fails: 1 new problem"},
			[]string{"route grew:"}},
		{"grown route", map[string][]string{"/books": append(runStatements, `SELECT count(*) FROM reviews WHERE book_id = $1`, `SELECT id FROM tags`), "/authors": runStatements[:2], "/legacy": lookups(6)}, "", exitFindings,
			[]string{"route grew: shop /books: 5 queries per request at most, the baseline 3 (+67%, more than the 10% allowed)", "fails: 0 new problems, 1 route past the tolerance"},
			[]string{"new problem:"}},
		{"grown within the tolerance", map[string][]string{"/books": append(runStatements, `SELECT id FROM tags`), "/authors": runStatements[:2], "/legacy": lookups(6)}, "50%", exitClean,
			[]string{"passes"}, []string{"route grew:"}},
		{"a fixed problem", map[string][]string{"/books": runStatements, "/authors": runStatements[:2], "/legacy": runStatements[:1]}, "", exitClean,
			[]string{"passes: 0 new problems, 0 routes past the tolerance; 0 problems of the baseline, 1 problem gone"}, nil},
	}
	for _, c := range cases {
		args := []string{"analyze", "--quiet", "--baseline", base, writeRun(t, c.run)}
		if c.growth != "" {
			args = append(args, "--max-query-growth", c.growth)
		}
		code, out, errs := runCLI(t, "", args...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d\n%s%s", c.name, code, c.code, out, errs)
		}
		for _, w := range c.say {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the report does not say %q:\n%s", c.name, w, out)
			}
		}
		for _, w := range c.not {
			if strings.Contains(out, w) {
				t.Errorf("%s: the report says %q:\n%s", c.name, w, out)
			}
		}
	}
	// The JSON has the comparison in its summary; other formats say it on stderr.
	code, out, errs := runCLI(t, "", "analyze", "--quiet", "--format", "json", "--baseline", base,
		writeRun(t, map[string][]string{"/books": append(runStatements[:1:1], lookups(8)...)}))
	r := parseJSON(t, out)
	if code != exitFindings || r.Summary.Baseline == nil || len(r.Summary.Baseline.NewProblems) != 1 || !strings.Contains(errs, "new problem: n_plus_one") {
		t.Errorf("json: exit %d, summary %+v, stderr %s", code, r.Summary.Baseline, errs)
	}
	for _, bad := range [][]string{{"--baseline", "does-not-exist.json"}, {"--baseline", before + "/r1.json"}, {"--max-query-growth", "ten"}, {"--max-query-growth", "-5%"}} {
		if code, _, errs := runCLI(t, "", append([]string{"analyze", "--quiet", before}, bad...)...); code != exitBadInput {
			t.Errorf("%v: exit %d: %s", bad, code, errs)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestProblemsFirst: the table lists the problems (one per signature, with
// its occurrences, traces, waste, first and last seen and an example
// trace), --findings every finding; the JSON has both, and the problems'
// occurrences add up to the findings.
func TestProblemsFirst(t *testing.T) {
	dir := writeRun(t, map[string][]string{"/books": append(runStatements[:1:1], lookups(6)...), "/stock": runStatements})
	code, out, errs := runCLI(t, "", "analyze", "--quiet", dir)
	if code != exitClean {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"1 problem, the most wasteful first:",
		"#  TYPE        SERVICE  ROUTE   FINDINGS  TRACES  WASTED      WASTED MS  FIRST SEEN           LAST SEEN",
		"1  n_plus_one  shop     /books  2         2       10 queries  5.00       2027-01-15 08:00:01  2027-01-15 08:00:02",
		"1. n_plus_one ×6  shop /books  problem ",
		"example: trace ",
		"2 findings (1 problem) in 4 traces (24 spans, 4 files): n_plus_one 2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table does not say %q:\n%s", want, out)
		}
	}
	_, flat, _ := runCLI(t, "", "analyze", "--quiet", "--findings", dir)
	if strings.Count(flat, "n_plus_one       ×6") != 2 || strings.Contains(flat, "the most wasteful first") {
		t.Errorf("--findings:\n%s", flat)
	}
	_, js, _ := runCLI(t, "", "analyze", dir, "--format", "json") // flags after the path
	var r struct {
		Findings []report.Finding `json:"findings"`
		Problems []report.Problem `json:"problems"`
		Summary  report.Summary   `json:"summary"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if len(r.Findings) != 2 || len(r.Problems) != 1 || r.Summary.Problems != 1 {
		t.Fatalf("%d findings, %d problems", len(r.Findings), len(r.Problems))
	}
	p := r.Problems[0]
	if p.Occurrences != 2 || p.Traces != 2 || p.WastedQueries != 10 || p.MaxCount != 6 || p.ID != r.Findings[0].Problem ||
		p.ID != r.Findings[1].Problem || p.ExampleTrace == "" || !p.FirstSeen.Before(p.LastSeen) {
		t.Errorf("problem %+v", p)
	}
}

// TestFlagsAfterPaths: flags are read wherever they are; after "--" every
// argument is a path.
func TestFlagsAfterPaths(t *testing.T) {
	dir := writeRun(t, map[string][]string{"/books": append(runStatements[:1:1], lookups(6)...)})
	for _, args := range [][]string{
		{"analyze", "--format", "json", dir},
		{"analyze", dir, "--format", "json"},
		{"analyze", dir, "--format=json", "--quiet"},
		{"analyze", "--quiet", "--", dir},
	} {
		code, out, errs := runCLI(t, "", args...)
		if code != exitClean || !strings.Contains(out, "n_plus_one") {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
	if code, _, errs := runCLI(t, "", "analyze", "--", "--format"); code != exitBadInput || !strings.Contains(errs, "--format") {
		t.Errorf("-- then a path named --format: exit %d: %s", code, errs)
	}
}

// TestZeroTracesIsAnError: reading no trace at all (an empty directory, an
// empty file, files of other things) is bad input, named.
func TestZeroTracesIsAnError(t *testing.T) {
	empty := t.TempDir()
	blank := filepath.Join(t.TempDir(), "blank.json")
	if err := os.WriteFile(blank, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	noSpans := filepath.Join(t.TempDir(), "no-spans.json")
	if err := os.WriteFile(noSpans, []byte(`{"resourceSpans": []}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The files are bad input of their own (otlpfile names them); the empty
	// directory is read without an error, and holds no trace.
	for path, want := range map[string]string{
		empty:   "no traces read from " + empty + " (0 files, 0 spans): nothing to analyze",
		blank:   blank + ": ",
		noSpans: noSpans + ": ",
	} {
		for _, format := range []string{"table", "json", "sarif"} {
			code, _, errs := runCLI(t, "", "analyze", "--quiet", "--format", format, path)
			if code != exitBadInput || !strings.Contains(errs, want) {
				t.Errorf("%s (%s): exit %d: %s", path, format, code, errs)
			}
		}
	}
}

// TestIgnoreRulesInTheReport: a rule that names a problem with a reason
// acknowledges it; an expired rule is reported and suppresses no more; a
// rule that matched nothing is listed.
func TestIgnoreRulesInTheReport(t *testing.T) {
	dir := writeRun(t, map[string][]string{"/books": append(runStatements[:1:1], lookups(6)...)})
	_, out, _ := runCLI(t, "", "analyze", "--quiet", "--format", "json", dir)
	problem := parseJSON(t, out).Findings[0].Problem
	config := filepath.Join(t.TempDir(), "config.yaml")
	write := func(text string) {
		if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(fmt.Sprintf("ignore:\n  - problem: %s\n    reason: paged in JIRA-12\n    expires: 2999-12-31\n  - name: old-admin\n    service: admin\n", problem))
	code, out, errs := runCLI(t, "", "analyze", "--quiet", "--config", config, dir)
	if code != exitClean || !strings.Contains(out, "0 findings (0 problems)") ||
		!strings.Contains(out, "note: ignore rule old-admin matched no finding in this run: remove it if its trap is fixed") ||
		strings.Contains(out, "ignore rule ignore[0]") {
		t.Errorf("exit %d:\n%s%s", code, out, errs)
	}
	write(fmt.Sprintf("ignore:\n  - problem: %s\n    reason: paged in JIRA-12\n    expires: 2001-01-31\n", problem))
	code, out, errs = runCLI(t, "", "analyze", "--quiet", "--config", config, "--fail-on", "n_plus_one", dir)
	if code != exitFindings || !strings.Contains(out, "2 findings (1 problem)") ||
		!strings.Contains(out, "warning: ignore rule ignore[0] (paged in JIRA-12) expired on 2001-01-31: its findings are reported again") {
		t.Errorf("expired: exit %d:\n%s%s", code, out, errs)
	}
}

// TestConfigIsReadAsTheCollectorReadsIt: --config takes the processor's
// section of a collector config, expands the environment as the collector
// does, and refuses what the collector refuses, naming the field: a
// wait_duration without a unit among them.
func TestConfigIsReadAsTheCollectorReadsIt(t *testing.T) {
	dir := writeRun(t, map[string][]string{"/books": append(runStatements[:1:1], lookups(6)...)})
	config := filepath.Join(t.TempDir(), "collector.yaml")
	write := func(text string) {
		if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("QUERYLENS_TEST_MIN_REPEATS", "7")
	write("receivers:\n  otlp:\nprocessors:\n  batch:\n  querylens:\n    wait_duration: 5s\n    detectors:\n      n_plus_one:\n        min_repeats: ${env:QUERYLENS_TEST_MIN_REPEATS}\n")
	if code, out, errs := runCLI(t, "", "analyze", "--quiet", "--config", config, dir); code != exitClean || !strings.Contains(out, "0 findings") {
		t.Errorf("min_repeats from the environment (7 > 6 repeats): exit %d:\n%s%s", code, out, errs)
	}
	for text, want := range map[string]string{
		"wait_duration: 5\n":                              "wait_duration: 5 has no unit (a number alone is read as nanoseconds): write it with one, ns, us (or µs), ms, s, m, h, e.g. 5s",
		"wait_duration: 5x\n":                             `wait_duration: "5x" is not a duration: write a number with its unit, one of ns, us (or µs), ms, s, m, h, e.g. 5s`,
		"wait_duration: 0s\n":                             "wait_duration",
		"detectors:\n  n_plus_one:\n    min_repeats: 1\n": "detectors::n_plus_one: min_repeats must be at least 2, got 1",
		"wait_time: 5s\n":                                 "wait_time",
		"processors:\n  querylens:\n    num_traces: 0\n":  "processors::querylens: num_traces must be at least 1, got 0",
		"processors:\n  batch:\n":                         "no processors::querylens section",
	} {
		write(text)
		if code, _, errs := runCLI(t, "", "analyze", "--quiet", "--config", config, dir); code != exitBadInput || !strings.Contains(errs, want) {
			t.Errorf("%q: exit %d, stderr %q, want it to say %q", text, code, errs, want)
		}
	}
}

// TestCallsAndPlurals: the waste of an n_plus_one_api is calls, not
// queries, and counts of one are singular.
func TestCallsAndPlurals(t *testing.T) {
	code, out, errs := runCLI(t, "", "analyze", "--quiet", filepath.Join(fixtures.Dir(), "sqlalchemy", "api_loop.json"))
	if code != exitClean || !strings.Contains(out, "n_plus_one_api  bookshop-sqlalchemy  /books/stock  1         1       7 calls") ||
		!strings.Contains(out, "1 finding (1 problem) in 1 trace (") {
		t.Errorf("exit %d:\n%s%s", code, out, errs)
	}
	_, flat, _ := runCLI(t, "", "analyze", "--quiet", "--findings", filepath.Join(fixtures.Dir(), "sqlalchemy", "api_loop.json"))
	if !strings.Contains(flat, "wasted 7 calls,") {
		t.Errorf("--findings:\n%s", flat)
	}
}
