package suggest

import (
	"strings"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// The fix of an n_plus_one, by the shape of the repeated statement, in the
// words of each ORM; "" is the generic fix, for a service whose ORM is not
// recognised. A write repeated per row gets the ORM's bulk write; the write
// texts are also the pieces of an mn_plus_one of writes (writePieces), so
// each starts with its verb after the ORM's name.
func init() {
	fixes[detect.TypeNPlusOne] = Wording{
		"": {
			ShapeSpreadOut:    `The same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on; if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `Fetch the {table} rows of all items in one query (WHERE {qkey} IN (...)) or a JOIN, with your ORM's eager loading, instead of one query per item.`,
			ShapeByForeignKey: `Fetch the {table} rows of all items in one query (WHERE {qkey} IN (...)), with your ORM's eager loading of the collection, instead of one query per item.`,
			ShapeCount:        `Count for all items in one query (the same count with {qkey} IN (...) and GROUP BY {qkey}) instead of one COUNT per item.`,
			ShapeAggregate:    `Compute the {agg} for all items in one query (the same query with {qkey} IN (...) and GROUP BY {qkey}) instead of one query per item.`,
			ShapeInsert:       `Insert the {table} rows in one multi-row INSERT (your ORM's bulk insert) instead of one statement per row.`,
			ShapeUpsert:       `Upsert the {table} rows in one multi-row INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE (your ORM's bulk upsert) instead of one statement per row.`,
			ShapeUpdate:       `Update the {table} rows in one statement (WHERE {qkey} IN (...)) when they get the same values; when each gets its own, one multi-row upsert (INSERT ... ON CONFLICT ({unique}) DO UPDATE) or one batch, instead of one UPDATE per row.`,
			ShapeDelete:       `Delete the {table} rows in one statement (WHERE {qkey} IN (...)) instead of one DELETE per row.`,
			ShapeCommand:      `Batch the calls: one multi-key command (MGET, $in, a bulk or multi-get request) or a pipeline instead of one round trip per item.`,
			ShapeOther:        `Fetch the {table} rows of all items in one query before the loop (WHERE {qkey} IN (...)) instead of one query per item.`,
		},
		"Django": {
			ShapeSpreadOut:    `Django: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (an attribute of the request, a cached_property of the view); if the keys differ, read them together in one query ({qkey} IN (...)). If it is a relation of rows listed before it (event.child for each event of several lists), load it with each list instead: select_related("<field to {table}>") on the querysets (Django has no identity map: the same row is read again per row).`,
			ShapeByKey:        `Django: load the related object in the same query with select_related("<field to {table}>") (a forward foreign key or one-to-one) on the queryset the loop iterates, instead of one query per row.`,
			ShapeByForeignKey: `Django: load the {table} rows of all items in one extra query with prefetch_related("<relation to {table}>") on the queryset the loop iterates, instead of one query per row.`,
			ShapeCount:        `Django: count in the same query with .annotate(n=Count("<relation to {table}>")) on the queryset the loop iterates, instead of .count() per row.`,
			ShapeAggregate:    `Django: compute the {agg} in the same query with .annotate({aggAPI}) on the queryset the loop iterates, instead of .aggregate(...) per row.`,
			ShapeInsert:       `Django: insert the {table} rows in one statement with {model}.objects.bulk_create(objs) instead of create() or save() per row.`,
			ShapeUpsert:       `Django: upsert the {table} rows in one statement with {model}.objects.bulk_create(objs, update_conflicts=True, unique_fields=[...], update_fields=[...]) (Django 4.1+) instead of one per row.`,
			ShapeUpdate:       `Django: update the {table} rows in one statement with {model}.objects.filter({key}__in=keys).update(...), or bulk_update(objs, fields) when each row gets its own values, instead of save() per row.`,
			ShapeDelete:       `Django: delete the {table} rows in one statement with {model}.objects.filter({key}__in=keys).delete() instead of delete() per row.`,
			ShapeOther:        `Django: fetch the {table} rows of all items in one query before the loop, .filter({key}__in=keys), instead of one query per item.`,
		},
		"SQLAlchemy": {
			ShapeSpreadOut:    `SQLAlchemy: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (flask.g, a request-scoped dependency); if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `SQLAlchemy: load the many-to-one in the same query with .options(joinedload(<Parent>.<relationship to {table}>)) on the query the loop iterates, instead of a lazy load per row.`,
			ShapeByForeignKey: `SQLAlchemy: load the {table} rows of all items in one extra query with .options(selectinload(<Parent>.<relationship to {table}>)) on the query the loop iterates.`,
			ShapeCount:        `SQLAlchemy: count for all items in one query, the same count with func.count(), {qkey}.in_(keys) and group_by({qkey}), instead of a count per row.`,
			ShapeAggregate:    `SQLAlchemy: compute the {agg} for all items in one query, the same query with {aggAPI}, {qkey}.in_(keys) and group_by({qkey}), instead of one query per row.`,
			ShapeInsert:       `SQLAlchemy: insert the {table} rows in one executemany, session.execute(insert({model}), rows), or session.add_all(objs) and one flush, instead of a flush per row.`,
			ShapeUpsert:       `SQLAlchemy: upsert the {table} rows in one statement with the dialect's insert({model}).on_conflict_do_update(...) (PostgreSQL, SQLite) or .on_duplicate_key_update(...) (MySQL), executed once with all rows.`,
			ShapeUpdate:       `SQLAlchemy: update the {table} rows in one statement, update({model}).where({model}.{key}.in_(keys)).values(...), or session.execute(update({model}), rows) by primary key.`,
			ShapeDelete:       `SQLAlchemy: delete the {table} rows in one statement, delete({model}).where({model}.{key}.in_(keys)).`,
			ShapeOther:        `SQLAlchemy: fetch the {table} rows of all items in one query before the loop, .where({model}.{key}.in_(keys)), instead of one query per item.`,
		},
		"GORM": {
			ShapeSpreadOut:    `GORM: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once in the handler or a middleware and pass it on (in the request's context); if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `GORM: load the association that reads {table} with the rows the loop iterates, db.Preload("<association to {table}>") (one IN query) or db.Joins("<association to {table}>") (one JOIN, for a belongs-to or has-one), instead of one query per row.`,
			ShapeByForeignKey: `GORM: load the {table} rows of all items at once with db.Preload("<association to {table}>") on the query the loop iterates: one query with {key} IN (...) instead of one per row.`,
			ShapeCount:        `GORM: count for all items in one query, the same query with .Select("{qkey}, count(*)").Where("{qkey} IN ?", keys).Group("{qkey}").Scan(&counts), instead of a Count per row.`,
			ShapeAggregate:    `GORM: compute the {agg} for all items in one query, the same query with .Select("{qkey}, {aggSQL}").Where("{qkey} IN ?", keys).Group("{qkey}").Scan(&rows), instead of one query per row.`,
			ShapeInsert:       `GORM: insert the {table} rows in one statement, db.Create(&rows) with a slice (or db.CreateInBatches(&rows, 100)), instead of Create per row.`,
			ShapeUpsert:       `GORM: upsert the {table} rows in one statement, db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows) with a slice{uniqueNote}, instead of one per row.`,
			ShapeUpdate:       `GORM: update the {table} rows in one statement, db.Table("{table}").Where("{key} IN ?", keys).Updates(...), when they get the same values; when each gets its own, one db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows) with a slice, instead of Save or Update per row.`,
			ShapeDelete:       `GORM: delete the {table} rows in one statement, db.Where("{key} IN ?", keys).Delete(&{model}{}), instead of Delete per row.`,
			ShapeOther:        `GORM: fetch the {table} rows of all items in one query before the loop, db.Where("{qkey} IN ?", keys).Find(&rows), instead of one query per item.`,
		},
		"bun": {
			ShapeSpreadOut:    `bun: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once in the handler or a middleware and pass it on (in the request's context); if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `bun: load the {table} row with the rows the loop iterates, .Relation("<relation to {table}>") on their query (a belongs-to or has-one is joined in it), or read all of them at once, .Where("{qkey} IN (?)", bun.In(keys)), instead of one select per row.`,
			ShapeByForeignKey: `bun: load the {table} rows of all items at once, .Relation("<relation to {table}>") on the query the loop iterates (a has-many runs one query with IN), or one db.NewSelect() with .Where("{qkey} IN (?)", bun.In(keys)) grouped in memory, instead of a query per row.`,
			ShapeCount:        `bun: count for all items in one query, db.NewSelect().Table("{table}").Column("{key}").ColumnExpr("count(*) AS n").Where("{qkey} IN (?)", bun.In(keys)).Group("{key}").Scan(ctx, &counts), instead of a Count per row.`,
			ShapeAggregate:    `bun: compute the {agg} for all items in one query, db.NewSelect().Table("{table}").Column("{key}").ColumnExpr("{aggSQL} AS n").Where("{qkey} IN (?)", bun.In(keys)).Group("{key}").Scan(ctx, &rows), instead of one query per row.`,
			ShapeInsert:       `bun: insert the {table} rows in one statement, db.NewInsert().Model(&rows) with a slice, instead of one insert per row.`,
			ShapeUpsert:       `bun: upsert the {table} rows in one statement, db.NewInsert().Model(&rows).On("CONFLICT ({unique}) DO UPDATE").Set(...) with a slice, instead of one per row.`,
			ShapeUpdate:       `bun: update the {table} rows in one statement, db.NewUpdate().Table("{table}").Set(...).Where("{qkey} IN (?)", bun.In(keys)), when they get the same values; when each gets its own, one db.NewUpdate().Model(&rows).Column(...).Bulk(), instead of one update per row.`,
			ShapeDelete:       `bun: delete the {table} rows in one statement, db.NewDelete().Table("{table}").Where("{qkey} IN (?)", bun.In(keys)), instead of one delete per row.`,
			ShapeOther:        `bun: fetch the {table} rows of all items in one query before the loop, .Where("{qkey} IN (?)", bun.In(keys)), instead of one query per item.`,
		},
		"TypeORM": {
			ShapeSpreadOut:    `TypeORM: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (the request object, res.locals, a per-request DataLoader); if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `TypeORM: load the relation with the find the loop iterates, relations: ["<relation to {table}>"] (or leftJoinAndSelect in a query builder), instead of a findOne or a lazy relation per row.`,
			ShapeByForeignKey: `TypeORM: load the {table} rows of all items at once, relations: ["<relation to {table}>"] on the find the loop iterates, or one find with where { {key}: In(keys) } grouped in memory, instead of a query per row.`,
			ShapeCount:        `TypeORM: count for all items in one query, a query builder with .select("{qkey}").addSelect("COUNT(*)", "n").where("{qkey} IN (:...keys)", { keys }).groupBy("{qkey}").getRawMany(), instead of count per row.`,
			ShapeAggregate:    `TypeORM: compute the {agg} for all items in one query, a query builder with .select("{qkey}").addSelect("{aggSQL}", "n").where("{qkey} IN (:...keys)", { keys }).groupBy("{qkey}").getRawMany(), instead of one query per row.`,
			ShapeInsert:       `TypeORM: insert the {table} rows in one statement, repository.insert(rows) (or createQueryBuilder().insert().values(rows)), instead of save per row.`,
			ShapeUpsert:       `TypeORM: upsert the {table} rows in one statement, repository.upsert(rows, [{unique}]), instead of one per row.`,
			ShapeUpdate:       `TypeORM: update the {table} rows in one statement, repository.update({ {key}: In(keys) }, values), when they get the same values; when each gets its own, one repository.upsert(rows, [{unique}]) instead of save per row.`,
			ShapeDelete:       `TypeORM: delete the {table} rows in one statement, repository.delete({ {key}: In(keys) }), instead of remove per row.`,
			ShapeOther:        `TypeORM: fetch the {table} rows of all items in one query before the loop, a find with where { {key}: In(keys) }, instead of one query per item.`,
		},
		"Prisma": {
			ShapeSpreadOut:    `Prisma: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (the request object, res.locals, a per-request DataLoader); if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `Prisma: load the relation with the findMany the loop iterates, include: { <relation to {table}>: true }, instead of a findUnique per row.`,
			ShapeByForeignKey: `Prisma: load the {table} rows of all items at once, include: { <relation to {table}>: true } in the findMany the loop iterates, or one findMany({ where: { {key}: { in: keys } } }), instead of a query per row.`,
			ShapeCount:        `Prisma: count in the same query, include: { _count: { select: { <relation to {table}>: true } } }, or one groupBy({ by: ["{key}"], _count: true }), instead of count() per row.`,
			ShapeAggregate:    `Prisma: compute the {agg} for all items in one query, groupBy({ by: ["{key}"], where: { {key}: { in: keys } }{aggAPI} }), instead of one aggregate per row.`,
			ShapeInsert:       `Prisma: insert the {table} rows in one statement with prisma.{model}.createMany({ data: rows }) instead of create per row.`,
			ShapeUpsert:       `Prisma: write the {table} rows in one statement, prisma.{model}.createMany({ data: rows, skipDuplicates: true }) for the missing ones and one updateMany for the rest, instead of an upsert per row.`,
			ShapeUpdate:       `Prisma: update the {table} rows in one statement, prisma.{model}.updateMany({ where: { {key}: { in: keys } }, data }), when they get the same values; when each gets its own, the updates in one prisma.$transaction([...]) instead of one round trip each.`,
			ShapeDelete:       `Prisma: delete the {table} rows in one statement, prisma.{model}.deleteMany({ where: { {key}: { in: keys } } }), instead of delete per row.`,
			ShapeOther:        `Prisma: fetch the {table} rows of all items in one query before the loop, findMany({ where: { {key}: { in: keys } } }), instead of one query per item.`,
		},
		"Sequelize": {
			ShapeSpreadOut:    `Sequelize: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (the request object, res.locals, a per-request DataLoader); if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `Sequelize: eager-load the association with include: [{ association: "<association to {table}>" }] in the findAll the loop iterates, instead of a getter or findByPk per row.`,
			ShapeByForeignKey: `Sequelize: eager-load the {table} rows with include: [{ association: "<association to {table}>" }] in the findAll the loop iterates, or one findAll({ where: { {key}: keys } }) grouped in memory, instead of a query per row.`,
			ShapeCount:        `Sequelize: count for all items in one query, {model}.count({ where: { {key}: keys }, group: ["{key}"] }), instead of count() per row.`,
			ShapeAggregate:    `Sequelize: compute the {agg} for all items in one query, {model}.findAll({ attributes: ["{key}", {aggAPI}], where: { {key}: keys }, group: ["{key}"], raw: true }), instead of one query per row.`,
			ShapeInsert:       `Sequelize: insert the {table} rows in one statement with {model}.bulkCreate(rows) instead of create() per row.`,
			ShapeUpsert:       `Sequelize: upsert the {table} rows in one statement with {model}.bulkCreate(rows, { updateOnDuplicate: [<columns to update>] }){uniqueNote} instead of one per row.`,
			ShapeUpdate:       `Sequelize: update the {table} rows in one statement with {model}.update(values, { where: { {key}: keys } }) when they get the same values; when each gets its own, one {model}.bulkCreate(rows, { updateOnDuplicate: [<columns to update>] }) instead of save() per row.`,
			ShapeDelete:       `Sequelize: delete the {table} rows in one statement with {model}.destroy({ where: { {key}: keys } }) instead of destroy() per row.`,
			ShapeOther:        `Sequelize: fetch the {table} rows of all items in one query before the loop, findAll({ where: { {key}: keys } }), instead of one query per item.`,
		},
		"Drizzle": {
			ShapeSpreadOut:    `Drizzle: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (the request's context, a per-request DataLoader); if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `Drizzle: load the {table} row with the rows the loop iterates, db.query.<parent table>.findMany({ with: { <relation to {table}>: true } }) or a join, .leftJoin({table}, eq(...)), instead of one select per row; or read all at once, .where(inArray({qkey}, keys)).`,
			ShapeByForeignKey: `Drizzle: load the {table} rows of all items at once, with: { <relation to {table}>: true } in the db.query findMany the loop iterates, or one select with .where(inArray({qkey}, keys)) grouped in memory, instead of a query per row.`,
			ShapeCount:        `Drizzle: count for all items in one query, db.select({ key: {qkey}, n: count() }).from({table}).where(inArray({qkey}, keys)).groupBy({qkey}), instead of a count per row.`,
			ShapeAggregate:    `Drizzle: compute the {agg} for all items in one query, db.select({ key: {qkey}, n: {aggAPI} }).from({table}).where(inArray({qkey}, keys)).groupBy({qkey}), instead of one query per row.`,
			ShapeInsert:       `Drizzle: insert the {table} rows in one statement, db.insert({table}).values(rows) with an array, instead of one insert per row.`,
			ShapeUpsert:       `Drizzle: upsert the {table} rows in one statement, db.insert({table}).values(rows).onConflictDoUpdate({ target: [{unique}], set: { ... } }) (or .onConflictDoNothing()), instead of one per row.`,
			ShapeUpdate:       `Drizzle: update the {table} rows in one statement, db.update({table}).set(values).where(inArray({qkey}, keys)), when they get the same values; when each gets its own, one db.insert({table}).values(rows).onConflictDoUpdate({ target: [{unique}], set: { ... } }).`,
			ShapeDelete:       `Drizzle: delete the {table} rows in one statement, db.delete({table}).where(inArray({qkey}, keys)).`,
			ShapeOther:        `Drizzle: fetch the {table} rows of all items in one query before the loop, db.select().from({table}).where(inArray({qkey}, keys)), instead of one query per item.`,
		},
		"Knex": {
			ShapeSpreadOut:    `Knex: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (the request object, res.locals, a per-request DataLoader); if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `Knex: fetch the {table} rows of all items in one query, knex("{table}").whereIn("{key}", keys), and match them in memory (or join {table} in the first query).`,
			ShapeByForeignKey: `Knex: fetch the {table} rows of all items in one query, the same query with .whereIn("{qkey}", keys), and group them in memory.`,
			ShapeCount:        `Knex: count for all items in one query, the same query with .select("{qkey}").count("* as n").whereIn("{qkey}", keys).groupBy("{qkey}").`,
			ShapeAggregate:    `Knex: compute the {agg} for all items in one query, the same query with .select("{qkey}"){aggAPI}.whereIn("{qkey}", keys).groupBy("{qkey}").`,
			ShapeInsert:       `Knex: insert the {table} rows in one statement, knex("{table}").insert(rows) (knex.batchInsert for very many), instead of one insert per row.`,
			ShapeUpsert:       `Knex: upsert the {table} rows in one statement, knex("{table}").insert(rows).onConflict([{unique}]).merge(), instead of one per row.`,
			ShapeUpdate:       `Knex: update the {table} rows in one statement, knex("{table}").whereIn("{key}", keys).update(values), when they get the same values; when each gets its own, one knex("{table}").insert(rows).onConflict([{unique}]).merge().`,
			ShapeDelete:       `Knex: delete the {table} rows in one statement, knex("{table}").whereIn("{key}", keys).del().`,
			ShapeOther:        `Knex: fetch the {table} rows of all items in one query before the loop, knex("{table}").whereIn("{key}", keys), instead of one query per item.`,
		},
		"Hibernate": {
			ShapeSpreadOut:    `Hibernate: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (a @RequestScope bean), or find it by id in the open persistence context, which answers without a query; if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `Hibernate: fetch the association with the query ("join fetch e.<association to {table}>" in JPQL, or @EntityGraph(attributePaths = "<association to {table}>") on the Spring Data repository method), or set hibernate.default_batch_fetch_size so the association loads by IN-list. An EAGER mapping (@ManyToOne's default) is loaded by a select per row as well, by the query itself.`,
			ShapeByForeignKey: `Hibernate: fetch the {table} collection with the query ("join fetch e.<association to {table}>", or an @EntityGraph on the repository method), or annotate it @BatchSize(size = 50) (or set hibernate.default_batch_fetch_size) so the collection loads by IN-list, whether it is mapped LAZY or EAGER.`,
			ShapeCount:        `Hibernate: count for all entities in one query grouped by {key} (a JPQL or Spring Data @Query with group by and an in :keys condition), instead of one count query per entity.`,
			ShapeAggregate:    `Hibernate: compute the {agg} for all entities in one query grouped by {key} ({aggAPI}, with group by and an in :keys condition), instead of one query per entity.`,
			ShapeInsert:       `Hibernate: batch the inserts into {table} with hibernate.jdbc.batch_size and hibernate.order_inserts (Spring Data saveAll in one transaction), and SEQUENCE ids: IDENTITY ids disable JDBC batching.`,
			ShapeUpsert:       `Hibernate: read the existing {table} rows once (where {key} in :keys), then save the new and changed ones in one batch (hibernate.jdbc.batch_size, Spring Data saveAll in one transaction), instead of a lookup and a write per row.`,
			ShapeUpdate:       `Hibernate: update the {table} rows in one bulk JPQL update (where ... in :keys), or batch the updates (hibernate.jdbc.batch_size, hibernate.order_updates) instead of one flush per row.`,
			ShapeDelete:       `Hibernate: delete the {table} rows in one bulk JPQL delete (where ... in :keys) instead of one delete per entity.`,
			ShapeOther:        `Hibernate: fetch the {table} rows of all items in one query before the loop (where ... in :keys on {key}), instead of one query per entity.`,
		},
		"ActiveRecord": {
			ShapeSpreadOut:    `ActiveRecord: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (Current attributes, a memoized method); if the keys differ, read them together in one query ({qkey} IN (...)). If it is an association of records listed before it, load it with each list instead: includes(:<association to {table}>) on the relations (the same row is read again per record).`,
			ShapeByKey:        `ActiveRecord: preload the association with includes(:<association to {table}>) on the relation the loop iterates; strict_loading catches the next one.`,
			ShapeByForeignKey: `ActiveRecord: preload the {table} rows with includes(:<association to {table}>) on the relation the loop iterates, instead of one query per row.`,
			ShapeCount:        `ActiveRecord: count in one query with {model}.where({key}: keys).group(:{key}).count, or a counter_cache on the association.`,
			ShapeAggregate:    `ActiveRecord: compute the {agg} in one query with {model}.where({key}: keys).group(:{key}).{aggAPI}.`,
			ShapeInsert:       `ActiveRecord: insert the {table} rows in one statement with {model}.insert_all(rows) instead of create per row.`,
			ShapeUpsert:       `ActiveRecord: upsert the {table} rows in one statement with {model}.upsert_all(rows, unique_by: [{unique}]) instead of one per row.`,
			ShapeUpdate:       `ActiveRecord: update the {table} rows in one statement with {model}.where({key}: keys).update_all(...), or upsert_all when each row gets its own values.`,
			ShapeDelete:       `ActiveRecord: delete the {table} rows in one statement with {model}.where({key}: keys).delete_all.`,
			ShapeOther:        `ActiveRecord: fetch the {table} rows of all items in one query before the loop, {model}.where({key}: keys), instead of one query per item.`,
		},
		"EF Core": {
			ShapeSpreadOut:    `EF Core: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (a scoped service), or Find() it by key in the context, which answers from the tracked entities; if the keys differ, read them together in one query ({qkey} IN (...)). If it is a navigation of entities listed before it, load it with each list instead: .Include(x => x.<navigation to {table}>) on the queries.`,
			ShapeByKey:        `EF Core: load the navigation with the query the loop iterates, .Include(x => x.<navigation to {table}>) (one JOIN), or project what the loop reads with .Select(...); with lazy-loading proxies every navigation read is a query.`,
			ShapeByForeignKey: `EF Core: load the {table} collection with the query the loop iterates, .Include(x => x.<navigation to {table}>).AsSplitQuery(), or read it in a .Select(...) projection, instead of a lazy load per parent.`,
			ShapeCount:        `EF Core: count in the same query with a projection, .Select(x => new { x, Count = x.<navigation to {table}>.Count() }), or one GroupBy on {key}, instead of CountAsync per row.`,
			ShapeAggregate:    `EF Core: compute the {agg} in the same query with a projection, .Select(x => new { x, N = x.<navigation to {table}>.{aggAPI} }), or one GroupBy on {key}, instead of one query per row.`,
			ShapeInsert:       `EF Core: add the {table} rows and save once, AddRange(rows) then one SaveChangesAsync() (EF batches them), instead of SaveChangesAsync per row.`,
			ShapeUpsert:       `EF Core: read the existing {table} rows once (keys.Contains(...) in a Where), add the new ones with AddRange, change the others, and call SaveChangesAsync once (EF batches the statements), instead of saving per row.`,
			ShapeUpdate:       `EF Core: update the {table} rows in one statement, .Where(x => keys.Contains(x.<property of {key}>)).ExecuteUpdateAsync(s => s.SetProperty(...)) (EF Core 7+), or change the tracked entities and call SaveChangesAsync once.`,
			ShapeDelete:       `EF Core: delete the {table} rows in one statement, .Where(x => keys.Contains(x.<property of {key}>)).ExecuteDeleteAsync() (EF Core 7+).`,
			ShapeOther:        `EF Core: fetch the {table} rows of all items in one query before the loop, .Where(x => keys.Contains(x.<property of {key}>)), instead of one query per item.`,
		},
		"Eloquent": {
			ShapeSpreadOut:    `Eloquent: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (Auth::user() keeps the user, once() memoizes a call); if the keys differ, read them together in one query ({qkey} IN (...)). If it is a relation of models listed before it, load it with each list instead: ->with('<relation to {table}>') on the queries (the same row is read again per model).`,
			ShapeByKey:        `Eloquent: eager-load the relation with ->with('<relation to {table}>') on the query the loop iterates (one IN query), instead of a lazy load per row; Model::preventLazyLoading() catches the next one.`,
			ShapeByForeignKey: `Eloquent: eager-load the {table} rows with ->with('<relation to {table}>') on the query the loop iterates (or ->load(...) on the collection): one IN query instead of a lazy load per row.`,
			ShapeCount:        `Eloquent: count in the same query with ->withCount('<relation to {table}>') instead of ->count() per row.`,
			ShapeAggregate:    `Eloquent: compute the {agg} in the same query with ->{aggAPI} instead of one query per row.`,
			ShapeInsert:       `Eloquent: insert the {table} rows in one statement, DB::table('{table}')->insert($rows) (it sets no timestamps), instead of create per row.`,
			ShapeUpsert:       `Eloquent: upsert the {table} rows in one statement, DB::table('{table}')->upsert($rows, [{unique}], [<columns to update>]), instead of one per row.`,
			ShapeUpdate:       `Eloquent: update the {table} rows in one statement, DB::table('{table}')->whereIn('{key}', $keys)->update([...]), when they get the same values; when each gets its own, one DB::table('{table}')->upsert($rows, [{unique}], [<columns to update>]).`,
			ShapeDelete:       `Eloquent: delete the {table} rows in one statement, DB::table('{table}')->whereIn('{key}', $keys)->delete().`,
			ShapeOther:        `Eloquent: fetch the {table} rows of all items in one query before the loop, DB::table('{table}')->whereIn('{key}', $keys), instead of one query per item.`,
		},
		"Ecto": {
			ShapeSpreadOut:    `Ecto: the same query on {table} runs again at several places of one request, with other work between: not one loop. If it reads the same row each time (the current user, a setting), read it once per request and pass it on (an assign of the conn); if the keys differ, read them together in one query ({qkey} IN (...)).`,
			ShapeByKey:        `Ecto: preload the association with the query the loop iterates, preload: [:<association to {table}>], or Repo.preload(list, :<association to {table}>) once, instead of Repo.get per row.`,
			ShapeByForeignKey: `Ecto: preload the {table} rows of all items at once, Repo.preload(parents, :<association to {table}>) or preload: [...] in the query (one = ANY($1) query), instead of a query per parent.`,
			ShapeCount:        `Ecto: count in one query, from(x in "{keytable}", where: x.{key} in ^keys, group_by: x.{key}, select: {x.{key}, count()}), instead of Repo.aggregate per row.`,
			ShapeAggregate:    `Ecto: compute the {agg} in one query, from(x in "{keytable}", where: x.{key} in ^keys, group_by: x.{key}, select: {x.{key}, {aggAPI}}), instead of Repo.aggregate per row.`,
			ShapeInsert:       `Ecto: insert the {table} rows in one statement with Repo.insert_all(<schema of {table}>, rows) (timestamps are yours to set) instead of Repo.insert per row.`,
			ShapeUpsert:       `Ecto: upsert the {table} rows in one statement with Repo.insert_all(<schema of {table}>, rows, on_conflict: {:replace, [<columns>]}, conflict_target: [{unique}]) instead of one per row.`,
			ShapeUpdate:       `Ecto: update the {table} rows in one statement with Repo.update_all(from(x in "{table}", where: x.{key} in ^keys), set: [...]) when they get the same values; when each gets its own, one Repo.insert_all(<schema of {table}>, rows, on_conflict: {:replace, [<columns>]}, conflict_target: [{unique}]).`,
			ShapeDelete:       `Ecto: delete the {table} rows in one statement with Repo.delete_all(from(x in "{table}", where: x.{key} in ^keys)).`,
			ShapeOther:        `Ecto: fetch the {table} rows of all items in one query before the loop, from(x in "{table}", where: x.{key} in ^keys), instead of one query per item.`,
		},
	}
	// A query with nothing to look up by is the same for every item: no ORM
	// batches it, it runs once.
	for orm, byShape := range fixes[detect.TypeNPlusOne] {
		prefix := ""
		if orm != "" {
			prefix = orm + ": the"
		} else {
			prefix = "The"
		}
		byShape[ShapeUnkeyed] = prefix + ` same query on {table} runs for every item: run it once before the loop and reuse its result.`
	}
}

// Repeats spread out over the request (not one loop) are worded as such,
// unless they write; otherwise the statement's own shape.
func init() {
	shapeHooks[detect.TypeNPlusOne] = func(r Request, subject *sqlnorm.Statement) Shape {
		shape, k := describe(subject)
		if r.Reason == detect.ReasonSpreadOut && !shape.IsWrite() {
			return ShapeSpreadOut
		}
		if shape == ShapeByForeignKey && isParentColumn(k.column) {
			return ShapeTree
		}
		return shape
	}
	// A tree read a node at a time is the same in every ORM: its children
	// may be no association it maps (a self-reference left out of the
	// model), so the fix names none.
	const tree = `the loop reads {table} one node of its tree at a time, by {key}: load the rows once (the whole table, or the subtree with a recursive CTE, WITH RECURSIVE) and group them by {key} in memory, or read one whole level per query ({qkey} IN (...)), instead of one query per node.`
	for orm, byShape := range fixes[detect.TypeNPlusOne] {
		if orm == "" {
			byShape[ShapeTree] = "The" + strings.TrimPrefix(tree, "the")
			continue
		}
		byShape[ShapeTree] = orm + ": " + tree
	}
}
