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
			"duplicate_query":  {ShapeOther: `Django: the same query runs again with the same values: run it once before the loop and reuse the result (cache it on the request or with @cached_property).`},
			"over_fetch":       {ShapeOther: `Django: fetch only the columns the code reads, .only("id", "title") or .values("id", "title") on the queryset (or list them in raw SQL).`, ShapeManyRows: `Django: return only what the request shows: paginate by key, filter or aggregate in the database, or .iterator() for an export.`},
			"deep_offset":      {ShapeOther: `Django: page by key instead of by offset, .filter(id__gt=last_id).order_by("id")[:page_size]: it stays fast at any depth.`},
			"pagination_count": {ShapeOther: `Django: the Paginator runs a COUNT(*) for every page: drop the total (next/previous with keyset pagination), cache it, or give the Paginator a cheaper count.`},
			"mn_plus_one":      {ShapeOther: `Django: one iteration runs several queries; load them all with the queryset the loop iterates: {eager}.`},
		},
		Eager: map[Shape]string{
			ShapeByKey:        `select_related("{rel}")`,
			ShapeByForeignKey: `prefetch_related("{rels}")`,
			ShapeCount:        `annotate(num_{rels}=Count("{rels}"))`,
			ShapeOther:        `select_related / prefetch_related for {table}`,
		},
	},
	{
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
			"duplicate_query":  {ShapeOther: `SQLAlchemy: the same query runs again with the same values: run it once and reuse the result (session.get(Model, pk) answers from the identity map without a query).`},
			"over_fetch":       {ShapeOther: `SQLAlchemy: select the columns the code reads, select({Model}.id, {Model}.title), or .options(load_only({Model}.id, {Model}.title)).`, ShapeManyRows: `SQLAlchemy: return only what the request shows: paginate by key, filter or aggregate in the database, or .yield_per(1000) for an export.`},
			"deep_offset":      {ShapeOther: `SQLAlchemy: page by key instead of by offset, .where({Model}.id > last_id).order_by({Model}.id).limit(page_size): it stays fast at any depth.`},
			"pagination_count": {ShapeOther: `SQLAlchemy: a COUNT(*) runs for every page: drop the total (page by key), or count once and cache it.`},
			"mn_plus_one":      {ShapeOther: `SQLAlchemy: one iteration runs several queries; load them all with the query the loop iterates: .options({eager}).`},
		},
		Eager: map[Shape]string{
			ShapeByKey:        `joinedload(<Parent>.{rel})`,
			ShapeByForeignKey: `selectinload(<Parent>.{rels})`,
			ShapeCount:        `a func.count() subquery on {table}`,
			ShapeOther:        `selectinload for {table}`,
		},
	},
	{
		Name: "GORM", Language: "go",
		Scopes: []string{"gorm.io/plugin/opentelemetry"},
		SQL:    regexp.MustCompile("[\"`]deleted_at[\"`] IS NULL|^SELECT \\* FROM `\\w+` WHERE `\\w+`\\.`"),
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
			"duplicate_query":  {ShapeOther: `GORM: the same query runs again with the same values: run it once before the loop and pass the result down (or cache it for the request).`},
			"over_fetch":       {ShapeOther: `GORM: select the columns the code reads, db.Select("id", "title").Find(&rows), or Find into a smaller struct whose fields GORM selects.`, ShapeManyRows: `GORM: return only what the request shows: paginate by key, filter or aggregate in the database, or FindInBatches for an export.`},
			"deep_offset":      {ShapeOther: `GORM: page by key instead of by offset, db.Where("id > ?", lastID).Order("id").Limit(pageSize).Find(&rows): it stays fast at any depth.`},
			"pagination_count": {ShapeOther: `GORM: a Count runs beside every page: drop the total (page by key), or count once and cache it.`},
			"mn_plus_one":      {ShapeOther: `GORM: one iteration runs several queries; load them all with the rows the loop iterates: db.{eager}.Find(&rows).`},
		},
		Eager: map[Shape]string{
			ShapeByKey:        `Preload("{Rel}")`,
			ShapeByForeignKey: `Preload("{Rels}")`,
			ShapeCount:        `Preload("{Rels}")`,
			ShapeOther:        `Preload("{Rels}")`,
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
			"duplicate_query":  {ShapeOther: `Sequelize: the same query runs again with the same values: run the findOne once before the loop and reuse it (or memoize it for the request).`},
			"over_fetch":       {ShapeOther: `Sequelize: list the columns the code reads, attributes: ["id", "title"] in the find.`, ShapeManyRows: `Sequelize: return only what the request shows: limit and where in the database, page by key, or read an export in batches.`},
			"deep_offset":      {ShapeOther: `Sequelize: page by key instead of by offset, where: { id: { [Op.gt]: lastId } }, order: [["id", "ASC"]], limit: pageSize: it stays fast at any depth.`},
			"pagination_count": {ShapeOther: `Sequelize: findAndCountAll runs a COUNT(*) for every page: use findAll with keyset pagination and no total, or count once and cache it.`},
			"mn_plus_one":      {ShapeOther: `Sequelize: one iteration runs several queries; eager-load them all in the findAll the loop iterates: include: [{eager}].`},
		},
		Eager: map[Shape]string{
			ShapeByKey:        `{ model: {Model} }`,
			ShapeByForeignKey: `{ model: {Model}, separate: true }`,
			ShapeCount:        `{ model: {Model}, attributes: [] } with a COUNT attribute`,
			ShapeOther:        `{ model: {Model} }`,
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
			"duplicate_query":  {ShapeOther: `Knex: the same query runs again with the same values: run it once before the loop and reuse the rows.`},
			"over_fetch":       {ShapeOther: `Knex: list the columns the code reads, knex("{table}").select("id", "title") instead of select("*").`, ShapeManyRows: `Knex: return only what the request shows: .limit() and .where() in the database, page by key, or .stream() an export.`},
			"deep_offset":      {ShapeOther: `Knex: page by key instead of by offset, .where("id", ">", lastId).orderBy("id").limit(pageSize): it stays fast at any depth.`},
			"pagination_count": {ShapeOther: `Knex: a count query runs beside every page: drop the total (page by key), or count once and cache it.`},
			"mn_plus_one":      {ShapeOther: `Knex: one iteration runs several queries; fetch each for all items at once before the loop: {eager}.`},
		},
		Eager: map[Shape]string{
			ShapeByKey:        `knex("{table}").whereIn("id", ids)`,
			ShapeByForeignKey: `knex("{table}").whereIn("{fk}", ids)`,
			ShapeCount:        `knex("{table}").count().groupBy("{fk}")`,
			ShapeOther:        `one whereIn query on {table}`,
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
			"duplicate_query":  {ShapeOther: `Hibernate: the same query runs again with the same values: load it once per request and reuse it, or cache reference data (query cache / second-level cache).`},
			"over_fetch":       {ShapeOther: `Hibernate: select a DTO projection ("select new BookSummary(b.id, b.title) from {Model} b") or an interface projection instead of whole entities.`, ShapeManyRows: `Hibernate: return only what the request shows: setMaxResults and filters in the query, page by key, or a Stream / ScrollableResults for an export.`},
			"deep_offset":      {ShapeOther: `Hibernate: page by key instead of by offset ("where b.id > :lastId order by b.id" with setMaxResults(pageSize), or Hibernate's KeyedPage / Spring Data's ScrollPosition).`},
			"pagination_count": {ShapeOther: `Hibernate: a Page runs a count query for every page: return a Slice (no total), or count once and cache it; page by key.`},
			"mn_plus_one":      {ShapeOther: `Hibernate: one iteration runs several queries; fetch them all with the query the loop iterates: {eager}.`},
		},
		Eager: map[Shape]string{
			ShapeByKey:        `join fetch e.{rel}`,
			ShapeByForeignKey: `join fetch e.{rels} (or @BatchSize)`,
			ShapeCount:        `a count in the query (group by)`,
			ShapeOther:        `an @EntityGraph with {table}`,
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
			"duplicate_query":  {ShapeOther: `ActiveRecord: the same query runs again with the same values: load it once and memoize it (@x ||= ...), or Rails.cache for reference data.`},
			"over_fetch":       {ShapeOther: `ActiveRecord: read only the columns the code uses, select(:id, :title), or pluck(:id, :title) when you need no model.`, ShapeManyRows: `ActiveRecord: return only what the request shows: paginate by key, filter or aggregate in the database, or find_each / in_batches for an export.`},
			"deep_offset":      {ShapeOther: `ActiveRecord: page by key instead of by offset, where("id > ?", last_id).order(:id).limit(page_size): it stays fast at any depth.`},
			"pagination_count": {ShapeOther: `ActiveRecord: the paginator counts for every page: use Kaminari's without_count or pagy's countless / keyset pagination, or cache the total.`},
			"mn_plus_one":      {ShapeOther: `ActiveRecord: one iteration runs several queries; preload them all on the relation the loop iterates: includes({eager}).`},
		},
		Eager: map[Shape]string{
			ShapeByKey:        `:{rel}`,
			ShapeByForeignKey: `:{rels}`,
			ShapeCount:        `:{rels} (or a counter_cache)`,
			ShapeOther:        `:{rels}`,
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
		"duplicate_query":  {ShapeOther: `The same query runs again with the same values: run it once before the loop and reuse the result, or cache it for the request.`},
		"over_fetch":       {ShapeOther: `List the columns the code reads instead of SELECT * (your ORM's projection: only, select, attributes).`, ShapeManyRows: `The query returns more rows than a request can use: paginate by key, filter or aggregate in the database, or stream an export.`},
		"deep_offset":      {ShapeOther: `Page by key instead of by offset: WHERE id > :last_seen ORDER BY id LIMIT n stays fast at any depth, OFFSET reads and drops every skipped row.`},
		"pagination_count": {ShapeOther: `The page total costs a full COUNT(*) per page: drop it (next/previous links with keyset pagination), cache it, or estimate it.`},
		"mn_plus_one":      {ShapeOther: `One iteration of the loop runs several queries: load each for all items before the loop ({eager}), with your ORM's eager loading.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `{table} WHERE id IN (...)`,
		ShapeByForeignKey: `{table} WHERE {fk} IN (...)`,
		ShapeCount:        `one COUNT ... GROUP BY {fk} on {table}`,
		ShapeOther:        `one query on {table}`,
	},
}
