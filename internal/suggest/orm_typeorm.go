package suggest

import "regexp"

// TypeORM: how it is recognised, and its fixes. Its SQL aliases every column
// "Alias"."column" AS "Alias_column", aliases tables without AS
// (FROM "books" "Book"), writes INSERT INTO "books"("title", ...) without a
// space, and its query builder spans keep named parameters (:orm_param_0).
var typeORM = ORM{
	Name: "TypeORM", Language: "nodejs",
	Scopes: []string{"@opentelemetry/instrumentation-typeorm", "opentelemetry-instrumentation-typeorm"},
	SQL:    regexp.MustCompile(`"\w+"\."\w+" AS "\w+_\w+"|\bFROM "\w+" "\w+"|INSERT INTO "\w+"\(|:orm_param_[0-9]+|IN \(:\.\.\.\w+\)`),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `TypeORM: load the relation with the find the loop iterates, relations: { {rel}: true } (or leftJoinAndSelect("x.{rel}", "{rel}") in a query builder), instead of findOneBy or a lazy relation per row.`,
			ShapeByForeignKey: `TypeORM: load the relation of all rows at once, relations: { {rels}: true } with relationLoadStrategy: "query" (one IN query), or findBy({ {fk}: In(ids) }) and group in memory, instead of a query per row.`,
			ShapeCount:        `TypeORM: count in one query, createQueryBuilder("x").select("x.{fk}").addSelect("COUNT(*)", "n").where({ {fk}: In(ids) }).groupBy("x.{fk}").getRawMany(), instead of count per row.`,
			ShapeInsert:       `TypeORM: insert all rows in one statement, repository.save([...rows]) or createQueryBuilder().insert().values([...rows]), instead of save per row.`,
			ShapeUpdate:       `TypeORM: update in one statement, repository.update({ id: In(ids) }, values).`,
			ShapeDelete:       `TypeORM: delete in one statement, repository.delete({ id: In(ids) }).`,
			ShapeOther:        `TypeORM: load what the loop needs in one query: relations / leftJoinAndSelect for relations, or findBy({ id: In(ids) }) before the loop.`,
		},
		"duplicate_query":    {ShapeOther: `TypeORM: the same query runs again with the same values: run it once before the loop and reuse the result (or cache: true on the find for reference data).`},
		"over_fetch":         {ShapeOther: `TypeORM: select only the columns the code reads, find({ select: { id: true, title: true } }) or createQueryBuilder("x").select(["x.id", "x.title"]).`, ShapeManyRows: `TypeORM: return only what the request shows: take and where in the query, page by key, or .stream() an export from a query builder.`},
		"deep_offset":        {ShapeOther: `TypeORM: page by key instead of skip, find({ where: { id: MoreThan(lastId) }, order: { id: "ASC" }, take: pageSize }): OFFSET reads and drops every skipped row.`},
		"pagination_count":   {ShapeOther: `TypeORM: findAndCount / getManyAndCount runs a COUNT beside every page: use find with keyset pagination and no total, or count once and cache it.`},
		"mn_plus_one":        {ShapeOther: `TypeORM: one iteration runs several queries; load them all with the find the loop iterates: relations: { {eager} }.`},
		"paged_to_many_join": {ShapeOther: `TypeORM: limit() over leftJoinAndSelect of a collection pages joined rows: use skip/take, which page the parents in a DISTINCT subquery, or relationLoadStrategy: "query".`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `{rel}: true`,
		ShapeByForeignKey: `{rels}: true`,
		ShapeCount:        `{rels}: true (or a grouped count)`,
		ShapeOther:        `{rels}: true`,
	},
}
