package suggest

import "regexp"

// ORM is how one ORM is recognised in a trace and how its fixes are worded.
// Adding an ORM is adding a value to orms, not a code path.
type ORM struct {
	Name string
	// Language is the resource's telemetry.sdk.language of its applications.
	Language string
	// Scopes are instrumentation scope name prefixes that only its
	// applications emit (the ORM's own instrumentation, or its framework's).
	Scopes []string
	// SQL matches statements only this ORM writes; nil when it has no tell.
	SQL *regexp.Regexp
	// Fixes holds the fix for each finding type and statement shape; ShapeOther
	// is the fallback for shapes not listed.
	Fixes map[string]map[Shape]string
	// Eager says how to load what one statement of a loop reads, by shape:
	// the pieces of an mn_plus_one fix.
	Eager map[Shape]string
}

// Placeholders in fix texts, filled from the repeated statement:
// {table} its table, {rel} the to-one relation (author), {rels} the collection
// (books), {Rel}/{Rels} the same capitalized, {Model} the model class (Book),
// {fk} the foreign-key column the statement is keyed on; in an mn_plus_one
// fix, {eager} the Eager pieces of every statement of one iteration.
// orms are the ORMs querylens recognises, each in a file of its own
// (orm_<name>.go): adding an ORM is adding a file and a line here.
var orms = []ORM{django, sqlalchemy, gorm, typeORM, prisma, sequelize, knex, hibernate, activeRecord, efCore, eloquent, ecto}

// generic is the fix when no ORM is recognised.
var generic = ORM{
	Name: "",
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `Fetch the related rows of all items in one query (WHERE id IN (...)) or a JOIN, with your ORM's eager loading, instead of one query per item.`,
			ShapeByForeignKey: `Fetch the child rows of all items in one query (WHERE {fk} IN (...)), with your ORM's eager loading of the collection, instead of one query per item.`,
			ShapeCount:        `Count for all items in one query with GROUP BY {fk} instead of one COUNT per item.`,
			ShapeInsert:       `Insert all rows in one multi-row INSERT (your ORM's bulk insert) instead of one statement per row.`,
			ShapeUpdate:       `Update all rows in one statement (WHERE id IN (...), or a bulk update) instead of one per row.`,
			ShapeDelete:       `Delete all rows in one statement (WHERE id IN (...)) instead of one per row.`,
			ShapeCommand:      `Batch the calls: one multi-key command (MGET, $in, a bulk or multi-get request) or a pipeline instead of one round trip per item.`,
			ShapeOther:        `Run one query for all items (an IN-list or a JOIN) before the loop instead of one per item.`,
		},
		"duplicate_query":    {ShapeOther: `The same query runs again with the same values: run it once before the loop and reuse the result, or cache it for the request.`},
		"over_fetch":         {ShapeOther: `List the columns the code reads instead of SELECT * (your ORM's projection: only, select, attributes).`, ShapeManyRows: `The query returns more rows than a request can use: paginate by key, filter or aggregate in the database, or stream an export.`},
		"deep_offset":        {ShapeOther: `Page by key instead of by offset: WHERE id > :last_seen ORDER BY id LIMIT n stays fast at any depth, OFFSET reads and drops every skipped row.`},
		"pagination_count":   {ShapeOther: `The page total costs a full COUNT(*) per page: drop it (next/previous links with keyset pagination), cache it, or estimate it.`},
		"mn_plus_one":        {ShapeOther: `One iteration of the loop runs several queries: load each for all items before the loop ({eager}), with your ORM's eager loading.`},
		"paged_to_many_join": {ShapeOther: `The LIMIT pages the rows of the join, not the {table} rows: a parent with five children takes five slots. Page the parent ids in a subquery (WHERE id IN (SELECT id FROM {table} ... LIMIT n)), then load the children with a second query.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `{table} WHERE id IN (...)`,
		ShapeByForeignKey: `{table} WHERE {fk} IN (...)`,
		ShapeCount:        `one COUNT ... GROUP BY {fk} on {table}`,
		ShapeOther:        `one query on {table}`,
	},
}
