//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/internal/testsupport/hostile"
)

// local runs bin/otelcol-querylens on config/local.yaml, every port moved
// to a free one, the traces written to a file of the test's.
type local struct {
	*collector
	ports  map[string]int
	traces string
}

func startLocal(t *testing.T, wait string) *local {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "config", "local.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	l := &local{ports: map[string]int{}, traces: filepath.Join(t.TempDir(), "traces.jsonl")}
	config := string(raw)
	for _, port := range []string{"4317", "4318", "13133", "8888", "8889", "8890"} {
		l.ports[port] = freePort(t)
		config = strings.ReplaceAll(config, "127.0.0.1:"+port, fmt.Sprintf("127.0.0.1:%d", l.ports[port]))
		config = strings.ReplaceAll(config, "port: "+port, fmt.Sprintf("port: %d", l.ports[port]))
	}
	config = strings.ReplaceAll(config, "${env:QUERYLENS_TRACES_FILE:-querylens-traces.jsonl}", l.traces)
	config = strings.ReplaceAll(config, "wait_duration: 5s", "wait_duration: "+wait)
	if strings.Contains(config, ":4318") || !strings.Contains(config, "max_request_body_size") {
		t.Fatal("config/local.yaml changed shape: update this test")
	}
	l.collector = startCollector(t, config, l.ports["13133"])
	return l
}

func (l *local) url(port, path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", l.ports[port], path)
}

// analysisTimes are the times of analysis on the page and in the API: they
// hold digits of their own, and are not compared.
var analysisTimes = regexp.MustCompile(`\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)|\d\d:\d\d:\d\d`)

// noCanary fails when a piece of the canary (7 bytes of it, or 7 digits of
// its number) is in text.
func noCanary(t *testing.T, where, text string) {
	t.Helper()
	text = analysisTimes.ReplaceAllString(text, "TIME")
	if leak, ok := hostile.Default.Leaks(text, 7); ok {
		t.Errorf("%q of the canary in %s: ...%s...", leak.Piece, where, text[max(leak.At-150, 0):min(leak.At+80, len(text))])
	}
}

// querylensWrote is what querylens wrote into the annotated traces: its
// span attributes and its finding events.
func querylensWrote(t *testing.T, path string) (string, int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	spans := 0
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(line)
		if err != nil {
			t.Fatal(err)
		}
		fixtures.EachSpan([]ptrace.Traces{td}, func(_ pcommon.Resource, s ptrace.Span) {
			spans++
			for k, v := range s.Attributes().All() {
				if strings.HasPrefix(k, "querylens.") {
					fmt.Fprintf(&b, "%s %s=%s\n", s.TraceID(), k, v.AsString())
				}
			}
			for i := 0; i < s.Events().Len(); i++ {
				for k, v := range s.Events().At(i).Attributes().All() {
					fmt.Fprintf(&b, "%s event %s=%s\n", s.TraceID(), k, v.AsString())
				}
			}
		})
	}
	return b.String(), spans
}

func getBody(t *testing.T, url string) (string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	return string(body), resp.Header
}

// TestHostileCorpus posts testdata/hostile through the binary on
// config/local.yaml: no piece of its canary in any output (what querylens
// writes into the spans, its log, the findings page and its API, the
// Prometheus metrics, querylens analyze in every format), and every name of
// every statement kept on the page.
func TestHostileCorpus(t *testing.T) {
	corpus := filepath.Join("..", "testdata", "hostile", "corpus.json.gz")
	lines := gzipLines(t, corpus)
	var cases []hostile.CorpusCase
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "hostile", "cases.yaml"))
	if err != nil || yaml.Unmarshal(raw, &cases) != nil || len(cases) != len(lines) {
		t.Fatalf("cases.yaml: %v, %d cases for %d traces", err, len(cases), len(lines))
	}
	systems := map[string]bool{}
	for _, c := range cases {
		systems[c.System] = true
	}
	if len(cases) < 150 || len(systems) < 12 {
		t.Fatalf("%d statements of %d systems", len(cases), len(systems))
	}
	l := startLocal(t, "500ms")
	for _, line := range lines {
		if err := postOTLPJSON(context.Background(), l.ports["4318"], line); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, h := getBody(t, l.url("8890", "/api/requests?limit=1"))
		if h.Get("X-Total-Count") == fmt.Sprint(len(lines)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page holds %s requests of %d after 60 s", h.Get("X-Total-Count"), len(lines))
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The page and its API, every page of it.
	statements := map[string]string{} // by trace id, on the page
	for offset := 0; ; offset += 100 {
		body, h := getBody(t, l.url("8890", fmt.Sprintf("/api/requests?limit=100&offset=%d", offset)))
		noCanary(t, "/api/requests", body)
		var reqs []struct {
			TraceID    string `json:"trace_id"`
			Statements []struct {
				Text string `json:"statement"`
			} `json:"statements"`
		}
		if err := json.Unmarshal([]byte(body), &reqs); err != nil {
			t.Fatal(err)
		}
		for _, r := range reqs {
			for _, s := range r.Statements {
				statements[r.TraceID] += s.Text + "\n"
			}
		}
		if h.Get("Link") == "" {
			break
		}
	}
	for offset := 0; ; offset += 100 {
		body, h := getBody(t, l.url("8890", fmt.Sprintf("/api/findings?limit=100&offset=%d", offset)))
		noCanary(t, "/api/findings", body)
		if h.Get("Link") == "" {
			break
		}
	}
	for _, path := range []string{"/", "/problems", "/routes", "/fingerprints", "/api/problems?limit=1000"} {
		body, _ := getBody(t, l.url("8890", path))
		noCanary(t, "the page "+path, body)
	}
	kept := 0
	for _, c := range cases {
		body, _ := getBody(t, l.url("8890", "/requests/"+c.TraceID))
		noCanary(t, "the page of "+c.System+" "+c.Form, body)
		for _, name := range c.Names {
			if !strings.Contains(statements[c.TraceID], name) {
				t.Errorf("%s %s: the name %q is not on the page: %q", c.System, c.Form, name, statements[c.TraceID])
			}
			kept++
		}
	}
	var metrics string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if metrics, _ = getBody(t, l.url("8889", "/metrics")); strings.Contains(metrics, "querylens_statement=") {
			break
		}
	}
	noCanary(t, "the Prometheus metrics", metrics)
	if !strings.Contains(metrics, "querylens_statement=") {
		t.Error("no querylens_statement label: the check checked nothing")
	}
	l.stop(t)
	noCanary(t, "the collector's log", l.log.String())
	wrote, spans := querylensWrote(t, l.traces)
	noCanary(t, "what querylens wrote into the spans", wrote)
	if !strings.Contains(wrote, "querylens.statement=") || spans != len(lines)*8 {
		t.Errorf("%d spans out of %d, finding statements %v", spans, len(lines)*8, strings.Contains(wrote, "querylens.statement="))
	}

	// querylens analyze, in every format, and the traces it writes.
	cli := binaryFromEnv(t, "QUERYLENS_CLI", "querylens")
	written := filepath.Join(t.TempDir(), "annotated.jsonl")
	for _, args := range [][]string{{"--requests", "300"}, {"--format", "json"}, {"--format", "sarif"}, {"--write", written}} {
		out, err := exec.Command(cli, append(append([]string{"analyze", "--quiet"}, args...), corpus)...).CombinedOutput()
		if err != nil {
			t.Fatalf("analyze %v: %v\n%s", args, err, out)
		}
		noCanary(t, fmt.Sprintf("querylens analyze %v", args), string(out))
	}
	wrote, _ = querylensWrote(t, written)
	noCanary(t, "what querylens analyze --write wrote", wrote)
	t.Logf("%d statements of %d systems: no piece of the canary in any output; %d names kept", len(cases), len(systems), kept)
}
