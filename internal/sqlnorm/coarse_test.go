package sqlnorm

import (
	"slices"
	"testing"
)

func TestCoarse(t *testing.T) {
	c, err := NewCache(10, 100)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                           string
		summary, operation, collection string
		wantText, wantSource           string
		wantTables                     []string
	}{
		{"summary", "SELECT books", "", "", "SELECT books", SourceSummary, []string{"books"}},
		{"summary wins over the operation", "SELECT books", "SELECT", "authors", "SELECT books", SourceSummary, []string{"books"}},
		{"summary of a join", "select  books authors", "", "", "SELECT books authors", SourceSummary, []string{"books", "authors"}},
		{"summary of two operations", "INSERT shipping SELECT orders", "", "", "INSERT shipping SELECT orders", SourceSummary, []string{"shipping", "orders"}},
		{"operation and collection", "", "SELECT", "dbo.Books", "SELECT dbo.Books", SourceOperation, []string{"dbo.Books"}},
		{"a document store's operation", "", "find", "orders", "FIND orders", SourceOperation, []string{"orders"}},
		{"operation without a target", "", "SELECT", "", "", "", nil},
		{"target without an operation", "", "", "books", "", "", nil},
		{"a database name alone", "bookshop", "", "", "", "", nil},
		{"nothing", "", "", "", "", "", nil},
		{"a summary that is not words", "SELECT; DROP", "", "", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := c.Coarse(tt.summary, tt.operation, tt.collection)
			if tt.wantText == "" {
				if st != nil {
					t.Fatalf("got %+v, want no statement", st)
				}
				return
			}
			if st == nil {
				t.Fatal("no statement")
			}
			if st.Text != tt.wantText || st.Source != tt.wantSource || !slices.Equal(st.Tables, tt.wantTables) || !st.IsCoarse() {
				t.Errorf("got %q from %q on %v (coarse %v), want %q from %q on %v", st.Text, st.Source, st.Tables, st.IsCoarse(), tt.wantText, tt.wantSource, tt.wantTables)
			}
			if len(st.Fingerprint) != 16 {
				t.Errorf("fingerprint %q is not 16 hex digits", st.Fingerprint)
			}
		})
	}
}

func TestCoarseFingerprintsAreTheirOwn(t *testing.T) {
	c, _ := NewCache(10, 100)
	summary := c.Coarse("SELECT books", "", "")
	operation := c.Coarse("", "SELECT", "books")
	text := Normalize("postgresql", "SELECT books")
	if summary.Fingerprint == operation.Fingerprint || summary.Fingerprint == text.Fingerprint {
		t.Errorf("a coarse fingerprint equals another kind: summary %s, operation %s, text %s", summary.Fingerprint, operation.Fingerprint, text.Fingerprint)
	}
	if text.IsCoarse() || text.Source != SourceText {
		t.Errorf("a statement's source is %q", text.Source)
	}
	if again := c.Coarse("SELECT  books", "", ""); again.Fingerprint != summary.Fingerprint {
		t.Errorf("whitespace changed the fingerprint: %s, %s", again.Fingerprint, summary.Fingerprint)
	}
	if c.Coarse("SELECT books", "", "") != summary {
		t.Error("the cache gave a new statement for the same summary")
	}
}
