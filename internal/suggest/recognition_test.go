package suggest_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/suggest"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// recognised is every ORM querylens knows, with the testdata directories its
// traces are in and the instrumentation scope and language its applications
// report. An ORM with no directory is known from a real application of
// testdata/wild only (TestWildRecognition).
var recognised = []struct {
	name, language, scope string
	dirs                  []string
	sqlTell               bool // its SQL alone names it (ORM.SQL), language permitting
}{
	{"Django", "python", "opentelemetry.instrumentation.django", []string{"django"}, true},
	{"SQLAlchemy", "python", "opentelemetry.instrumentation.sqlalchemy", []string{"sqlalchemy"}, true},
	{"GORM", "go", "gorm.io/plugin/opentelemetry", []string{"gorm-postgres", "gorm-sqlite"}, true},
	{"TypeORM", "nodejs", "@opentelemetry/instrumentation-typeorm", []string{"typeorm"}, true},
	{"Prisma", "nodejs", "prisma", []string{"prisma"}, true},
	{"Sequelize", "nodejs", "@opentelemetry/instrumentation-sequelize", []string{"sequelize"}, true},
	{"Knex", "nodejs", "@opentelemetry/instrumentation-knex", []string{"knex"}, false},
	{"Drizzle", "nodejs", "drizzle-orm", nil, true},
	{"bun", "go", "github.com/uptrace/bun", nil, true},
	{"Hibernate", "java", "io.opentelemetry.hibernate-6.0", []string{"hibernate"}, true},
	{"ActiveRecord", "ruby", "OpenTelemetry::Instrumentation::ActiveRecord", []string{"activerecord"}, true},
	{"EF Core", "dotnet", "OpenTelemetry.Instrumentation.EntityFrameworkCore", []string{"efcore"}, true},
	{"Eloquent", "php", "io.opentelemetry.contrib.php.laravel", []string{"eloquent"}, true},
	{"Ecto", "erlang", "opentelemetry_ecto", []string{"ecto"}, true},
}

func ormOfDir(dir string) (string, bool) {
	for _, o := range recognised {
		for _, d := range o.dirs {
			if d == dir {
				return o.name, true
			}
		}
	}
	return "", false
}

var unfilled = regexp.MustCompile(`\{[A-Za-z]+\}`)

// otherORMWords reports the name of another ORM whose words ("Name: ") the
// fix carries, or of an ORM of another language whose API it names.
func otherORMWords(fix, orm, language string) string {
	for _, o := range recognised {
		if o.name != orm && strings.Contains(fix, o.name+": ") {
			return o.name
		}
	}
	return suggest.ForeignORM(language, fix)
}

func languageOf(orm string) string {
	for _, o := range recognised {
		if o.name == orm {
			return o.language
		}
	}
	return ""
}

// TestTestdataFixesSpeakTheirORM runs every testdata trace through the engine:
// each finding of a directory is worded by that directory's ORM, and never by
// another's.
func TestTestdataFixesSpeakTheirORM(t *testing.T) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	worded := map[string]int{}
	for _, s := range scenarios {
		want, ok := ormOfDir(s.Source)
		if !ok {
			continue
		}
		for _, f := range fixtures.Observe(s.Annotated()) {
			if f.Type == "n_plus_one_api" { // worded for the caller's language, not an ORM
				continue
			}
			if f.ORM != want || !strings.HasPrefix(f.Suggestion, want+": ") {
				t.Errorf("%s/%s: %s recognised as %q, fix %q; want %s's words", s.Source, s.Name, f.Type, f.ORM, f.Suggestion, want)
			}
			if other := otherORMWords(f.Suggestion, want, languageOf(want)); other != "" {
				t.Errorf("%s/%s: %s fix speaks %s: %q", s.Source, s.Name, f.Type, other, f.Suggestion)
			}
			if unfilled.MatchString(f.Suggestion) {
				t.Errorf("%s/%s: unfilled placeholder in %q", s.Source, s.Name, f.Suggestion)
			}
			worded[s.Source]++
		}
	}
	for _, o := range recognised {
		n := 0
		for _, d := range o.dirs {
			n += worded[d]
		}
		if n == 0 && len(o.dirs) > 0 {
			t.Errorf("%s: no finding in its testdata (%v) was worded", o.name, o.dirs)
		}
		t.Logf("%-12s %3d findings in its own words", o.name, n)
	}
}

// dbSpan is what recognition reads of one database span of the testdata.
type dbSpan struct {
	service, language, raw string
}

func dbSpansOf(tds []ptrace.Traces) ([]dbSpan, map[string][]string) {
	var spans []dbSpan
	scopes := map[string][]string{}
	fixtures.EachSpanWithScope(tds, func(r pcommon.Resource, sc pcommon.InstrumentationScope, s ptrace.Span) {
		service, language := "", ""
		if v, ok := r.Attributes().Get("service.name"); ok {
			service = v.AsString()
		}
		if v, ok := r.Attributes().Get("telemetry.sdk.language"); ok {
			language = v.AsString()
		}
		if sc.Name() != "" && !contains(scopes[service], sc.Name()) {
			scopes[service] = append(scopes[service], sc.Name())
		}
		a := s.Attributes()
		_, sys := a.Get("db.system.name")
		_, oldSys := a.Get("db.system")
		if !sys && !oldSys {
			return
		}
		raw := ""
		if v, ok := a.Get("db.query.text"); ok {
			raw = v.AsString()
		} else if v, ok := a.Get("db.statement"); ok {
			raw = v.AsString()
		}
		if strings.TrimSpace(raw) != "" {
			spans = append(spans, dbSpan{service, language, raw})
		}
	})
	return spans, scopes
}

// anyORMScope reports whether a service shows the instrumentation scope of an ORM.
func anyORMScope(scopes []string) bool {
	for _, o := range recognised {
		for _, sc := range scopes {
			if strings.HasPrefix(sc, o.scope) {
				return true
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestTestdataRecognition recognises the ORM of every database span of every
// testdata trace, fixed forms included: by the service's instrumentation
// scopes it is the directory's ORM; by the SQL and the language alone it is
// the directory's ORM or none, never another, and each ORM with a SQL tell is
// named by its own SQL somewhere in its testdata.
func TestTestdataRecognition(t *testing.T) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	bySQL, bySQLOther, byScope, total := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, s := range scenarios {
		want, ok := ormOfDir(s.Source)
		if !ok {
			continue
		}
		spans, scopes := dbSpansOf(s.Requests)
		for _, sp := range spans {
			o := suggest.Recognize(suggest.Context{Language: sp.language, Scopes: scopes[sp.service], Raw: sp.raw})
			total[want]++
			if !anyORMScope(scopes[sp.service]) {
				// Only the driver's spans (an application's start-up probes): nothing
				// names the ORM, and the SQL alone must not name another.
				if o != nil && o.Name != want {
					t.Errorf("%s/%s: driver spans only, recognised as %s, want %s or none: %s", s.Source, s.Name, o.Name, want, sp.raw)
				}
				continue
			}
			if o == nil || o.Name != want {
				t.Errorf("%s/%s: service %s (scopes %v) recognised as %v, want %s", s.Source, s.Name, sp.service, scopes[sp.service], name(o), want)
			} else {
				byScope[want]++
			}
			o = suggest.Recognize(suggest.Context{Language: sp.language, Raw: sp.raw})
			switch {
			case o == nil:
			case o.Name != want:
				bySQLOther[want]++
				t.Errorf("%s/%s: the SQL alone names %s, want %s or none: %s", s.Source, s.Name, o.Name, want, sp.raw)
			default:
				bySQL[want]++
			}
		}
	}
	for _, o := range recognised {
		if o.sqlTell && bySQL[o.name] == 0 && len(o.dirs) > 0 {
			t.Errorf("%s: its SQL names it in none of its testdata statements", o.name)
		}
		t.Logf("%-12s %4d statements: %4d its own by scope; by SQL alone %4d its own, %4d another, the rest none",
			o.name, total[o.name], byScope[o.name], bySQL[o.name], bySQLOther[o.name])
	}
}

func name(o *suggest.ORM) string {
	if o == nil {
		return "none"
	}
	return o.Name
}

// statementsByShape are one statement of each shape a fix is worded for.
var statementsByShape = map[string]string{
	"by key":         `SELECT a.id, a.name FROM authors a WHERE a.id = $1`,
	"by foreign key": `SELECT b.id, b.title FROM books b WHERE b.author_id = $1`,
	"count":          `SELECT count(*) FROM books WHERE author_id = $1`,
	"insert":         `INSERT INTO books (title, author_id) VALUES ($1, $2)`,
	"upsert":         `INSERT INTO tags (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`,
	"update":         `UPDATE books SET title = $1 WHERE id = $2`,
	"delete":         `DELETE FROM books WHERE id = $1`,
	"other":          `SELECT * FROM settings WHERE key = $1`,
	"unkeyed":        `SELECT * FROM settings`,
	"ordered page":   `SELECT * FROM users ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 5000`,
	"unordered page": `SELECT * FROM users LIMIT 20 OFFSET 5000`,
	"paged join":     `SELECT authors.id, books.title FROM authors JOIN books ON books.author_id = authors.id LIMIT 20`,
	"page count":     `SELECT count(*) FROM users`,
	"lookup":         `SELECT * FROM custom_claims WHERE user_id = $1 AND key = $2 LIMIT 1`,
	"claim insert":   `INSERT INTO custom_claims (user_id, key, value) VALUES ($1, $2, $3)`,
}

func norm(name string) *sqlnorm.Statement {
	return sqlnorm.Normalize("postgresql", statementsByShape[name])
}

// everyRequest is a request for every finding type and statement shape,
// in the context given.
func everyRequest(ctx suggest.Context) []suggest.Request {
	one := func(typ, reason string, names ...string) suggest.Request {
		r := suggest.Request{Type: typ, Reason: reason, Context: ctx}
		for _, n := range names {
			r.Statements = append(r.Statements, norm(n))
		}
		return r
	}
	var out []suggest.Request
	for _, n := range []string{"by key", "by foreign key", "count", "insert", "upsert", "update", "delete", "other", "unkeyed", "lookup"} {
		out = append(out, one(detect.TypeNPlusOne, "", n), one(detect.TypeDuplicateQuery, "", n))
	}
	return append(out,
		one(detect.TypeMNPlusOne, "", "by key", "by foreign key", "count"),
		one(detect.TypeMNPlusOne, "", "other", "unkeyed", "count"),
		one(detect.TypeMNPlusOne, "", "lookup", "claim insert"),
		one(detect.TypeMNPlusOne, "", "by key", "update", "delete"),
		one(detect.TypeDeepOffset, "", "ordered page"),
		one(detect.TypeDeepOffset, "", "unordered page"),
		one(detect.TypePagedToManyJoin, "", "paged join"),
		one(detect.TypePaginationCount, "", "page count", "unordered page"),
		one(detect.TypeOverFetch, "", "other"),
		one(detect.TypeOverFetch, detect.ReasonReturnedRows, "by foreign key"),
		one(detect.TypeOverFetch, detect.ReasonCountedRows, "unkeyed"),
		one(detect.TypeLazyLoadOutOfScope, detect.ReasonTemplate, "by key"),
		one(detect.TypeLazyLoadOutOfScope, detect.ReasonTemplate, "by foreign key"),
		one(detect.TypeLazyLoadOutOfScope, detect.ReasonAfterParentEnded, "by foreign key"),
	)
}

// TestEveryORMWordsEveryFinding asks each ORM, recognised by its scope, for the
// fix of every finding type and statement shape: each is in its own words
// (starts with its name), with every placeholder filled, and names no ORM of
// another language.
func TestEveryORMWordsEveryFinding(t *testing.T) {
	for _, o := range recognised {
		ctx := suggest.Context{Language: o.language, Scopes: []string{o.scope}}
		for _, r := range everyRequest(ctx) {
			fix, orm := suggest.Fix(r)
			if orm != o.name || !strings.HasPrefix(fix, o.name+": ") {
				t.Errorf("%s %s (%s): orm %q, fix %q", o.name, r.Type, r.Statements[0].Text, orm, fix)
			}
			if unfilled.MatchString(fix) {
				t.Errorf("%s %s: unfilled placeholder in %q", o.name, r.Type, fix)
			}
			if other := suggest.ForeignORM(o.language, fix); other != "" {
				t.Errorf("%s %s: names %s, of another language: %q", o.name, r.Type, other, fix)
			}
		}
	}
}

// TestNoFixNamesAnotherLanguagesORM words every finding for a service of
// each language that recognition cannot tie to an ORM (and for one whose
// language is unknown): the generic fix names no ORM of another language,
// whatever the SQL looks like.
func TestNoFixNamesAnotherLanguagesORM(t *testing.T) {
	for _, language := range append(suggest.Languages(), "", "rust") {
		for _, r := range everyRequest(suggest.Context{Language: language}) {
			fix, orm := suggest.Fix(r)
			if orm != "" && !slices.Contains(suggest.ORMsOf(language), orm) {
				t.Errorf("%q %s: worded for %s", language, r.Type, orm)
			}
			if other := suggest.ForeignORM(language, fix); other != "" {
				t.Errorf("%q %s: names %s, of another language: %q", language, r.Type, other, fix)
			}
		}
	}
}

// TestNewORMWords checks a few words of each new ORM's fixes, by shape.
func TestNewORMWords(t *testing.T) {
	cases := []struct {
		language, scope, raw, typ, orm, phrase string
	}{
		{"nodejs", "@opentelemetry/instrumentation-typeorm", `SELECT "Author"."id" AS "Author_id" FROM "authors" "Author" WHERE (("Author"."id" = $1)) LIMIT 1`, "n_plus_one", "TypeORM", `relations: ["<relation to authors>"]`},
		{"nodejs", "@opentelemetry/instrumentation-typeorm", `SELECT "Book"."id" AS "Book_id" FROM "books" "Book" WHERE (("Book"."authorId" = $1))`, "n_plus_one", "TypeORM", "where { authorId: In(keys) }"},
		{"nodejs", "prisma", `SELECT COUNT(*) AS "_count$_all" FROM (SELECT "public"."Book"."id" FROM "public"."Book" WHERE "public"."Book"."authorId" = $1 OFFSET $2) AS "sub"`, "n_plus_one", "Prisma", `include: { _count: { select: { <relation to Book>: true } } }`},
		{"nodejs", "prisma", `INSERT INTO "public"."Book" ("title","authorId") VALUES ($1,$2)`, "n_plus_one", "Prisma", "prisma.book.createMany"},
		{"dotnet", "OpenTelemetry.Instrumentation.EntityFrameworkCore", "SELECT [a].[Id], [a].[Name] FROM [Authors] AS [a] WHERE [a].[Id] = @__p_0", "n_plus_one", "EF Core", ".Include(x => x.<navigation to Authors>)"},
		{"dotnet", "OpenTelemetry.Instrumentation.EntityFrameworkCore", "SELECT [b].[Id] FROM [Books] AS [b] WHERE [b].[AuthorId] = @__p_0", "n_plus_one", "EF Core", ".AsSplitQuery()"},
		{"dotnet", "OpenTelemetry.Instrumentation.EntityFrameworkCore", "SELECT [b].[Id] FROM [Books] AS [b] ORDER BY [b].[Id] OFFSET @__p_0 ROWS FETCH NEXT @__p_1 ROWS ONLY", "deep_offset", "EF Core", "Skip(n)"},
		{"php", "io.opentelemetry.contrib.php.laravel", "select * from `authors` where `authors`.`id` = ? limit 1", "n_plus_one", "Eloquent", "->with('<relation to authors>')"},
		{"php", "io.opentelemetry.contrib.php.laravel", "select count(*) as aggregate from `books` where `books`.`author_id` = ? and `books`.`author_id` is not null", "n_plus_one", "Eloquent", "->withCount('<relation to books>')"},
		{"php", "io.opentelemetry.contrib.php.laravel", "select * from `books` limit 50", "over_fetch", "Eloquent", "->select(<columns the code reads>)"},
		{"erlang", "opentelemetry_ecto", `SELECT a0."id" FROM "authors" AS a0 WHERE (a0."id" = $1)`, "n_plus_one", "Ecto", "Ecto: "},
		{"erlang", "opentelemetry_ecto", `INSERT INTO "books" ("title") VALUES ($1) RETURNING "id"`, "n_plus_one", "Ecto", "Repo.insert_all(<schema of books>, rows)"},
		{"java", "io.opentelemetry.spring-data-1.8", `select a1_0.id from authors a1_0 where a1_0.id=?`, "n_plus_one", "Hibernate", `@EntityGraph(attributePaths = "<association to authors>")`},
		{"nodejs", "@opentelemetry/instrumentation-mysql2", "SELECT `User`.`id` AS `User_id`, `User`.`email` AS `User_email` FROM `users` `User` WHERE `User`.`id` = ?", "n_plus_one", "TypeORM", "TypeORM: "},
	}
	for _, c := range cases {
		system := map[string]string{"dotnet": "microsoft.sql_server", "php": "mysql"}[c.language]
		if system == "" {
			system = "postgresql"
		}
		if strings.Contains(c.raw, "`") {
			system = "mysql"
		}
		fix, orm := suggest.Fix(suggest.Request{Type: c.typ, Statements: []*sqlnorm.Statement{sqlnorm.Normalize(system, c.raw)},
			Context: suggest.Context{Language: c.language, Scopes: []string{c.scope}, Raw: c.raw}})
		if orm != c.orm || !strings.Contains(fix, c.phrase) {
			t.Errorf("%s: orm %q, fix %q; want %s with %q", c.raw, orm, fix, c.orm, c.phrase)
		}
	}
}

// TestNewSQLTellsKeepToTheirLanguage: each new ORM's SQL, alone, names it in
// its language and nothing in another.
func TestNewSQLTellsKeepToTheirLanguage(t *testing.T) {
	cases := []struct{ language, raw, orm string }{
		{"nodejs", `SELECT "Book"."id" AS "Book_id", "Book"."title" AS "Book_title" FROM "books" "Book"`, "TypeORM"},
		{"nodejs", `INSERT INTO "books"("title", "authorId") VALUES ($1, $2) RETURNING "id"`, "TypeORM"},
		{"nodejs", `SELECT "Book"."createdAt" AS "Book_createdAt" FROM "books" "Book"`, "TypeORM"},
		{"nodejs", `SELECT "public"."Book"."id", "public"."Book"."createdAt" FROM "public"."Book" WHERE 1=1 OFFSET $1`, "Prisma"},
		{"nodejs", `SELECT "id", "title", "createdAt" FROM "books" AS "Book" WHERE "Book"."id" = 1;`, "Sequelize"},
		{"dotnet", "SELECT [b].[Id] FROM [Books] AS [b] WHERE [b].[Id] = @__p_0", "EF Core"},
		{"dotnet", "SET IMPLICIT_TRANSACTIONS OFF;\nSET NOCOUNT ON;\nINSERT INTO [Books] ([Title])\nOUTPUT INSERTED.[Id]\nVALUES (@p0);", "EF Core"},
		{"php", "select * from `books` where `books`.`author_id` in (1, 2, 3)", "Eloquent"},
		{"php", `select * from "books" where "books"."id" = ? limit 1`, "Eloquent"},
		{"erlang", `SELECT b0."id", b0."title" FROM "books" AS b0 WHERE (b0."author_id" = $1)`, "Ecto"},
		{"go", "select * from `books` where `books`.`author_id` in (1, 2, 3)", ""},
		{"python", `SELECT b0."id" FROM "books" AS b0`, ""},
		{"java", "SELECT [b].[Id] FROM [Books] AS [b]", ""},
		{"nodejs", "select * from `books` limit 50", ""},
	}
	for _, c := range cases {
		if got := name(suggest.Recognize(suggest.Context{Language: c.language, Raw: c.raw})); got != c.orm && !(got == "none" && c.orm == "") {
			t.Errorf("%s %q: %s, want %q", c.language, c.raw, got, c.orm)
		}
	}
}
