//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/fixtures"
	"github.com/querylens/querylens/internal/loadgen"
)

// TestFindingsPageInABrowser runs the collector on the pipeline of
// config/local.yaml (its ports moved to free ones), posts the testdata, and
// loads the findings page in headless Chromium: every expected finding is
// shown on its request with its count and statement, and the fixed forms
// show none. It leaves screenshots in QUERYLENS_SCREENSHOTS (default a
// temporary directory).
func TestFindingsPageInABrowser(t *testing.T) {
	chromium := debianBinary(t, "chromium", "/usr/bin/chromium")
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
	config = strings.ReplaceAll(config, "${env:QUERYLENS_TRACES_FILE:-querylens-traces.jsonl}", filepath.Join(t.TempDir(), "traces.jsonl"))
	config = strings.ReplaceAll(config, "wait_duration: 30s", "wait_duration: 500ms")
	if strings.Contains(config, "4318") || !strings.Contains(config, "querylens:") {
		t.Fatal("config/local.yaml changed shape: update this test")
	}
	c := startCollector(t, config, ports["13133"])
	defer c.stop(t)

	all, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	var scenarios []fixtures.Scenario // those with a request: queries with no parent are none
	for _, s := range all {
		if fixtures.HasRequest(s.Requests...) {
			scenarios = append(scenarios, s)
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
	// Wait, with plain requests, until every trace was analyzed; then render.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && strings.Count(get(t, page+"/", ""), `<tr class="request">`) < len(scenarios) {
		time.Sleep(200 * time.Millisecond)
	}
	start := time.Now()
	dom := browse(t, chromium, page+"/", "")
	t.Logf("the index of %d requests rendered in Chromium in %s (%d bytes)", strings.Count(dom, `<tr class="request">`), time.Since(start).Round(time.Millisecond), len(dom))
	rows := map[string]string{} // trace id -> its findings cell
	rowRe := regexp.MustCompile(`(?s)<tr class="request">.*?href="/requests/([0-9a-f]{32})".*?</tr>`)
	for _, m := range rowRe.FindAllStringSubmatch(dom, -1) {
		rows[m[1]] += m[0]
	}
	if len(rows) < len(scenarios) {
		t.Fatalf("the page shows %d traces, %d were sent", len(rows), len(scenarios))
	}
	checked := 0
	for _, s := range scenarios {
		id := s.Requests[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String()
		row := rows[id]
		for _, f := range s.Expected.Findings {
			if !strings.Contains(row, fmt.Sprintf("%s ×%d", f.Type, f.Count)) {
				t.Errorf("%s/%s: %s ×%d not on the page", s.Source, s.Name, f.Type, f.Count)
			}
		}
		if len(s.Expected.Findings) == 0 && (strings.Contains(row, `class="f"`) || !strings.Contains(row, ">none<")) {
			t.Errorf("%s/%s: the fixed form shows findings: %s", s.Source, s.Name, row)
		}
		checked++
	}
	// A request page: the statement of each finding, normalized.
	for _, name := range []string{"django/forward_fk_loop", "gorm-postgres/mn_plus_one_loop", "sequelize/pagination_count"} {
		s := scenarioNamed(t, scenarios, name)
		id := s.Requests[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String()
		shot := filepath.Join(shots, strings.ReplaceAll(name, "/", "-")+".png")
		req := browse(t, chromium, page+"/requests/"+id, shot)
		for _, f := range s.Expected.Findings {
			if !strings.Contains(req, fmt.Sprintf("%s ×%d", f.Type, f.Count)) || !strings.Contains(req, f.Table) {
				t.Errorf("%s: %s ×%d on %s not on its request page", name, f.Type, f.Count, f.Table)
			}
		}
		if !strings.Contains(req, "<code>SELECT ") || strings.Contains(req, "= 1 ") {
			t.Errorf("%s: the request page does not show normalized statements", name)
		}
	}
	browse(t, chromium, page+"/?type=n_plus_one&sort=queries", filepath.Join(shots, "index.png"))
	t.Logf("%d traces checked on the page; screenshots in %s", checked, shots)

	// A full page: the testdata again, with fresh ids, up to the default bound
	// of 1,000 requests.
	gen, err := loadgen.New(1)
	if err != nil {
		t.Fatal(err)
	}
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
	start = time.Now()
	dom = browse(t, chromium, page+"/", "")
	if n := strings.Count(dom, `<tr class="request">`); n != 1000 {
		t.Fatalf("the full page shows %d requests, want the bound of 1000", n)
	}
	t.Logf("the index of 1000 requests rendered in Chromium in %s (%d bytes)", time.Since(start).Round(time.Millisecond), len(dom))
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

// browse loads a page in headless Chromium and returns the DOM it rendered;
// with screenshot set, it also writes a PNG of it.
func browse(t *testing.T, chromium, url, screenshot string) string {
	t.Helper()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--window-size=1400,1000"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if screenshot != "" {
		if out, err := exec.CommandContext(ctx, chromium, append(args, "--screenshot="+screenshot, url)...).CombinedOutput(); err != nil {
			t.Fatalf("chromium --screenshot: %v\n%s", err, lastLines(string(out), 5))
		}
		if _, err := os.Stat(screenshot); err != nil {
			t.Errorf("no screenshot written: %v", err)
		}
	}
	out, err := exec.CommandContext(ctx, chromium, append(args, "--dump-dom", url)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v", url, err)
	}
	return string(out)
}
