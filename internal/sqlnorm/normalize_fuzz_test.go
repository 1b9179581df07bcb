package sqlnorm

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSystems are the db.system(.name) values the fuzz targets pick from: one
// or more of every dialect, the empty and an unknown system.
var fuzzSystems = []string{"postgresql", "mysql", "sqlite", "mssql", "oracle", "db2", "snowflake",
	"redis", "mongodb", "", "h2", "MySQL", "cockroachdb", "elasticsearch"}

func fuzzSystem(sys uint8) string { return fuzzSystems[int(sys)%len(fuzzSystems)] }

func systemIndex(system string) uint8 {
	for i, s := range fuzzSystems {
		if s == system {
			return uint8(i)
		}
	}
	return uint8(len(fuzzSystems) - 5) // "": DialectGuess
}

// realStatements are the statements of this package's tests, exactly as the
// ORMs record them.
var realStatements = []string{djangoAuthorByPK, djangoBooksIn3, djangoBooksIn8, djangoCount, djangoBulk2, djangoBulk5,
	djangoCreate, sqlalchemyLazy, sqlalchemySelIn2, sqlalchemySelIn4, sqlalchemyNamed, sqlalchemyQmark, gormAuthor3,
	gormAuthor17, gormSQLiteAuthor, gormPreloadIn2, gormPreloadIn6, gormInsert, gormInsertBatch, sequelizeAuthor,
	sequelizeAuthor2, sequelizeInsert, knexAuthor, knexBooksIn, hibernateBooks, hibernateBooksIn, activeRecordBooks,
	efCoreBooks}

// badStatements are inputs no ORM writes: the normalizer must still answer.
var badStatements = []string{
	"", " \n\t ", "\x00\x01\x02\xff\xfe SELECT \x00", "SELECT * FROM b\xc3\x28ooks WHERE name = '\xff\xfe'",
	"SELECT * FROM books WHERE title = 'unterminated", `SELECT * FROM "books`, "SELECT `a FROM t",
	"INSERT INTO t VALUES ((((?", "INSERT INTO t VALUES (?))))", "SELECT ) FROM (", "/* nothing */", "/* open",
	"SELECT $tag$ never closed", "SELECT $$ a $$ FROM t", "SELECT $a$ b $a$, $1, $? FROM t WHERE x = $",
	"SELECT * FROM books WHERE id IN (" + strings.Repeat("1, ", 2000) + "1)",
	"INSERT INTO t (a) VALUES " + strings.Repeat("(1),", 500) + "(1)",
	"SELECT * FROM t WHERE a = %(x)s AND b = %(y AND c = %% AND d = %", "SELECT :a, ::b, a:b, :1, @p1, @@version",
	strings.Repeat("[", 1000), strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100), `{"find":"x"} trailing`,
	"GET user:42\r\n", "SELECT 'a\\'b' FROM t", "SELECT e'\\n' FROM t", "select\u00a0*\u2028from t where x = 'é'",
	"SELECT * FROM t LIMIT 99999999999999999999999 OFFSET -1", "SELECT * FROM t LIMIT ALL OFFSET $9999999999",
	"WITH a AS (SELECT 1) SELECT * FROM a", "(((SELECT * FROM t)))", "SELECT * FROM t FETCH FIRST 10 ROWS ONLY",
	"SELECT [a]].[b] FROM [t WHERE x = 1", "\x7f\x1b[31mSELECT\x1b[0m 1", "SELECT 1; SELECT 2; -- x",
}

// testdataStatements reads the statements of the repository's testdata traces
// (db.query.text or db.statement, with their db.system.name or db.system).
func testdataStatements(tb testing.TB) (systems, statements []string) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*", "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range paths {
		if strings.HasSuffix(p, ".expected.json") {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
		for sc.Scan() {
			var doc any
			if json.Unmarshal(sc.Bytes(), &doc) != nil {
				continue
			}
			walkAttributes(doc, func(attrs map[string]string) {
				text, ok := attrs["db.query.text"]
				if !ok {
					text, ok = attrs["db.statement"]
				}
				system := attrs["db.system.name"]
				if system == "" {
					system = attrs["db.system"]
				}
				if ok && !seen[system+"\x00"+text] {
					seen[system+"\x00"+text] = true
					systems, statements = append(systems, system), append(statements, text)
				}
			})
		}
	}
	return systems, statements
}

// walkAttributes calls fn with the string attributes of every OTLP JSON object
// that has an attributes list.
func walkAttributes(v any, fn func(map[string]string)) {
	switch v := v.(type) {
	case map[string]any:
		if list, ok := v["attributes"].([]any); ok {
			attrs := map[string]string{}
			for _, kv := range list {
				kv, _ := kv.(map[string]any)
				key, _ := kv["key"].(string)
				value, _ := kv["value"].(map[string]any)
				if s, ok := value["stringValue"].(string); ok {
					attrs[key] = s
				}
			}
			fn(attrs)
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkAttributes(v[k], fn)
		}
	case []any:
		for _, e := range v {
			walkAttributes(e, fn)
		}
	}
}

var fingerprintRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

// checkStatement asserts what holds of every normalized statement.
func checkStatement(t *testing.T, system, raw string, st *Statement) {
	t.Helper()
	if st == nil {
		t.Fatalf("%q (%s): nil statement", raw, system)
	}
	if !fingerprintRE.MatchString(st.Fingerprint) {
		t.Fatalf("%q (%s): fingerprint %q is not 16 lowercase hex digits", raw, system, st.Fingerprint)
	}
	if st.Fingerprint != Fingerprint(st.Text) {
		t.Fatalf("%q (%s): fingerprint %s is not the hash of the text %q", raw, system, st.Fingerprint, st.Text)
	}
	if !utf8.ValidString(st.Text) {
		t.Fatalf("%q (%s): text %q is not valid UTF-8", raw, system, st.Text)
	}
	if strings.IndexFunc(st.Text, isControl) >= 0 {
		t.Fatalf("%q (%s): text %q holds a control character", raw, system, st.Text)
	}
	if st.Command != "" && (!isCommandWord(st.Command) || st.Command != strings.ToUpper(st.Command)) {
		t.Fatalf("%q (%s): command %q is not an uppercase command word", raw, system, st.Command)
	}
	if st.Placeholders < 0 || st.Placeholders > len(raw) {
		t.Fatalf("%q (%s): %d placeholders", raw, system, st.Placeholders)
	}
	if strings.TrimSpace(raw) == "" && st.Text != "" {
		t.Fatalf("%q (%s): a blank statement normalized to %q", raw, system, st.Text)
	}
	if !st.SQL && st.Structure != (Structure{}) {
		t.Fatalf("%q (%s): a statement normalized by its shape has a structure %+v", raw, system, st.Structure)
	}
	if st.Limit.Literal && !st.Limit.Present || st.Offset.Literal && !st.Offset.Present {
		t.Fatalf("%q (%s): a literal bound that is not present: %+v %+v", raw, system, st.Limit, st.Offset)
	}
}

// FuzzNormalize: any statement of any system normalizes, without panicking, to
// clean text (valid UTF-8, no control character) and the 16-hex-digit hash of
// that text, and the cache gives what Normalize gives. (Normalizing the
// normalized text again is not a fixed point by design: "key" unquoted
// becomes the keyword KEY.)
func FuzzNormalize(f *testing.F) {
	for _, raw := range realStatements {
		for _, system := range []string{"postgresql", "mysql", "sqlite", "mssql"} {
			f.Add(systemIndex(system), raw)
		}
	}
	for _, raw := range badStatements {
		for sys := range len(fuzzSystems) {
			f.Add(uint8(sys), raw)
		}
	}
	systems, statements := testdataStatements(f)
	for i, raw := range statements {
		f.Add(systemIndex(systems[i]), raw)
	}
	f.Fuzz(func(t *testing.T, sys uint8, raw string) {
		system := fuzzSystem(sys)
		st := Normalize(system, raw)
		checkStatement(t, system, raw, st)

		c, err := NewCache(4, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		cached := c.Normalize(system, raw)
		if cached.Text != st.Text || cached.Fingerprint != st.Fingerprint {
			t.Fatalf("%q (%s): the cache gives %q, Normalize %q", raw, system, cached.Text, st.Text)
		}
		// A cache that truncates still answers with a clean statement.
		short, _ := NewCache(4, 1+len(raw)/2)
		checkStatement(t, system, raw, short.Normalize(system, raw))

		// The cache is keyed by the statement with its values blanked: a
		// statement of that shape, cached first, must give raw's answer.
		if !DialectOf(system).IsSQL() {
			return
		}
		blanked, _, ok := blankLiterals(raw, DialectOf(system), nil, nil)
		if !ok {
			return
		}
		warm, _ := NewCache(4, 1<<20)
		warm.Normalize(system, string(blanked))
		if got := warm.Normalize(system, raw); !sameStatement(got, st) {
			t.Fatalf("%q (%s): after %q, the cache gives\n  %+v\nNormalize\n  %+v", raw, system, blanked, *got, *st)
		}
	})
}

func sameStatement(a, b *Statement) bool {
	return a.Text == b.Text && a.Fingerprint == b.Fingerprint && a.Command == b.Command &&
		slices.Equal(a.Tables, b.Tables) && a.Placeholders == b.Placeholders && a.SQL == b.SQL &&
		a.Control == b.Control && a.Structure == b.Structure && a.Source == b.Source
}

// literalTemplates are real statements with slots for literal values: {s} a
// quoted string, {n} a number, {c} the text of a comment.
var literalTemplates = []string{
	`SELECT "bookshop_author"."id", "bookshop_author"."name" FROM "bookshop_author" WHERE "bookshop_author"."email" = {s} LIMIT 21`,
	`SELECT * FROM "authors" WHERE "authors"."id" = {n} AND "authors"."deleted_at" IS NULL ORDER BY "authors"."id" LIMIT 1`,
	"SELECT * FROM `authors` WHERE `authors`.`name` = {s} ORDER BY `authors`.`id` LIMIT {n}",
	`SELECT * FROM "books" WHERE "books"."author_id" IN ({n},{n},{n}) AND "books"."title" IN ({s}, {s})`,
	`INSERT INTO "books" ("title","author_id","published_at","pages") VALUES ({s},{n},{s},{n}),({s},{n},NULL,{n}) RETURNING "id"`,
	`UPDATE "books" SET "title" = {s}, "pages" = {n} WHERE "books"."id" = {n}`,
	`DELETE FROM books WHERE title LIKE {s} OR id = {n}`,
	`SELECT "id", "name" FROM "Authors" AS "Author" WHERE "Author"."name" = {s} AND "Author"."id" = {n};`,
	`select b1_0.id,b1_0.title from books b1_0 where b1_0.title={s} and b1_0.pages>{n} offset {n} rows fetch first {n} rows only`,
	`SELECT [b].[Id] FROM [Books] AS [b] WHERE [b].[Title] = N{s} AND [b].[Pages] > {n}`,
	`SELECT count(*) FROM books WHERE pages > {n} AND title <> {s}`,
	`SELECT * FROM books WHERE id = {n} /*traceparent='{c}',controller={c}*/`,
	"-- {c}\nSELECT * FROM books WHERE title = {s}",
	`SELECT * FROM t WHERE a = {s}::text AND b = CAST({s} AS varchar) AND c = {n}`,
	`WITH recent AS (SELECT id FROM books WHERE title = {s} LIMIT {n}) SELECT * FROM recent WHERE id > {n}`,
	`SELECT * FROM books LIMIT {n}, {n}`,
	`SELECT * FROM t WHERE (a, b) IN (({s}, {n}), ({s}, {n}))`,
}

// FuzzNormalizeLiterals: no literal value of a statement survives its
// normalization. The fuzzer gives the values; they are written into real
// statements as SQL writes them (a string quoted, with its quotes doubled; a
// number; a comment), and none of them may appear in the normalized text
// unless the statement's own words already put it there.
func FuzzNormalizeLiterals(f *testing.F) {
	for i := range literalTemplates {
		f.Add(uint8(i), uint8(0), "Dune Messiah", uint64(412), "sqlcommenter")
		f.Add(uint8(i), uint8(1), "o'brien@example.com", uint64(9_007_199_254_740_993), "framework='django%3A3.2'")
		f.Add(uint8(i), uint8(2), "%s :name $1 ? @p1", uint64(5000), "db_driver='psycopg2'")
		f.Add(uint8(i), uint8(6), "-- not a comment /* nor this */", uint64(17), "x")
		f.Add(uint8(i), uint8(3), "né à Zürich, 東京", uint64(3), "é")
	}
	f.Fuzz(func(t *testing.T, tmpl, sys uint8, value string, number uint64, comment string) {
		system := fuzzSystem(sys)
		if !DialectOf(system).IsSQL() {
			system = "postgresql"
		}
		// Values as an application writes them: valid UTF-8, no backslash (an
		// escape in some dialects and not in others), no control character
		// (SQL has no escape for them in a plain string).
		value = strings.Map(func(r rune) rune {
			if r == '\\' || isControl(r) || r == utf8.RuneError {
				return -1
			}
			return r
		}, strings.ToValidUTF8(value, ""))
		comment = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == '\\' || isControl(r) || r == utf8.RuneError {
				return -1
			}
			return r
		}, strings.ToValidUTF8(comment, ""))
		for strings.Contains(comment, "*/") || strings.Contains(comment, "/*") {
			comment = strings.ReplaceAll(strings.ReplaceAll(comment, "*/", ""), "/*", "")
		}
		template := literalTemplates[int(tmpl)%len(literalTemplates)]
		num := strconv.FormatUint(number, 10)
		raw := strings.NewReplacer("{s}", "'"+strings.ReplaceAll(value, "'", "''")+"'", "{n}", num, "{c}", comment).Replace(template)
		// The same statement with other values: what the statement's own words
		// normalize to.
		other := strings.NewReplacer("{s}", "'v'", "{n}", "7", "{c}", "c").Replace(template)

		st := Normalize(system, raw)
		checkStatement(t, system, raw, st)
		base := Normalize(system, other)
		if st.Fingerprint != base.Fingerprint {
			t.Fatalf("%s: statements that differ only in values have different fingerprints:\n  %s\n  -> %s\n  %s\n  -> %s",
				system, raw, st.Text, other, base.Text)
		}
		for _, v := range []string{value, num, comment} {
			if len(v) < 4 || strings.Contains(template, v) || strings.Contains(base.Text, v) {
				continue
			}
			if strings.Contains(st.Text, v) {
				t.Fatalf("%s: the value %q survives normalization:\n  raw  %s\n  text %s", system, v, raw, st.Text)
			}
		}
	})
}
