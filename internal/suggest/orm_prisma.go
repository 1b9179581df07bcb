package suggest

import "regexp"

// Prisma: how it is recognised, and its fixes. Its tracing (@prisma/instrumentation)
// uses the scope "prisma" and span names prisma:client:*; its SQL qualifies every
// column with the schema ("public"."Book"."id") and names its aggregates
// "_count$_all".
var prisma = ORM{
	Name: "Prisma", Language: "nodejs",
	Scopes: []string{"prisma"},
	SQL:    regexp.MustCompile(`"\w+"\."\w+"\."\w+"|AS "_count\$_all"|"__prisma_data__"|AS "_aggr_count_\w+"`),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `Prisma: load the relation with the findMany the loop iterates, include: { {rel}: true } (one IN query, or one JOIN with relationLoadStrategy: "join"), instead of findUnique per row.`,
			ShapeByForeignKey: `Prisma: load the relation of all rows at once, include: { {rels}: true } in the findMany the loop iterates (one IN query), or findMany({ where: { {fk}: { in: ids } } }), instead of a query per row.`,
			ShapeCount:        `Prisma: count in the same query, include: { _count: { select: { {rels}: true } } }, or prisma.{rel}.groupBy({ by: ["{fk}"], _count: true }), instead of count() per row.`,
			ShapeInsert:       `Prisma: insert all rows in one statement with prisma.{rel}.createMany({ data: rows }) (createManyAndReturn to get them back) instead of create per row.`,
			ShapeUpdate:       `Prisma: update in one statement with prisma.{rel}.updateMany({ where: { id: { in: ids } }, data }).`,
			ShapeDelete:       `Prisma: delete in one statement with prisma.{rel}.deleteMany({ where: { id: { in: ids } } }).`,
			ShapeOther:        `Prisma: load what the loop needs in one query: include for relations, or findMany({ where: { id: { in: ids } } }) before the loop.`,
		},
		"duplicate_query":    {ShapeOther: `Prisma: the same query runs again with the same values: run it once before the loop and reuse the result (or cache it for the request).`},
		"over_fetch":         {ShapeOther: `Prisma: select only the fields the code reads, select: { id: true, title: true }, instead of whole rows.`, ShapeManyRows: `Prisma: return only what the request shows: take and where in the query, cursor pagination, or read an export in batches (take + cursor).`},
		"deep_offset":        {ShapeOther: `Prisma: page by cursor instead of skip, findMany({ take: pageSize, skip: 1, cursor: { id: lastId }, orderBy: { id: "asc" } }) or where: { id: { gt: lastId } }: skip reads and drops every skipped row.`},
		"pagination_count":   {ShapeOther: `Prisma: a count() runs beside every page: drop the total (cursor pagination, take: pageSize + 1 tells whether a next page exists), or count once and cache it.`},
		"mn_plus_one":        {ShapeOther: `Prisma: one iteration runs several queries; load them all in the findMany the loop iterates: include: { {eager} }.`},
		"paged_to_many_join": {ShapeOther: `Prisma: a LIMIT over a join to a to-many table pages joined rows ($queryRaw?): page the parents with findMany({ take }) and include: { {rels}: true }, which loads the children of that page only.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `{rel}: true`,
		ShapeByForeignKey: `{rels}: true`,
		ShapeCount:        `_count: { select: { {rels}: true } }`,
		ShapeOther:        `{rels}: true`,
	},
}
