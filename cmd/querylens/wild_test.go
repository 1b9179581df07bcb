//go:build !race

// The wild corpus is some 300,000 spans: scored without the race detector
// (make unit runs it apart), whose cost there is tenfold and finds nothing the
// rest of the package does not exercise.

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/querylens/querylens/e2e/wildscore"
)

// TestWildCorpus analyzes every application of testdata/wild as a user would
// (`querylens analyze --format json`) and scores the findings against the
// app's truth file: precision by finding, recall by trap and fixes right must
// meet issue 17's bar. QUERYLENS_WILD_TABLE=FILE writes the score table there.
func TestWildCorpus(t *testing.T) {
	truths, err := wildscore.LoadAll(filepath.Join("..", "..", "testdata", "wild"))
	if err != nil {
		t.Fatal(err)
	}
	if len(truths) == 0 {
		t.Skip("SKIP: testdata/wild holds no application yet")
	}
	var scores []*wildscore.Score
	for _, truth := range truths {
		code, out, errs := runCLI(t, "", "analyze", "--quiet", "--format", "json", truth.TracesPath())
		if code != exitClean {
			t.Fatalf("%s: exit %d: %s", truth.App, code, errs)
		}
		s := wildscore.Evaluate(truth, parseJSON(t, out).Findings)
		scores = append(scores, s)
		if p := wildscore.Problems(s); p != "" {
			t.Logf("%s:\n%s", truth.App, p)
		}
	}
	table := wildscore.Table(scores) + "\nRecall by type:\n" + wildscore.RecallByType(scores)
	t.Log("\n" + table)
	if path := os.Getenv("QUERYLENS_WILD_TABLE"); path != "" {
		if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, miss := range wildscore.BelowBar(scores) {
		t.Error(miss)
	}
}
