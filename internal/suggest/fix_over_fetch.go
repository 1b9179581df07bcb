package suggest

import "github.com/querylens/querylens/internal/detect"

// The fix of an over_fetch, in the words of each ORM: of whole rows read
// (ShapeOther), of too many rows returned (ShapeManyRows). "" is the
// generic fix, for a service whose ORM is not recognised. The trace shows
// the table, not which columns the code reads: those are the user's to list.
func init() {
	fixes[detect.TypeOverFetch] = Wording{
		"": {
			ShapeOther:    `List the columns of {table} the code reads instead of SELECT * (your ORM's projection: only, select, attributes).`,
			ShapeManyRows: `The query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or stream an export. To count them, count in the database (SELECT COUNT(*)) instead of reading them.`,
		},
		"Django": {
			ShapeOther:    `Django: fetch only the columns of {table} the code reads, .only(<fields the code reads>) or .values(...) on the queryset.`,
			ShapeManyRows: `Django: the query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or .iterator() for an export. To count them, count in the database (.count()) instead of reading them.`,
		},
		"SQLAlchemy": {
			ShapeOther:    `SQLAlchemy: select only the columns of {table} the code reads, .options(load_only(<columns the code reads>)) or select(<those columns>).`,
			ShapeManyRows: `SQLAlchemy: the query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or .yield_per(1000) for an export. To count them, count in the database (func.count()) instead of reading them.`,
		},
		"GORM": {
			ShapeOther:    `GORM: select only the columns of {table} the code reads, db.Select(<columns the code reads>), or Find into a smaller struct whose fields GORM selects.`,
			ShapeManyRows: `GORM: the query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or FindInBatches for an export. To count them, count in the database (Count(&n)) instead of reading them.`,
		},
		"TypeORM": {
			ShapeOther:    `TypeORM: select only the columns of {table} the code reads, select: [<columns the code reads>] in the find, or .select(...) in a query builder.`,
			ShapeManyRows: `TypeORM: the query on {table} returns more rows than a request can use: take and where in the query, page by key, or .stream() an export from a query builder. To count them, count in the database (count()) instead of reading them.`,
		},
		"Prisma": {
			ShapeOther:    `Prisma: select only the fields of {table} the code reads, select: { <field>: true, ... }, instead of whole rows.`,
			ShapeManyRows: `Prisma: the query on {table} returns more rows than a request can use: take and where in the query, cursor pagination, or read an export in batches (take + cursor). To count them, count in the database (count()) instead of reading them.`,
		},
		"Sequelize": {
			ShapeOther:    `Sequelize: list the columns of {table} the code reads, attributes: [<columns the code reads>] in the find.`,
			ShapeManyRows: `Sequelize: the query on {table} returns more rows than a request can use: limit and where in the database, page by key, or read an export in batches. To count them, count in the database (count()) instead of reading them.`,
		},
		"Knex": {
			ShapeOther:    `Knex: list the columns of {table} the code reads, knex("{table}").select(<columns the code reads>), instead of select("*").`,
			ShapeManyRows: `Knex: the query on {table} returns more rows than a request can use: .limit() and .where() in the database, page by key, or .stream() an export. To count them, count in the database (.count()) instead of reading them.`,
		},
		"Hibernate": {
			ShapeOther:    `Hibernate: select a DTO projection of the columns of {table} the code reads ("select new ...(e.<attribute>, ...)", or a Spring Data interface or record projection as the repository method's return type) instead of whole entities.`,
			ShapeManyRows: `Hibernate: the query on {table} returns more rows than a request can use: setMaxResults and filters in the query, page by key, or a Stream / ScrollableResults for an export. To count them, count in the database (select count(e)) instead of reading them.`,
		},
		"ActiveRecord": {
			ShapeOther:    `ActiveRecord: read only the columns of {table} the code uses, select(<columns the code reads>), or pluck(...) when you need no model.`,
			ShapeManyRows: `ActiveRecord: the query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or find_each / in_batches for an export. To count them, count in the database (.count) instead of reading them.`,
		},
		"EF Core": {
			ShapeOther:    `EF Core: project the columns of {table} the code reads, .Select(x => new { <properties the code reads> }), with .AsNoTracking() for read-only lists, instead of materializing whole entities.`,
			ShapeManyRows: `EF Core: the query on {table} returns more rows than a request can use: Where and Take in the query, page by key, or .AsNoTracking().AsAsyncEnumerable() to stream an export. To count them, count in the database (CountAsync()) instead of reading them.`,
		},
		"Eloquent": {
			ShapeOther:    `Eloquent: select only the columns of {table} the code reads, ->select(<columns the code reads>) (or ->pluck(...)), instead of select *.`,
			ShapeManyRows: `Eloquent: the query on {table} returns more rows than a request can use: ->cursorPaginate() or ->simplePaginate(), filters in the query, or ->lazyById() / ->chunkById() for an export. To count them, count in the database (->count()) instead of reading them.`,
		},
		"Ecto": {
			ShapeOther:    `Ecto: select only the fields of {table} the code reads, select: [<fields the code reads>] (or select: map(x, [...])), instead of the whole schema.`,
			ShapeManyRows: `Ecto: the query on {table} returns more rows than a request can use: limit and where in the query, page by key, or Repo.stream inside a transaction for an export. To count them, count in the database (Repo.aggregate(query, :count)) instead of reading them.`,
		},
	}
}
