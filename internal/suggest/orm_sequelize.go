package suggest

import "regexp"

// Sequelize: how it is recognised, and its fixes.
var sequelize = ORM{
	Name: "Sequelize", Language: "nodejs",
	Scopes: []string{"@opentelemetry/instrumentation-sequelize", "opentelemetry-instrumentation-sequelize"},
	SQL:    regexp.MustCompile(`"createdAt"|FROM "\w+" AS "[A-Z]\w*"`),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `Sequelize: eager-load the association with include: [{ model: {Model} }] in the findAll the loop iterates, instead of get{Model}() per row.`,
			ShapeByForeignKey: `Sequelize: eager-load the collection with include: [{ model: {Model}, separate: true }] in the findAll the loop iterates (one IN query), instead of a getter per row.`,
			ShapeCount:        `Sequelize: count in one query, {Model}.count({ group: ["{fk}"] }) or findAll({ attributes: ["{fk}", [fn("COUNT", col("id")), "n"]], group: ["{fk}"] }).`,
			ShapeInsert:       `Sequelize: insert all rows in one statement with {Model}.bulkCreate([...]) instead of create() per row.`,
			ShapeUpdate:       `Sequelize: update in one statement with {Model}.update(values, { where: { id: ids } }).`,
			ShapeDelete:       `Sequelize: delete in one statement with {Model}.destroy({ where: { id: ids } }).`,
			ShapeOther:        `Sequelize: load what the loop needs in one query: include for associations, or where: { id: ids } (an IN list).`,
		},
		"duplicate_query":    {ShapeOther: `Sequelize: the same query runs again with the same values: run the findOne once before the loop and reuse it (or memoize it for the request).`},
		"over_fetch":         {ShapeOther: `Sequelize: list the columns the code reads, attributes: ["id", "title"] in the find.`, ShapeManyRows: `Sequelize: return only what the request shows: limit and where in the database, page by key, or read an export in batches.`},
		"deep_offset":        {ShapeOther: `Sequelize: page by key instead of by offset, where: { id: { [Op.gt]: lastId } }, order: [["id", "ASC"]], limit: pageSize: it stays fast at any depth.`},
		"pagination_count":   {ShapeOther: `Sequelize: findAndCountAll runs a COUNT(*) for every page: use findAll with keyset pagination and no total, or count once and cache it.`},
		"mn_plus_one":        {ShapeOther: `Sequelize: one iteration runs several queries; eager-load them all in the findAll the loop iterates: include: [{eager}].`},
		"paged_to_many_join": {ShapeOther: `Sequelize: limit with a required include and subQuery: false pages joined rows: keep the default subQuery (the parents are paged in a subquery) or load the children with separate: true.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `{ model: {Model} }`,
		ShapeByForeignKey: `{ model: {Model}, separate: true }`,
		ShapeCount:        `{ model: {Model}, attributes: [] } with a COUNT attribute`,
		ShapeOther:        `{ model: {Model} }`,
	},
}
