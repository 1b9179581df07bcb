package detect

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/querylens/querylens/internal/routenorm"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

// traceBuilder writes small traces in plain Go: the detectors never see pdata.
type traceBuilder struct {
	spans []traceview.Span
	clock int64
}

func (b *traceBuilder) span(id, parent byte, name string, kind traceview.Kind) *traceBuilder {
	b.clock += 1000
	b.spans = append(b.spans, traceview.Span{
		ID: traceview.SpanID{id}, ParentID: traceview.SpanID{parent}, Name: name, Kind: kind,
		Start: b.clock, End: b.clock + 800, Service: "shop", Language: "go",
	})
	return b
}

func (b *traceBuilder) db(id, parent byte, raw string, params ...string) *traceBuilder {
	b.span(id, parent, "query", traceview.KindClient)
	s := &b.spans[len(b.spans)-1]
	s.DB = &traceview.DBCall{System: "postgresql", Raw: raw, Statement: sqlnorm.Normalize("postgresql", raw)}
	for _, p := range params {
		s.DB.Params += xxhash.Sum64String(p)
		s.DB.NumParams++
	}
	return b
}

func (b *traceBuilder) lookups(parent byte, firstID byte, n int) *traceBuilder {
	for i := 0; i < n; i++ {
		b.db(firstID+byte(i), parent, fmt.Sprintf(`SELECT * FROM "authors" WHERE "authors"."id" = %d LIMIT 1`, i+1))
	}
	return b
}

func (b *traceBuilder) build() *traceview.Trace {
	t, _ := traceview.New(traceview.TraceID{1}, b.spans)
	return t
}

func newRoot() *traceBuilder {
	return (&traceBuilder{}).span(1, 0, "GET /books", traceview.KindServer)
}

func TestNPlusOne(t *testing.T) {
	wrapped := newRoot()
	for i := byte(0); i < 6; i++ { // Book.create! > Book#save! > BEGIN, INSERT, COMMIT
		create, save := 10+3*i, 11+3*i
		wrapped.span(create, 1, "Book.create!", traceview.KindInternal).span(save, create, "Book#save!", traceview.KindInternal).
			db(100+3*i, save, "BEGIN").db(101+3*i, save, fmt.Sprintf("INSERT INTO books (title) VALUES ('t%d')", i)).db(102+3*i, save, "COMMIT")
	}
	doubled := newRoot()
	for i := byte(0); i < 5; i++ { // a knex span and its pg child, the same call
		doubled.db(10+2*i, 1, `select * from "authors" where "id" = ?`).db(11+2*i, 10+2*i, `select * from "authors" where "id" = $1`)
	}
	cases := []struct {
		name    string
		trace   *traceview.Trace
		cfg     NPlusOneConfig
		count   int // 0: no finding
		anchor  byte
		missing bool
	}{
		{"five lookups under the request", newRoot().db(2, 1, `SELECT * FROM "books"`).lookups(1, 10, 5).build(), defaults(), 5, 1, false},
		{"four lookups are below the threshold", newRoot().lookups(1, 10, 4).build(), defaults(), 0, 0, false},
		{"the threshold is configurable", newRoot().lookups(1, 10, 4).build(), NPlusOneConfig{Enabled: true, MinRepeats: 4}, 4, 1, false},
		{"a JOIN is the fix", newRoot().db(2, 1, `SELECT * FROM books JOIN authors ON authors.id = books.author_id`).build(), defaults(), 0, 0, false},
		{"one IN-list query is the fix", newRoot().db(2, 1, `SELECT * FROM books`).db(3, 1, `SELECT * FROM authors WHERE id IN (1,2,3,4,5,6,7,8)`).build(), defaults(), 0, 0, false},
		{"a bulk insert is the fix", newRoot().db(2, 1, `INSERT INTO books (title) VALUES ('a'), ('b'), ('c'), ('d'), ('e')`).build(), defaults(), 0, 0, false},
		{"a GROUP BY count is the fix", newRoot().db(2, 1, `SELECT author_id, COUNT(*) FROM books GROUP BY author_id`).build(), defaults(), 0, 0, false},
		{"the same literal five times is a duplicate, not an N+1", func() *traceview.Trace {
			b := newRoot()
			for i := byte(0); i < 5; i++ {
				b.db(10+i, 1, `SELECT * FROM settings WHERE key = 'theme'`)
			}
			return b.build()
		}(), defaults(), 0, 0, false},
		{"placeholders with unseen values are an N+1", func() *traceview.Trace {
			b := newRoot()
			for i := byte(0); i < 5; i++ {
				b.db(10+i, 1, `SELECT * FROM authors WHERE id = %s`)
			}
			return b.build()
		}(), defaults(), 5, 1, false},
		{"placeholders with equal recorded values are a duplicate", func() *traceview.Trace {
			b := newRoot()
			for i := byte(0); i < 5; i++ {
				b.db(10+i, 1, `SELECT * FROM authors WHERE id = $1`, "7")
			}
			return b.build()
		}(), defaults(), 0, 0, false},
		{"placeholders with different recorded values are an N+1", func() *traceview.Trace {
			b := newRoot()
			for i := byte(0); i < 5; i++ {
				b.db(10+i, 1, `SELECT * FROM authors WHERE id = $1`, fmt.Sprint(int(i)*1000))
			}
			return b.build()
		}(), defaults(), 5, 1, false},
		{"repeats whose parent never arrived", (&traceBuilder{}).lookups(77, 10, 6).build(), defaults(), 6, 10, true},
		{"repeats split across two parents do not add up", newRoot().span(2, 1, "a", traceview.KindInternal).span(3, 1, "b", traceview.KindInternal).
			lookups(2, 10, 3).lookups(3, 20, 3).build(), defaults(), 0, 0, false},
		{"below the minimum total duration", newRoot().lookups(1, 10, 5).build(), NPlusOneConfig{Enabled: true, MinRepeats: 5, MinTotalDuration: time.Millisecond}, 0, 0, false},
		{"at the minimum total duration", newRoot().lookups(1, 10, 5).build(), NPlusOneConfig{Enabled: true, MinRepeats: 5, MinTotalDuration: 4 * time.Microsecond}, 5, 1, false},
		{"ORM wrappers around each query are seen through; BEGIN and COMMIT are not findings", wrapped.build(), defaults(), 6, 1, false},
		{"a call recorded twice (knex + pg) counts once", doubled.build(), defaults(), 5, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := NewInput(c.trace)
			findings := nPlusOne{c.cfg}.Detect(in, make(Claimed, len(c.trace.Spans)))
			if c.count == 0 {
				if len(findings) != 0 {
					t.Fatalf("want no finding, got %+v", findings)
				}
				return
			}
			if len(findings) != 1 {
				t.Fatalf("want one finding, got %d: %+v", len(findings), findings)
			}
			f := findings[0]
			if f.Type != TypeNPlusOne || f.Count != c.count || len(f.Members) != c.count {
				t.Errorf("type %s count %d members %d, want %d", f.Type, f.Count, len(f.Members), c.count)
			}
			if got := c.trace.Spans[f.Anchor].ID; got != (traceview.SpanID{c.anchor}) || f.ParentMissing != c.missing {
				t.Errorf("anchor %v (parent missing %v), want %v (%v)", got, f.ParentMissing, c.anchor, c.missing)
			}
			if len(f.ID) != 16 || len(f.Fingerprint) != 16 || f.TotalDuration != time.Duration(800*c.count) {
				t.Errorf("id %q fingerprint %q total %v", f.ID, f.Fingerprint, f.TotalDuration)
			}
			// Run claims the members: a detector run after finds none of them.
			if again := Run([]Detector{nPlusOne{c.cfg}, nPlusOne{c.cfg}}, NewInput(c.trace)); len(again) != 1 {
				t.Errorf("members not claimed: %d findings of two detectors", len(again))
			}
		})
	}
}

func TestFindingIDsAreStableAndDistinct(t *testing.T) {
	build := func() *traceview.Trace {
		return newRoot().lookups(1, 10, 5).db(30, 1, "SELECT * FROM books WHERE author_id = 1").
			db(31, 1, "SELECT * FROM books WHERE author_id = 2").db(32, 1, "SELECT * FROM books WHERE author_id = 3").
			db(33, 1, "SELECT * FROM books WHERE author_id = 4").db(34, 1, "SELECT * FROM books WHERE author_id = 5").build()
	}
	a := Run(New(only(TypeNPlusOne)), NewInput(build()))
	b := Run(New(only(TypeNPlusOne)), NewInput(build()))
	if len(a) != 2 || a[0].ID != b[0].ID || a[1].ID != b[1].ID {
		t.Fatalf("ids differ between runs: %+v / %+v", a, b)
	}
	if a[0].ID == a[1].ID {
		t.Errorf("two findings share the id %s", a[0].ID)
	}
}

func TestDisabledDetectorFindsNothing(t *testing.T) {
	cfg := only(TypeNPlusOne)
	cfg.NPlusOne.Enabled = false
	if got := Run(New(cfg), NewInput(newRoot().lookups(1, 10, 9).build())); len(got) != 0 {
		t.Fatalf("disabled detector found %+v", got)
	}
}

func defaults() NPlusOneConfig { return DefaultConfig().NPlusOne }

// only is the default configuration with every detector but the given ones off.
func only(types ...string) Config {
	c := DefaultConfig()
	for i := range Kinds {
		*Kinds[i].Enabled(&c) = slices.Contains(types, Kinds[i].Name)
	}
	return c
}

func routeOf(url string) string { return routenorm.Route("GET", "", url, "") }

// scoped sets the instrumentation scope of the last span.
func (b *traceBuilder) scoped(scope string) *traceBuilder {
	b.spans[len(b.spans)-1].Scope = scope
	return b
}

func TestORMSpansAroundDriverSpans(t *testing.T) {
	const orm, driver = "@opentelemetry/instrumentation-typeorm", "@opentelemetry/instrumentation-pg"
	tests := []struct {
		name  string
		trace *traceview.Trace
		want  []expect
	}{
		{"an ORM's JSON span is a wrapper: the driver's queries are the calls", func() *traceview.Trace {
			b := newRoot()
			for i := 0; i < 6; i++ {
				id := byte(10 + 3*i)
				b.db(id, 1, `{"targetOrEntity":"Book"}`).scoped(orm) // the same arguments each time
				b.db(id+1, id, `START TRANSACTION`).scoped(driver)
				b.db(id+2, id, fmt.Sprintf(`INSERT INTO "books"("title") VALUES ('New %d')`, i)).scoped(driver)
			}
			return b.build()
		}(), []expect{{TypeNPlusOne, 6, 1}}},
		{"an ORM's SQL over another statement of its driver: the driver's is the call", func() *traceview.Trace {
			b := newRoot()
			for i := 0; i < 6; i++ {
				id := byte(10 + 2*i)
				b.db(id, 1, fmt.Sprintf(`SELECT "Book"."id" FROM "books" "Book" WHERE "Book"."authorId" = %d`, i)).scoped(orm)
				b.db(id+1, id, fmt.Sprintf(`SELECT COUNT(1) AS "cnt" FROM "books" "Book" WHERE "Book"."authorId" = %d`, i)).scoped(driver)
			}
			return b.build()
		}(), []expect{{TypeNPlusOne, 6, 1}}},
		{"a query with a query of its own instrumentation below: both are calls", func() *traceview.Trace {
			b := newRoot()
			for i := 0; i < 6; i++ { // GORM runs a Preload under its parent query's span
				id := byte(10 + 2*i)
				b.db(id, 1, fmt.Sprintf(`SELECT * FROM "authors" WHERE "id" = %d`, i)).scoped("gorm.io/plugin/opentelemetry")
				b.db(id+1, id, fmt.Sprintf(`SELECT * FROM "books" WHERE "author_id" IN (%d)`, i)).scoped("gorm.io/plugin/opentelemetry")
			}
			return b.build()
		}(), []expect{{TypeMNPlusOne, 6, 1}}},
		{"the same statement recorded twice is one call", func() *traceview.Trace {
			b := newRoot()
			for i := 0; i < 6; i++ { // Sequelize's span over pg's
				id := byte(10 + 2*i)
				b.db(id, 1, fmt.Sprintf(`SELECT "id" FROM "authors" WHERE "id" = %d;`, i)).scoped("@opentelemetry/instrumentation-sequelize")
				b.db(id+1, id, fmt.Sprintf(`SELECT "id" FROM "authors" WHERE "id" = %d`, i)).scoped(driver)
			}
			return b.build()
		}(), []expect{{TypeNPlusOne, 6, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runOnly(tt.trace, TypeNPlusOne, TypeMNPlusOne)
			check(t, got, tt.trace, tt.want)
			for _, f := range got {
				for _, m := range f.Members {
					if s := tt.trace.Spans[m]; f.Type == TypeNPlusOne && s.Scope == orm && len(tt.trace.Children(s.ID)) > 0 {
						t.Errorf("the wrapper %s is a member", s.Name)
					}
				}
			}
		})
	}
}

// within moves the last span inside the time of span k: it ran during it.
func (b *traceBuilder) within(k int) *traceBuilder {
	s, o := &b.spans[len(b.spans)-1], &b.spans[k]
	s.Start, s.End = o.Start+100, o.End-100
	return b
}

func TestORMSpansBesideDriverSpans(t *testing.T) {
	const orm, driver = "opentelemetry.instrumentation.sqlalchemy", "opentelemetry.instrumentation.psycopg2"
	lookup := `SELECT authors.id, authors.name FROM authors WHERE authors.id = %(pk_1)s`
	// pairs records n lookups as SQLAlchemy does with the psycopg2
	// instrumentation on too: two sibling spans per statement, the driver's
	// inside the ORM's time when inside is true.
	pairs := func(n int, inside bool) *traceview.Trace {
		b := newRoot()
		for i := 0; i < n; i++ {
			id := byte(10 + 2*i)
			b.db(id, 1, lookup).scoped(orm)
			b.db(id+1, 1, lookup).scoped(driver)
			if inside {
				b.within(len(b.spans) - 2)
			}
		}
		return b.build()
	}
	tests := []struct {
		name  string
		trace *traceview.Trace
		want  []expect
	}{
		{"each statement recorded by both, side by side: one call each", pairs(6, true), []expect{{TypeNPlusOne, 6, 1}}},
		{"3 statements recorded twice stay below the threshold", pairs(3, true), nil},
		{"the same statement by two instrumentations one after the other: two calls", pairs(6, false),
			[]expect{{TypeNPlusOne, 12, 1}}},
		{"one instrumentation's repeats inside each other's time: every one a call", func() *traceview.Trace {
			b := newRoot()
			for i := 0; i < 6; i++ { // concurrent lookups of one driver
				b.db(byte(10+i), 1, lookup).scoped(driver)
				if i > 0 {
					b.within(len(b.spans) - 1 - i)
				}
			}
			return b.build()
		}(), []expect{{TypeNPlusOne, 6, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, runOnly(tt.trace, TypeNPlusOne, TypeMNPlusOne), tt.trace, tt.want)
		})
	}
}
