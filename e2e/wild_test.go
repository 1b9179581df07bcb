//go:build e2e

package e2e

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/querylens/querylens/e2e/wildscore"
	"github.com/querylens/querylens/internal/report"
)

// TestCollectorOnWildCorpus posts the recorded traffic of every real
// application of testdata/wild to the real collector, reads the findings it
// wrote into the traces, and scores them against each app's truth: the bar of
// issue 17 through the binary, with every span out that went in. It does so in
// both release modes, whose findings must be the same, to the id and the
// member spans; what else differs between them (a request's query count when
// some of its queries end after it, and come in a later export) is logged.
func TestCollectorOnWildCorpus(t *testing.T) {
	truths, err := wildscore.LoadAll(filepath.Join("..", "testdata", "wild"))
	if err != nil {
		t.Fatal(err)
	}
	if len(truths) == 0 {
		t.Skip("SKIP: testdata/wild holds no application yet")
	}
	found := map[string][]string{}              // mode/app -> findings
	annotated := map[string]map[string]string{} // mode/app -> span -> what it carries
	for _, mode := range []string{"local_subtree", "whole_trace"} {
		t.Run(mode, func(t *testing.T) {
			var scores []*wildscore.Score
			for _, truth := range truths {
				lines := gzipLines(t, truth.TracesPath())
				received := throughCollectorIn(t, lines, mode)
				var findings []report.Finding
				for _, td := range received {
					findings = append(findings, report.Read(td)...)
				}
				s := wildscore.Evaluate(truth, findings)
				scores = append(scores, s)
				t.Logf("%s: %d export requests, %d findings\n%s", truth.App, len(lines), len(findings), wildscore.Problems(s))
				found[mode+"/"+truth.App] = findingKeys(received...)
				annotated[mode+"/"+truth.App] = spanAnnotations(received...)
			}
			t.Log("\n" + wildscore.Table(scores) + "\nRecall by type:\n" + wildscore.RecallByType(scores))
			for _, miss := range wildscore.BelowBar(scores) {
				t.Error(miss)
			}
		})
	}
	for _, truth := range truths {
		subtree, whole := found["local_subtree/"+truth.App], found["whole_trace/"+truth.App]
		if strings.Join(subtree, "\n") != strings.Join(whole, "\n") {
			missing, extra := diff(whole, subtree)
			t.Errorf("%s: findings differ between the modes: only whole_trace %v; only local_subtree %v", truth.App, missing, extra)
		}
		differ := 0
		for k, v := range annotated["whole_trace/"+truth.App] {
			if annotated["local_subtree/"+truth.App][k] != v {
				differ++
			}
		}
		t.Logf("%s: %d findings alike in both modes; %d of %d spans carry something else (a request's query count)",
			truth.App, len(whole), differ, len(annotated["whole_trace/"+truth.App]))
	}
}

// gzipLines reads a gzipped file of OTLP JSON export requests, one per line.
func gzipLines(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var lines [][]byte
	for sc.Scan() {
		if len(sc.Bytes()) > 0 {
			lines = append(lines, append([]byte(nil), sc.Bytes()...))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return lines
}
