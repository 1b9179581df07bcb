package detect

import (
	"testing"

	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

// The gates that leave a trace alone count over all its calls: as many as
// the most repeated statement and route, and no fewer.
func TestRepeatsGate(t *testing.T) {
	b := newRoot().
		db(2, 1, `SELECT * FROM a WHERE id = 1`).db(3, 1, `SELECT * FROM a WHERE id = 2`).
		db(4, 1, `SELECT * FROM b WHERE id = 1`).db(5, 1, `SELECT * FROM b WHERE id = 2`).db(6, 1, `SELECT * FROM b WHERE id = 3`).
		db(7, 1, `SELECT * FROM c WHERE id = 1`)
	for i := byte(0); i < 4; i++ {
		b.span(20+i, 1, "GET", traceview.KindClient)
		b.spans[len(b.spans)-1].HTTP = new(traceview.HTTPCallTo("GET", "GET /stock/{id}"))
	}
	b.span(30, 1, "GET", traceview.KindClient)
	b.spans[len(b.spans)-1].HTTP = new(traceview.HTTPCallTo("GET", "GET /price/{id}"))
	in := NewInput(b.build())
	defer in.Release()

	r := in.repeats()
	if r.most != 3 || r.repeated != 2 || r.count {
		t.Errorf("repeats: got %+v, want most 3 (b), repeated 2 (a, b), no count", r)
	}
	for _, c := range []struct {
		n    int
		want bool
	}{{4, true}, {4, true}, {5, false}, {2, true}} { // the second counts again
		if got := routeCalledAtLeast(in, c.n); got != c.want {
			t.Errorf("a route called %d times or more: got %v, want %v", c.n, got, c.want)
		}
	}

	counted := NewInput(newRoot().db(2, 1, `SELECT count(*) FROM books`).build())
	defer counted.Release()
	if r := counted.repeats(); !r.count || r.most != 1 || r.repeated != 0 {
		t.Errorf("a count: got %+v, want count, most 1, repeated 0", r)
	}

	// Fingerprints that are not 16 hex digits (none of sqlnorm's) are
	// counted by their string.
	odd := newRoot().db(2, 1, `SELECT 1`).db(3, 1, `SELECT 1`).db(4, 1, `SELECT 2`)
	for i, fp := range []string{"odd", "odd", "even"} {
		odd.spans[i+1].DB.Statement = &sqlnorm.Statement{Text: "SELECT ?", Command: "SELECT", Fingerprint: fp}
	}
	oddIn := NewInput(odd.build())
	defer oddIn.Release()
	if r := oddIn.repeats(); r.most != 2 || r.repeated != 1 {
		t.Errorf("fingerprints counted by string: got %+v, want most 2, repeated 1", r)
	}
}
