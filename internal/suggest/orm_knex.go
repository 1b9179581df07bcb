package suggest

// Knex: how it is recognised, and its fixes.
var knex = ORM{
	Name: "Knex", Language: "nodejs",
	Scopes: []string{"@opentelemetry/instrumentation-knex"},
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `Knex: fetch the rows of all items in one query, knex("{table}").whereIn("id", ids), and match them in memory (or join "{table}" in the first query).`,
			ShapeByForeignKey: `Knex: fetch the rows of all items in one query, knex("{table}").whereIn("{fk}", ids), and group them in memory.`,
			ShapeCount:        `Knex: count in one query, knex("{table}").select("{fk}").count("* as n").groupBy("{fk}").`,
			ShapeInsert:       `Knex: insert all rows in one statement, knex("{table}").insert([...rows]) (knex.batchInsert for very many).`,
			ShapeUpdate:       `Knex: update in one statement, knex("{table}").whereIn("id", ids).update(...).`,
			ShapeDelete:       `Knex: delete in one statement, knex("{table}").whereIn("id", ids).del().`,
			ShapeOther:        `Knex: fetch what the loop needs in one query with whereIn(...) or a join, before the loop.`,
		},
		"duplicate_query":    {ShapeOther: `Knex: the same query runs again with the same values: run it once before the loop and reuse the rows.`},
		"over_fetch":         {ShapeOther: `Knex: list the columns the code reads, knex("{table}").select("id", "title") instead of select("*").`, ShapeManyRows: `Knex: return only what the request shows: .limit() and .where() in the database, page by key, or .stream() an export.`},
		"deep_offset":        {ShapeOther: `Knex: page by key instead of by offset, .where("id", ">", lastId).orderBy("id").limit(pageSize): it stays fast at any depth.`},
		"pagination_count":   {ShapeOther: `Knex: a count query runs beside every page: drop the total (page by key), or count once and cache it.`},
		"mn_plus_one":        {ShapeOther: `Knex: one iteration runs several queries; fetch each for all items at once before the loop: {eager}.`},
		"paged_to_many_join": {ShapeOther: `Knex: .limit() after .join() on a to-many table pages joined rows: page the parent ids first (.whereIn("id", knex("{table}").select("id").limit(n))), then load the children with whereIn.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `knex("{table}").whereIn("id", ids)`,
		ShapeByForeignKey: `knex("{table}").whereIn("{fk}", ids)`,
		ShapeCount:        `knex("{table}").count().groupBy("{fk}")`,
		ShapeOther:        `one whereIn query on {table}`,
	},
}
