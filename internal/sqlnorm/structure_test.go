package sqlnorm

import "testing"

func TestStructure(t *testing.T) {
	cases := []struct {
		name, system, raw string
		want              Structure
	}{
		{"GORM SELECT *", "postgresql", `SELECT * FROM "books" LIMIT 50`,
			Structure{SelectsAll: true, Limit: Bound{Present: true, Value: 50, Literal: true}}},
		{"ActiveRecord books.*", "postgresql", `SELECT "books".* FROM "books" WHERE "books"."author_id" = $1 LIMIT $2`,
			Structure{SelectsAll: true, Where: "books.author_id = ?", Limit: Bound{Present: true, Param: "1"}}},
		{"Knex alias.* over a join", "postgresql", `select "tags".* from "tags" inner join "book_tags" on "book_tags"."tag_id" = "tags"."id" where "book_tags"."book_id" = ?`,
			Structure{SelectsAll: true, JoinsToMany: true, ToMany: "book_tags", Where: "book_tags.book_id = ?"}},
		{"column list", "postgresql", `SELECT "books"."id", "books"."title" FROM "books"`, Structure{}},
		{"COUNT(*) is not whole rows", "postgresql", `SELECT COUNT(*) AS "__count" FROM "books" WHERE "books"."pages" > %s`,
			Structure{Count: true, Where: "books.pages > ?"}},
		{"count(*) without alias", "postgresql", `SELECT count(*) FROM "books" WHERE pages > 100`,
			Structure{Count: true, Where: "pages > ?"}},
		{"a COUNT with GROUP BY answers another question", "postgresql", `SELECT author_id, COUNT(*) FROM books GROUP BY author_id`,
			Structure{GroupBy: true}},
		{"EXISTS (SELECT *) is not whole rows", "postgresql", `SELECT a.id FROM authors a WHERE EXISTS (SELECT * FROM books b WHERE b.author_id = a.id)`,
			Structure{Where: "EXISTS ( SELECT * FROM books b WHERE b.author_id = a.id )"}},
		{"* over a subquery that lists columns", "postgresql", `SELECT * FROM (SELECT id, title FROM books ORDER BY id LIMIT 20) AS sub`, Structure{OrderBy: "id"}},
		{"* over a subquery that reads whole rows", "postgresql", `SELECT * FROM (SELECT * FROM books) AS sub`, Structure{SelectsAll: true}},
		{"Sequelize Model.* over its paging subquery", "postgresql",
			`SELECT "Book".*, "Tags"."id" AS "Tags.id" FROM (SELECT "Book"."id", "Book"."title" FROM "books" AS "Book" ORDER BY "Book"."id" LIMIT 10) AS "Book" LEFT OUTER JOIN ( "book_tags" AS "Tags->BookTag" INNER JOIN "tags" AS "Tags" ON "Tags"."id" = "Tags->BookTag"."tag_id") ON "Book"."id" = "Tags->BookTag"."book_id"`,
			Structure{OrderBy: "Book.id"}},
		{"* over a CTE", "postgresql", `WITH recent AS (SELECT id, title FROM books ORDER BY id DESC LIMIT 10) SELECT * FROM recent`, Structure{}},
		{"deep offset, literal", "postgresql", `SELECT * FROM "books" ORDER BY id LIMIT 20 OFFSET 5000`,
			Structure{SelectsAll: true, OrderBy: "id", Limit: Bound{Present: true, Value: 20, Literal: true}, Offset: Bound{Present: true, Value: 5000, Literal: true}}},
		{"MySQL LIMIT offset, count", "mysql", "SELECT `id` FROM `books` LIMIT 5000, 20",
			Structure{Limit: Bound{Present: true, Value: 20, Literal: true}, Offset: Bound{Present: true, Value: 5000, Literal: true}}},
		{"SQL Server OFFSET ROWS FETCH NEXT", "mssql", `SELECT [b].[Id] FROM [Books] AS [b] ORDER BY [b].[Id] OFFSET @__p_0 ROWS FETCH NEXT @__p_1 ROWS ONLY`,
			Structure{OrderBy: "b.Id", Limit: Bound{Present: true, Param: "__p_1"}, Offset: Bound{Present: true, Param: "__p_0"}}},
		{"SQLAlchemy bound paging", "postgresql", `SELECT books.id FROM books ORDER BY books.id LIMIT %(param_1)s OFFSET %(param_2)s`,
			Structure{OrderBy: "books.id", Limit: Bound{Present: true, Param: "param_1"}, Offset: Bound{Present: true, Param: "param_2"}}},
		{"Prisma's count over its filtered subquery", "postgresql",
			`SELECT COUNT(*) AS "_count$_all" FROM (SELECT "public"."Book"."id" FROM "public"."Book" WHERE "public"."Book"."pages" > $1 OFFSET $2) AS "sub"`,
			Structure{Count: true, Where: "public.Book.pages > ?"}},
		{"a count over a join of a subquery keeps no WHERE", "postgresql",
			`SELECT COUNT(*) FROM books JOIN (SELECT id FROM authors WHERE name = $1) a ON a.id = books.author_id`,
			Structure{Count: true}},
		{"positional paging after a filter", "postgresql", `select * from "books" where "pages" > ? order by "id" asc limit ? offset ?`,
			Structure{SelectsAll: true, Where: "pages > ?", OrderBy: "id ASC", Limit: Bound{Present: true, Param: "1"}, Offset: Bound{Present: true, Param: "2"}}},
		{"SQL Server TOP", "mssql", `SELECT TOP(@__p_0) [b].[Id] FROM [Books] AS [b]`,
			Structure{Limit: Bound{Present: true, Param: "__p_0"}}},
		{"SQL Server TOP literal", "mssql", `SELECT TOP 20 [b].[Id] FROM [Books] AS [b]`,
			Structure{Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"Oracle ROWNUM", "oracle", `SELECT id FROM books WHERE ROWNUM < 21`,
			Structure{Where: "ROWNUM < ?", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"to-many join paged (GORM)", "postgresql", `SELECT authors.id FROM "authors" JOIN books ON books.author_id = authors.id LIMIT 20`,
			Structure{JoinsToMany: true, ToMany: "books", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"to-many join paged (Django)", "postgresql", `SELECT "bookshop_author"."id" FROM "bookshop_author" INNER JOIN "bookshop_book" ON ("bookshop_author"."id" = "bookshop_book"."author_id") WHERE "bookshop_book"."title"::text LIKE %s LIMIT 20`,
			Structure{JoinsToMany: true, ToMany: "bookshop_book", Where: "bookshop_book.title : : text LIKE ?", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"to-many join through aliases (Sequelize)", "postgresql", `SELECT "Author"."id" FROM "authors" AS "Author" INNER JOIN "books" AS "Books" ON "Author"."id" = "Books"."author_id" LIMIT 20;`,
			Structure{JoinsToMany: true, ToMany: "books", Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"to-one join is not to-many", "postgresql", `SELECT books.id FROM books JOIN authors ON authors.id = books.author_id LIMIT 20`,
			Structure{Limit: Bound{Present: true, Value: 20, Literal: true}}},
		{"a subquery pages the parents", "postgresql", `SELECT a.id FROM (SELECT id FROM authors LIMIT 20) AS a LEFT JOIN books ON books.author_id = a.id`,
			Structure{}},
		{"ORDER BY items, directions and NULLS kept, the window's order not", "postgresql",
			`SELECT id, row_number() OVER (ORDER BY score) FROM "users" ORDER BY "users"."created_at" DESC NULLS LAST, lower(name), "id" LIMIT 20 OFFSET 1000`,
			Structure{OrderBy: "users.created_at DESC NULLS LAST, lower ( name ), id", Limit: Bound{Present: true, Value: 20, Literal: true}, Offset: Bound{Present: true, Value: 1000, Literal: true}}},
		{"MySQL ORDER BY before LIMIT offset, count", "mysql", "SELECT `id` FROM `flags` WHERE `flags`.`deleted_at` IS NULL ORDER BY `id` LIMIT 1000, 20",
			Structure{Where: "flags.deleted_at IS ?", OrderBy: "id", Limit: Bound{Present: true, Value: 20, Literal: true}, Offset: Bound{Present: true, Value: 1000, Literal: true}}},
		{"a LIMIT inside a subquery is not the page", "postgresql", `SELECT id FROM authors WHERE id IN (SELECT author_id FROM books LIMIT 10)`,
			Structure{Where: "id IN ( SELECT author_id FROM books LIMIT ? )"}},
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
