package suggest

import (
	"slices"
	"testing"

	"github.com/querylens/querylens/internal/sqlnorm"
)

// A statement described again comes from the memo with what describing it
// gave the first time, and a caller that changes the key's columns changes
// its own copy.
func TestDescribedAgainIsTheSame(t *testing.T) {
	st := sqlnorm.Normalize("postgresql", `SELECT books.id FROM books WHERE books.author_id = $1 AND books.shelf_id = $2`)
	shape, k := describe(st)
	if len(k.columns) != 2 {
		t.Fatalf("columns %v, want the two of the WHERE", k.columns)
	}
	want := slices.Clone(k.columns)
	k.columns[0] = "changed"
	again, k2 := describe(st)
	if again != shape || k2.column != k.column || !slices.Equal(k2.columns, want) {
		t.Errorf("described again: %v %+v, first %v %+v", again, k2, shape, want)
	}
	// A long statement is described, not remembered.
	long := sqlnorm.Normalize("postgresql", "SELECT "+longColumns(300)+" FROM books WHERE books.id = $1")
	if len(long.Text) <= maxDescribedText {
		t.Fatalf("the long statement is %d bytes", len(long.Text))
	}
	describe(long)
	described.mu.Lock()
	_, kept := described.m[long]
	described.mu.Unlock()
	if kept {
		t.Errorf("a statement of %d bytes was remembered", len(long.Text))
	}
}

func longColumns(n int) string {
	s := "books.c0"
	for i := 1; i < n; i++ {
		s += ", books.c" + string(rune('a'+i%26))
	}
	return s
}
