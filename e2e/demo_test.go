//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/report"
)

// TestDemo runs the GORM bookshop of `make demo` against the real collector
// and reads the findings with `querylens analyze`: every trap endpoint is
// flagged with its type and count, and no fixed twin is flagged at all.
func TestDemo(t *testing.T) {
	bookshop := binaryFromEnv(t, "QUERYLENS_BOOKSHOP", "bookshop")
	cli := binaryFromEnv(t, "QUERYLENS_CLI", "querylens")
	c, httpPort, out := startFileCollector(t)

	drive := exec.Command(bookshop, "-drive", "-addr", "127.0.0.1:0")
	drive.Env = append(os.Environ(), fmt.Sprintf("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:%d", httpPort))
	if b, err := drive.CombinedOutput(); err != nil {
		t.Fatalf("bookshop -drive: %v\n%s", err, b)
	}
	c.stop(t)

	analyze := exec.Command(cli, "analyze", "--format", "json", out)
	b, err := analyze.Output()
	if err != nil {
		t.Fatalf("querylens analyze: %v", err)
	}
	var r struct {
		Findings []report.Finding `json:"findings"`
		Summary  report.Summary   `json:"summary"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, f := range r.Findings {
		got[f.Route] = append(got[f.Route], fmt.Sprintf("%s x%d", f.Type, f.Count))
	}
	want := map[string][]string{
		// traps (GORM's whole rows are a hint, no finding)
		"/books/authors/lazy":  {"n_plus_one x10"},
		"/authors/books/lazy":  {"n_plus_one x8"},
		"/authors/counts/lazy": {"n_plus_one x8"},
		"/books/import/loop":   {"n_plus_one x20"},
		"/books/all":           {"over_fetch x1"},
		"/books/page/deep":     {"deep_offset x1", "pagination_count x2"},
		// the fixed twins are absent: no finding at all
	}
	for route := range got {
		sort.Strings(got[route])
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings by route\n got %v\nwant %v", got, want)
	}
	if r.Summary.Traces != 12 {
		t.Errorf("%d traces, want one per endpoint (12)", r.Summary.Traces)
	}
	t.Logf("demo: %s", strings.ReplaceAll(r.Summary.String(), "\n", " "))
}

// binaryFromEnv is a binary that `make e2e` builds and names in env.
func binaryFromEnv(t *testing.T, env, name string) string {
	t.Helper()
	bin := os.Getenv(env)
	if bin == "" {
		bin = filepath.Join("..", "bin", name)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s not found (run `make e2e`, which builds it): %v", bin, err)
	}
	return bin
}
