package suggest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

var placeholderRe = regexp.MustCompile(`\{[A-Za-z]+\}`)

func TestClassify(t *testing.T) {
	cases := []struct {
		raw    string
		shape  Shape
		column string
	}{
		{`SELECT * FROM "authors" WHERE "authors"."id" = 3 LIMIT 1`, ShapeByKey, "id"},
		{`SELECT books.id AS books_id FROM books WHERE %(param_1)s = books.author_id`, ShapeByForeignKey, "author_id"},
		{`SELECT "id" FROM "books" AS "Book" WHERE "Book"."authorId" = 3;`, ShapeByForeignKey, "authorId"},
		{`SELECT COUNT(*) AS "__count" FROM "books" WHERE "books"."author_id" = %s`, ShapeCount, "author_id"},
		{`select count(*) as "n" from "books" where "author_id" = $1`, ShapeCount, "author_id"},
		{`INSERT INTO books (title) VALUES ($1)`, ShapeInsert, ""},
		{`UPDATE books SET title = $1 WHERE id = $2`, ShapeUpdate, "id"},
		{`INSERT INTO tags (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = excluded.name`, ShapeUpsert, ""},
		{`INSERT INTO tags (name) VALUES ($1) ON CONFLICT DO NOTHING`, ShapeUpsert, ""},
		{"INSERT INTO `tags` (`name`) VALUES (?) ON DUPLICATE KEY UPDATE `name` = VALUES(`name`)", ShapeUpsert, ""},
		{`INSERT OR REPLACE INTO tags (name) VALUES (?)`, ShapeUpsert, ""},
		{`SELECT * FROM custom_claims WHERE user_id = $1 AND key = $2 LIMIT 1`, ShapeByForeignKey, "user_id"},
		{`SELECT count(*) FROM "books" AS b0 WHERE (b0."author_id" = $1)`, ShapeCount, "author_id"},
		{`select d1_0.DIS_ID_A, d1_0.DIS_DESC from OH_DISEASE d1_0 where d1_0.DIS_ID_A = ?`, ShapeByKey, "dis_id_a"},
		{`SELECT t.id FROM core_tag t JOIN core_tagged g ON t.id = g.tag_id JOIN django_content_type c ON g.content_type_id = c.id WHERE c.app_label = %s AND c.model = %s AND g.object_id = %s`, ShapeByForeignKey, "object_id"},
		{`SELECT cache_key, value, expires FROM cache_default WHERE cache_key IN (%s)`, ShapeOther, "cache_key"},
		{`SELECT * FROM users WHERE users.id IN ($1)`, ShapeByKey, "id"},
		{`SELECT * FROM settings WHERE key = $1`, ShapeOther, "key"},
		{`DELETE FROM books WHERE id = ?`, ShapeDelete, "id"},
		{`SELECT tags.id FROM tags JOIN book_tags ON book_tags.tag_id = tags.id AND book_tags.book_id = 3`, ShapeByForeignKey, "book_id"},
		{`SELECT * FROM settings`, ShapeUnkeyed, ""},
		{`SELECT * FROM books WHERE pages > $1`, ShapeOther, ""},
	}
	for _, c := range cases {
		st := sqlnorm.Normalize("postgresql", c.raw)
		shape, col := Classify(st)
		if shape != c.shape || col != c.column {
			t.Errorf("%s\n  (%s) -> shape %d column %q, want %d %q", c.raw, st.Text, shape, col, c.shape, c.column)
		}
	}
}

func TestRecognizeAndWordTheFix(t *testing.T) {
	cases := []struct {
		name   string
		ctx    Context
		raw    string
		orm    string
		phrase string
	}{
		{"Django by its instrumentation scope", Context{Language: "python", Scopes: []string{"opentelemetry.instrumentation.django", "opentelemetry.instrumentation.psycopg2"}},
			`SELECT "bookshop_author"."id" FROM "bookshop_author" WHERE "bookshop_author"."id" = %s LIMIT 21`, "Django", `select_related("<field to bookshop_author>")`},
		{"SQLAlchemy by its SQL, no scope", Context{Language: "python"},
			`SELECT books.id AS books_id FROM books WHERE %(param_1)s = books.author_id`, "SQLAlchemy", "selectinload(<Parent>.<relationship to books>)"},
		{"GORM by scope", Context{Language: "go", Scopes: []string{"gorm.io/plugin/opentelemetry"}},
			`SELECT count(*) FROM "books" WHERE author_id = 3`, "GORM", `Group("author_id")`},
		{"GORM by scope, the scope's language", Context{Scopes: []string{"gorm.io/plugin/opentelemetry"}},
			`SELECT * FROM "books" WHERE "books"."author_id" = 3`, "GORM", `Preload("<association to books>")`},
		{"GORM by the runtime's language and its SQL", Context{Runtime: "gc"},
			`SELECT * FROM "books" WHERE "books"."author_id" = 3 AND "books"."deleted_at" IS NULL`, "GORM", `Preload("<association to books>")`},
		{"Hibernate by its aliases", Context{Language: "java", Scopes: []string{"io.opentelemetry.jdbc"}},
			`select b1_0.id,b1_0.author_id from books b1_0 where b1_0.author_id=?`, "Hibernate", "@BatchSize"},
		{"ActiveRecord by its SQL", Context{Language: "ruby"},
			`INSERT INTO "books" ("title") VALUES ($1) RETURNING "id"`, "", "multi-row INSERT"},
		{"ActiveRecord by scope", Context{Language: "ruby", Scopes: []string{"OpenTelemetry::Instrumentation::ActiveRecord"}},
			`INSERT INTO "books" ("title") VALUES ($1) RETURNING "id"`, "ActiveRecord", "<model of books>.insert_all(rows)"},
		{"Sequelize many-to-many names the entity, not the join table", Context{Language: "nodejs", Scopes: []string{"@opentelemetry/instrumentation-sequelize"}},
			`SELECT "Tag"."id" FROM "tags" AS "Tag" INNER JOIN "book_tags" AS "BookTag" ON "Tag"."id" = "BookTag"."tag_id" AND "BookTag"."book_id" = 1;`, "Sequelize", `include: [{ association: "<association to tags>" }]`},
		{"Python without a known ORM is generic", Context{Language: "python"},
			`SELECT a FROM t WHERE t.owner_id = %s`, "", "WHERE t.owner_id IN"},
		{"a tree read a node at a time names no association", Context{Language: "go", Scopes: []string{"gorm.io/plugin/opentelemetry"}},
			`SELECT * FROM "sys_departments" WHERE parent_id = $1 AND "sys_departments"."deleted_at" IS NULL ORDER BY sort`, "GORM",
			"GORM: the loop reads sys_departments one node of its tree at a time, by parent_id: load the rows once"},
		{"a tree, generic", Context{Language: "python"},
			`SELECT id FROM comments WHERE comments.parent_comment_id = %s`, "", "read one whole level per query (comments.parent_comment_id IN (...))"},
		{"Django's shape is not taken for a Go service", Context{Language: "go"},
			`SELECT COUNT(*) AS "__count" FROM "books" WHERE "books"."author_id" = $1`, "", "GROUP BY books.author_id"},
		{"Laravel's shape is not taken for a Node service", Context{Language: "nodejs"},
			"select * from `authors` where `authors`.`id` = ? limit 1", "", "WHERE authors.id IN"},
		{"no language, no ORM: a SQL tell alone is not enough", Context{},
			`SELECT * FROM "books" WHERE "books"."author_id" = 3 AND "books"."deleted_at" IS NULL`, "", "WHERE books.author_id IN"},
		{"a Python service with a scope named like a Node ORM's", Context{Language: "python", Scopes: []string{"prisma"}},
			`SELECT * FROM books WHERE books.author_id = %s`, "", "WHERE books.author_id IN"},
		{"redis loop", Context{Language: "go"}, "GET user:1", "", "MGET"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			system := "postgresql"
			if strings.HasPrefix(c.raw, "GET ") {
				system = "redis"
			} else if strings.Contains(c.raw, "`") {
				system = "mysql"
			}
			c.ctx.Raw = c.raw
			fix, orm := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{sqlnorm.Normalize(system, c.raw)}, Context: c.ctx})
			if orm != c.orm || !strings.Contains(fix, c.phrase) {
				t.Errorf("orm %q, fix %q; want %q containing %q", orm, fix, c.orm, c.phrase)
			}
			if placeholderRe.MatchString(fix) {
				t.Errorf("unfilled placeholder in %q", fix)
			}
		})
	}
}

func TestRecognizeBySQLShape(t *testing.T) {
	cases := []struct{ language, raw, orm string }{
		{"go", `SELECT * FROM "books" WHERE "books"."author_id" = 3 AND "books"."deleted_at" IS NULL`, "GORM"},
		{"go", "SELECT * FROM `books` WHERE `books`.`id` = 3 ORDER BY `books`.`id` LIMIT 1", "GORM"},
		{"python", `SELECT anon_1.books_id FROM (SELECT books.id AS books_id FROM books) AS anon_1`, "SQLAlchemy"},
		{"python", `SELECT count(*) AS count_1 FROM books WHERE books.pages > %(pages_1)s`, "SQLAlchemy"},
		{"python", `SELECT COUNT(*) AS "__count" FROM "shop_book" WHERE "shop_book"."pages" > %s`, "Django"},
		{"java", `select b1_0.id from books b1_0`, "Hibernate"},
		{"nodejs", `SELECT "id" FROM "books" AS "Book" WHERE "Book"."id" = 1;`, "Sequelize"},
		{"ruby", `SELECT "books".* FROM "books" WHERE "books"."id" = $1`, "ActiveRecord"},
		{"nodejs", `insert into "task" ("id", "title", "status") values ($1, $2, default) returning "id"`, "Drizzle"},
		{"nodejs", `select "id", "title" from "task" where "task"."project_id" = $1 limit $2`, "Drizzle"},
		{"nodejs", `select "id" from "notification" "notificationTable" where "notificationTable"."user_id" = $1`, "Drizzle"},
		{"nodejs", `select "users"."id", "users_posts"."data" as "posts" from "users" left join lateral (select coalesce(json_agg(json_build_array("users_posts"."id")), '[]'::json) as "data" from "posts" "users_posts" where "users_posts"."author_id" = "users"."id") "users_posts" on true`, "Drizzle"},
		{"nodejs", `select "id", "title" from "books" where "author_id" = $1`, ""},              // Knex writes what the code names
		{"nodejs", `insert into "books" ("title") values ($1) returning "id"`, ""},              // no default: any builder
		{"nodejs", `select "b"."id" from "books" as "b" where "b"."id" = $1`, ""},               // aliased with as: Knex, Kysely
		{"nodejs", `INSERT INTO "books" ("id","title") VALUES (DEFAULT,$1) RETURNING "id"`, ""}, // uppercase: Sequelize and others
		{"go", `SELECT id FROM books`, ""},
	}
	for _, c := range cases {
		o := Recognize(Context{Language: c.language, Raw: c.raw})
		name := ""
		if o != nil {
			name = o.Name
		}
		if name != c.orm {
			t.Errorf("%s %q: %q, want %q", c.language, c.raw, name, c.orm)
		}
	}
}

// A statement with no tell of its own is its service's ORM when another of
// the service's statements tells it; its own tell comes first.
func TestRecognizeByTheServicesStatements(t *testing.T) {
	plain := `select "id", "title" from "books" where "author_id" = $1`
	drizzle := `insert into "books" ("id", "title") values ($1, default)`
	if o := Recognize(Context{Language: "nodejs", Raw: plain}); o != nil {
		t.Fatalf("alone: %s", o.Name)
	}
	if o := Recognize(Context{Language: "nodejs", Raw: plain, ServiceRaws: []string{plain, drizzle}}); o == nil || o.Name != "Drizzle" {
		t.Errorf("with the service's statements: %v", o)
	}
	sequelize := `SELECT "id" FROM "books" AS "Book" WHERE "Book"."id" = 1;`
	if o := Recognize(Context{Language: "nodejs", Raw: sequelize, ServiceRaws: []string{drizzle}}); o == nil || o.Name != "Sequelize" {
		t.Errorf("its own tell first: %v", o)
	}
	if o := Recognize(Context{Language: "python", Raw: plain, ServiceRaws: []string{drizzle}}); o != nil {
		t.Errorf("another language's tell: %s", o.Name)
	}
}

func TestGraphQLResolversGetADataLoader(t *testing.T) {
	st := sqlnorm.Normalize("postgresql", `SELECT "id" FROM "authors" AS "Author" WHERE "Author"."id" = 3;`)
	ctx := Context{Language: "nodejs", Scopes: []string{"@opentelemetry/instrumentation-sequelize"}, GraphQL: true}
	fix, orm := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{st}, Context: ctx})
	if orm != "Sequelize" || !strings.Contains(fix, "DataLoader") || !strings.Contains(fix, "include") {
		t.Errorf("%s: %s", orm, fix)
	}
	ctx.GraphQL = false
	if fix, _ := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{st}, Context: ctx}); strings.Contains(fix, "DataLoader") {
		t.Errorf("a DataLoader outside GraphQL: %s", fix)
	}
}

func TestCoarseFixSaysHowToRecordStatements(t *testing.T) {
	cache, _ := sqlnorm.NewCache(10, 100)
	summary := cache.Coarse("SELECT Authors", "", "")
	tests := []struct {
		language string
		want     string
	}{
		{"dotnet", "SetDbStatementForText = true"},
		{"java", "Java agent"},
		{"rust", "turn on the instrumentation's statement capture (db.query.text)."},
	}
	for _, tt := range tests {
		fix, _ := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{summary}, Context: Context{Language: tt.language}})
		// The summary of a SELECT is a query: its fix is a query's, not a key-value store's.
		if !strings.Contains(fix, `record no statement, only "SELECT Authors"`) || !strings.Contains(fix, tt.want) || strings.Contains(fix, "MGET") {
			t.Errorf("%s: %s", tt.language, fix)
		}
	}
	text := sqlnorm.Normalize("postgresql", `SELECT * FROM authors WHERE id = 1`)
	if fix, _ := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{text}, Context: Context{Language: "dotnet"}}); strings.Contains(fix, "record no statement") {
		t.Errorf("a fix on a statement speaks of missing ones: %s", fix)
	}
}

// TestEveryTypeHasItsWords checks the wording of every finding type: a
// generic fix, and only the ORMs recognition knows.
func TestEveryTypeHasItsWords(t *testing.T) {
	known := map[string]bool{"": true}
	for _, o := range orms {
		known[o.Name] = true
	}
	for _, k := range detect.Kinds {
		if k.Name == detect.TypeNPlusOneAPI { // apiFixes, by language
			continue
		}
		w, ok := fixes[k.Name]
		if !ok || w.text("", ShapeOther) == "" {
			t.Errorf("%s has no generic fix", k.Name)
		}
		for orm := range w {
			if !known[orm] {
				t.Errorf("%s is worded for %q, an ORM recognition does not know", k.Name, orm)
			}
		}
	}
	for orm := range eager {
		if !known[orm] {
			t.Errorf("eager pieces for %q, an ORM recognition does not know", orm)
		}
		if _, ok := eagerWrap[orm]; !ok {
			t.Errorf("eager pieces for %q, but no call to put them in", orm)
		}
	}
}

func TestLanguageOf(t *testing.T) {
	cases := []struct {
		ctx  Context
		want string
	}{
		{Context{Language: "nodejs", Runtime: "cpython"}, "nodejs"}, // the SDK's word wins
		{Context{Runtime: "gc"}, "go"},
		{Context{Runtime: "OpenJDK Runtime Environment"}, "java"},
		{Context{Runtime: ".NET"}, "dotnet"},
		{Context{Runtime: "BEAM"}, "erlang"},
		{Context{Scopes: []string{"io.opentelemetry.jdbc", "io.opentelemetry.spring-webmvc-6.0"}}, "java"},
		{Context{Scopes: []string{"io.opentelemetry.contrib.php.laravel"}}, "php"},
		{Context{Scopes: []string{"@opentelemetry/instrumentation-pg", "prisma"}}, "nodejs"},
		{Context{Scopes: []string{"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"}}, "go"},
		{Context{Scopes: []string{"opentelemetry.instrumentation.flask", "@opentelemetry/instrumentation-http"}}, ""}, // two languages
		{Context{Scopes: []string{"my-own-tracer"}}, ""},
		{Context{}, ""},
	}
	for _, c := range cases {
		if got := LanguageOf(c.ctx); got != c.want {
			t.Errorf("%+v: %q, want %q", c.ctx, got, c.want)
		}
	}
}

// A loop that writes each item walks items the request brings: no query it
// iterates could load the rows eagerly, so its reads are batched by key; and
// a DataLoader batches reads, never a loop of writes.
func TestLoopThatWritesBatchesItsReads(t *testing.T) {
	st := sqlnorm.Normalize("mysql", "SELECT `Product`.`id` FROM `product` `Product` WHERE `Product`.`id` = 55")
	ctx := Context{Language: "nodejs", Scopes: []string{"@opentelemetry/instrumentation-typeorm"}, GraphQL: true}
	fix, _ := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{st}, Context: ctx})
	if !strings.Contains(fix, "relations:") {
		t.Errorf("a read loop: %s", fix)
	}
	ctx.InputLoop = true
	fix, orm := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{st}, Context: ctx})
	if orm != "TypeORM" || strings.Contains(fix, "relations") || !strings.Contains(fix, "In(keys)") {
		t.Errorf("a loop that writes: %s: %s", orm, fix)
	}
	if strings.Contains(fix, "DataLoader") {
		t.Errorf("a DataLoader on a loop over a mutation's input: %s", fix)
	}
	insert := sqlnorm.Normalize("mysql", "INSERT INTO `job_record` (`queueName`, `data`) VALUES ('q', 'x')")
	if fix, _ := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{insert}, Context: ctx}); strings.Contains(fix, "DataLoader") {
		t.Errorf("a DataLoader on a loop of inserts: %s", fix)
	}
}

// Prisma names a model's table after the model unless @@map says otherwise:
// a PascalCase table is the model, and the fix writes its client accessor;
// a snake_case one stays a placeholder.
func TestPrismaModelFromItsTable(t *testing.T) {
	ctx := Context{Language: "nodejs", Scopes: []string{"prisma"}}
	insert := sqlnorm.Normalize("postgresql", `INSERT INTO "public"."TeamMember" ("id","role") VALUES ($1,$2)`)
	if fix, _ := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{insert}, Context: ctx}); !strings.Contains(fix, "prisma.teamMember.createMany(") {
		t.Errorf("PascalCase table: %s", fix)
	}
	mapped := sqlnorm.Normalize("postgresql", `INSERT INTO "public"."team_members" ("id","role") VALUES ($1,$2)`)
	if fix, _ := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{mapped}, Context: ctx}); !strings.Contains(fix, "prisma.<model of team_members>.createMany(") {
		t.Errorf("a mapped table: %s", fix)
	}
}

// A count per item grouped by its key keeps the count's other conditions:
// grouped by teamID alone, a count of a team's owners would count every role.
func TestGroupedCountKeepsItsOtherConditions(t *testing.T) {
	ctx := Context{Language: "nodejs", Scopes: []string{"prisma"}}
	owners := sqlnorm.Normalize("postgresql", `SELECT COUNT(*) AS "_count$_all" FROM "public"."TeamMember" WHERE ("public"."TeamMember"."teamID" = $1 AND "public"."TeamMember"."role" = CAST($2::text AS "public"."TeamAccessRole"))`)
	fix, _ := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{owners}, Context: ctx})
	if !strings.Contains(fix, `by: ["teamID"]`) || !strings.Contains(fix, "Keep its other conditions (role) in the grouped query's filter.") {
		t.Errorf("%s", fix)
	}
	all := sqlnorm.Normalize("postgresql", `SELECT COUNT(*) FROM "public"."TeamMember" WHERE "public"."TeamMember"."teamID" = $1`)
	if fix, _ := Fix(Request{Type: "n_plus_one", Statements: []*sqlnorm.Statement{all}, Context: ctx}); strings.Contains(fix, "other conditions") {
		t.Errorf("a count by its key alone: %s", fix)
	}
}
