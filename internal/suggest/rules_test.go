package suggest_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/suggest"
)

// contexts are a service of every ORM (recognised by its scope) and a
// service of no known ORM.
func contexts() map[string]suggest.Context {
	out := map[string]suggest.Context{"": {Language: "rust"}}
	for _, o := range recognised {
		out[o.name] = suggest.Context{Language: o.language, Scopes: []string{o.scope}}
	}
	return out
}

func fixOf(ctx suggest.Context, typ string, raws ...string) string {
	r := suggest.Request{Type: typ, Context: ctx}
	for _, raw := range raws {
		r.Statements = append(r.Statements, sqlnorm.Normalize("postgresql", raw))
	}
	fix, _ := suggest.Fix(r)
	return fix
}

// eagerLoading matches the eager loading of every ORM: no fix of a write
// may offer it.
var eagerLoading = regexp.MustCompile(`Preload\(|Joins\(|include:|select_related|prefetch_related|joinedload|selectinload|relations:|leftJoinAndSelect|join fetch|@EntityGraph|includes\(|->with\(|\.Include\(|preload:|Repo\.preload|eager-load`)

// bulkWrite matches a bulk write in any ORM's words.
var bulkWrite = regexp.MustCompile(`(?i)one statement|one multi-row|executemany|bulk|batch|upsert|insert_all|update_all|delete_all|AddRange|createMany|updateMany|deleteMany|whereIn|in one|at once`)

// TestWriteLoopsGetBulkWrites: a loop of writes, alone (n_plus_one) or with
// the reads of a get-or-create (mn_plus_one), is fixed with a bulk write,
// never with eager loading; a get-or-create with an upsert.
func TestWriteLoopsGetBulkWrites(t *testing.T) {
	writes := []string{
		`INSERT INTO book_tags (book_id, tag_id) VALUES ($1, $2)`,
		`INSERT INTO tags (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = excluded.name`,
		`UPDATE user_groups SET name = $1, updated_at = $2 WHERE id = $3`,
		`DELETE FROM custom_claims WHERE id = $1`,
	}
	lookup := `SELECT * FROM custom_claims WHERE user_id = $1 AND key = $2 ORDER BY custom_claims.id LIMIT 1`
	insert := `INSERT INTO custom_claims (id, key, value, user_id) VALUES ($1, $2, $3, $4)`
	for orm, ctx := range contexts() {
		for _, w := range writes {
			fix := fixOf(ctx, detect.TypeNPlusOne, w)
			if eagerLoading.MatchString(fix) || !bulkWrite.MatchString(fix) {
				t.Errorf("%s: n_plus_one of %q: %q", orm, w, fix)
			}
		}
		fix := fixOf(ctx, detect.TypeMNPlusOne, lookup, insert)
		if eagerLoading.MatchString(fix) || !strings.Contains(strings.ToLower(fix), "upsert") && !strings.Contains(fix, "read the existing") &&
			!strings.Contains(fix, "createMany") {
			t.Errorf("%s: a get-or-create loop: %q", orm, fix)
		}
		if !strings.Contains(fix, "custom_claims") {
			t.Errorf("%s: a get-or-create loop's fix does not name its table: %q", orm, fix)
		}
		fix = fixOf(ctx, detect.TypeMNPlusOne, `SELECT * FROM user_groups WHERE id = $1`, writes[2])
		if eagerLoading.MatchString(fix) || !bulkWrite.MatchString(fix) {
			t.Errorf("%s: a loop that reads and updates: %q", orm, fix)
		}
	}
	// A loop that reads one table and writes another says it writes only the
	// one it writes (kaneo's event handlers read integration and project).
	for orm, ctx := range contexts() {
		fix := fixOf(ctx, detect.TypeMNPlusOne, `SELECT * FROM integration WHERE project_id = $1`,
			`INSERT INTO activity (id, task_id) VALUES ($1, (SELECT id FROM task WHERE number = $2))`)
		if !strings.Contains(fix, "writes (activity)") {
			t.Errorf("%s: a loop that reads integration and writes activity: %q", orm, fix)
		}
	}
	// An update by id and a scoping column upserts on id alone: no unique
	// index need hold both (kaneo's column reorder).
	if fix := fixOf(contexts()[""], detect.TypeNPlusOne,
		`UPDATE "column" SET position = $1 WHERE ("column".id = $2 AND "column".project_id = $3)`); !strings.Contains(fix, "<unique columns: id>") {
		t.Errorf("an update by id and project_id: %q", fix)
	}
	// GORM names the columns the get-or-create looks its row up by.
	if fix := fixOf(contexts()["GORM"], detect.TypeMNPlusOne, lookup, insert); !strings.Contains(fix, "clause.OnConflict") ||
		!strings.Contains(fix, "user_id, key") {
		t.Errorf("GORM get-or-create: %q", fix)
	}
}

// TestRepeatedWritesAreNotCached: a duplicate_query of a write says the
// write is repeated; caching is for reads.
func TestRepeatedWritesAreNotCached(t *testing.T) {
	for orm, ctx := range contexts() {
		for _, w := range []string{
			`INSERT INTO user_groups_users (user_id, user_group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			`UPDATE users SET updated_at = $1 WHERE id = $2`,
		} {
			fix := fixOf(ctx, detect.TypeDuplicateQuery, w)
			if regexp.MustCompile(`(?i)cach|memoiz|reuse the result`).MatchString(fix) || !strings.Contains(fix, "write") {
				t.Errorf("%s: duplicate %q: %q", orm, w, fix)
			}
		}
	}
}

// TestKeysetFollowsTheOrder: a deep_offset's fix pages on the query's own
// ORDER BY, its columns in order and its directions, with a tiebreaker when
// the order may tie; a page with no ORDER BY is told it needs one.
func TestKeysetFollowsTheOrder(t *testing.T) {
	cases := []struct {
		raw       string
		want      []string // in the generic fix
		tiebreak  bool
		unordered bool
	}{
		{`SELECT * FROM users ORDER BY email LIMIT 20 OFFSET 1000`, []string{"ORDER BY email", "email > :last_email"}, true, false},
		{`SELECT * FROM "posts" ORDER BY "posts"."created_at" DESC, "posts"."id" DESC LIMIT 20 OFFSET 1000`,
			[]string{"ORDER BY created_at DESC, id DESC", "(created_at, id) < (:last_created_at, :last_id)"}, false, false},
		{`SELECT * FROM posts ORDER BY updated_at DESC, id LIMIT 20 OFFSET 1000`,
			[]string{"updated_at < :last_updated_at OR (updated_at = :last_updated_at AND id > :last_id)"}, false, false},
		{`SELECT * FROM flags ORDER BY id LIMIT 20 OFFSET 1000`, []string{"id > :last_id"}, false, false},
		{`SELECT * FROM users LIMIT 20 OFFSET 1000`, []string{"no ORDER BY"}, false, true},
	}
	for _, c := range cases {
		generic := fixOf(contexts()[""], detect.TypeDeepOffset, c.raw)
		for _, w := range c.want {
			if !strings.Contains(generic, w) {
				t.Errorf("%s: generic fix %q does not say %q", c.raw, generic, w)
			}
		}
		st := sqlnorm.Normalize("postgresql", c.raw)
		for orm, ctx := range contexts() {
			fix := fixOf(ctx, detect.TypeDeepOffset, c.raw)
			if got := strings.Contains(fix, "tiebreaker"); got != c.tiebreak {
				t.Errorf("%s %s: tiebreaker %v: %q", orm, c.raw, got, fix)
			}
			if c.unordered {
				if !strings.Contains(fix, "no") || !strings.Contains(fix, "order") {
					t.Errorf("%s %s: an unordered page: %q", orm, c.raw, fix)
				}
				continue
			}
			// every column of the order, in order
			last := -1
			for _, col := range strings.Split(orderColumns(st.OrderBy), ",") {
				i := strings.Index(fix, col)
				if i < 0 || i < last {
					t.Errorf("%s %s: %q missing or out of order in %q", orm, c.raw, col, fix)
				}
				last = i
			}
			if !strings.Contains(c.raw, "ORDER BY id") && regexp.MustCompile(`Order\("id"\)|order_by\("id"\)|\bid > :last_id\b\)? ORDER BY id`).MatchString(fix) {
				t.Errorf("%s %s: a keyset on id for a query ordered otherwise: %q", orm, c.raw, fix)
			}
		}
	}
	if fix := fixOf(contexts()["GORM"], detect.TypeDeepOffset, cases[1].raw); !strings.Contains(fix, `db.Where("(created_at, id) < (?, ?)"`) ||
		!strings.Contains(fix, `Order("created_at DESC, id DESC")`) {
		t.Errorf("GORM: %q", fix)
	}
	if fix := fixOf(contexts()["Django"], detect.TypeDeepOffset, cases[1].raw); !strings.Contains(fix, `.order_by("-created_at", "-id")`) {
		t.Errorf("Django: %q", fix)
	}
}

// orderColumns are the columns of sqlnorm's ORDER BY, comma-separated.
func orderColumns(orderBy string) string {
	var cols []string
	for _, item := range strings.Split(orderBy, ", ") {
		col := strings.Fields(item)[0]
		if i := strings.LastIndexByte(col, '.'); i >= 0 {
			col = col[i+1:]
		}
		cols = append(cols, col)
	}
	return strings.Join(cols, ",")
}

// TestPagedToManyJoinNamesTheJoinedTable: the collection to load apart is
// the joined to-many table, never the FROM table.
func TestPagedToManyJoinNamesTheJoinedTable(t *testing.T) {
	cases := []struct{ raw, parent, child string }{
		{`SELECT authors.id, books.title FROM authors JOIN books ON books.author_id = authors.id LIMIT 20`, "authors", "books"},
		{`SELECT books.id FROM books LEFT JOIN book_tags ON book_tags.book_id = books.id LEFT JOIN tags ON tags.id = book_tags.tag_id LIMIT 20`, "books", "tags"},
	}
	for _, c := range cases {
		for orm, ctx := range contexts() {
			fix := fixOf(ctx, detect.TypePagedToManyJoin, c.raw)
			if !regexp.MustCompile(`\b(to|their) ` + c.child + `\b`).MatchString(fix) {
				t.Errorf("%s %s: the joined table %s is not the collection: %q", orm, c.raw, c.child, fix)
			}
			if strings.Contains(fix, "to "+c.parent+">") || strings.Contains(fix, "separate: true") {
				t.Errorf("%s %s: loads the FROM table %s or says separate: %q", orm, c.raw, c.parent, fix)
			}
		}
	}
}

// TestNamesComeOnlyFromTheTrace: no fix names an association, model or
// column the trace does not show: nothing derived from a table's name
// (FollowModels, UserGroupsUsers, author for authors), no title column.
func TestNamesComeOnlyFromTheTrace(t *testing.T) {
	raws := []string{
		`SELECT * FROM follow_models WHERE follow_models.user_id = $1`,
		`SELECT * FROM user_groups_users WHERE user_groups_users.user_group_id = $1`,
		`SELECT * FROM authors WHERE authors.id = $1`,
		`SELECT count(*) FROM follow_models WHERE follow_models.user_id = $1`,
		`INSERT INTO follow_models (user_id, follows_id) VALUES ($1, $2)`,
		`UPDATE follow_models SET user_id = $1 WHERE id = $2`,
		`DELETE FROM follow_models WHERE id = $1`,
		`SELECT * FROM authors`,
	}
	invented := regexp.MustCompile(`FollowModels?\b|followModels?\b|\bfollow_model\b|UserGroupsUsers?|userGroupsUsers?|UserGroupUsers?|\bAuthors?\b|\bauthor\b|\btitle\b`)
	for orm, ctx := range contexts() {
		for _, typ := range []string{detect.TypeNPlusOne, detect.TypeMNPlusOne, detect.TypeOverFetch, detect.TypeDuplicateQuery, detect.TypePaginationCount,
			detect.TypeLazyLoadOutOfScope} {
			for _, raw := range raws {
				if fix := fixOf(ctx, typ, raw); invented.MatchString(fix) {
					t.Errorf("%s %s %s: names %q, which the trace does not show: %q", orm, typ, raw, invented.FindString(fix), fix)
				}
			}
		}
		if fix := fixOf(ctx, detect.TypeMNPlusOne, raws[0], raws[2], raws[3]); invented.MatchString(fix) {
			t.Errorf("%s mn_plus_one: names %q: %q", orm, invented.FindString(fix), fix)
		}
	}
}

// TestOptionsOnlyWhereValid: Django's select_related only for a lookup by
// key (a forward foreign key), GORM's Joins only for one, and Sequelize's
// separate: true nowhere (hasMany only, which the SQL cannot tell from
// belongsToMany or hasOne).
func TestOptionsOnlyWhereValid(t *testing.T) {
	byForeignKey := `SELECT * FROM tags JOIN book_tags ON book_tags.tag_id = tags.id WHERE book_tags.book_id = $1`
	for _, typ := range []string{detect.TypeNPlusOne, detect.TypeMNPlusOne} {
		if fix := fixOf(contexts()["Django"], typ, byForeignKey); strings.Contains(fix, "select_related") || !strings.Contains(fix, "prefetch_related") {
			t.Errorf("Django %s by foreign key: %q", typ, fix)
		}
		if fix := fixOf(contexts()["GORM"], typ, byForeignKey); strings.Contains(fix, "Joins(") {
			t.Errorf("GORM %s by foreign key: %q", typ, fix)
		}
	}
	for _, r := range everyRequest(contexts()["Sequelize"]) {
		if fix, _ := suggest.Fix(r); strings.Contains(fix, "separate") {
			t.Errorf("Sequelize %s: %q", r.Type, fix)
		}
	}
}

// TestSpreadOutRepeatsAreReadOnce: a lookup repeated at several places of a
// request is read once and passed on; only ORMs with lazy relations and no
// identity map (Django, ActiveRecord, Eloquent, EF Core) also name the eager
// load, where the same row comes again through a relation of each listed row.
func TestSpreadOutRepeatsAreReadOnce(t *testing.T) {
	lazyRelationsAgain := map[string]bool{"Django": true, "ActiveRecord": true, "Eloquent": true, "EF Core": true}
	for name, ctx := range contexts() {
		r := suggest.Request{Type: detect.TypeNPlusOne, Reason: detect.ReasonSpreadOut, Context: ctx,
			Statements: []*sqlnorm.Statement{sqlnorm.Normalize("postgresql", `SELECT users.id FROM users WHERE users.id = ?`)}}
		fix, _ := suggest.Fix(r)
		if !strings.Contains(fix, "once per request") && !strings.Contains(fix, "read it once") {
			t.Errorf("%s: %s", name, fix)
		}
		if eagerLoading.MatchString(fix) != lazyRelationsAgain[name] {
			t.Errorf("%s: eager loading named %v: %s", name, eagerLoading.MatchString(fix), fix)
		}
	}
}

// TestLazyLoadExceptionsAreWordedByTheirORM: a lazy_load_out_of_scope on an
// ORM's exception is worded by that ORM (its class proves it), with the model
// and relation the message named, eager loading inside the scope in the
// ORM's own API; in a service of another language the class proves nothing
// and the fix is generic.
func TestLazyLoadExceptionsAreWordedByTheirORM(t *testing.T) {
	cases := []struct {
		language, exception string
		lazy                detect.LazyLoad
		orm                 string
		phrases             []string
	}{
		{"python", "sqlalchemy.orm.exc.DetachedInstanceError", detect.LazyLoad{Owner: "Book", Relation: "author"}, "SQLAlchemy",
			[]string{"Book.author was read after its Session closed", "selectinload(Book.author)", "joinedload(Book.author)"}},
		{"python", "sqlalchemy.orm.exc.DetachedInstanceError", detect.LazyLoad{}, "SQLAlchemy",
			[]string{"a relation was read", "selectinload(<Model>.<relation>)"}},
		{"java", "org.hibernate.LazyInitializationException", detect.LazyLoad{Target: "Author"}, "Hibernate",
			[]string{"the lazy Author was initialized after its session closed", "select e from <Entity> e join fetch e.<relation to Author>",
				`@EntityGraph(attributePaths = "<relation to Author>")`}},
		{"java", "org.hibernate.LazyInitializationException", detect.LazyLoad{Owner: "Author", Relation: "books"}, "Hibernate",
			[]string{"select e from Author e join fetch e.books", `@EntityGraph(attributePaths = "books")`}},
		{"ruby", "ActiveRecord::StrictLoadingViolationError", detect.LazyLoad{Owner: "Book", Target: "Author", Relation: "author"}, "ActiveRecord",
			[]string{"Book.author was read lazily under strict_loading", ".includes(:author)"}},
		{"php", `Illuminate\Database\LazyLoadingViolationException`, detect.LazyLoad{Owner: "Book", Relation: "author"}, "Eloquent",
			[]string{"Book::with('author')->get()", "->load('author')"}},
		{"go", "org.hibernate.LazyInitializationException", detect.LazyLoad{Target: "Author"}, "",
			[]string{"(LazyInitializationException)", "Load it eagerly"}},
	}
	for _, c := range cases {
		fix, orm := suggest.Fix(suggest.Request{Type: detect.TypeLazyLoadOutOfScope, Reason: detect.ReasonException,
			Exception: c.exception, Lazy: c.lazy, Context: suggest.Context{Language: c.language}})
		if orm != c.orm {
			t.Errorf("%s %s: worded for %q, want %q: %s", c.language, c.exception, orm, c.orm, fix)
		}
		for _, p := range c.phrases {
			if !strings.Contains(fix, p) {
				t.Errorf("%s %s: %q does not say %q", c.language, c.exception, fix, p)
			}
		}
		if other := suggest.ForeignORM(c.language, fix); other != "" {
			t.Errorf("%s: names %s: %q", c.exception, other, fix)
		}
	}
}

// TestAggregatesAreGroupedNotEagerLoaded: a SUM (AVG, MIN, MAX) per item,
// wherever it stands in the select list, is fixed by one grouped query in
// the ORM's API for that aggregate, never by eager loading, and never
// worded as a count.
func TestAggregatesAreGroupedNotEagerLoaded(t *testing.T) {
	api := map[string]string{"": "GROUP BY awards.user_id", "Django": `Sum("<relation to awards>__value")`, "SQLAlchemy": "func.sum(<model of awards>.value)",
		"GORM": `sum(awards.value)`, "TypeORM": `sum(awards.value)`, "Prisma": "_sum: { value: true }", "Sequelize": `fn("SUM", col("awards.value"))`,
		"Knex": `.sum("awards.value as n")`, "Drizzle": "sum(awards.value)", "bun": "sum(awards.value)", "Hibernate": "sum", "ActiveRecord": ".group(:user_id).sum(:value)", "EF Core": ".Sum(",
		"Eloquent": "withSum('<relation to awards>', 'value')", "Ecto": "sum(x.value)"}
	statements := []string{
		`SELECT sum(awards.value) AS award_score FROM awards WHERE awards.user_id = ? LIMIT ? OFFSET ?`,
		`SELECT awards.user_id, sum(awards.value) AS score FROM awards JOIN users ON awards.user_id = users.id WHERE awards.user_id = ? GROUP BY awards.user_id`,
	}
	for orm, ctx := range contexts() {
		for _, st := range statements {
			for _, fix := range []string{fixOf(ctx, detect.TypeNPlusOne, st),
				fixOf(ctx, detect.TypeMNPlusOne, `SELECT * FROM config WHERE config.key = ?`, st)} {
				if eagerLoading.MatchString(fix) || strings.Contains(strings.ToLower(fix), "count") || !strings.Contains(fix, api[orm]) {
					t.Errorf("%s: %q: %q, want %q", orm, st, fix, api[orm])
				}
			}
		}
	}
}

// A select by key whose columns SQLAlchemy did not label is one the code runs
// per item (a 2.0-style select, session.get, a refresh of each new row), not
// a lazy load: one query with in_() fixes it, not joinedload (mealie). A
// labelled one is a lazy load of a relationship.
func TestSQLAlchemyBareSelectsByKeyAreNoLazyLoads(t *testing.T) {
	ctx := contexts()["SQLAlchemy"]
	bare := fixOf(ctx, detect.TypeNPlusOne, `SELECT ingredient_foods.id, ingredient_foods.name FROM ingredient_foods WHERE ingredient_foods.id = ?`)
	if eagerLoading.MatchString(bare) || !strings.Contains(bare, "in_(keys)") {
		t.Errorf("a bare select by id: %q", bare)
	}
	lazy := fixOf(ctx, detect.TypeNPlusOne, `SELECT ingredient_foods.id AS ingredient_foods_id, ingredient_foods.name AS ingredient_foods_name FROM ingredient_foods WHERE ingredient_foods.id = ?`)
	if !strings.Contains(lazy, "joinedload(") {
		t.Errorf("a lazy load by id: %q", lazy)
	}
}

// A many-to-many read through its join table by the owner's key names the
// joined table as the collection (petclinic's Vet.specialties), not the join
// table.
func TestJoinTableReadByTheOwnersKey(t *testing.T) {
	fix := fixOf(contexts()["Hibernate"], detect.TypeNPlusOne,
		`select s1_0.vet_id,s1_1.id,s1_1.name from vet_specialties s1_0 join specialties s1_1 on s1_1.id=s1_0.specialty_id where s1_0.vet_id=?`)
	if !strings.Contains(fix, "the specialties collection") || strings.Contains(fix, "vet_specialties collection") {
		t.Errorf("%q", fix)
	}
	// user_groups read by user_id is an entity of its own.
	fix = fixOf(contexts()["GORM"], detect.TypeNPlusOne, `SELECT * FROM user_groups WHERE user_groups.user_id = $1`)
	if !strings.Contains(fix, "user_groups") {
		t.Errorf("%q", fix)
	}
}

// Hibernate's batch fetch holds for an EAGER mapping too, which loads a
// select per row by the query itself (petclinic's lists): its fixes say so,
// not only proxies or lazy loads.
func TestHibernateFixesHoldForEagerMappings(t *testing.T) {
	ctx := contexts()["Hibernate"]
	for _, raw := range []string{`select o1_0.id from owners o1_0 where o1_0.id=?`, `select p1_0.owner_id,p1_0.id from pets p1_0 where p1_0.owner_id=?`} {
		if fix := fixOf(ctx, detect.TypeNPlusOne, raw); !strings.Contains(fix, "EAGER") || strings.Contains(fix, "proxies") {
			t.Errorf("%s: %q", raw, fix)
		}
	}
}

// Go's advice for queries outside any request names bun's ctx and work a
// request hands to a background queue (gotosocial's workers).
func TestGoContextAdviceNamesBunAndQueues(t *testing.T) {
	advice := suggest.ContextAdvice(suggest.Context{Language: "go"})
	if !strings.Contains(advice, "bun") || !strings.Contains(advice, "background queue") {
		t.Errorf("%q", advice)
	}
}
