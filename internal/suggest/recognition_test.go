package suggest_test

import (
	"regexp"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/fixtures"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/suggest"
)

// recognised is every ORM querylens knows, with the testdata directories its
// traces are in and the instrumentation scope and language its applications
// report.
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
// fix carries.
func otherORMWords(fix, orm string) string {
	for _, o := range recognised {
		if o.name != orm && strings.Contains(fix, o.name+": ") {
			return o.name
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
			if other := otherORMWords(f.Suggestion, want); other != "" {
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
		if n == 0 {
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
		if o.sqlTell && bySQL[o.name] == 0 {
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

// TestEveryORMWordsEveryFinding asks each ORM, recognised by its scope, for the
// fix of every finding type and statement shape: each is in its own words
// (starts with its name), with every placeholder filled.
func TestEveryORMWordsEveryFinding(t *testing.T) {
	statements := map[string]string{
		"by key":         `SELECT a.id, a.name FROM authors a WHERE a.id = $1`,
		"by foreign key": `SELECT b.id, b.title FROM books b WHERE b.author_id = $1`,
		"count":          `SELECT count(*) FROM books WHERE author_id = $1`,
		"insert":         `INSERT INTO books (title, author_id) VALUES ($1, $2)`,
		"update":         `UPDATE books SET title = $1 WHERE id = $2`,
		"delete":         `DELETE FROM books WHERE id = $1`,
		"other":          `SELECT * FROM settings`,
	}
	norm := func(raw string) *sqlnorm.Statement { return sqlnorm.Normalize("postgresql", raw) }
	for _, o := range recognised {
		ctx := suggest.Context{Language: o.language, Scopes: []string{o.scope}}
		var requests []suggest.Request
		for _, raw := range statements {
			requests = append(requests, suggest.Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{norm(raw)}, Context: ctx})
		}
		for _, k := range detect.Kinds {
			switch k.Name {
			case detect.TypeNPlusOne, detect.TypeMNPlusOne: // by shape, here and below
			case detect.TypeNPlusOneAPI: // worded for the caller's language, not an ORM
			default:
				requests = append(requests, suggest.Request{Type: k.Name, Statements: []*sqlnorm.Statement{norm(statements["other"])}, Context: ctx})
			}
		}
		requests = append(requests,
			suggest.Request{Type: "over_fetch", Reason: "returned_rows", Statements: []*sqlnorm.Statement{norm(statements["by foreign key"])}, Context: ctx},
			suggest.Request{Type: "mn_plus_one", Statements: []*sqlnorm.Statement{norm(statements["by key"]), norm(statements["by foreign key"]), norm(statements["count"])}, Context: ctx})
		for _, r := range requests {
			fix, orm := suggest.Fix(r)
			if orm != o.name || !strings.HasPrefix(fix, o.name+": ") {
				t.Errorf("%s %s (%s): orm %q, fix %q", o.name, r.Type, r.Statements[0].Text, orm, fix)
			}
			if unfilled.MatchString(fix) {
				t.Errorf("%s %s: unfilled placeholder in %q", o.name, r.Type, fix)
			}
		}
	}
}

// TestNewORMWords checks a few words of each new ORM's fixes, by shape.
func TestNewORMWords(t *testing.T) {
	cases := []struct {
		language, scope, raw, typ, orm, phrase string
	}{
		{"nodejs", "@opentelemetry/instrumentation-typeorm", `SELECT "Author"."id" AS "Author_id" FROM "authors" "Author" WHERE (("Author"."id" = $1)) LIMIT 1`, "n_plus_one", "TypeORM", "relations: { author: true }"},
		{"nodejs", "@opentelemetry/instrumentation-typeorm", `SELECT "Book"."id" AS "Book_id" FROM "books" "Book" WHERE (("Book"."authorId" = $1))`, "n_plus_one", "TypeORM", "findBy({ authorId: In(ids) })"},
		{"nodejs", "prisma", `SELECT COUNT(*) AS "_count$_all" FROM (SELECT "public"."Book"."id" FROM "public"."Book" WHERE "public"."Book"."authorId" = $1 OFFSET $2) AS "sub"`, "n_plus_one", "Prisma", `include: { _count: { select: { books: true } } }`},
		{"nodejs", "prisma", `INSERT INTO "public"."Book" ("title","authorId") VALUES ($1,$2)`, "n_plus_one", "Prisma", "prisma.book.createMany"},
		{"dotnet", "OpenTelemetry.Instrumentation.EntityFrameworkCore", "SELECT [a].[Id], [a].[Name] FROM [Authors] AS [a] WHERE [a].[Id] = @__p_0", "n_plus_one", "EF Core", ".Include(x => x.Author)"},
		{"dotnet", "OpenTelemetry.Instrumentation.EntityFrameworkCore", "SELECT [b].[Id] FROM [Books] AS [b] WHERE [b].[AuthorId] = @__p_0", "n_plus_one", "EF Core", ".AsSplitQuery()"},
		{"dotnet", "OpenTelemetry.Instrumentation.EntityFrameworkCore", "SELECT [b].[Id] FROM [Books] AS [b] ORDER BY [b].[Id] OFFSET @__p_0 ROWS FETCH NEXT @__p_1 ROWS ONLY", "deep_offset", "EF Core", "Skip(n)"},
		{"php", "io.opentelemetry.contrib.php.laravel", "select * from `authors` where `authors`.`id` = ? limit 1", "n_plus_one", "Eloquent", "->with('author')"},
		{"php", "io.opentelemetry.contrib.php.laravel", "select count(*) as aggregate from `books` where `books`.`author_id` = ? and `books`.`author_id` is not null", "n_plus_one", "Eloquent", "->withCount('books')"},
		{"php", "io.opentelemetry.contrib.php.laravel", "select * from `books` limit 50", "over_fetch", "Eloquent", "->select('id', 'title')"},
		{"erlang", "opentelemetry_ecto", `SELECT a0."id" FROM "authors" AS a0 WHERE (a0."id" = $1)`, "n_plus_one", "Ecto", "Ecto: "},
		{"erlang", "opentelemetry_ecto", `INSERT INTO "books" ("title") VALUES ($1) RETURNING "id"`, "n_plus_one", "Ecto", "Repo.insert_all(Book, rows)"},
		{"java", "io.opentelemetry.spring-data-1.8", `select a1_0.id from authors a1_0 where a1_0.id=?`, "n_plus_one", "Hibernate", `@EntityGraph(attributePaths = "author")`},
	}
	for _, c := range cases {
		system := map[string]string{"dotnet": "microsoft.sql_server", "php": "mysql"}[c.language]
		if system == "" {
			system = "postgresql"
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
