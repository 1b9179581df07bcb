package hostile

import (
	"fmt"
	"sort"
	"strings"
)

// Case is one statement with the canary in literal positions.
type Case struct {
	System    string // db.system.name
	Statement string
	Form      string // the literal form, for messages
	// Names are names the normalized statement keeps.
	Names []string
	// Bare: the canary is a value only by its system's own syntax (a Redis
	// argument, a Lucene term, a JavaScript value after ':', a regular
	// expression or template string); read as a name in SQL's reading (a
	// span name), it is a word or a name.
	Bare bool
}

// template is a statement of a system with slots {} for one literal form.
type template struct {
	text string
	// names come before every slot; after come after one, and go when the
	// form is ambiguous (it may reach to the end).
	names, after []string
}

// sqlTemplates are statements as each system's ORMs quote them.
var sqlTemplates = map[string][]template{
	"postgresql": {
		{`SELECT "books"."id", "books"."title" AS "book_title" FROM "books" WHERE "books"."title" = {} ORDER BY "books"."id"`, []string{"books", "title", "book_title"}, nil},
		{`SELECT b.id FROM books b WHERE b.author_id IN ({}, {}) AND b.pages > $1`, []string{"books", "author_id"}, []string{"pages"}},
		{`INSERT INTO "reviews" ("body", "stars") VALUES ({}, 3) RETURNING "reviews"."id"`, []string{"reviews", "body", "stars"}, nil},
		{`UPDATE authors SET bio = {} WHERE authors.id = %s`, []string{"authors", "bio"}, []string{"id"}},
		{`{} SELECT count(*) FROM orders WHERE orders.status = :status`, nil, []string{"orders", "status"}},
	},
	"mysql": {
		{"SELECT `books`.`id` AS \"book_alias\", `books`.`title` FROM `books` WHERE `books`.`title` = {} LIMIT 1", []string{"books", "title", "book_alias"}, nil},
		{"SELECT * FROM `authors` WHERE `authors`.`email` IN ({}, {}) AND `authors`.`deleted_at` IS NULL", []string{"authors", "email"}, []string{"deleted_at"}},
		{"INSERT INTO `reviews` (`body`, `stars`) VALUES ({}, 4)", []string{"reviews", "body", "stars"}, nil},
		{"UPDATE `orders` SET `note` = {} WHERE `orders`.`id` = ?", []string{"orders", "note"}, []string{"id"}},
		{"{} SELECT `id` FROM `carts` WHERE `user_id` = ?", nil, []string{"carts", "user_id"}},
	},
	"sqlite": {
		{`SELECT "tracks"."id", "tracks"."name" FROM "tracks" WHERE "tracks"."name" = {}`, []string{"tracks", "name"}, nil},
		{"SELECT `albums`.`id` FROM `albums` WHERE `albums`.`title` LIKE {}", []string{"albums", "title"}, nil},
		{`INSERT INTO "playlists" ("name", "owner") VALUES ({}, ?)`, []string{"playlists", "name", "owner"}, nil},
		{`DELETE FROM "sessions" WHERE "sessions"."token" = {} AND "sessions"."user_id" = ?1`, []string{"sessions", "token"}, []string{"user_id"}},
	},
	"microsoft.sql_server": {
		{`SELECT [b].[Id], [b].[Title] FROM [Books] AS [b] WHERE [b].[Title] = {}`, []string{"Books", "Title"}, nil},
		{`SELECT TOP(1) [a].[Email] FROM [Authors] AS [a] WHERE [a].[Email] IN ({}, {}) AND [a].[Id] > @p0`, []string{"Authors", "Email"}, nil},
		{`SET NOCOUNT ON; INSERT INTO [Reviews] ([Body], [Stars]) VALUES ({}, @p1);`, []string{"Reviews", "Body", "Stars"}, nil},
		{`UPDATE [Orders] SET [Note] = {} WHERE [Id] = @p0`, []string{"Orders", "Note"}, []string{"Id"}},
	},
	"oracle": {
		{`SELECT b.id, b.title FROM books b WHERE b.title = {} FETCH FIRST 10 ROWS ONLY`, []string{"books", "title"}, nil},
		{`SELECT * FROM authors WHERE email IN ({}, {}) AND ROWNUM <= :1`, []string{"authors", "email"}, nil},
		{`INSERT INTO reviews (body, stars) VALUES ({}, :stars)`, []string{"reviews", "body", "stars"}, nil},
		{`UPDATE orders SET note = {} WHERE id = :id`, []string{"orders", "note"}, []string{"id"}},
	},
	"db2": {
		{`SELECT ID, TITLE FROM BOOKS WHERE TITLE = {} FETCH FIRST 5 ROWS ONLY`, []string{"BOOKS", "TITLE"}, nil},
		{`INSERT INTO REVIEWS (BODY, STARS) VALUES ({}, ?)`, []string{"REVIEWS", "BODY", "STARS"}, nil},
		{`UPDATE ORDERS SET NOTE = {} WHERE ID = ?`, []string{"ORDERS", "NOTE"}, []string{"ID"}},
	},
	"snowflake": {
		{`SELECT id, title FROM books WHERE title = {}`, []string{"books", "title"}, nil},
		{`INSERT INTO events (payload, kind) VALUES ({}, ?)`, []string{"events", "payload", "kind"}, nil},
		{`UPDATE orders SET note = {} WHERE id = :1`, []string{"orders", "note"}, []string{"id"}},
	},
	"cassandra": {
		{`SELECT id, name FROM shop.users WHERE id = {}`, []string{"users", "name"}, nil},
		{`INSERT INTO shop.events (id, payload) VALUES ({}, ?)`, []string{"events", "payload"}, nil},
		{`UPDATE shop.carts SET note = {} WHERE user_id = ?`, []string{"carts", "note"}, []string{"user_id"}},
	},
	"bigquery": {
		{"SELECT `t`.`id`, `t`.`title` FROM `shop.books` AS `t` WHERE `t`.`title` = {}", []string{"books", "title"}, nil},
		{"INSERT INTO `shop.reviews` (body, stars) VALUES ({}, @stars)", []string{"reviews", "body", "stars"}, nil},
	},
	"clickhouse": {
		{`SELECT id, url FROM hits WHERE url = {} AND counter_id = {counter:UInt32}`, []string{"hits", "url"}, []string{"counter_id"}},
		{`INSERT INTO visits (user_agent, duration) VALUES ({}, 1)`, []string{"visits", "user_agent", "duration"}, nil},
	},
	"h2": {
		{`SELECT ID, NAME FROM PUBLIC.CUSTOMERS WHERE NAME = {}`, []string{"CUSTOMERS", "NAME"}, nil},
		{`INSERT INTO PUBLIC.ORDERS (NOTE, TOTAL) VALUES ({}, ?)`, []string{"ORDERS", "NOTE", "TOTAL"}, nil},
	},
}

// SQLSystems are the SQL systems of the corpus, in order.
func SQLSystems() []string {
	out := make([]string, 0, len(sqlTemplates))
	for s := range sqlTemplates {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// SQL writes form k of system into template t; both wrap around.
func SQL(system string, t, k int, c Canary) Case {
	ts, fs := sqlTemplates[system], Forms(system)
	tm, f := ts[mod(t, len(ts))], fs[mod(k, len(fs))]
	st := strings.ReplaceAll(tm.text, "{}", f.write(c))
	names := append([]string{}, tm.names...)
	if !f.ambiguous {
		names = append(names, tm.after...)
	}
	return Case{System: system, Statement: st, Form: f.name, Names: names}
}

// Templates and FormCount are how many templates and forms a SQL system has.
func Templates(system string) int { return len(sqlTemplates[system]) }
func FormCount(system string) int { return len(Forms(system)) }

func mod(i, n int) int {
	if n == 0 {
		return 0
	}
	return (i%n + n) % n
}

// Other returns the statements of the systems that do not speak SQL, and of
// forms a template cannot hold (COPY's data).
func Other(c Canary) []Case {
	v, n := c.Text, decimal(c.Number)
	cases := []Case{
		{"postgresql", "COPY books (id, title) FROM STDIN;\n" + n + "\t" + v + "\n\\.\n", "COPY ... FROM STDIN data", []string{"books", "title"}, false},
		{"postgresql", "COPY books (id, title) FROM STDIN WITH (FORMAT csv)\n" + n + ",\"" + v + "\"\n", "COPY csv data", []string{"books"}, false},
		{"postgresql", `CREATE FUNCTION f() RETURNS text AS $func$ BEGIN RETURN '` + v + `'; END $func$ LANGUAGE plpgsql`, "$func$ body", nil, false},

		{"redis", "SET session:" + v + " " + v, "SET key value", []string{"SET"}, true},
		{"redis", "HSET user:42 email " + v + "@example.com", "HSET", []string{"HSET"}, true},
		{"redis", `EVAL "return '` + v + `'" 0`, "EVAL script", []string{"EVAL"}, false},
		{"redis", "AUTH " + v, "AUTH password", []string{"AUTH"}, true},
		{"redis", "MULTI\nSET a " + v + "\nEXEC", "pipeline", []string{"MULTI"}, true},

		{"mongodb", `{"find":"users","filter":{"email":"` + v + `","age":{"$gt":` + n + `}}}`, "JSON command", []string{"find", "filter", "email", "age"}, false},
		{"mongodb", `{"update":"users","updates":[{"q":{"_id":"` + v + `"},"u":{"$set":{"name":"` + v + `"}}}]}`, "JSON update", []string{"update", "updates"}, false},
		{"mongodb", `db.users.find({email: "` + v + `", age: {$gt: ` + n + `}})`, "shell double quotes", []string{"users", "email", "age"}, false},
		{"mongodb", `db.users.find({email: '` + v + `'}).limit(10)`, "shell single quotes", []string{"users", "email", "limit"}, false},
		{"mongodb", `db.users.find({email: /^` + v + `/i})`, "shell regex", []string{"users", "email"}, true},
		{"mongodb", `db.users.find({email: ` + v + `})`, "shell bare value", []string{"users", "email"}, true},
		{"mongodb", "db.users.find({note: `" + v + "`})", "shell template string", []string{"users", "note"}, true},
		{"mongodb", `db.users.find({_id: ObjectId("` + hexa(c.Number) + hexa(c.Number) + `")})`, "ObjectId", []string{"users", "ObjectId"}, false},
		{"mongodb", "// " + v + "\ndb.users.countDocuments({})", "shell comment", []string{"users", "countDocuments"}, false},

		{"elasticsearch", `{"query":{"match":{"title":"` + v + `"}},"size":` + n + `}`, "JSON query", []string{"query", "match", "title"}, false},
		{"elasticsearch", `{"query":{"query_string":{"query":"title:` + v + ` AND year:[2000 TO 2010]"}}}`, "query_string", []string{"query_string"}, false},
		{"elasticsearch", "{\"index\":\"books\"}\n{\"query\":{\"term\":{\"isbn\":\"" + v + "\"}}}\n", "msearch lines", []string{"query", "term", "isbn"}, false},
		{"elasticsearch", "GET /books/_doc/" + v, "request line id", []string{"books", "_doc"}, true},
		{"elasticsearch", "GET /books/_search?q=title:" + v + "&size=" + n, "request line query", []string{"books", "_search"}, true},
		{"elasticsearch", "title:" + v + " AND year:" + n, "Lucene query string", []string{"title", "year"}, true},
		{"elasticsearch", v + " " + v, "Lucene bare terms", nil, true},

		{"neo4j", `MATCH (p:Person {name: '` + v + `'}) RETURN p.name`, "Cypher single quotes", []string{"MATCH", "Person", "name"}, false},
		{"neo4j", `MATCH (p:Person) WHERE p.email = "` + v + `" AND p.age > ` + n + ` RETURN p`, "Cypher double quotes", []string{"Person", "email", "age"}, false},
		{"neo4j", "// " + v + "\nMATCH (n:Book) RETURN count(n)", "Cypher comment", []string{"Book"}, false},
		{"neo4j", `MATCH (p:Person) WHERE p.name =~ '` + v + `.*' RETURN p`, "Cypher regex", []string{"Person", "name"}, false},

		{"influxdb", `from(bucket: "` + v + `") |> range(start: -1h) |> filter(fn: (r) => r.host == "` + v + `")`, "Flux strings", []string{"range", "filter", "host"}, false},
		{"influxdb", `from(bucket: "metrics") |> filter(fn: (r) => r.host =~ /` + v + `/)`, "Flux regex", []string{"filter", "host"}, true},
		{"aws.dynamodb", `SELECT * FROM "Music" WHERE Artist = '` + v + `' AND Year = ` + n, "PartiQL", []string{"Artist", "Year"}, false},
		{"azure.cosmosdb", `SELECT * FROM c WHERE c.email = "` + v + `" AND c.age = ` + n, "Cosmos SQL", []string{"email", "age"}, false},
		{"memcached", "set " + v + " 0 60 5", "memcached", []string{"SET"}, true},
	}
	return cases
}

// All is the corpus: every form of every SQL system once, in a template of
// its system taken in turn, and the other statements.
func All(c Canary) []Case {
	var out []Case
	for _, system := range SQLSystems() {
		for k := 0; k < FormCount(system); k++ {
			out = append(out, SQL(system, k, k, c))
		}
	}
	return append(out, Other(c)...)
}

// Systems counts the systems of cases.
func Systems(cases []Case) int {
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.System] = true
	}
	return len(seen)
}

func (c Case) String() string { return fmt.Sprintf("%s %s: %q", c.System, c.Form, c.Statement) }
