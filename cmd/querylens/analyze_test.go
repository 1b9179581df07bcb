package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/report"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// runCLI runs the command and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

type jsonReport struct {
	Findings []report.Finding `json:"findings"`
	Summary  report.Summary   `json:"summary"`
}

func parseJSON(t *testing.T, s string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return r
}

// TestAnalyzeTestdata runs the tool over the whole testdata directory and
// checks every scenario's findings against its expected file, with the
// default buffer and with a buffer of one trace (streaming).
func TestAnalyzeTestdata(t *testing.T) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	byTrace := map[string]fixtures.Scenario{}
	for _, s := range scenarios {
		for _, td := range s.Requests {
			fixtures.EachSpan([]ptrace.Traces{td}, func(_ pcommon.Resource, sp ptrace.Span) { byTrace[sp.TraceID().String()] = s })
		}
	}
	oneTrace := filepath.Join(t.TempDir(), "small.yaml")
	if err := os.WriteFile(oneTrace, []byte("num_traces: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Every scenario directory (not the generators, whose package.json files
	// are not traces).
	var dirs []string
	seen := map[string]bool{}
	for _, s := range scenarios {
		if d := filepath.Dir(s.Path); !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	var first []report.Finding
	for _, args := range [][]string{{}, {"--config", oneTrace}} {
		code, out, stderr := runCLI(t, "", append(append([]string{"analyze", "--format", "json"}, args...), dirs...)...)
		if code != exitClean {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		r := parseJSON(t, out)
		got := map[string][]fixtures.Observed{}
		for _, f := range r.Findings {
			got[f.TraceID] = append(got[f.TraceID], fixtures.Observed{Finding: f})
		}
		for id, s := range byTrace {
			if err := fixtures.Match(s.Expected.Findings, got[id]); err != nil {
				t.Errorf("%v %s/%s: %v", args, s.Source, s.Name, err)
			}
		}
		if r.Summary.Spans == 0 || r.Summary.Traces != len(byTrace) || r.Summary.Files != len(scenarios) {
			t.Errorf("summary %+v, %d traces", r.Summary, len(byTrace))
		}
		if first == nil {
			first = r.Findings
		} else if len(first) != len(r.Findings) {
			t.Errorf("a buffer of one trace gave %d findings, the default %d", len(r.Findings), len(first))
		}
	}
}

func TestFailOnAndExitCodes(t *testing.T) {
	nPlusOne := filepath.Join(fixtures.Dir(), "django", "forward_fk_loop.json")
	clean := filepath.Join(fixtures.Dir(), "django", "forward_fk_join.json")
	cases := []struct {
		args []string
		code int
	}{
		{[]string{nPlusOne}, exitClean},
		{[]string{"--fail-on", "n_plus_one", nPlusOne}, exitFindings},
		{[]string{"--fail-on", "any", nPlusOne}, exitFindings},
		{[]string{"--fail-on", "deep_offset,over_fetch", nPlusOne}, exitClean},
		{[]string{"--fail-on", "any", clean}, exitClean},
		{[]string{"--fail-on", "n_plus_two", nPlusOne}, exitBadInput},
		{[]string{"--format", "yaml", nPlusOne}, exitBadInput},
		{[]string{"does-not-exist.json"}, exitBadInput},
		{[]string{}, exitBadInput},
	}
	for _, c := range cases {
		if code, _, stderr := runCLI(t, "", append([]string{"analyze"}, c.args...)...); code != c.code {
			t.Errorf("analyze %v: exit %d, want %d (%s)", c.args, code, c.code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "", "analyze", "--fail-on", "n_plus_two", nPlusOne); code != exitBadInput ||
		!strings.Contains(stderr, `"n_plus_two" is not a finding type; allowed: none, any, mn_plus_one`) {
		t.Errorf("unknown type: %d %s", code, stderr)
	}
}

func TestBadInputNamesFileAndPositionAndGoesOn(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join(fixtures.Dir(), "quickstart", "n_plus_one.json"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"a-not-otlp.json":   `{"hello": "world"}`,
		"b-truncated.json":  string(good[:len(good)/2]),
		"c-wrong-type.json": string(good) + `{"resourceSpans": "not a list"}` + "\n",
		"d-not-json.json":   "SELECT * FROM books\n",
		"e-good.json":       string(good),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := runCLI(t, "", "analyze", "--fail-on", "any", "--format", "json", dir)
	if code != exitBadInput {
		t.Errorf("exit %d, want %d", code, exitBadInput)
	}
	for _, want := range []string{
		// A JSON file with no traces in a directory is skipped with a note;
		// the same file named on the command line is bad input (below).
		"hold no OTLP traces, skipped: " + filepath.Join(dir, "a-not-otlp.json"),
		"b-truncated.json: line 1, byte",
		"truncated JSON",
		"c-wrong-type.json: line 2, byte",
		"d-not-json.json: line 1, byte",
		"not JSON",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	// The good file, and the good request before the bad one, were analyzed.
	r := parseJSON(t, out)
	if r.Summary.Findings["n_plus_one"] != 1 || r.Summary.Spans != 28 || len(r.Summary.Errors) != 3 {
		t.Errorf("summary %+v", r.Summary)
	}
	code, _, stderr = runCLI(t, "", "analyze", filepath.Join(dir, "a-not-otlp.json"))
	if code != exitBadInput || !strings.Contains(stderr, "a-not-otlp.json: line 1, byte 0: not an OTLP ExportTraceServiceRequest: no resourceSpans") {
		t.Errorf("a named file with no traces: exit %d, %s", code, stderr)
	}
}

func TestInputFormats(t *testing.T) {
	src := filepath.Join(fixtures.Dir(), "gorm-sqlite", "forward_fk_loop.json")
	_, requests, err := fixtures.ReadLines(src)
	if err != nil {
		t.Fatal(err)
	}
	lines, _ := os.ReadFile(src)
	dir := t.TempDir()
	// gzip
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(lines)
	_ = w.Close()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// protobuf: the file exporter's length-prefixed requests, and one request
	var framed bytes.Buffer
	merged := ptrace.NewTraces()
	for _, td := range requests {
		b, _ := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		_ = binary.Write(&framed, binary.BigEndian, uint32(len(b)))
		framed.Write(b)
		cp := ptrace.NewTraces()
		td.CopyTo(cp)
		cp.ResourceSpans().MoveAndAppendTo(merged.ResourceSpans())
	}
	single, _ := (&ptrace.ProtoMarshaler{}).MarshalTraces(merged)
	// one pretty-printed JSON document over many lines
	pretty := bytes.Buffer{}
	mj, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(merged)
	_ = json.Indent(&pretty, mj, "", "  ")

	inputs := map[string][]string{
		"json lines":      {src},
		"gzip":            {write("trace.json.gz", gz.Bytes())},
		"framed protobuf": {write("trace.pb", framed.Bytes())},
		"one protobuf":    {write("one.binpb", single)},
		"pretty JSON":     {write("pretty.json", pretty.Bytes())},
		"stdin":           {"-"},
	}
	for name, args := range inputs {
		stdin := ""
		if args[0] == "-" {
			stdin = string(lines)
		}
		code, out, stderr := runCLI(t, stdin, append([]string{"analyze", "--format", "json"}, args...)...)
		r := parseJSON(t, out)
		if code != exitClean || r.Summary.Findings["n_plus_one"] != 1 || r.Summary.Spans != 14 {
			t.Errorf("%s: exit %d, summary %+v, %s", name, code, r.Summary, stderr)
		}
	}
}

func TestWriteAnnotatedTraces(t *testing.T) {
	out := filepath.Join(t.TempDir(), "annotated.jsonl.gz")
	src := filepath.Join(fixtures.Dir(), "sequelize")
	if code, _, stderr := runCLI(t, "", "analyze", "--write", out, "--format", "json", src); code != exitClean {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Read back with the tool itself: the annotations are there (the processor
	// does not add a second event to an annotated trace: it is re-analyzed).
	code, stdout, _ := runCLI(t, "", "analyze", "--format", "json", out)
	r := parseJSON(t, stdout)
	scenarios, _ := fixtures.All()
	spans := 0
	for _, s := range scenarios {
		if s.Source == "sequelize" {
			spans += s.SpanCount()
		}
	}
	if code != exitClean || r.Summary.Spans != spans {
		t.Errorf("re-read %d spans, want %d", r.Summary.Spans, spans)
	}
}

func TestSARIF(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop")
	ss := rs.ScopeSpans().AppendEmpty()
	root := ss.Spans().AppendEmpty()
	root.SetTraceID(pcommon.TraceID{1})
	root.SetSpanID(pcommon.SpanID{1})
	root.SetName("GET /books")
	root.SetKind(ptrace.SpanKindServer)
	for i := 0; i < 6; i++ {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1})
		s.SetSpanID(pcommon.SpanID{2, byte(i)})
		s.SetParentSpanID(pcommon.SpanID{1})
		s.SetStartTimestamp(pcommon.Timestamp(1000 + i))
		s.Attributes().PutStr("db.system.name", "postgresql")
		s.Attributes().PutStr("db.query.text", "SELECT id FROM authors WHERE id = $1")
		s.Attributes().PutStr("code.function.name", "shop.ListBooks")
		s.Attributes().PutStr("code.file.path", "shop/books.go")
		s.Attributes().PutInt("code.line.number", 42)
	}
	b, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	code, out, stderr := runCLI(t, string(b), "analyze", "--format", "sarif", "-")
	if code != exitClean {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Tool.Driver.Rules) != len(detect.Types) || len(log.Runs[0].Results) != 1 {
		t.Fatalf("SARIF: %s", out)
	}
	res := log.Runs[0].Results[0]
	if res.RuleID != "n_plus_one" || len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI != "shop/books.go" ||
		res.Locations[0].PhysicalLocation.Region.StartLine != 42 {
		t.Errorf("result %+v", res)
	}
}

func TestQueryBudget(t *testing.T) {
	dir := filepath.Join(fixtures.Dir(), "django")
	// forward_fk_loop makes 14 queries, books/details/ 22, books/import/ 21.
	cases := []struct {
		budget string
		code   int
		over   int
	}{
		{"100", exitClean, 0},
		{"21", exitFindings, 1},
		{"15", exitFindings, 2},
	}
	requests := 0
	for _, c := range cases {
		code, out, stderr := runCLI(t, "", "analyze", "--format", "json", "--requests", "3", "--max-queries-per-request", c.budget, dir)
		r := parseJSON(t, out)
		requests = r.Summary.Requests
		if code != c.code || len(r.Summary.OverBudget) != c.over {
			t.Errorf("budget %s: exit %d, %d over budget; want %d, %d (%s)", c.budget, code, len(r.Summary.OverBudget), c.code, c.over, stderr)
		}
		if len(r.Summary.Heaviest) != 3 || r.Summary.Heaviest[0].Queries != 22 || r.Summary.Heaviest[0].Route != "books/details/" ||
			r.Summary.Heaviest[1].Queries < r.Summary.Heaviest[2].Queries || r.Summary.Requests == 0 {
			t.Errorf("heaviest requests: %+v of %d", r.Summary.Heaviest, r.Summary.Requests)
		}
	}
	if code, _, _ := runCLI(t, "", "analyze", "--max-queries-per-request", "-1", dir); code != exitBadInput {
		t.Errorf("a negative budget: exit %d", code)
	}
	_, table, _ := runCLI(t, "", "analyze", "--requests", "2", "--max-queries-per-request", "21", dir)
	for _, want := range []string{"Requests by database queries, heaviest 2 of", "Requests over the budget of 21 queries:", fmt.Sprintf("1 of %d requests over the budget of 21 queries", requests)} {
		if !strings.Contains(table, want) {
			t.Errorf("the table does not say %q", want)
		}
	}
}

// TestAnalyzeReportsGaps: queries with no parent span ran in no request: they
// are no request, and the run ends with a warning per service that says how
// its ORM gets the request's context (in the table, on stderr for the other
// formats, and in the JSON summary).
func TestAnalyzeReportsGaps(t *testing.T) {
	line := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"auth"}},` +
		`{"key":"telemetry.sdk.language","value":{"stringValue":"go"}}]},"scopeSpans":[{"scope":{"name":"gorm.io/plugin/opentelemetry"},"spans":[` +
		`{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"select users","kind":3,` +
		`"startTimeUnixNano":"1000","endTimeUnixNano":"2000","attributes":[{"key":"db.system.name","value":{"stringValue":"postgresql"}},` +
		`{"key":"db.query.text","value":{"stringValue":"SELECT * FROM users WHERE id = 7"}}]}]}]}]}`
	path := filepath.Join(t.TempDir(), "gap.json")
	if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "analyze", "--quiet", path)
	if code != exitClean || !strings.Contains(out, "warning: auth: 1 database query in 1 trace ran in no request") ||
		!strings.Contains(out, "db.WithContext(ctx)") || !strings.Contains(out, "0 findings (0 problems) in 1 trace (1 span, 1 file)") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "", "analyze", "--quiet", "--format", "json", path)
	r := parseJSON(t, out)
	if code != exitClean || r.Summary.Requests != 0 || len(r.Summary.Gaps) != 1 || r.Summary.Gaps[0].Queries != 1 ||
		!strings.Contains(errs, "warning: auth:") {
		t.Errorf("exit %d, summary %+v, stderr %s", code, r.Summary, errs)
	}
}

// TestDirectorySkipsFilesThatHoldNoTraces: a directory's JSON files that are
// no OTLP at all (package.json, a truth file) are skipped with a note; named
// on the command line, such a file is bad input; a broken trace file in a
// directory still is.
func TestDirectorySkipsFilesThatHoldNoTraces(t *testing.T) {
	dir := t.TempDir()
	trace, err := os.ReadFile(filepath.Join(fixtures.Dir(), "django", "forward_fk_loop.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"trace.json":        string(trace),
		"package.json":      `{"name": "app", "dependencies": {}}`,
		"sub/truth.json":    `{"app": "x", "traps": []}`,
		"sub/settings.json": `[1, 2, 3]`,
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := runCLI(t, "", "analyze", "--quiet", dir)
	if code != exitClean || !strings.Contains(errs, "note: 3 JSON files in the directories hold no OTLP traces, skipped") ||
		!strings.Contains(out, "spans, 1 file)") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if code, _, errs := runCLI(t, "", "analyze", "--quiet", filepath.Join(dir, "package.json")); code != exitBadInput {
		t.Errorf("a named file that holds no traces: exit %d, %s", code, errs)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), trace[:len(trace)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "", "analyze", "--quiet", dir); code != exitBadInput || !strings.Contains(errs, "broken.json") {
		t.Errorf("a broken trace file in a directory: exit %d, %s", code, errs)
	}
}

// TestGapNamesTheStatementMostRun: when one statement ran a third of a
// service's queries with no parent or more, the warning and the JSON name it,
// normalized (no value of it): the code that runs it, a middleware or hook,
// is where the context is lost.
func TestGapNamesTheStatementMostRun(t *testing.T) {
	var lines []string
	for i := 0; i < 14; i++ {
		stmt := fmt.Sprintf("INSERT INTO audit_log (path, user_id) VALUES ('/secret-%d', %d)", i, 4000+i)
		if i >= 12 {
			stmt = fmt.Sprintf("SELECT * FROM users WHERE id = %d", i)
		}
		lines = append(lines, fmt.Sprintf(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"admin"}},`+
			`{"key":"telemetry.sdk.language","value":{"stringValue":"go"}}]},"scopeSpans":[{"scope":{"name":"gorm.io/plugin/opentelemetry"},"spans":[`+
			`{"traceId":"%032x","spanId":"%016x","name":"gorm.Create","kind":3,"startTimeUnixNano":"1000","endTimeUnixNano":"2000",`+
			`"attributes":[{"key":"db.system.name","value":{"stringValue":"postgresql"}},{"key":"db.query.text","value":{"stringValue":%q}}]}]}]}]}`,
			i+1, i+1, stmt))
	}
	path := filepath.Join(t.TempDir(), "gaps.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "", "analyze", "--quiet", path)
	want := "12 of them ran one statement, INSERT INTO audit_log (path, user_id) VALUES (?):"
	if code != exitClean || !strings.Contains(out, "warning: admin: 14 database queries in 14 traces") || !strings.Contains(out, want) ||
		strings.Contains(out, "secret") || strings.Contains(out, "4001") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
	_, out, _ = runCLI(t, "", "analyze", "--quiet", "--format", "json", path)
	if r := parseJSON(t, out); len(r.Summary.Gaps) != 1 || r.Summary.Gaps[0].StatementQueries != 12 ||
		!strings.HasPrefix(r.Summary.Gaps[0].Statement, "INSERT INTO audit_log") {
		t.Errorf("summary %+v", r.Summary.Gaps)
	}
}
