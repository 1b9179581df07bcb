package detect

import (
	"fmt"
	"testing"

	"github.com/querylens/querylens/internal/traceview"
)

// expect is one finding a case must produce: its type, count and anchor.
type expect struct {
	typ    string
	count  int
	anchor byte
}

func runOnly(t *traceview.Trace, types ...string) []Finding {
	return Run(New(only(types...)), NewInput(t))
}

func check(t *testing.T, got []Finding, tr *traceview.Trace, want []expect) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		f := got[i]
		if f.Type != w.typ || f.Count != w.count || tr.Spans[f.Anchor].ID != (traceview.SpanID{w.anchor}) {
			t.Errorf("finding %d: %s x%d on %v, want %s x%d on %d", i, f.Type, f.Count, tr.Spans[f.Anchor].ID, w.typ, w.count, w.anchor)
		}
	}
}

// twoPerItem is a loop over n books that loads each one's author and tags.
func twoPerItem(b *traceBuilder, parent byte, n int, skipTagsOf int) *traceBuilder {
	for i := 0; i < n; i++ {
		b.db(byte(20+2*i), parent, fmt.Sprintf(`SELECT "authors"."id" FROM "authors" WHERE "authors"."id" = %d`, i))
		if i != skipTagsOf {
			b.db(byte(21+2*i), parent, fmt.Sprintf(`SELECT "tags"."name" FROM "tags" JOIN "book_tags" ON "book_tags"."tag_id" = "tags"."id" WHERE "book_tags"."book_id" = %d`, i))
		}
	}
	return b
}

// mealPlans is a loop over n meal plans that reads each one's user, its
// recipe, the recipe's user, categories, tags and tools: one statement twice
// per iteration.
func mealPlans(b *traceBuilder, n int) *traceBuilder {
	for i := 0; i < n; i++ {
		b.db(byte(20+6*i), 1, fmt.Sprintf(`SELECT users.id FROM users WHERE users.id = %d`, i))
		b.db(byte(21+6*i), 1, fmt.Sprintf(`SELECT recipes.id FROM recipes WHERE recipes.id = %d`, i))
		b.db(byte(22+6*i), 1, fmt.Sprintf(`SELECT users.id FROM users WHERE users.id = %d`, 10+i))
		for k, table := range []string{"categories", "tags", "tools"} {
			b.db(byte(23+6*i+k), 1, fmt.Sprintf(`SELECT %s.id FROM %s WHERE %s.recipe_id = %d`, table, table, table, i))
		}
	}
	return b
}

// TestMNPlusOneFingerprintIsCanonical: statements that start in the same
// tick come in either order; the finding's fingerprint and statement stay.
func TestMNPlusOneFingerprintIsCanonical(t *testing.T) {
	var fingerprints []string
	for _, authorsFirst := range []bool{true, false} {
		b := newRoot()
		for i := 0; i < 6; i++ {
			a := fmt.Sprintf(`SELECT "authors"."id" FROM "authors" WHERE "authors"."id" = %d`, i)
			g := fmt.Sprintf(`SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" = %d`, i)
			if !authorsFirst {
				a, g = g, a
			}
			b.db(byte(20+2*i), 1, a).db(byte(21+2*i), 1, g)
		}
		tr := b.build()
		got := runOnly(tr, TypeMNPlusOne)
		if len(got) != 1 {
			t.Fatalf("%d findings", len(got))
		}
		fingerprints = append(fingerprints, got[0].Fingerprint+" "+got[0].Statement)
	}
	if fingerprints[0] != fingerprints[1] {
		t.Errorf("one loop, two fingerprints:\n%s\n%s", fingerprints[0], fingerprints[1])
	}
}

func TestMNPlusOne(t *testing.T) {
	cases := []struct {
		name  string
		trace *traceview.Trace
		want  []expect
	}{
		{"two queries per item, after a first query", twoPerItem(newRoot().db(2, 1, `SELECT "books"."id" FROM "books"`), 1, 8, -1).build(),
			[]expect{{TypeMNPlusOne, 8, 1}}},
		{"an item whose second query is skipped", twoPerItem(newRoot(), 1, 8, 3).build(), []expect{{TypeMNPlusOne, 8, 1}}},
		{"HTTP spans between iterations", func() *traceview.Trace {
			b := newRoot()
			for i := 0; i < 6; i++ {
				b.db(byte(20+2*i), 1, fmt.Sprintf(`SELECT "authors"."id" FROM "authors" WHERE "authors"."id" = %d`, i)).
					db(byte(21+2*i), 1, fmt.Sprintf(`SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" = %d`, i))
				b.span(byte(100+i), 1, "GET", traceview.KindClient)
			}
			return b.build()
		}(), []expect{{TypeMNPlusOne, 6, 1}}},
		{"each iteration under its own serializer span", func() *traceview.Trace {
			b := newRoot()
			for i := byte(0); i < 6; i++ {
				b.span(50+i, 1, "serialize book", traceview.KindInternal)
				b.db(60+2*i, 50+i, fmt.Sprintf(`SELECT "authors"."id" FROM "authors" WHERE "authors"."id" = %d`, i))
				b.db(61+2*i, 50+i, fmt.Sprintf(`SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" = %d`, i))
			}
			return b.build()
		}(), []expect{{TypeMNPlusOne, 6, 1}}},
		{"two loops one after the other are two N+1s", newRoot().lookups(1, 20, 6).
			db(40, 1, `SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" = 1`).db(41, 1, `SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" = 2`).
			db(42, 1, `SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" = 3`).db(43, 1, `SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" = 4`).
			db(44, 1, `SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" = 5`).build(),
			[]expect{{TypeNPlusOne, 6, 1}, {TypeNPlusOne, 5, 1}}},
		{"three iterations of two queries waste four: below the thresholds", twoPerItem(newRoot(), 1, 3, -1).build(), nil},
		{"four iterations of two queries waste six: a finding by waste", twoPerItem(newRoot(), 1, 4, -1).build(),
			[]expect{{TypeMNPlusOne, 4, 1}}},
		{"three iterations of six queries waste twelve", func() *traceview.Trace {
			b := newRoot()
			for i := 0; i < 3; i++ {
				for k := 0; k < 6; k++ {
					b.db(byte(20+6*i+k), 1, fmt.Sprintf(`SELECT "t%d"."id" FROM "t%d" WHERE "t%d"."item_id" = %d`, k, k, k, i))
				}
			}
			return b.build()
		}(), []expect{{TypeMNPlusOne, 3, 1}}},
		{"a statement twice per iteration: users; recipes; users; categories; tags; tools, three times",
			mealPlans(newRoot(), 3).build(), []expect{{TypeMNPlusOne, 3, 1}}},
		{"the same, and a fourth item that has only its user",
			mealPlans(newRoot(), 3).db(60, 1, `SELECT users.id FROM users WHERE users.id = 3`).build(), []expect{{TypeMNPlusOne, 4, 1}}},
		{"two iterations are never a loop by waste", func() *traceview.Trace {
			b := newRoot()
			for i := 0; i < 2; i++ {
				for k := 0; k < 8; k++ {
					b.db(byte(20+8*i+k), 1, fmt.Sprintf(`SELECT "t%d"."id" FROM "t%d" WHERE "t%d"."item_id" = %d`, k, k, k, i))
				}
			}
			return b.build()
		}(), nil},
		{"the same order read again after each step: every value the same, no item changes", func() *traceview.Trace {
			b := newRoot()
			for i := 0; i < 4; i++ {
				b.db(byte(20+2*i), 1, `SELECT "orders"."id" FROM "orders" WHERE "orders"."id" = 13`).
					db(byte(21+2*i), 1, `SELECT "lines"."id" FROM "lines" WHERE "lines"."order_id" = 13`)
			}
			return b.build()
		}(), nil},
		{"one statement's values change: a loop", func() *traceview.Trace {
			b := newRoot()
			for i := 0; i < 4; i++ {
				b.db(byte(20+2*i), 1, `SELECT "channels"."id" FROM "channels" WHERE "channels"."id" = 1`).
					db(byte(21+2*i), 1, fmt.Sprintf(`SELECT "lines"."id" FROM "lines" WHERE "lines"."order_id" = %d`, i))
			}
			return b.build()
		}(), []expect{{TypeMNPlusOne, 4, 1}}},
		{"the fix: two IN-list queries", newRoot().db(2, 1, `SELECT "authors"."id" FROM "authors" WHERE "authors"."id" IN (1, 2, 3)`).
			db(3, 1, `SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" IN (1, 2, 3)`).build(), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, runOnly(c.trace, TypeMNPlusOne, TypeNPlusOne), c.trace, c.want)
		})
	}
	f := runOnly(cases[0].trace, TypeMNPlusOne)[0]
	if f.Statement != "SELECT authors.id FROM authors WHERE authors.id = ?; SELECT tags.name FROM tags JOIN book_tags ON book_tags.tag_id = tags.id WHERE book_tags.book_id = ?" ||
		len(f.Members) != 16 || len(f.Fingerprint) != 16 {
		t.Errorf("mn_plus_one finding: %+v", f)
	}
}

func TestDuplicateQuery(t *testing.T) {
	const settings = `SELECT "settings"."value" FROM "settings" WHERE "settings"."key" = 'currency'`
	serializers := func(n int, stmt func(i int) string) *traceview.Trace {
		b := newRoot()
		for i := 0; i < n; i++ {
			b.span(byte(50+i), 1, "serialize book", traceview.KindInternal).db(byte(70+i), byte(50+i), stmt(i))
		}
		return b.build()
	}
	cases := []struct {
		name  string
		trace *traceview.Trace
		want  []expect
	}{
		{"the same lookup per item, each under its serializer span", serializers(8, func(int) string { return settings }), []expect{{TypeDuplicateQuery, 8, 1}}},
		{"a lookup with no parameter at all", serializers(3, func(int) string { return `SELECT "settings"."value" FROM "settings" ORDER BY "settings"."id" LIMIT 1` }),
			[]expect{{TypeDuplicateQuery, 3, 1}}},
		{"a read twice with no write between: nothing can have changed its answer", serializers(2, func(int) string { return settings }),
			[]expect{{TypeDuplicateQuery, 2, 1}}},
		{"a read twice around a write to its table is a re-read", serializers(3, func(i int) string {
			if i == 1 {
				return `UPDATE "settings" SET "value" = 'EUR' WHERE "settings"."key" = 'currency'`
			}
			return settings
		}), nil},
		{"a write to another table between may be what the read reloads", serializers(3, func(i int) string {
			if i == 1 {
				return `UPDATE "books" SET "price" = 3 WHERE "books"."id" = 7`
			}
			return settings
		}), nil},
		{"a write before or after the pair does not matter", serializers(4, func(i int) string {
			if i == 0 || i == 3 {
				return `UPDATE "settings" SET "value" = 'EUR' WHERE "settings"."key" = 'currency'`
			}
			return settings
		}), []expect{{TypeDuplicateQuery, 2, 1}}},
		{"a driver's probe twice reads no table", serializers(2, func(int) string { return `select current_schema()` }), nil},
		{"one read exported twice is one run", func() *traceview.Trace {
			b := newRoot().db(2, 1, settings)
			b.spans = append(b.spans, b.spans[1])
			return b.build()
		}(), nil},
		{"a write twice is below the default", serializers(2, func(int) string {
			return `INSERT INTO "tags" ("name") VALUES ('go') ON CONFLICT DO NOTHING`
		}), nil},
		{"placeholders with no recorded values are an N+1, not a duplicate", serializers(8, func(int) string { return `SELECT "settings"."value" FROM "settings" WHERE "settings"."key" = $1` }),
			[]expect{{TypeNPlusOne, 8, 1}}},
		{"repeats inside an N+1 of different ids stay in the N+1", func() *traceview.Trace {
			b := newRoot()
			for i, id := range []int{1, 1, 2, 2, 2, 3, 3, 4} {
				b.db(byte(10+i), 1, fmt.Sprintf(`SELECT "authors"."id" FROM "authors" WHERE "authors"."id" = %d`, id))
			}
			return b.build()
		}(), []expect{{TypeNPlusOne, 8, 1}}},
		{"across two requests of one trace: the nearest common ancestor", func() *traceview.Trace {
			b := newRoot().span(2, 1, "GET /a", traceview.KindInternal).span(3, 1, "GET /b", traceview.KindInternal)
			b.db(10, 2, settings).db(11, 2, settings).db(12, 3, settings)
			return b.build()
		}(), []expect{{TypeDuplicateQuery, 3, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, runOnly(c.trace, TypeDuplicateQuery, TypeNPlusOne), c.trace, c.want)
		})
	}
}

func TestNPlusOneAPI(t *testing.T) {
	calls := func(n int, url func(i int) string) *traceview.Trace {
		b := newRoot()
		for i := 0; i < n; i++ {
			b.span(byte(10+i), 1, "GET", traceview.KindClient)
			b.spans[len(b.spans)-1].HTTP = new(traceview.HTTPCallTo("GET", routeOf(url(i))))
		}
		return b.build()
	}
	cases := []struct {
		name  string
		trace *traceview.Trace
		want  []expect
	}{
		{"one call per item", calls(8, func(i int) string { return fmt.Sprintf("http://inventory/stock/%d", i) }), []expect{{TypeNPlusOneAPI, 8, 1}}},
		{"the fix: one batch call", calls(1, func(int) string { return "http://inventory/stock?ids=1,2,3" }), nil},
		{"different routes do not add up", calls(8, func(i int) string { return fmt.Sprintf("http://inventory/r%d/x", i) }), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, runOnly(c.trace, TypeNPlusOneAPI), c.trace, c.want)
		})
	}
}

func TestSingleSpanFindings(t *testing.T) {
	withRows := func(b *traceBuilder, rows int64) *traceBuilder {
		b.spans[len(b.spans)-1].DB.ReturnedRows = rows
		return b
	}
	withParam := func(b *traceBuilder, key, value string) *traceBuilder {
		db := b.spans[len(b.spans)-1].DB
		db.Values = map[string]string{key: value}
		db.NumParams = 1
		return b
	}
	cases := []struct {
		name  string
		trace *traceview.Trace
		want  []expect
	}{
		{"whole rows alone are a hint, not a finding", newRoot().lookups(1, 10, 3).db(20, 1, `SELECT * FROM books`).build(), nil},
		{"too many rows returned", withRows(newRoot().db(2, 1, `SELECT "books"."id" FROM "books"`), 50_000).build(), []expect{{TypeOverFetch, 1, 2}}},
		{"too many rows, once per statement and request", withRows(withRows(withRows(newRoot().db(2, 1, `SELECT "books"."id" FROM "books"`), 5000).
			db(3, 1, `SELECT "books"."id" FROM "books"`), 5000).span(4, 0, "GET /export", traceview.KindServer).
			db(5, 4, `SELECT "books"."id" FROM "books"`), 5000).build(), []expect{{TypeOverFetch, 1, 2}, {TypeOverFetch, 1, 5}}},
		{"a background job may read a whole table", withRows((&traceBuilder{}).span(1, 0, "refresh cache", traceview.KindInternal).
			db(2, 1, `SELECT "books"."id" FROM "books"`), 50_000).build(), nil},
		{"schema work is no finding", withRows(newRoot().db(2, 1, `SELECT * FROM information_schema.columns`), 5000).build(), nil},
		{"a page of rows is fine", withRows(newRoot().db(2, 1, `SELECT "books"."id" FROM "books" LIMIT 20`), 20).build(), nil},
		{"a deep literal offset", newRoot().db(2, 1, `SELECT "books"."id" FROM "books" ORDER BY id LIMIT 20 OFFSET 5000`).build(), []expect{{TypeDeepOffset, 1, 2}}},
		{"a deep offset in a recorded parameter", withParam(newRoot().db(2, 1, `SELECT "books"."id" FROM "books" ORDER BY id LIMIT 20 OFFSET $1`), "0", "5000").build(),
			[]expect{{TypeDeepOffset, 1, 2}}},
		{"an offset placeholder with no recorded value says nothing", newRoot().db(2, 1, `SELECT "books"."id" FROM "books" ORDER BY id LIMIT ? OFFSET ?`).build(), nil},
		{"a shallow offset", newRoot().db(2, 1, `SELECT "books"."id" FROM "books" ORDER BY id LIMIT 20 OFFSET 40`).build(), nil},
		{"the fix: keyset", newRoot().db(2, 1, `SELECT "books"."id" FROM "books" WHERE id > 5000 ORDER BY id LIMIT 20`).build(), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, runOnly(c.trace, TypeOverFetch, TypeDeepOffset), c.trace, c.want)
		})
	}
}

// TestSelectAll: with select_all on, whole rows of a table are reported too,
// once per statement and request.
func TestSelectAll(t *testing.T) {
	cfg := only(TypeOverFetch)
	cfg.OverFetch.SelectAll = true
	cases := []struct {
		name  string
		trace *traceview.Trace
		want  []expect
	}{
		{"SELECT * once per statement, on its first span", newRoot().lookups(1, 10, 3).db(20, 1, `SELECT * FROM books`).build(),
			[]expect{{TypeOverFetch, 1, 10}, {TypeOverFetch, 1, 20}}},
		{"alias.* over a join", newRoot().db(2, 1, `SELECT "tags".* FROM "tags" INNER JOIN "book_tags" ON "book_tags"."tag_id" = "tags"."id"`).build(),
			[]expect{{TypeOverFetch, 1, 2}}},
		{"COUNT(*) and EXISTS (SELECT *) read no rows", newRoot().db(2, 1, `SELECT COUNT(*) FROM books`).
			db(3, 1, `SELECT id FROM authors a WHERE EXISTS (SELECT * FROM books b WHERE b.author_id = a.id)`).build(), nil},
		{"the fix: a column list", newRoot().db(2, 1, `SELECT "books"."id", "books"."title" FROM "books"`).build(), nil},
		{"a migrator's column probe is schema work", newRoot().db(2, 1, `SELECT * FROM "books" LIMIT 1`).build(), nil},
		{"introspection: whole rows of a system catalog", newRoot().db(2, 1, `select * from information_schema.sequences`).
			db(3, 1, `SELECT * FROM sqlite_master WHERE type = 'table'`).build(), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, Run(New(cfg), NewInput(c.trace)), c.trace, c.want)
		})
	}
}

func TestPaginationCount(t *testing.T) {
	cases := []struct {
		name  string
		trace *traceview.Trace
		want  []expect
	}{
		{"Django's Paginator: count and page with the same filter", newRoot().
			db(2, 1, `SELECT COUNT(*) AS "__count" FROM "books" WHERE "books"."pages" > %s`).
			db(3, 1, `SELECT "books"."id" FROM "books" WHERE "books"."pages" > %s ORDER BY "books"."id" ASC LIMIT 20 OFFSET 40`).build(),
			[]expect{{TypePaginationCount, 2, 1}}},
		{"page 1 has no OFFSET", newRoot().db(2, 1, `SELECT count(*) FROM books`).db(3, 1, `SELECT id FROM books ORDER BY id LIMIT 20`).build(),
			[]expect{{TypePaginationCount, 2, 1}}},
		{"a count of another filter answers another question", newRoot().db(2, 1, `SELECT count(*) FROM books WHERE author_id = 3`).
			db(3, 1, `SELECT id FROM books WHERE pages > 100 LIMIT 20`).build(), nil},
		{"a grouped count is not a total", newRoot().db(2, 1, `SELECT author_id, count(*) FROM books GROUP BY author_id`).
			db(3, 1, `SELECT id FROM books LIMIT 20`).build(), nil},
		{"LIMIT 1 fetches a row, it does not page", newRoot().db(2, 1, `SELECT count(*) FROM books`).db(3, 1, `SELECT id FROM books ORDER BY id DESC LIMIT 1`).build(), nil},
		{"Django's count() == 1 then get(): LIMIT 21 in no order guards a lookup", newRoot().
			db(2, 1, "SELECT COUNT(*) AS `__count` FROM `accounts_project` WHERE `accounts_project`.`owner_id` = 4").
			db(3, 1, "SELECT `accounts_project`.`id` FROM `accounts_project` WHERE `accounts_project`.`owner_id` = 4 LIMIT 21").build(), nil},
		{"a page of 21 in an order is a page", newRoot().db(2, 1, `SELECT count(*) FROM books`).db(3, 1, `SELECT id FROM books ORDER BY id LIMIT 21`).build(),
			[]expect{{TypePaginationCount, 2, 1}}},
		{"the fix: a keyset page without a count", newRoot().db(3, 1, `SELECT id FROM books WHERE id > 40 ORDER BY id LIMIT 20`).build(), nil},
		{"a count and a page exported twice: two findings of two ids (fuzz)", func() *traceview.Trace {
			b := newRoot().db(2, 1, `SELECT count(*) FROM books`).db(3, 1, `SELECT id FROM books ORDER BY id LIMIT 20`)
			b.spans = append(b.spans, b.spans[1], b.spans[2])
			return b.build()
		}(), []expect{{TypePaginationCount, 2, 1}, {TypePaginationCount, 2, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runOnly(c.trace, TypePaginationCount)
			check(t, got, c.trace, c.want)
			ids := map[string]bool{}
			for _, f := range got {
				if ids[f.ID] {
					t.Errorf("two findings of id %s", f.ID)
				}
				ids[f.ID] = true
			}
		})
	}
}

func TestDriverNoiseNeverFormsAGroup(t *testing.T) {
	b := newRoot()
	for i := byte(0); i < 8; i++ {
		b.db(10+6*i, 1, "BEGIN").db(11+6*i, 1, "SAVEPOINT sp1").db(12+6*i, 1, "SET TIME ZONE 'UTC'").
			db(13+6*i, 1, `FETCH FORWARD 2000 FROM "_django_curs_1"`).db(14+6*i, 1, "RELEASE SAVEPOINT sp1").db(15+6*i, 1, "COMMIT")
		b.span(100+i, 1, "pg-pool.connect", traceview.KindClient) // no statement: not a call
		b.spans[len(b.spans)-1].DB = &traceview.DBCall{System: "postgresql"}
	}
	tr := b.build()
	if got := Run(New(DefaultConfig()), NewInput(tr)); len(got) != 0 {
		t.Fatalf("driver noise formed findings: %+v", got)
	}
}

func TestPagedToManyJoin(t *testing.T) {
	cases := []struct {
		name  string
		trace *traceview.Trace
		want  []expect
	}{
		{"GORM Joins on a collection with Limit", newRoot().db(2, 1, `SELECT "authors"."id","authors"."name" FROM "authors" JOIN books ON books.author_id = authors.id WHERE books.title LIKE '%go%' LIMIT 20`).build(),
			[]expect{{TypePagedToManyJoin, 1, 2}}},
		{"many-to-many through the join table", newRoot().db(2, 1, `SELECT books.id FROM books JOIN book_tags ON book_tags.book_id = books.id JOIN tags ON tags.id = book_tags.tag_id LIMIT 10 OFFSET 10`).build(),
			[]expect{{TypePagedToManyJoin, 1, 2}}},
		{"a to-one join pages the rows it means", newRoot().db(2, 1, `SELECT books.id FROM books JOIN authors ON authors.id = books.author_id LIMIT 20`).build(), nil},
		{"DISTINCT folds the children", newRoot().db(2, 1, `SELECT DISTINCT authors.id FROM authors JOIN books ON books.author_id = authors.id LIMIT 20`).build(), nil},
		{"GROUP BY folds the children", newRoot().db(2, 1, `SELECT authors.id, count(*) FROM authors JOIN books ON books.author_id = authors.id GROUP BY authors.id LIMIT 20`).build(), nil},
		{"LIMIT 1 fetches one row", newRoot().db(2, 1, `SELECT authors.id FROM authors JOIN books ON books.author_id = authors.id WHERE books.isbn = 'x' LIMIT 1`).build(), nil},
		{"one parent by its key: Django's get(pk=) with select_related of a reverse one-to-one", newRoot().
			db(2, 1, "SELECT `auth_user`.`id`, `accounts_profile`.`id` FROM `auth_user` LEFT OUTER JOIN `accounts_profile` ON (`auth_user`.`id` = `accounts_profile`.`user_id`) WHERE `auth_user`.`id` = 3 LIMIT 21").build(), nil},
		{"Django's get() by another column: LIMIT 21 in no order guards a lookup", newRoot().
			db(2, 1, `SELECT "auth_user"."id", "accounts_profile"."id" FROM "auth_user" LEFT OUTER JOIN "accounts_profile" ON ("auth_user"."id" = "accounts_profile"."user_id") WHERE "auth_user"."email" = 'a' LIMIT 21`).build(), nil},
		{"the same join paged in an order is paged", newRoot().
			db(2, 1, `SELECT "auth_user"."id", "accounts_profile"."id" FROM "auth_user" LEFT OUTER JOIN "accounts_profile" ON ("auth_user"."id" = "accounts_profile"."user_id") ORDER BY "auth_user"."id" LIMIT 21`).build(),
			[]expect{{TypePagedToManyJoin, 1, 2}}},
		{"the parents paged in a subquery", newRoot().db(2, 1, `SELECT a.id FROM (SELECT id FROM authors LIMIT 20) AS a LEFT JOIN books ON books.author_id = a.id`).build(), nil},
		{"no LIMIT", newRoot().db(2, 1, `SELECT authors.id FROM authors JOIN books ON books.author_id = authors.id`).build(), nil},
		{"a condition that is not a key: unsure, silent", newRoot().db(2, 1, `SELECT authors.id FROM authors JOIN books ON books.writer = authors.name LIMIT 20`).build(), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, runOnly(c.trace, TypePagedToManyJoin), c.trace, c.want)
		})
	}
}

// TestWritesStampedWithTheTime: the same write whose only difference is the
// time the ORM stamps on it (updated_at) is the same write again: a
// duplicate, not an N+1; reads that filter by a time stay apart.
func TestWritesStampedWithTheTime(t *testing.T) {
	stamped := newRoot()
	for i := 0; i < 5; i++ {
		stamped.db(byte(10+i), 1, fmt.Sprintf(`UPDATE "users" SET "name" = 'ann', "updated_at" = '2026-12-04 21:38:5%d.12345+00' WHERE "id" = 7`, i))
	}
	reads := newRoot()
	for i := 0; i < 5; i++ {
		reads.db(byte(10+i), 1, fmt.Sprintf(`SELECT "id" FROM "events" WHERE "start" > '2026-12-0%dT10:00:00Z'`, i+1))
	}
	for name, c := range map[string]struct {
		trace *traceview.Trace
		want  []expect
	}{
		"stamped writes are duplicates":       {stamped.build(), []expect{{TypeDuplicateQuery, 5, 1}}},
		"reads by different times are an N+1": {reads.build(), []expect{{TypeNPlusOne, 5, 1}}},
	} {
		t.Run(name, func(t *testing.T) {
			check(t, runOnly(c.trace, TypeDuplicateQuery, TypeNPlusOne), c.trace, c.want)
		})
	}
}

// TestCountedRows: every row of a filter read at once with its COUNT (one
// findAndCountAll without a limit) is an over_fetch; a count and a read one
// after the other (a template that counts, then lists) is none, nor a page.
func TestCountedRows(t *testing.T) {
	at := func(b *traceBuilder, start, end int64) *traceBuilder {
		b.spans[len(b.spans)-1].Start, b.spans[len(b.spans)-1].End = start, end
		return b
	}
	together := newRoot()
	at(together.db(2, 1, `SELECT count(*) AS "count" FROM "events" AS "event"`), 8000, 9300)
	at(together.db(3, 1, `SELECT "id", "title" FROM "events" AS "event"`), 8000, 24000)
	apart := newRoot()
	at(apart.db(2, 1, `SELECT COUNT(*) AS "__count" FROM "core_child"`), 8000, 9000)
	at(apart.db(3, 1, `SELECT "core_child"."id" FROM "core_child" ORDER BY "core_child"."last_name"`), 9000, 9500)
	paged := newRoot()
	at(paged.db(2, 1, `SELECT count(*) FROM events WHERE hidden = false`), 8000, 9300)
	at(paged.db(3, 1, `SELECT id FROM events WHERE hidden = false LIMIT 20`), 8000, 9000)
	for name, c := range map[string]struct {
		trace *traceview.Trace
		want  []expect
	}{
		"at once":                 {together.build(), []expect{{TypeOverFetch, 1, 3}}},
		"one after the other":     {apart.build(), nil},
		"a page is no over_fetch": {paged.build(), nil},
	} {
		t.Run(name, func(t *testing.T) {
			check(t, runOnly(c.trace, TypeOverFetch), c.trace, c.want)
		})
	}
}

// TestSpreadOutRepeats: the same lookup made at several places of a request,
// with one-off work between (a helper that reads the current user), is told
// from a loop, whose iterations hold only repeating statements, even in an
// irregular order (an identity map loads each related row once).
func TestSpreadOutRepeats(t *testing.T) {
	user := `SELECT users.id FROM users WHERE users.id = ?`
	spread := newRoot().db(10, 1, user).db(11, 1, `SELECT tags.id FROM tags WHERE tags.challenge_id = ?`).
		db(12, 1, user).db(13, 1, user).db(14, 1, `SELECT teams.id FROM teams WHERE teams.id = ?`).
		db(15, 1, `SELECT files.id FROM files WHERE files.challenge_id = ?`).db(16, 1, user).db(17, 1, user).build()
	loop := newRoot()
	for i, other := range []string{"p", "", "p", "w", "p", "", "p"} {
		loop.db(byte(10+2*i), 1, `SELECT d.id FROM diseases d WHERE d.id = ?`)
		if other != "" {
			loop.db(byte(11+2*i), 1, fmt.Sprintf(`SELECT %s.id FROM t_%s %s WHERE %s.id = ?`, other, other, other, other))
		}
	}
	for name, c := range map[string]struct {
		trace  *traceview.Trace
		reason string
	}{
		"spread over the request": {spread, ReasonSpreadOut},
		"one loop, irregular":     {loop.build(), ""},
	} {
		t.Run(name, func(t *testing.T) {
			got := runOnly(c.trace, TypeNPlusOne)
			if len(got) != 1 || got[0].Reason != c.reason {
				t.Fatalf("findings %+v, want one n_plus_one with reason %q", got, c.reason)
			}
		})
	}
}
