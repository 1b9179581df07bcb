package detect

import (
	"fmt"
	"testing"

	"github.com/querylens/querylens/internal/traceview"
)

// benchTrace is a trace of 1,000 spans: a request with an N+1 of 300 lookups,
// an MN+1 of 100 iterations, a duplicate, 50 HTTP calls, a paged list with its
// count, a read of 5,000 rows, a lazy-load exception, and 345 other spans
// (ORM wrappers, templates).
func benchTrace() *traceview.Trace {
	b := newRoot()
	id := 2
	next := func() byte { id++; return byte(id) }
	for i := 0; i < 300; i++ {
		b.db(0, 1, fmt.Sprintf(`SELECT * FROM "authors" WHERE "authors"."id" = %d LIMIT 1`, i))
	}
	for i := 0; i < 100; i++ {
		b.db(0, 1, fmt.Sprintf(`SELECT "publishers"."name" FROM "publishers" WHERE "publishers"."id" = %d`, i))
		b.db(0, 1, fmt.Sprintf(`SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" = %d`, i))
	}
	for i := 0; i < 3; i++ {
		b.db(0, 1, `SELECT "settings"."value" FROM "settings" WHERE "settings"."key" = 'currency'`)
	}
	for i := 0; i < 50; i++ {
		b.span(0, 1, "GET", traceview.KindClient)
		b.spans[len(b.spans)-1].HTTP = new(traceview.HTTPCallTo("GET", "GET inventory/stock/{id}"))
	}
	b.db(0, 1, `SELECT count(*) FROM books WHERE pages > 100`).db(0, 1, `SELECT id FROM books WHERE pages > 100 ORDER BY id LIMIT 20 OFFSET 5000`)
	b.db(0, 1, `SELECT authors.id FROM authors JOIN books ON books.author_id = authors.id LIMIT 20`)
	b.db(0, 1, `SELECT * FROM books`)
	b.spans[len(b.spans)-1].DB.ReturnedRows = 5000
	b.spans[0].Exceptions = []traceview.Exception{{Type: "org.hibernate.LazyInitializationException",
		Message: "Could not initialize proxy [com.example.Author#1] - no session"}}
	for len(b.spans) < 1000 {
		b.span(0, 1, "render", traceview.KindInternal)
	}
	// unique span ids
	for i := range b.spans[1:] {
		b.spans[i+1].ID = traceview.SpanID{0xf0, byte(i >> 8), byte(i)}
	}
	_ = next
	return b.build()
}

func BenchmarkDetectors(b *testing.B) {
	t := benchTrace()
	for _, typ := range append([]string{"all"}, Types...) {
		cfg := DefaultConfig()
		if typ != "all" {
			cfg = only(typ)
		}
		ds := New(cfg)
		b.Run(typ, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Run(ds, NewInput(t))
			}
		})
	}
}

func TestBenchTraceHasEveryTrap(t *testing.T) {
	tr := benchTrace()
	if len(tr.Spans) != 1000 {
		t.Fatalf("%d spans", len(tr.Spans))
	}
	got := map[string]int{}
	for _, f := range Run(New(DefaultConfig()), NewInput(tr)) {
		got[f.Type]++
	}
	for _, typ := range Types {
		if got[typ] == 0 && typ != TypeDuplicateQuery {
			t.Errorf("no %s in the benchmark trace: %v", typ, got)
		}
	}
}
