package suggest

import "regexp"

// Ecto: how it is recognised, and its fixes. Its SQL aliases tables with a
// letter and a number (FROM "books" AS b0, b0."author_id") and preloads with
// = ANY($1). The Erlang SDK reports telemetry.sdk.language "erlang" for Elixir
// applications too.
var ecto = ORM{
	Name: "Ecto", Language: "erlang",
	Scopes: []string{"opentelemetry_ecto"},
	SQL:    regexp.MustCompile(`\b(?:FROM|JOIN) "\w+" AS [a-z][0-9]+\b|\b[a-z][0-9]+\."\w+"`),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `Ecto: preload the association with the query the loop iterates, preload: [:{rel}] (or join: ... in assoc(x, :{rel}), preload: [{rel}: ...] for one JOIN), or Repo.preload(list, :{rel}) once, instead of Repo.get per row.`,
			ShapeByForeignKey: `Ecto: preload the association of all rows at once, Repo.preload(parents, :{rels}) or preload: [:{rels}] in the query (one = ANY($1) query), instead of a query per parent.`,
			ShapeCount:        `Ecto: count in one query, from(x in {Model}, where: x.{fk} in ^ids, group_by: x.{fk}, select: {x.{fk}, count(x.id)}), instead of Repo.aggregate per row.`,
			ShapeInsert:       `Ecto: insert all rows in one statement with Repo.insert_all({Model}, rows) (timestamps are yours to set) instead of Repo.insert per row.`,
			ShapeUpdate:       `Ecto: update in one statement with Repo.update_all(from(x in {Model}, where: x.id in ^ids), set: [...]).`,
			ShapeDelete:       `Ecto: delete in one statement with Repo.delete_all(from(x in {Model}, where: x.id in ^ids)).`,
			ShapeOther:        `Ecto: load what the loop needs up front: preload for associations, or one query with where: x.id in ^ids.`,
		},
		"duplicate_query":    {ShapeOther: `Ecto: the same query runs again with the same values: run it once before the loop and pass the result down (or cache it for the request).`},
		"over_fetch":         {ShapeOther: `Ecto: select only the fields the code reads, select: [:id, :title] (or select: map(x, [:id, :title])), instead of the whole schema.`, ShapeManyRows: `Ecto: return only what the request shows: limit and where in the query, page by key, or Repo.stream inside a transaction for an export.`},
		"deep_offset":        {ShapeOther: `Ecto: page by key instead of by offset, where: x.id > ^last_id, order_by: x.id, limit: ^page_size (cursor pagination): OFFSET reads and drops every skipped row.`},
		"pagination_count":   {ShapeOther: `Ecto: a Repo.aggregate(query, :count) runs beside every page: drop the total (keyset pagination, limit + 1 tells whether a next page exists), or count once and cache it.`},
		"mn_plus_one":        {ShapeOther: `Ecto: one iteration runs several queries; preload them all with the query the loop iterates: preload: [{eager}].`},
		"paged_to_many_join": {ShapeOther: `Ecto: limit over a join to a has_many pages joined rows: page the parents, then preload: [:{rels}] (a separate query), or page a subquery of the parent ids.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `:{rel}`,
		ShapeByForeignKey: `:{rels}`,
		ShapeCount:        `:{rels} (or a grouped count)`,
		ShapeOther:        `:{rels}`,
	},
}
