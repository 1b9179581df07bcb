//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/tools/loadgen"
)

// TestFindingsPageInABrowser runs the collector on the pipeline of
// config/local.yaml (its ports moved to free ones), with the trace store its
// comments document: a real Jaeger receiving the traces, trace_url linking
// to it. It posts the testdata and checks, in the page's HTML, every
// expected finding on its request and the instrumentation-gap banner; then
// drives the page in Debian's chromium with Playwright (e2e/browser/page.mjs):
// the waterfall of an N+1 with its loop highlighted, hover and focus, live
// updates of the index and of a request page with the pause, problem ->
// request -> trace link into Jaeger, a request of 1,000 spans, the page
// without JavaScript, no console error; and, filled to max_requests, the
// index timed. It leaves screenshots in QUERYLENS_SCREENSHOTS (default a
// temporary directory).
func TestFindingsPageInABrowser(t *testing.T) {
	chromium := debianBinary(t, "chromium", "/usr/bin/chromium")
	driver := playwright(t)
	j := startJaeger(t, binaryFromEnv(t, "QUERYLENS_JAEGER", "jaeger"))
	local, err := os.ReadFile(filepath.Join("..", "config", "local.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ports := map[string]int{"4317": freePort(t), "4318": freePort(t), "13133": freePort(t), "8888": freePort(t), "8889": freePort(t), "8890": freePort(t)}
	config := string(local)
	for old, port := range ports {
		config = strings.ReplaceAll(config, "127.0.0.1:"+old, fmt.Sprintf("127.0.0.1:%d", port))
		config = strings.ReplaceAll(config, "port: "+old, fmt.Sprintf("port: %d", port))
	}
	// The trace store, as the comments of config/local.yaml say.
	for _, r := range [][2]string{
		{"    # trace_url: http://127.0.0.1:16686/trace/{trace_id}", "    trace_url: " + j.query + "/trace/{trace_id}"},
		{"exporters: [file, querylens]", "exporters: [file, querylens, otlp_grpc/jaeger]"},
		{"\nexporters:\n", fmt.Sprintf("\nexporters:\n  otlp_grpc/jaeger:\n    endpoint: 127.0.0.1:%d\n    tls: {insecure: true}\n", j.otlpPort)},
		{"${env:QUERYLENS_TRACES_FILE:-querylens-traces.jsonl}", filepath.Join(t.TempDir(), "traces.jsonl")},
		{"wait_duration: 30s", "wait_duration: 500ms"},
	} {
		if !strings.Contains(config, r[0]) {
			t.Fatalf("config/local.yaml no longer holds %q: update this test", r[0])
		}
		config = strings.ReplaceAll(config, r[0], r[1])
	}
	if strings.Contains(config, "4318") {
		t.Fatal("config/local.yaml changed shape: update this test")
	}
	c := startCollector(t, config, ports["13133"])
	defer c.stop(t)

	all, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	var scenarios []fixtures.Scenario // those with a request: queries with no parent are none
	gapServices := map[string]bool{}
	for _, s := range all {
		if fixtures.HasRequest(s.Requests...) {
			scenarios = append(scenarios, s)
		} else {
			gapServices[serviceName(s.Requests[0].ResourceSpans().At(0).Resource())] = true
		}
		for _, line := range s.Lines {
			if err := postOTLPJSON(context.Background(), ports["4318"], line); err != nil {
				t.Fatal(err)
			}
		}
	}
	page := fmt.Sprintf("http://127.0.0.1:%d", ports["8890"])
	shots := os.Getenv("QUERYLENS_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	// Wait, with plain requests, until every trace was analyzed: a trace of
	// two services holds two requests, so rows are counted by trace id.
	rowRe := regexp.MustCompile(`(?s)<tr class="request">.*?href="/requests/([0-9a-f]{32})".*?</tr>`)
	var rows map[string]string // trace id -> its rows
	var index string
	deadline := time.Now().Add(60 * time.Second)
	for {
		rows, index = map[string]string{}, get(t, page+"/", "")
		for _, m := range rowRe.FindAllStringSubmatch(index, -1) {
			rows[m[1]] += m[0]
		}
		if len(rows) >= len(scenarios) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(rows) < len(scenarios) {
		t.Fatalf("the page shows %d traces, %d were sent", len(rows), len(scenarios))
	}
	for _, s := range scenarios {
		id := traceIDOf(s)
		row := rows[id]
		req := get(t, page+"/requests/"+id, "")
		for _, f := range s.Expected.Findings {
			if !strings.Contains(row, `class="f t-`+f.Type+`"`) {
				t.Errorf("%s/%s: no %s badge on its row", s.Source, s.Name, f.Type)
			}
			queries := fmt.Sprintf("%d queries,", f.Count)
			if f.Count == 1 {
				queries = "1 query,"
			}
			if !strings.Contains(req, `<span class="f t-`+f.Type+`">`+f.Type+`</span><br>`+queries) || !strings.Contains(req, f.Table) {
				t.Errorf("%s/%s: %s of %d queries on %s not on its request page", s.Source, s.Name, f.Type, f.Count, f.Table)
			}
		}
		if len(s.Expected.Findings) == 0 && (strings.Contains(row, `class="f `) || !strings.Contains(row, ">none<")) {
			t.Errorf("%s/%s: the fixed form shows findings: %s", s.Source, s.Name, row)
		}
		if !strings.Contains(req, `<section class="wf`) || strings.Contains(req, "= 1 ") {
			t.Errorf("%s/%s: no waterfall, or a literal on the request page", s.Source, s.Name)
		}
	}
	// Queries in no request: the banner names their service.
	if len(gapServices) == 0 {
		t.Fatal("the testdata holds no trace of queries in no request")
	}
	for service := range gapServices {
		if !strings.Contains(index, "<b>"+service+"</b>: ") || !strings.Contains(index, "ran in no request") {
			t.Errorf("no instrumentation-gap banner for %s", service)
		}
	}

	// The browser: traces it posts itself while it watches, as files.
	dir := t.TempDir()
	write := func(name string, td ptrace.Traces) (file, trace string) {
		body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		if err != nil {
			t.Fatal(err)
		}
		file = filepath.Join(dir, name)
		if err := os.WriteFile(file, body, 0o600); err != nil {
			t.Fatal(err)
		}
		return file, td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String()
	}
	type traceFile struct {
		File  string `json:"file"`
		Trace string `json:"trace"`
	}
	gen, err := loadgen.New(7)
	if err != nil {
		t.Fatal(err)
	}
	var live []traceFile
	for i, s := range []string{"gorm-postgres/forward_fk_loop", "django/forward_fk_loop", "sequelize/forward_fk_loop"} {
		td := freshCopy(scenarioNamed(t, scenarios, s), gen)
		file, trace := write(fmt.Sprintf("live-%d.json", i), td)
		live = append(live, traceFile{file, trace})
	}
	bigFile, bigTrace := write("big.json", loadgen.LoopRequest(time.Now(), 1000, 42))
	nplus1 := scenarioNamed(t, scenarios, "gorm-postgres/forward_fk_loop")
	cfg := map[string]any{
		"mode": "interactive", "chromium": chromium, "tmp": t.TempDir(), "shots": shots,
		"page": page, "otlp": fmt.Sprintf("http://127.0.0.1:%d/v1/traces", ports["4318"]), "traceStore": j.query,
		"nplus1": map[string]any{"trace": traceIDOf(nplus1), "type": nplus1.Expected.Findings[0].Type, "count": nplus1.Expected.Findings[0].Count},
		"live":   live,
		"big":    map[string]any{"file": bigFile, "trace": bigTrace, "spans": 1000, "members": 497},
	}
	out := runPlaywright(t, driver, cfg)
	t.Logf("in Chromium: the trace store holds %v spans of the linked trace; the page of 1,000 spans loaded in %v ms (%v)",
		out["traceStoreSpans"], out["bigPageLoadMs"], out["bigPageTiming"])

	// A full page: the testdata again, with fresh ids, up to the default bound
	// of 1,000 requests.
	for i := 0; i < 800; i++ {
		body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(gen.Next(time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if err := postOTLPJSON(context.Background(), ports["4318"], body); err != nil {
			t.Fatal(err)
		}
	}
	deadline = time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && strings.Count(get(t, page+"/", ""), `<tr class="request">`) < 1000 {
		time.Sleep(200 * time.Millisecond)
	}
	cfg["mode"], cfg["fullRows"] = "full-index", 1000
	out = runPlaywright(t, driver, cfg)
	t.Logf("the index of %v requests loaded in Chromium in %v ms (%v bytes); screenshots in %s", out["indexRows"], out["indexLoadMs"], out["indexBytes"], shots)
}

// freshCopy is a scenario's trace with fresh ids, starting now.
func freshCopy(s fixtures.Scenario, gen *loadgen.Generator) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, r := range s.Fresh() {
		r.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
	return gen.Refresh(td, time.Now())
}

func traceIDOf(s fixtures.Scenario) string {
	return s.Requests[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String()
}

func scenarioNamed(t *testing.T, all []fixtures.Scenario, name string) fixtures.Scenario {
	for _, s := range all {
		if s.Source+"/"+s.Name == name {
			return s
		}
	}
	t.Fatalf("no scenario %s", name)
	return fixtures.Scenario{}
}

// playwright installs the pinned playwright-core (e2e/browser/package.json
// and its lock) with npm into build/playwright, once, and returns the
// directory that holds it and the test's script. Only where npm cannot run
// at all is the test skipped, loudly.
func playwright(t *testing.T) string {
	t.Helper()
	skip := func(why string, args ...any) {
		t.Skipf("\n%s\n!!! SKIPPED: the findings page's browser test needs Playwright from npm: "+why+"\n%s",
			append(append([]any{strings.Repeat("!", 78)}, args...), strings.Repeat("!", 78))...)
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			skip("%s: %v", tool, err)
		}
	}
	dir, err := filepath.Abs(filepath.Join("..", "build", "playwright"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	changed := false
	for _, name := range []string{"package.json", "package-lock.json", "page.mjs"} {
		src, err := os.ReadFile(filepath.Join("browser", name))
		if err != nil {
			t.Fatal(err)
		}
		if old, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Equal(old, src) {
			if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
				t.Fatal(err)
			}
			changed = changed || name != "page.mjs"
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err != nil || changed {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		install := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund")
		install.Dir = dir
		if out, err := install.CombinedOutput(); err != nil {
			skip("`npm install` in %s failed: %v\n%s", dir, err, lastLines(string(out), 10))
		}
	}
	return dir
}

// runPlaywright runs the browser script with cfg and returns what it
// measured; the test fails with the script's message when a check fails.
func runPlaywright(t *testing.T, dir string, cfg map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "page.mjs"))
	cmd.Env = append(os.Environ(), "QL_CONFIG="+string(b))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the browser test (%s) failed: %v\n%s", cfg["mode"], err, lastLines(stderr.String(), 30))
	}
	out := map[string]any{}
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); err != nil {
		t.Fatalf("the browser test wrote %q: %v", stdout.String(), err)
	}
	return out
}
