package sqlnorm

import (
	"strings"
	"testing"
)

func TestStructure(t *testing.T) {
	cases := []struct {
		name, system, raw string
		want              Structure
	}{
		{"GORM SELECT *", "postgresql", `SELECT * FROM "books" LIMIT 50`,
			Structure{SelectsAll: true, Base: "books", Limit: Bound{Present: true, Value: 50, Literal: true}}},
		{"ActiveRecord books.*", "postgresql", `SELECT "books".* FROM "books" WHERE "books"."author_id" = $1 LIMIT $2`,
			Structure{SelectsAll: true, Base: "books", Where: "author_id = ?", Limit: Bound{Present: true, Param: "1"}}},
		{"a join pinned to one row by the WHERE is not to-many", "postgresql", `select "tags".* from "tags" inner join "book_tags" on "book_tags"."tag_id" = "tags"."id" where "book_tags"."book_id" = ?`,
			Structure{SelectsAll: true, Base: "tags", Where: "book_tags.book_id = ?"}},
		{"column list", "postgresql", `SELECT "books"."id", "books"."title" FROM "books"`, Structure{Base: "books"}},
		{"COUNT(*) is not whole rows", "postgresql", `SELECT COUNT(*) AS "__count" FROM "books" WHERE "books"."pages" > %s`,
			Structure{Count: true, Aggregate: "count", Base: "books", Where: "pages > ?"}},
		{"count(*) without alias", "postgresql", `SELECT count(*) FROM "books" WHERE pages > 100`,
			Structure{Count: true, Aggregate: "count", Base: "books", Where: "pages > ?"}},
		{"a COUNT with GROUP BY answers another question", "postgresql", `SELECT author_id, COUNT(*) FROM books GROUP BY author_id`,
			Structure{GroupBy: true, Aggregate: "count", Base: "books"}},
		{"EXISTS (SELECT *) is not whole rows", "postgresql", `SELECT a.id FROM authors a WHERE EXISTS (SELECT * FROM books b WHERE b.author_id = a.id)`,
			Structure{Base: "authors", Where: "EXISTS ( SELECT * FROM books b WHERE b.author_id = id )"}},
		{"* over a subquery that lists columns", "postgresql", `SELECT * FROM (SELECT id, title FROM books ORDER BY id LIMIT 20) AS sub`, Structure{Base: "books", OrderBy: "id", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"* over a subquery that reads whole rows", "postgresql", `SELECT * FROM (SELECT * FROM books) AS sub`, Structure{SelectsAll: true, Base: "books"}},
		{"Sequelize Model.* over its paging subquery", "postgresql",
			`SELECT "Book".*, "Tags"."id" AS "Tags.id" FROM (SELECT "Book"."id", "Book"."title" FROM "books" AS "Book" ORDER BY "Book"."id" LIMIT 10) AS "Book" LEFT OUTER JOIN ( "book_tags" AS "Tags->BookTag" INNER JOIN "tags" AS "Tags" ON "Tags"."id" = "Tags->BookTag"."tag_id") ON "Book"."id" = "Tags->BookTag"."book_id"`,
			Structure{Base: "books", OrderBy: "Book.id", Limit: Bound{Present: true, Value: 10, Literal: true}}},
		{"* over a CTE", "postgresql", `WITH recent AS (SELECT id, title FROM books ORDER BY id DESC LIMIT 10) SELECT * FROM recent`, Structure{Base: "recent"}},
		{"deep offset, literal", "postgresql", `SELECT * FROM "books" ORDER BY id LIMIT 20 OFFSET 5000`,
			Structure{SelectsAll: true, Base: "books", OrderBy: "id", Limit: Bound{Present: true, Value: 20, Literal: true}, Offset: Bound{Present: true, Value: 5000, Literal: true}}},
		{"MySQL LIMIT offset, count", "mysql", "SELECT `id` FROM `books` LIMIT 5000, 20",
			Structure{Base: "books", Limit: Bound{Present: true, Value: 20, Literal: true}, Offset: Bound{Present: true, Value: 5000, Literal: true}}},
		{"SQL Server OFFSET ROWS FETCH NEXT", "mssql", `SELECT [b].[Id] FROM [Books] AS [b] ORDER BY [b].[Id] OFFSET @__p_0 ROWS FETCH NEXT @__p_1 ROWS ONLY`,
			Structure{Base: "books", OrderBy: "b.Id", Limit: Bound{Present: true, Param: "__p_1"}, Offset: Bound{Present: true, Param: "__p_0"}}},
		{"SQLAlchemy bound paging", "postgresql", `SELECT books.id FROM books ORDER BY books.id LIMIT %(param_1)s OFFSET %(param_2)s`,
			Structure{Base: "books", OrderBy: "books.id", Limit: Bound{Present: true, Param: "param_1"}, Offset: Bound{Present: true, Param: "param_2"}}},
		{"Prisma's count over its filtered subquery", "postgresql",
			`SELECT COUNT(*) AS "_count$_all" FROM (SELECT "public"."Book"."id" FROM "public"."Book" WHERE "public"."Book"."pages" > $1 OFFSET $2) AS "sub"`,
			Structure{Count: true, Aggregate: "count", Base: "book", Where: "pages > ?", Offset: Bound{Present: true, Param: "1"}}},
		{"a count over a join of a subquery keeps no WHERE", "postgresql",
			`SELECT COUNT(*) FROM books JOIN (SELECT id FROM authors WHERE name = $1) a ON a.id = books.author_id`,
			Structure{Count: true, Aggregate: "count", Base: "books"}},
		{"positional paging after a filter", "postgresql", `select * from "books" where "pages" > ? order by "id" asc limit ? offset ?`,
			Structure{SelectsAll: true, Base: "books", Where: "pages > ?", OrderBy: "id ASC", Limit: Bound{Present: true, Param: "1"}, Offset: Bound{Present: true, Param: "2"}}},
		{"SQL Server TOP", "mssql", `SELECT TOP(@__p_0) [b].[Id] FROM [Books] AS [b]`,
			Structure{Base: "books", Limit: Bound{Present: true, Param: "__p_0"}}},
		{"SQL Server TOP literal", "mssql", `SELECT TOP 20 [b].[Id] FROM [Books] AS [b]`,
			Structure{Base: "books", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"Oracle ROWNUM", "oracle", `SELECT id FROM books WHERE ROWNUM < 21`,
			Structure{Base: "books", Where: "ROWNUM < ?", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"to-many join paged (GORM)", "postgresql", `SELECT authors.id FROM "authors" JOIN books ON books.author_id = authors.id LIMIT 20`,
			Structure{JoinsToMany: true, ToMany: "books", Base: "authors", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"to-many join paged (Django)", "postgresql", `SELECT "bookshop_author"."id" FROM "bookshop_author" INNER JOIN "bookshop_book" ON ("bookshop_author"."id" = "bookshop_book"."author_id") WHERE "bookshop_book"."title"::text LIKE %s LIMIT 20`,
			Structure{JoinsToMany: true, ToMany: "bookshop_book", Base: "bookshop_author", Where: "bookshop_book.title : : text LIKE ?", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"to-many join through aliases (Sequelize)", "postgresql", `SELECT "Author"."id" FROM "authors" AS "Author" INNER JOIN "books" AS "Books" ON "Author"."id" = "Books"."author_id" LIMIT 20;`,
			Structure{JoinsToMany: true, ToMany: "books", Base: "authors", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"to-one join is not to-many", "postgresql", `SELECT books.id FROM books JOIN authors ON authors.id = books.author_id LIMIT 20`,
			Structure{Base: "books", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"SQLAlchemy's eager join beside the LIMIT is to-one (a one-to-one whose key sits in the joined table)", "sqlite",
			`SELECT group_events_notifiers.id, group_events_notifier_options_1.id AS id_1 FROM group_events_notifiers LEFT OUTER JOIN group_events_notifier_options AS group_events_notifier_options_1 ON group_events_notifiers.id = group_events_notifier_options_1.event_notifier_id LIMIT ? OFFSET ?`,
			Structure{Base: "group_events_notifiers", Limit: Bound{Present: true, Param: "0"}, Offset: Bound{Present: true, Param: "1"}}},
		{"the same join aliased by hand is to-many", "sqlite",
			`SELECT n.id FROM group_events_notifiers AS n LEFT OUTER JOIN group_events_notifier_options AS o ON n.id = o.event_notifier_id LIMIT 20`,
			Structure{JoinsToMany: true, ToMany: "group_events_notifier_options", Base: "group_events_notifiers", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"a join under the parent's key pinned reads one parent (Django's get(pk=) with select_related of a reverse one-to-one)", "mysql",
			"SELECT `auth_user`.`id`, `accounts_profile`.`id` FROM `auth_user` LEFT OUTER JOIN `accounts_profile` ON (`auth_user`.`id` = `accounts_profile`.`user_id`) WHERE `auth_user`.`id` = %s LIMIT 21",
			Structure{Base: "auth_user", Where: "id = ?", Limit: Bound{Present: true, Value: 21, Literal: true}}},
		{"the key pinned inside Django's parenthesized conjunction", "postgresql",
			`SELECT "a"."id" FROM "authors" "a" LEFT OUTER JOIN "books" ON ("a"."id" = "books"."author_id") WHERE ("a"."id" = %s AND "a"."active") LIMIT 21`,
			Structure{Base: "authors", Where: "( id = ? AND active )", Limit: Bound{Present: true, Value: 21, Literal: true}}},
		{"the key beside an OR pins nothing", "postgresql",
			`SELECT authors.id FROM authors JOIN books ON books.author_id = authors.id WHERE authors.id = $1 OR authors.name = $2 LIMIT 20`,
			Structure{JoinsToMany: true, ToMany: "books", Base: "authors", Where: "id = ? OR name = ?", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"a key pinned in a subquery pins nothing", "postgresql",
			`SELECT authors.id FROM authors JOIN books ON books.author_id = authors.id WHERE authors.group_id IN (SELECT groups.id FROM groups WHERE groups.id = $1) LIMIT 20`,
			Structure{JoinsToMany: true, ToMany: "books", Base: "authors", Where: "group_id IN ( SELECT groups.id FROM groups WHERE groups.id = ? )", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"a subquery pages the parents", "postgresql", `SELECT a.id FROM (SELECT id FROM authors LIMIT 20) AS a LEFT JOIN books ON books.author_id = a.id`,
			Structure{Base: "authors", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"ORDER BY items, directions and NULLS kept, the window's order not", "postgresql",
			`SELECT id, row_number() OVER (ORDER BY score) FROM "users" ORDER BY "users"."created_at" DESC NULLS LAST, lower(name), "id" LIMIT 20 OFFSET 1000`,
			Structure{Base: "users", OrderBy: "users.created_at DESC NULLS LAST, lower ( name ), id", Limit: Bound{Present: true, Value: 20, Literal: true}, Offset: Bound{Present: true, Value: 1000, Literal: true}}},
		{"MySQL ORDER BY before LIMIT offset, count", "mysql", "SELECT `id` FROM `flags` WHERE `flags`.`deleted_at` IS NULL ORDER BY `id` LIMIT 1000, 20",
			Structure{Base: "flags", Where: "deleted_at IS ?", OrderBy: "id", Limit: Bound{Present: true, Value: 20, Literal: true}, Offset: Bound{Present: true, Value: 1000, Literal: true}}},
		{"a LIMIT inside a subquery is not the page", "postgresql", `SELECT id FROM authors WHERE id IN (SELECT author_id FROM books LIMIT 10)`,
			Structure{Base: "authors", Where: "id IN ( SELECT author_id FROM books LIMIT ? )"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Normalize(c.system, c.raw).Structure
			if got != c.want {
				t.Errorf("%s\n got %+v\nwant %+v", Normalize(c.system, c.raw).Text, got, c.want)
			}
		})
	}
}

// TestStructureFromShape: paging, the base table and the filter are read
// wherever the ORM writes them, and a to-many join is told by the statement's
// structure, not by the names of its columns.
func TestStructureFromShape(t *testing.T) {
	page := func(limit, offset int64) (Bound, Bound) {
		return Bound{Present: true, Value: limit, Literal: true}, Bound{Present: true, Value: offset, Literal: true}
	}
	l, o := page(10, 1000)
	cases := []struct {
		name, system, raw string
		want              Structure
	}{
		{"Sequelize subQuery: the page is the derived table's", "postgresql",
			`SELECT "Article".*, "tags"."id" AS "tags.id" FROM (SELECT "Article"."id", "Article"."title" FROM "Articles" AS "Article" WHERE "Article"."status" = 'x' ORDER BY "Article"."createdAt" DESC LIMIT 10 OFFSET 1000) AS "Article" LEFT OUTER JOIN "Tags" AS "tags" ON "Article"."id" = "tags"."articleId"`,
			Structure{Base: "articles", OrderBy: "Article.createdAt DESC", Where: "status = ?", Limit: l, Offset: o}},
		{"findAndCountAll's count beside it", "postgresql",
			`SELECT count(DISTINCT("Article"."id")) AS "count" FROM "Articles" AS "Article" LEFT OUTER JOIN "Tags" AS "tags" ON "Article"."id" = "tags"."articleId" WHERE "Article"."status" = 'x'`,
			Structure{Count: true, Aggregate: "count", JoinsToMany: true, ToMany: "Tags", Base: "articles", Where: "status = ?"}},
		{"TypeORM 0.2 on MySQL: a double-quoted alias is a name", "mysql",
			"SELECT COUNT(DISTINCT(`Article`.`id`)) AS \"cnt\" FROM `article` `Article` LEFT JOIN `tag` `t` ON `t`.`articleId`=`Article`.`id` WHERE `Article`.`status` = 'x'",
			Structure{Count: true, Aggregate: "count", JoinsToMany: true, ToMany: "tag", Base: "article", Where: "status = ?"}},
		{"a foreign key not named after its table", "postgresql",
			`SELECT a.id FROM articles a LEFT JOIN comments c ON c.article = a.id LIMIT 10`,
			Structure{JoinsToMany: true, ToMany: "comments", Base: "articles", Limit: Bound{Present: true, Value: 10, Literal: true}}},
		{"the other key of a composite key pins the join", "postgresql",
			`SELECT article_models.* FROM article_models JOIN article_tags ON article_tags.article_model_id = article_models.id AND article_tags.tag_model_id = 3 LIMIT 10`,
			Structure{SelectsAll: true, Base: "article_models", Limit: Bound{Present: true, Value: 10, Literal: true}}},
		// A child of a table joined to one row is not counted: in SQL a user's
		// one-to-one profile (linkding, Django) has the shape of an author's
		// awards, and only the FROM table's children page joined rows for sure.
		{"no to-many join off a joined table", "postgresql",
			`SELECT books.id FROM books JOIN authors ON authors.id = books.author_id JOIN awards ON awards.author_id = authors.id LIMIT 20`,
			Structure{Base: "books", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"a one-to-one profile behind the owner is no to-many join", "postgresql",
			`SELECT bookmarks.id FROM bookmarks INNER JOIN auth_user ON bookmarks.owner_id = auth_user.id LEFT OUTER JOIN bookmarks_userprofile ON auth_user.id = bookmarks_userprofile.user_id LIMIT 20`,
			Structure{Base: "bookmarks", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"a filter on the child's column is not a pin", "postgresql",
			`SELECT authors.id FROM authors JOIN books ON books.author_id = authors.id WHERE books.title LIKE ? LIMIT 20`,
			Structure{JoinsToMany: true, ToMany: "books", Base: "authors", Where: "books.title LIKE ?", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"the page's qualifiers and the count's bare columns are one filter", "postgresql",
			`select "articles".* from "articles" left join "users" on "users"."id" = "articles"."author_id" where "articles"."status" = ? limit ? offset ?`,
			Structure{SelectsAll: true, Base: "articles", Where: "status = ?", Limit: Bound{Present: true, Param: "1"}, Offset: Bound{Present: true, Param: "2"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Normalize(c.system, c.raw).Structure
			if got != c.want {
				t.Errorf("%s\n got %+v\nwant %+v", Normalize(c.system, c.raw).Text, got, c.want)
			}
		})
	}
}

func TestCatalog(t *testing.T) {
	cache, err := NewCache(100, 4096)
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range map[string]bool{
		`SELECT * FROM "books" LIMIT 1`:                                         true, // GORM's migrator probing columns
		`SELECT * FROM "books" LIMIT 50`:                                        false,
		`SELECT * FROM "books" WHERE id = 3 LIMIT 1`:                            false,
		`SELECT count(*) FROM information_schema.tables WHERE table_name = 'x'`: true,
		`SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = 12`: true,
		`SELECT c.relname FROM pg_class c WHERE c.relkind = 'r'`:                true,
		`SELECT sql FROM sqlite_master WHERE type='table' AND name='books'`:     true,
		`PRAGMA table_info("books")`:                                            true,
		`SHOW server_version`:                                                   true,
		`CREATE TABLE books (id int)`:                                           true,
		`SELECT id FROM books WHERE author_id = 3`:                              false,
		`INSERT INTO books (title) VALUES ('x')`:                                false,
	} {
		for _, st := range []*Statement{Normalize("postgresql", raw), cache.Normalize("postgresql", raw)} {
			if st.Catalog != want {
				t.Errorf("%s: catalog %v, want %v", raw, st.Catalog, want)
			}
		}
	}
}

func TestGroupsByKey(t *testing.T) {
	for raw, want := range map[string]bool{
		`select users.id, l.n from users left join (select user_id, count(*) as n from links group by user_id) as l on users.id = l.user_id group by 1, l.n limit 10`: true,
		`select u.id, count(*) from users u join links on links.user_id = u.id group by u.id limit 10`:                                                                true,
		`select email, count(*) from users group by email limit 10`:                                                                                                   false,
		`select count(*), users.id from users group by 1`:                                                                                                             false,
	} {
		if got := Normalize("postgresql", raw).GroupsByKey; got != want {
			t.Errorf("%s: groups by key %v, want %v", raw, got, want)
		}
	}
}

// TestAggregate: the aggregate of the top-level select list, wherever it
// stands in it; a subquery's, a window function's and SQLite's scalar
// min/max are none.
func TestAggregate(t *testing.T) {
	for raw, want := range map[string]string{
		`SELECT solves.user_id AS solves_user_id, sum(challenges.value) AS score FROM submissions JOIN solves ON submissions.id = solves.id WHERE solves.user_id = ? GROUP BY solves.user_id`: "sum",
		`SELECT sum(awards.value) AS award_score FROM awards WHERE awards.user_id = ?`:                                                                                                        "sum",
		`SELECT challenges.type, CAST(count(challenges.category) AS INTEGER) AS count_1 FROM challenges GROUP BY challenges.type`:                                                             "count",
		`SELECT AVG("naps_count") FROM (SELECT COUNT("core_sleep"."id") AS "naps_count" FROM "core_sleep" GROUP BY 1) subquery`:                                                               "avg",
		`SELECT MAX(created_at) FILTER (WHERE done) FROM tasks WHERE list_id = $1`:                                                                                                            "max",
		`SELECT id, (SELECT count(*) FROM books WHERE books.author_id = authors.id) AS n FROM authors WHERE id = $1`:                                                                          "",
		`SELECT id, count(*) OVER (PARTITION BY author_id) AS n FROM books WHERE author_id = $1`:                                                                                              "",
		`SELECT id, sum(pages) FILTER (WHERE pages > 0) OVER () FROM books WHERE author_id = $1`:                                                                                              "",
		`SELECT max(a, b) FROM t WHERE id = ?`:             "",
		`SELECT id, title FROM books WHERE author_id = $1`: "",
	} {
		if got := Normalize("postgresql", raw).Aggregate; got != want {
			t.Errorf("%s: aggregate %q, want %q", raw, got, want)
		}
	}
}

// The aliases a filter's subquery declares are read as their tables: Prisma
// numbers them per statement, t0 in a count and t1 in its page.
func TestWhereReadsSubqueryAliasesAsTables(t *testing.T) {
	count := Normalize("postgresql", `SELECT COUNT(*) AS "_count$_all" FROM (SELECT "public"."team"."team_id" FROM "public"."team" WHERE ("public"."team"."deleted_at" IS NULL AND EXISTS(SELECT "t0"."team_id" FROM "public"."team_user" AS "t0" WHERE ("t0"."user_id" = $1 AND ("public"."team"."team_id") = ("t0"."team_id")))) OFFSET $2) AS "sub"`)
	page := Normalize("postgresql", `SELECT "public"."team"."team_id", "public"."team"."name" FROM "public"."team" WHERE ("public"."team"."deleted_at" IS NULL AND EXISTS(SELECT "t1"."team_id" FROM "public"."team_user" AS "t1" WHERE ("t1"."user_id" = $1 AND ("public"."team"."team_id") = ("t1"."team_id")))) LIMIT $2 OFFSET $3`)
	if count.Where == "" || count.Where != page.Where || count.Base != page.Base {
		t.Errorf("count %q on %q, page %q on %q", count.Where, count.Base, page.Where, page.Base)
	}
	if strings.Contains(page.Where, "t1") {
		t.Errorf("the alias is left in %q", page.Where)
	}
}
