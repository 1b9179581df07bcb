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
}

// Placeholders in fix texts, filled from the repeated statement:
// {table} its table, {rel} the to-one relation (author), {rels} the collection
// (books), {Rel}/{Rels} the same capitalized, {Model} the model class (Book),
// {fk} the foreign-key column the statement is keyed on.
var orms = []ORM{
	{
		Name: "Django", Language: "python",
		Scopes: []string{"opentelemetry.instrumentation.django"},
		SQL:    regexp.MustCompile(`AS "__count"|"[a-z0-9]+_[a-z0-9_]+"\."id"`),
		Fixes: map[string]map[Shape]string{
			"n_plus_one": {
				ShapeByKey:        `Django: load the related object in the same query with select_related("{rel}") on the queryset the loop iterates, instead of one query per row.`,
				ShapeByForeignKey: `Django: load the related rows of all items in one extra query with prefetch_related("{rels}") (or Prefetch(...) to filter them) on the queryset the loop iterates.`,
				ShapeCount:        `Django: count in the same query with annotate(num_{rels}=Count("{rels}")) on the queryset the loop iterates, instead of .count() per row.`,
				ShapeInsert:       `Django: insert the rows in one statement with {Model}.objects.bulk_create([...]) instead of create()/save() per row.`,
				ShapeUpdate:       `Django: update the rows in one statement with queryset.update(...) or {Model}.objects.bulk_update(objs, fields).`,
				ShapeDelete:       `Django: delete the rows in one statement with {Model}.objects.filter(pk__in=ids).delete().`,
				ShapeOther:        `Django: fetch what the loop needs before it: select_related / prefetch_related for relations, or one query with __in=[...] instead of one per item.`,
			},
		},
	},
	{
		Name: "SQLAlchemy", Language: "python",
		Scopes: []string{"opentelemetry.instrumentation.sqlalchemy"},
		SQL:    regexp.MustCompile(`\b(\w+)\.(\w+) AS (\w+)_(\w+)\b`),
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
		},
	},
	{
		Name: "GORM", Language: "go",
		Scopes: []string{"gorm.io/plugin/opentelemetry"},
		Fixes: map[string]map[Shape]string{
			"n_plus_one": {
				ShapeByKey:        `GORM: load the association with the rows, db.Joins("{Rel}").Find(&rows) (one JOIN) or db.Preload("{Rel}").Find(&rows) (one IN query), instead of db.First per row.`,
				ShapeByForeignKey: `GORM: load the association of all rows at once with db.Preload("{Rels}").Find(&parents): one IN query instead of one query per row.`,
				ShapeCount:        `GORM: count in one query, db.Model(&{Model}{}).Select("{fk}, count(*) as n").Group("{fk}").Scan(&counts), instead of Count per row.`,
				ShapeInsert:       `GORM: insert the slice in one statement with db.Create(&rows) or db.CreateInBatches(rows, 100) instead of Create per row.`,
				ShapeUpdate:       `GORM: update in one statement with db.Model(&{Model}{}).Where("id IN ?", ids).Updates(...).`,
				ShapeDelete:       `GORM: delete in one statement with db.Where("id IN ?", ids).Delete(&{Model}{}).`,
				ShapeOther:        `GORM: fetch what the loop needs in one query, with Preload or Where("... IN ?", ids), before the loop.`,
			},
		},
	},
	{
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
		},
	},
	{
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
		},
	},
	{
		Name: "Hibernate", Language: "java",
		Scopes: []string{"io.opentelemetry.hibernate"},
		SQL:    regexp.MustCompile(`\b[a-z]+[0-9]+_[0-9]*_?\.\w+`),
		Fixes: map[string]map[Shape]string{
			"n_plus_one": {
				ShapeByKey:        `Hibernate: fetch the association with the query ("join fetch e.{rel}" in JPQL, or an @EntityGraph), or put @BatchSize on {Model} so proxies load by IN-list.`,
				ShapeByForeignKey: `Hibernate: fetch the collection with the query ("join fetch e.{rels}" / @EntityGraph), or annotate it @BatchSize(size = 50) (hibernate.default_batch_fetch_size) so lazy loads go by IN-list.`,
				ShapeCount:        `Hibernate: count in one query, "select b.{fk}, count(b) from {Model} b group by b.{fk}", instead of one count query per entity.`,
				ShapeInsert:       `Hibernate: batch the inserts with hibernate.jdbc.batch_size and hibernate.order_inserts, and SEQUENCE ids: IDENTITY ids disable JDBC batching.`,
				ShapeUpdate:       `Hibernate: batch the updates (hibernate.jdbc.batch_size, hibernate.order_updates) or use one bulk JPQL update.`,
				ShapeDelete:       `Hibernate: delete in one bulk JPQL statement ("delete from {Model} e where e.id in :ids").`,
				ShapeOther:        `Hibernate: fetch what the loop needs with the query (join fetch, @EntityGraph) or @BatchSize, not lazily per entity.`,
			},
		},
	},
	{
		Name: "ActiveRecord", Language: "ruby",
		Scopes: []string{"OpenTelemetry::Instrumentation::ActiveRecord", "OpenTelemetry::Instrumentation::Rails"},
		SQL:    regexp.MustCompile(`SELECT "(\w+)"\.\* FROM "(\w+)"|/\*application[:=]`),
		Fixes: map[string]map[Shape]string{
			"n_plus_one": {
				ShapeByKey:        `ActiveRecord: preload the association with includes(:{rel}) (or preload / eager_load) on the relation the loop iterates; strict_loading catches the next one.`,
				ShapeByForeignKey: `ActiveRecord: preload the collection with includes(:{rels}) on the relation the loop iterates.`,
				ShapeCount:        `ActiveRecord: count in one query with {Model}.group(:{fk}).count, or a counter_cache on the association (size then reads it).`,
				ShapeInsert:       `ActiveRecord: insert the rows in one statement with {Model}.insert_all([...]) (or upsert_all) instead of create per row.`,
				ShapeUpdate:       `ActiveRecord: update in one statement with relation.update_all(...) or {Model}.upsert_all([...]).`,
				ShapeDelete:       `ActiveRecord: delete in one statement with {Model}.where(id: ids).delete_all.`,
				ShapeOther:        `ActiveRecord: load what the loop needs with includes / preload, or one where(id: ids) query, before the loop.`,
			},
		},
	},
}

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
	},
}
