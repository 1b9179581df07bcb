package suggest

import "regexp"

// SQLAlchemy: how it is recognised, and its fixes.
var sqlalchemy = ORM{
	Name: "SQLAlchemy", Language: "python",
	Scopes: []string{"opentelemetry.instrumentation.sqlalchemy"},
	SQL:    regexp.MustCompile(`\b(\w+)\.(\w+) AS (\w+)_(\w+)\b|\bAS anon_\d+\b|%\(\w+_\d+\)s`),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `SQLAlchemy: load the many-to-one in the same query with .options(joinedload(<Parent>.{rel})) on the query the loop iterates, instead of a lazy load per row.`,
			ShapeByForeignKey: `SQLAlchemy: load the collection of all rows in one extra query with .options(selectinload(<Parent>.{rels})) on the query the loop iterates.`,
			ShapeCount:        `SQLAlchemy: count in one query with func.count() and group_by({table}.c.{fk}) (or a column_property), instead of a count per row.`,
			ShapeInsert:       `SQLAlchemy: add the objects with session.add_all([...]) and flush once, or session.execute(insert({Model}), [rows]) — one executemany instead of a flush per row.`,
			ShapeUpdate:       `SQLAlchemy: update in one round trip with session.execute(update({Model}), [rows]) (bulk UPDATE by primary key).`,
			ShapeDelete:       `SQLAlchemy: delete in one statement with session.execute(delete({Model}).where({Model}.id.in_(ids))).`,
			ShapeOther:        `SQLAlchemy: load what the loop needs up front: selectinload / joinedload for relationships, or one query with .in_(ids).`,
		},
		"duplicate_query":    {ShapeOther: `SQLAlchemy: the same query runs again with the same values: run it once and reuse the result (session.get(Model, pk) answers from the identity map without a query).`},
		"over_fetch":         {ShapeOther: `SQLAlchemy: select the columns the code reads, select({Model}.id, {Model}.title), or .options(load_only({Model}.id, {Model}.title)).`, ShapeManyRows: `SQLAlchemy: return only what the request shows: paginate by key, filter or aggregate in the database, or .yield_per(1000) for an export.`},
		"deep_offset":        {ShapeOther: `SQLAlchemy: page by key instead of by offset, .where({Model}.id > last_id).order_by({Model}.id).limit(page_size): it stays fast at any depth.`},
		"pagination_count":   {ShapeOther: `SQLAlchemy: a COUNT(*) runs for every page: drop the total (page by key), or count once and cache it.`},
		"mn_plus_one":        {ShapeOther: `SQLAlchemy: one iteration runs several queries; load them all with the query the loop iterates: .options({eager}).`},
		"paged_to_many_join": {ShapeOther: `SQLAlchemy: a limit() over join(<Parent>.{rels}) pages joined rows: load the collection with selectinload, or page a subquery of the parent ids and join to it.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `joinedload(<Parent>.{rel})`,
		ShapeByForeignKey: `selectinload(<Parent>.{rels})`,
		ShapeCount:        `a func.count() subquery on {table}`,
		ShapeOther:        `selectinload for {table}`,
	},
}
