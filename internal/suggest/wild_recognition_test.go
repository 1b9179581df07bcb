//go:build !race

// The wild corpus is some 300,000 spans: read without the race detector (make
// unit runs it apart), whose cost there is tenfold and finds nothing the rest
// of the package does not exercise.

package suggest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/otlpfile"
	"github.com/querylens/querylens/internal/suggest"
)

// TestWildRecognition reads the statements of every real application of
// testdata/wild: each is recognised as the application's ORM (truth.json's
// orm) or as none, never as another, with its service's scopes and by its
// SQL alone; and an ORM known from the wild corpus only is recognised in
// some of its application's statements.
func TestWildRecognition(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "..", "testdata", "wild", "*", "truth.json"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no wild application: %v", err)
	}
	own := map[string]int{}
	for _, truthPath := range dirs {
		var truth struct{ App, ORM string }
		b, err := os.ReadFile(truthPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &truth); err != nil {
			t.Fatal(err)
		}
		var tds []ptrace.Traces
		err = otlpfile.Read(filepath.Join(filepath.Dir(truthPath), "traces.jsonl.gz"), nil, otlpfile.DefaultLimits,
			func(td ptrace.Traces) error { tds = append(tds, td); return nil })
		if err != nil {
			t.Fatal(err)
		}
		spans, scopes := dbSpansOf(tds)
		wrong := 0
		for _, sp := range spans {
			for _, ctx := range []suggest.Context{{Language: sp.language, Scopes: scopes[sp.service], Raw: sp.raw},
				{Language: sp.language, Raw: sp.raw}} {
				o := suggest.Recognize(ctx)
				switch {
				case o == nil:
				case o.Name == truth.ORM:
					own[truth.ORM]++
				default:
					if wrong++; wrong <= 3 {
						t.Errorf("%s (%s): recognised as %s: %s", truth.App, truth.ORM, o.Name, sp.raw)
					}
				}
			}
		}
	}
	for _, o := range recognised {
		if len(o.dirs) == 0 && own[o.name] == 0 {
			t.Errorf("%s: known from the wild corpus only, and recognised in none of its statements", o.name)
		}
	}
}
