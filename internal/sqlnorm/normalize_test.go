package sqlnorm

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Statements exactly as the ORMs and their instrumentations record them.
const (
	djangoAuthorByPK  = `SELECT "bookshop_author"."id", "bookshop_author"."name", "bookshop_author"."email" FROM "bookshop_author" WHERE "bookshop_author"."id" = %s LIMIT 21`
	djangoBooksIn3    = `SELECT "bookshop_book"."id", "bookshop_book"."title", "bookshop_book"."author_id" FROM "bookshop_book" WHERE "bookshop_book"."author_id" IN (%s, %s, %s)`
	djangoBooksIn8    = `SELECT "bookshop_book"."id", "bookshop_book"."title", "bookshop_book"."author_id" FROM "bookshop_book" WHERE "bookshop_book"."author_id" IN (%s, %s, %s, %s, %s, %s, %s, %s)`
	djangoCount       = `SELECT COUNT(*) AS "__count" FROM "bookshop_book" WHERE "bookshop_book"."author_id" = %s`
	djangoBulk2       = `INSERT INTO "bookshop_book" ("title", "author_id", "pages") VALUES (%s, %s, %s), (%s, %s, %s) RETURNING "bookshop_book"."id"`
	djangoBulk5       = `INSERT INTO "bookshop_book" ("title", "author_id", "pages") VALUES (%s, %s, %s), (%s, %s, %s), (%s, %s, %s), (%s, %s, %s), (%s, %s, %s) RETURNING "bookshop_book"."id"`
	djangoCreate      = `INSERT INTO "bookshop_book" ("title", "author_id", "pages") VALUES (%s, %s, %s) RETURNING "bookshop_book"."id"`
	sqlalchemyLazy    = `SELECT books.id AS books_id, books.title AS books_title, books.author_id AS books_author_id FROM books WHERE %(param_1)s = books.author_id`
	sqlalchemySelIn2  = `SELECT books.author_id AS books_author_id, books.id AS books_id, books.title AS books_title FROM books WHERE books.author_id IN (%(primary_keys_1)s, %(primary_keys_2)s)`
	sqlalchemySelIn4  = `SELECT books.author_id AS books_author_id, books.id AS books_id, books.title AS books_title FROM books WHERE books.author_id IN (%(primary_keys_1)s, %(primary_keys_2)s, %(primary_keys_3)s, %(primary_keys_4)s)`
	sqlalchemyNamed   = `SELECT books.id AS books_id, books.title AS books_title, books.author_id AS books_author_id FROM books WHERE :param_1 = books.author_id`
	sqlalchemyQmark   = `SELECT books.id AS books_id, books.title AS books_title, books.author_id AS books_author_id FROM books WHERE ? = books.author_id`
	gormAuthor3       = `SELECT * FROM "authors" WHERE "authors"."id" = 3 AND "authors"."deleted_at" IS NULL ORDER BY "authors"."id" LIMIT 1`
	gormAuthor17      = `SELECT * FROM "authors" WHERE "authors"."id" = 17 AND "authors"."deleted_at" IS NULL ORDER BY "authors"."id" LIMIT 1`
	gormSQLiteAuthor  = "SELECT * FROM `authors` WHERE `authors`.`id` = 3 ORDER BY `authors`.`id` LIMIT 1"
	gormPreloadIn2    = `SELECT * FROM "books" WHERE "books"."author_id" IN (1,2)`
	gormPreloadIn6    = `SELECT * FROM "books" WHERE "books"."author_id" IN (1,2,3,4,5,6)`
	gormInsert        = `INSERT INTO "books" ("title","author_id","published_at","pages") VALUES ('Dune',1,'2024-01-02 00:00:00',412) RETURNING "id"`
	gormInsertBatch   = `INSERT INTO "books" ("title","author_id","published_at","pages") VALUES ('Dune',1,'2024-01-02 00:00:00',412),('Emma',2,'2023-05-06 00:00:00',318),('Ulysses',3,NULL,730) RETURNING "id"`
	sequelizeAuthor   = `SELECT "id", "name", "email", "createdAt", "updatedAt" FROM "Authors" AS "Author" WHERE "Author"."id" = 3;`
	sequelizeAuthor2  = `SELECT "id", "name", "email", "createdAt", "updatedAt" FROM "Authors" AS "Author" WHERE "Author"."id" = 11;`
	sequelizeInsert   = `INSERT INTO "Books" ("id","title","authorId","createdAt","updatedAt") VALUES (DEFAULT,$1,$2,$3,$4) RETURNING "id","title","authorId","createdAt","updatedAt";`
	knexAuthor        = `select * from "authors" where "id" = $1 limit $2`
	knexBooksIn       = `select * from "books" where "author_id" in ($1, $2, $3)`
	hibernateBooks    = `select b1_0.id,b1_0.author_id,b1_0.title from books b1_0 where b1_0.author_id=?`
	hibernateBooksIn  = `select b1_0.author_id,b1_0.id,b1_0.title from books b1_0 where b1_0.author_id in (?,?,?,?,?)`
	activeRecordBooks = `SELECT "books".* FROM "books" WHERE "books"."author_id" = $1 /*application:Bookshop,controller:authors,action:index*/`
	efCoreBooks       = `SELECT [b].[Id], [b].[AuthorId], [b].[Title] FROM [Books] AS [b] WHERE [b].[AuthorId] = @__authorId_0`
)

// literalValues are the values inlined in the statements above: none may
// survive normalization.
var literalValues = []string{"Dune", "Emma", "Ulysses", "2024-01-02", "412", "318", "17", "primary_keys_1", "param_1"}

func TestSameFingerprint(t *testing.T) {
	cases := []struct {
		name   string
		system string
		a, b   string
	}{
		{"Django lookups by different ids", "postgresql", djangoAuthorByPK, strings.Replace(djangoAuthorByPK, "%s", "%s ", 1)},
		{"Django prefetch IN-lists of any length", "postgresql", djangoBooksIn3, djangoBooksIn8},
		{"Django bulk_create of 2 and 5 rows", "postgresql", djangoBulk2, djangoBulk5},
		{"Django create and bulk_create", "postgresql", djangoCreate, djangoBulk5},
		{"SQLAlchemy selectinload IN-lists", "postgresql", sqlalchemySelIn2, sqlalchemySelIn4},
		{"SQLAlchemy pyformat and named", "postgresql", sqlalchemyLazy, sqlalchemyNamed},
		{"SQLAlchemy pyformat and qmark", "postgresql", sqlalchemyLazy, sqlalchemyQmark},
		{"GORM inlined ids", "postgresql", gormAuthor3, gormAuthor17},
		{"GORM inlined IN-lists", "postgresql", gormPreloadIn2, gormPreloadIn6},
		{"GORM single and batch insert", "postgresql", gormInsert, gormInsertBatch},
		{"Sequelize inlined ids", "postgresql", sequelizeAuthor, sequelizeAuthor2},
		{"Sequelize trailing semicolon", "postgresql", sequelizeAuthor, strings.TrimSuffix(sequelizeAuthor, ";")},
		{"Knex IN-list and GORM IN-list", "postgresql", knexBooksIn, `SELECT * FROM "books" WHERE "author_id" IN (7, 8)`},
		{"Hibernate IN-list and one id", "postgresql", hibernateBooksIn, strings.Replace(hibernateBooksIn, "(?,?,?,?,?)", "(?)", 1)},
		{"ActiveRecord with and without query log tags", "postgresql", activeRecordBooks, `SELECT "books".* FROM "books" WHERE "books"."author_id" = $1`},
		{"ActiveRecord obfuscated by opentelemetry-ruby's pg ($? for $1)", "postgresql",
			`SELECT "books".* FROM "books" WHERE "books"."author_id" = $? LIMIT $?`,
			`SELECT "books".* FROM "books" WHERE "books"."author_id" = $1 LIMIT $2`},
		{"sqlcommenter trailing comment", "postgresql",
			`SELECT * FROM books WHERE id = %s /*db_driver='psycopg2',framework='django%%3A3.2',traceparent='00-5bd66ef5095369c7b0d1f8f4bd33716a-c532cb4098ac3dd2-01'*/`,
			`SELECT * FROM books WHERE id = %s`},
		{"leading line comment", "mysql", "-- find the book\nSELECT * FROM books WHERE id = 1", "SELECT * FROM books WHERE id = 2"},
		{"whitespace and keyword case", "postgresql", "select *\n  from books\twhere   id = ?", "SELECT * FROM books WHERE id = ?"},
		{"placeholder ? and $1", "postgresql", "SELECT * FROM books WHERE id = ?", "SELECT * FROM books WHERE id = $1"},
		{"placeholder %s and :id", "postgresql", "SELECT * FROM books WHERE id = %s", "SELECT * FROM books WHERE id = :id"},
		{"placeholder %(id)s and @p1", "mssql", "SELECT * FROM books WHERE id = %(id)s", "SELECT * FROM books WHERE id = @p1"},
		{"placeholder :1 and literal", "oracle", "SELECT * FROM books WHERE id = :1", "SELECT * FROM books WHERE id = 42"},
		{"booleans and NULL", "postgresql", "SELECT * FROM books WHERE active = true AND note = NULL", "SELECT * FROM books WHERE active = FALSE AND note = 'x'"},
		{"Python IN %s and IN (%s, %s)", "postgresql", "SELECT * FROM books WHERE id IN %s", "SELECT * FROM books WHERE id IN (%s, %s)"},
		{"SQLite backticks, GORM", "sqlite", gormSQLiteAuthor, strings.Replace(gormSQLiteAuthor, "= 3", "= 99", 1)},
		{"a backtick in a value does not make the statement MySQL (fuzz)", "sqlite",
			"UPDATE \"books\" SET \"title\" = '`', \"pages\" = 327 WHERE \"books\".\"id\" = 327",
			`UPDATE "books" SET "title" = 'v', "pages" = 7 WHERE "books"."id" = 7`},
		{"EF Core parameters", "microsoft.sql_server", efCoreBooks, strings.Replace(efCoreBooks, "@__authorId_0", "@p0", 1)},
		{"redis keys", "redis", "GET user:42", "GET user:1337"},
		{"mongodb filter values", "mongodb", `{"find":"users","filter":{"_id":{"$in":[1,2,3]}}}`, `{"find":"users","filter":{"_id":{"$in":[9]}}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := Normalize(c.system, c.a), Normalize(c.system, c.b)
			if a.Fingerprint != b.Fingerprint {
				t.Errorf("fingerprints differ:\n  %s -> %q (%s)\n  %s -> %q (%s)", c.a, a.Text, a.Fingerprint, c.b, b.Text, b.Fingerprint)
			}
		})
	}
}

func TestDifferentFingerprint(t *testing.T) {
	cases := []struct {
		name   string
		system string
		a, b   string
	}{
		{"tables with digits", "postgresql", "SELECT * FROM events_2024 WHERE id = 1", "SELECT * FROM events_2025 WHERE id = 1"},
		{"aliases with digits", "mysql", "SELECT t1.a FROM t1 JOIN t2 ON t1.id = t2.t1_id", "SELECT t1.a FROM t1 JOIN t3 ON t1.id = t3.t1_id"},
		{"Hibernate aliases b1_0 and b2_0 on different tables", "postgresql", hibernateBooks, strings.ReplaceAll(hibernateBooks, "from books", "from books_archive")},
		{"lookup by pk and by fk", "postgresql", "SELECT * FROM books WHERE id = ?", "SELECT * FROM books WHERE author_id = ?"},
		{"count and rows", "postgresql", djangoCount, strings.Replace(djangoCount, `COUNT(*) AS "__count"`, `"bookshop_book"."id"`, 1)},
		{"with and without LIMIT", "postgresql", gormAuthor3, strings.Replace(gormAuthor3, " LIMIT 1", "", 1)},
		{"different tables", "postgresql", "SELECT * FROM authors WHERE id = 1", "SELECT * FROM books WHERE id = 1"},
		{"different columns in VALUES", "postgresql", djangoCreate, strings.Replace(djangoCreate, `"pages"`, `"isbn"`, 1)},
		{"redis commands", "redis", "GET user:1", "DEL user:1"},
		{"mongodb collections are values, commands are keys", "mongodb", `{"find":"users"}`, `{"aggregate":"users"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := Normalize(c.system, c.a), Normalize(c.system, c.b)
			if a.Fingerprint == b.Fingerprint {
				t.Errorf("fingerprints equal (%s):\n  %s -> %q\n  %s -> %q", a.Fingerprint, c.a, a.Text, c.b, b.Text)
			}
		})
	}
}

func TestNormalizedText(t *testing.T) {
	cases := []struct {
		system, raw string
		text        string
		command     string
		tables      []string
		placeholder int
	}{
		{"postgresql", djangoAuthorByPK,
			`SELECT bookshop_author.id, bookshop_author.name, bookshop_author.email FROM bookshop_author WHERE bookshop_author.id = ? LIMIT ?`,
			"SELECT", []string{"bookshop_author"}, 1},
		{"postgresql", djangoBulk5,
			`INSERT INTO bookshop_book (title, author_id, pages) VALUES (?) RETURNING bookshop_book.id`,
			"INSERT", []string{"bookshop_book"}, 15},
		{"postgresql", gormInsertBatch,
			`INSERT INTO books (title, author_id, published_at, pages) VALUES (?) RETURNING id`,
			"INSERT", []string{"books"}, 0},
		{"sqlite", gormSQLiteAuthor,
			`SELECT * FROM authors WHERE authors.id = ? ORDER BY authors.id LIMIT ?`,
			"SELECT", []string{"authors"}, 0},
		{"postgresql", activeRecordBooks,
			`SELECT books.* FROM books WHERE books.author_id = ?`,
			"SELECT", []string{"books"}, 1},
		{"postgresql", sqlalchemySelIn4,
			`SELECT books.author_id AS books_author_id, books.id AS books_id, books.title AS books_title FROM books WHERE books.author_id IN (?)`,
			"SELECT", []string{"books"}, 4},
		{"postgresql", hibernateBooks,
			`SELECT b1_0.id, b1_0.author_id, b1_0.title FROM books b1_0 WHERE b1_0.author_id = ?`,
			"SELECT", []string{"books"}, 1},
		{"postgresql", "SELECT * FROM events_2024 t1 WHERE t1.kind = 'x''y' AND t1.n > -3.5e2",
			`SELECT * FROM events_2024 t1 WHERE t1.kind = ? AND t1.n > ?`,
			"SELECT", []string{"events_2024"}, 0},
		{"postgresql", "SELECT x::text FROM t WHERE label = 'a:b' AND y = :y",
			`SELECT x :: text FROM t WHERE label = ? AND y = ?`,
			"SELECT", []string{"t"}, 1},
		{"postgresql", "SELECT * FROM t WHERE note LIKE '%s%%' AND id = %s",
			`SELECT * FROM t WHERE note LIKE ? AND id = ?`,
			"SELECT", []string{"t"}, 1},
		{"redis", "HSET session:abc123 token s3cr3t", "HSET ?", "HSET", nil, 0},
		{"mongodb", `{"find":"users","filter":{"email":"a@b.c","age":{"$gt":30}},"limit":10}`,
			`{"find":?,"filter":{"email":?,"age":{"$gt":?}},"limit":?}`, "", nil, 0},
		{"neo4j", `MATCH (p:Person {name: 'Alice'}) WHERE p.age > 30 RETURN p`,
			`MATCH (p:Person {name: ?}) WHERE p.age > ? RETURN p`, "MATCH", nil, 0},
	}
	for _, c := range cases {
		t.Run(c.raw, func(t *testing.T) {
			st := Normalize(c.system, c.raw)
			if st.Text != c.text {
				t.Errorf("text\n got %q\nwant %q", st.Text, c.text)
			}
			if st.Command != c.command {
				t.Errorf("command %q, want %q", st.Command, c.command)
			}
			if strings.Join(st.Tables, ",") != strings.Join(c.tables, ",") {
				t.Errorf("tables %q, want %q", st.Tables, c.tables)
			}
			if st.Placeholders != c.placeholder {
				t.Errorf("placeholders %d, want %d", st.Placeholders, c.placeholder)
			}
			if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(st.Fingerprint) {
				t.Errorf("fingerprint %q is not 16 lowercase hex digits", st.Fingerprint)
			}
		})
	}
}

func TestControlStatements(t *testing.T) {
	for raw, control := range map[string]bool{
		"BEGIN": true, "COMMIT": true, "ROLLBACK": true, "SET TIME ZONE %s": true, "START TRANSACTION": true,
		"SAVEPOINT sp1": true, "RELEASE SAVEPOINT sp1": true, "BEGIN ?": true, "begin": true,
		`FETCH FORWARD 2000 FROM "_django_curs_140_sync_1"`: true, `CLOSE "_django_curs_140_sync_1"`: true,
		`DECLARE "_django_curs_1" NO SCROLL CURSOR WITH HOLD FOR SELECT id FROM books`: true,
		"SELECT 1": false, "INSERT INTO t VALUES (1)": false, "UPDATE t SET a = 1": false, "SELECT setval(?)": false,
		// EF Core sends its session settings and the insert in one command.
		"SET IMPLICIT_TRANSACTIONS OFF; SET NOCOUNT ON; INSERT INTO [Books] ([Title]) OUTPUT INSERTED.[Id] VALUES (@p0);": false,
		"SET NOCOUNT ON; SET XACT_ABORT ON;": true,
	} {
		if st := Normalize("postgresql", raw); st.Control != control {
			t.Errorf("%q: control %v, want %v (command %q)", raw, st.Control, control, st.Command)
		}
	}
	if st := Normalize("postgresql", "ROLLBACK"); st.Command != "ROLLBACK" {
		t.Errorf("command of ROLLBACK: %q", st.Command)
	}
}

func TestNoLiteralSurvives(t *testing.T) {
	all := []string{djangoAuthorByPK, djangoBulk5, sqlalchemyLazy, sqlalchemySelIn4, gormAuthor17, gormInsert,
		gormInsertBatch, sequelizeAuthor2, sequelizeInsert, knexAuthor, hibernateBooksIn, activeRecordBooks, efCoreBooks}
	for _, raw := range all {
		for _, system := range []string{"postgresql", "mysql", "sqlite", ""} {
			st := Normalize(system, raw)
			for _, v := range literalValues {
				if strings.Contains(st.Text, v) {
					t.Errorf("%s: %q survives in %q", system, v, st.Text)
				}
			}
		}
	}
}

func TestBadInputNeverPanics(t *testing.T) {
	huge := "SELECT * FROM books WHERE id IN (" + strings.Repeat("1, ", 350_000) + "1)"
	cases := map[string]string{
		"empty":           "",
		"blank":           " \n\t ",
		"binary":          "\x00\x01\x02\xff\xfe SELECT \x00",
		"invalid utf-8":   "SELECT * FROM b\xc3\x28ooks WHERE name = '\xff\xfe'",
		"unterminated":    "SELECT * FROM books WHERE title = 'unterminated",
		"unbalanced":      "INSERT INTO t VALUES ((((?",
		"1 MB":            huge,
		"deep json":       strings.Repeat("[", 100_000),
		"only comment":    "/* nothing */",
		"dollar unclosed": "SELECT $tag$ never closed",
	}
	for name, raw := range cases {
		for _, system := range []string{"postgresql", "mysql", "mssql", "redis", "mongodb", "whatever"} {
			st := Normalize(system, raw)
			if st == nil || (strings.TrimSpace(raw) != "" && len(st.Fingerprint) != 16) {
				t.Fatalf("%s/%s: no fingerprint: %+v", name, system, st)
			}
			if strings.ToValidUTF8(st.Text, "") != st.Text || strings.IndexFunc(st.Text, isControl) >= 0 {
				t.Errorf("%s/%s: normalized text is not clean UTF-8: %q", name, system, st.Text)
			}
		}
	}
	if st := Normalize("postgresql", huge); st.Text != "SELECT * FROM books WHERE id IN (?)" {
		t.Errorf("1 MB IN-list: %q", st.Text)
	}
}

func TestCache(t *testing.T) {
	c, err := NewCache(2, 64)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Normalize("postgresql", gormAuthor3)
	if b := c.Normalize("postgresql", gormAuthor3); a != b {
		t.Error("second lookup of the same statement was not served from the cache")
	}
	if b := c.Normalize("mysql", gormAuthor3); a == b {
		t.Error("the same statement of another dialect was served from the cache")
	}
	c.Normalize("postgresql", gormAuthor17)
	if c.Len() != 2 {
		t.Errorf("cache holds %d statements, bound is 2", c.Len())
	}
	if hits, misses := c.Stats(); hits != 1 || misses != 3 {
		t.Errorf("hits %d misses %d, want 1 and 3", hits, misses)
	}
	// Truncation at maxLen never splits a UTF-8 sequence.
	long := "SELECT * FROM books WHERE title = 'é" + strings.Repeat("é", 100) + "'"
	if st := c.Normalize("postgresql", long); !strings.HasPrefix(st.Text, "SELECT * FROM books WHERE title = ?") {
		t.Errorf("truncated statement: %q", st.Text)
	}
	if _, err := NewCache(0, 10); err == nil {
		t.Error("a cache of size 0 was accepted")
	}
}

func BenchmarkNormalizeCold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Normalize("postgresql", djangoAuthorByPK)
	}
}

func BenchmarkNormalizeWarm(b *testing.B) {
	c, _ := NewCache(1000, 16384)
	c.Normalize("postgresql", djangoAuthorByPK)
	b.ReportAllocs()
	for b.Loop() {
		c.Normalize("postgresql", djangoAuthorByPK)
	}
}

// BenchmarkNormalizeInlineValues: a statement whose values an ORM writes
// inline, with more different values than the cache holds statements (GORM's
// tracing records them so). The cache, looked up by the shape, answers
// without lexing.
func BenchmarkNormalizeInlineValues(b *testing.B) {
	c, _ := NewCache(1000, 16384)
	raws := make([]string, 10_000)
	for i := range raws {
		raws[i] = fmt.Sprintf(`SELECT * FROM "authors" WHERE "authors"."id" = %d AND "authors"."name" = 'author %d' ORDER BY "authors"."id" LIMIT 1`, i+1, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Normalize("postgresql", raws[i%len(raws)])
		i++
	}
}

// A list whose first item is a value and which holds something else keeps
// every item: go-sqllexer's folding dropped the values after the first
// other item and left their commas ((?, DEFAULT,, DEFAULT,), Drizzle's
// inserts; concat_ws(?, a,, b), Knex's). Equal neighbouring items that hold
// a value still fold, as (?, ?, ?) does; the cache gives the same.
func TestMixedListsKeepTheirItems(t *testing.T) {
	for raw, want := range map[string]string{
		`insert into "user" ("id", "name", "image", "role", "x") values ($1, $2, default, default, $5)`: `INSERT INTO user (id, name, image, role, x) VALUES (?, DEFAULT, DEFAULT, ?)`,
		`insert into t (a, b, c, d) values ($1, default, $2, default)`:                                  `INSERT INTO t (a, b, c, d) VALUES (?, DEFAULT, ?, DEFAULT)`,
		`insert into t (a, b) values ($1, default), ($2, default)`:                                      `INSERT INTO t (a, b) VALUES (?, DEFAULT)`,
		`select * from t where a in (1, 2, b, 3)`:                                                       `SELECT * FROM t WHERE a IN (?, b, ?)`,
		`select * from t where id in ($1::uuid, $2::uuid, $3::uuid)`:                                    `SELECT * FROM t WHERE id IN (? :: uuid)`,
		`insert into t (a, b) values ($1 + 1, $2)`:                                                      `INSERT INTO t (a, b) VALUES (? + ?, ?)`,
		`select concat_ws(' ', "description", "links"."address") from links`:                            `SELECT concat_ws(?, description, links.address) FROM links`,
		`select * from t where id in (1, 2, 3)`:                                                         `SELECT * FROM t WHERE id IN (?)`,
		`insert into t (a, b, c) values ($1, $2, $3), ($4, $5, $6)`:                                     `INSERT INTO t (a, b, c) VALUES (?)`,
	} {
		if got := Normalize("postgresql", raw).Text; got != want {
			t.Errorf("%s\n got %s\nwant %s", raw, got, want)
		}
		cache, err := NewCache(16, 4096)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // a miss, then a hit
			if got := cache.Normalize("postgresql", raw).Text; got != want {
				t.Errorf("%s through the cache:\n got %s\nwant %s", raw, got, want)
			}
		}
	}
	// The statements of one shape share a fingerprint, whatever their values.
	a := Normalize("postgresql", `insert into t (a, b, c) values ('x', default, 3)`)
	b := Normalize("postgresql", `insert into t (a, b, c) values ('yy', default, 42)`)
	if a.Fingerprint != b.Fingerprint {
		t.Errorf("%s and %s differ", a.Text, b.Text)
	}
}

// A ? placeholder before || or && is no PostgreSQL ?| or ?& operator: the
// Java agent writes Hibernate's like (?||?) so. The jsonb operators stay.
func TestPlaceholderBeforeConcat(t *testing.T) {
	for raw, want := range map[string]string{
		`select o.id from owners o where o.last_name like (?||?) escape ?`: `SELECT o.id FROM owners o WHERE o.last_name LIKE (? || ?) ESCAPE ?`,
		`select * from t where tags ?| array['a']`:                         `SELECT * FROM t WHERE tags ?| array [?]`,
		`select * from t where a ?& b`:                                     `SELECT * FROM t WHERE a ?& b`,
	} {
		if got := Normalize("postgresql", raw).Text; got != want {
			t.Errorf("%s\n got %s\nwant %s", raw, got, want)
		}
	}
}
