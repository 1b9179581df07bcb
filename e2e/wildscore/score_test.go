package wildscore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/report"
)

func writeTruth(t *testing.T, body string) *Truth {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "app")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "truth.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	truths, err := LoadAll(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	return truths[0]
}

const truthJSON = `{"app": "shop", "language": "go", "orm": "GORM", "traps": [
  {"id": "authors", "type": "n_plus_one", "route": "/books", "statement": "from authors where", "required": true,
   "fix": {"must": ["Preload|Joins"], "must_not": ["Preload\\(\"Authors\"\\)"]}},
  {"id": "star", "type": "over_fetch", "statement": "select \\* from books", "required": false},
  {"id": "page", "type": "deep_offset", "route": "/books", "required": true}
]}`

func TestEvaluate(t *testing.T) {
	truth := writeTruth(t, truthJSON)
	findings := []report.Finding{
		{Type: "n_plus_one", Route: "/books", Statement: "SELECT * FROM authors WHERE id = ?", Suggestion: `GORM: db.Preload("Author")`},
		{Type: "n_plus_one", Route: "/books", Statement: "SELECT * FROM authors WHERE id = ?", Suggestion: `GORM: db.Preload("Authors")`},
		{Type: "n_plus_one", Route: "/books", Statement: "SELECT * FROM authors WHERE id = ?", Suggestion: `select_related("author")`, ORM: "Django"},
		{Type: "over_fetch", Route: "/other", Statement: "SELECT * FROM books"},
		{Type: "over_fetch", Route: "/books", Statement: "SELECT * FROM tags"},
		{Type: "n_plus_one", Route: "/tags", Statement: "SELECT * FROM authors WHERE id = ?"},
	}
	s := Evaluate(truth, findings)
	if s.Findings != 6 || s.True != 4 {
		t.Errorf("findings %d, true %d; want 6, 4", s.Findings, s.True)
	}
	if s.Required != 2 || s.Found != 1 || len(s.Missed) != 1 || !strings.HasPrefix(s.Missed[0], "page") {
		t.Errorf("required %d, found %d, missed %v; want 2, 1, [page]", s.Required, s.Found, s.Missed)
	}
	// Right: the first n_plus_one and the over_fetch (no fix rules, no foreign ORM).
	if s.FixRight != 2 || s.Foreign != 1 || len(s.WrongFixes) != 2 {
		t.Errorf("fixes right %d, foreign %d, wrong %v; want 2, 1, two groups", s.FixRight, s.Foreign, s.WrongFixes)
	}
	if len(s.False) != 2 {
		t.Errorf("false groups %v, want 2", s.False)
	}
	if got := BelowBar([]*Score{s}); len(got) != 4 {
		t.Errorf("below the bar: %v, want precision, recall, fixes and a foreign ORM", got)
	}
	if !strings.Contains(Table([]*Score{s}), "| shop | n_plus_one 3/4, over_fetch 1/2 | 0.67 (4/6) | 0.50 (1/2) | 0.50 (2/4) | 1 |") {
		t.Errorf("table:\n%s", Table([]*Score{s}))
	}
}

func TestLoadRejects(t *testing.T) {
	for name, body := range map[string]string{
		"unknown type":     `{"app": "a", "language": "go", "traps": [{"id": "x", "type": "n_plus_two"}]}`,
		"unknown language": `{"app": "a", "language": "cobol", "traps": []}`,
		"bad regexp":       `{"app": "a", "language": "go", "traps": [{"id": "x", "type": "n_plus_one", "statement": "("}]}`,
		"duplicate id":     `{"app": "a", "language": "go", "traps": [{"id": "x", "type": "n_plus_one"}, {"id": "x", "type": "over_fetch"}]}`,
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "truth.json")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestRequiredNPlusOneFoundInASequence: a loop that runs the trap's statement
// and another per item is reported as one mn_plus_one; the trap is found.
func TestRequiredNPlusOneFoundInASequence(t *testing.T) {
	truth := writeTruth(t, `{"app": "ctf", "language": "python", "traps": [
  {"id": "challenge", "type": "n_plus_one", "route": "/solves", "statement": "FROM challenges WHERE", "required": true},
  {"id": "elsewhere", "type": "n_plus_one", "route": "/other", "statement": "FROM challenges WHERE", "required": true}]}`)
	s := Evaluate(truth, []report.Finding{{Type: "mn_plus_one", Route: "/solves",
		Statement: "SELECT fields.id FROM fields WHERE fields.type IN (?); SELECT challenges.id FROM challenges WHERE challenges.id = ?"}})
	if s.Found != 1 || len(s.Missed) != 1 || !strings.HasPrefix(s.Missed[0], "elsewhere") {
		t.Errorf("found %d, missed %v", s.Found, s.Missed)
	}
}
