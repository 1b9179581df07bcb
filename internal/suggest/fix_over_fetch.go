package suggest

import "github.com/querylens/querylens/internal/detect"

// The fix of an over_fetch, in the words of each ORM: of whole rows read
// (ShapeOther), of too many rows returned (ShapeManyRows), of rows read
// beside their own count (ShapeCountedRows). "" is the generic fix, for a service whose ORM is not recognised. The trace shows
// the table, not which columns the code reads: those are the user's to list.
func init() {
	fixes[detect.TypeOverFetch] = Wording{
		"": {
			ShapeOther:       `List the columns of {table} the code reads instead of SELECT * (your ORM's projection: only, select, attributes).`,
			ShapeManyRows:    `The query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or stream an export. To count them, count in the database (SELECT COUNT(*)) instead of reading them.`,
			ShapeCountedRows: `The {table} rows are read beside a COUNT(*) of the same rows: if only the total is used, drop this query and keep the count; if the rows are used, their number is the total, so drop the COUNT.`,
		},
		"Django": {
			ShapeOther:       `Django: fetch only the columns of {table} the code reads, .only(<fields the code reads>) or .values(...) on the queryset.`,
			ShapeManyRows:    `Django: the query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or .iterator() for an export. To count them, count in the database (.count()) instead of reading them.`,
			ShapeCountedRows: `Django: the rows are read beside a .count() of the same queryset: .count() alone when only the total is used, len() of the evaluated queryset when the rows are.`,
		},
		"SQLAlchemy": {
			ShapeOther:       `SQLAlchemy: select only the columns of {table} the code reads, .options(load_only(<columns the code reads>)) or select(<those columns>).`,
			ShapeManyRows:    `SQLAlchemy: the query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or .yield_per(1000) for an export. To count them, count in the database (func.count()) instead of reading them.`,
			ShapeCountedRows: `SQLAlchemy: the rows are read beside a count of the same query: select(func.count()).select_from(...) alone when only the total is used, len(rows) when the rows are.`,
		},
		"GORM": {
			ShapeOther:       `GORM: select only the columns of {table} the code reads, db.Select(<columns the code reads>), or Find into a smaller struct whose fields GORM selects.`,
			ShapeManyRows:    `GORM: the query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or FindInBatches for an export. To count them, count in the database (Count(&n)) instead of reading them.`,
			ShapeCountedRows: `GORM: Find reads every row beside a Count of the same rows: Count alone when only the total is used, len(rows) when the rows are.`,
		},
		"bun": {
			ShapeOther:       `bun: select only the columns of {table} the code reads, .Column(<columns the code reads>), or scan into a smaller struct.`,
			ShapeManyRows:    `bun: the query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or read an export in batches. To count them, count in the database (.Count(ctx)) instead of reading them.`,
			ShapeCountedRows: `bun: the rows are read beside a count(*) of the same rows (ScanAndCount): .Count(ctx) alone when only the total is used, len(rows) when the rows are.`,
		},
		"TypeORM": {
			ShapeOther:       `TypeORM: select only the columns of {table} the code reads, select: [<columns the code reads>] in the find, or .select(...) in a query builder.`,
			ShapeManyRows:    `TypeORM: the query on {table} returns more rows than a request can use: take and where in the query, page by key, or .stream() an export from a query builder. To count them, count in the database (count()) instead of reading them.`,
			ShapeCountedRows: `TypeORM: findAndCount() without take reads every row and counts them too: count({ where }) when only the total is used, find() and rows.length when the rows are.`,
		},
		"Prisma": {
			ShapeOther:       `Prisma: select only the fields of {table} the code reads, select: { <field>: true, ... }, instead of whole rows.`,
			ShapeManyRows:    `Prisma: the query on {table} returns more rows than a request can use: take and where in the query, cursor pagination, or read an export in batches (take + cursor). To count them, count in the database (count()) instead of reading them.`,
			ShapeCountedRows: `Prisma: the rows are read beside a count of the same filter: count({ where }) alone when only the total is used, rows.length when the rows are.`,
		},
		"Sequelize": {
			ShapeOther:       `Sequelize: list the columns of {table} the code reads, attributes: [<columns the code reads>] in the find.`,
			ShapeManyRows:    `Sequelize: the query on {table} returns more rows than a request can use: limit and where in the database, page by key, or read an export in batches. To count them, count in the database (count()) instead of reading them.`,
			ShapeCountedRows: `Sequelize: findAndCountAll() without a limit reads every row and counts them too: {model}.count({ where }) when only the total is used, findAll() and rows.length when the rows are.`,
		},
		"Drizzle": {
			ShapeOther:       `Drizzle: list the columns of {table} the code reads, db.select({ <columns the code reads> }).from({table}) (columns: { ... } in a db.query findMany), instead of db.select() of every column.`,
			ShapeManyRows:    `Drizzle: the query on {table} returns more rows than a request can use: .limit() and .where() in the database, page by key, or iterate in batches for an export. To count them, count in the database (db.$count({table}, where)) instead of reading them.`,
			ShapeCountedRows: `Drizzle: the rows are read beside a count(*) of the same filter: db.$count(...) alone when only the total is used, rows.length when the rows are.`,
		},
		"Knex": {
			ShapeOther:       `Knex: list the columns of {table} the code reads, knex("{table}").select(<columns the code reads>), instead of select("*").`,
			ShapeManyRows:    `Knex: the query on {table} returns more rows than a request can use: .limit() and .where() in the database, page by key, or .stream() an export. To count them, count in the database (.count()) instead of reading them.`,
			ShapeCountedRows: `Knex: the rows are read beside a count(*) of the same filter: .count() alone when only the total is used, rows.length when the rows are.`,
		},
		"Hibernate": {
			ShapeOther:       `Hibernate: select a DTO projection of the columns of {table} the code reads ("select new ...(e.<attribute>, ...)", or a Spring Data interface or record projection as the repository method's return type) instead of whole entities.`,
			ShapeManyRows:    `Hibernate: the query on {table} returns more rows than a request can use: setMaxResults and filters in the query, page by key, or a Stream / ScrollableResults for an export. To count them, count in the database (select count(e)) instead of reading them.`,
			ShapeCountedRows: `Hibernate: the rows are read beside a count query of the same filter: the count query alone when only the total is used, list.size() when the rows are.`,
		},
		"ActiveRecord": {
			ShapeOther:       `ActiveRecord: read only the columns of {table} the code uses, select(<columns the code reads>), or pluck(...) when you need no model.`,
			ShapeManyRows:    `ActiveRecord: the query on {table} returns more rows than a request can use: page by key, filter or aggregate in the database, or find_each / in_batches for an export. To count them, count in the database (.count) instead of reading them.`,
			ShapeCountedRows: `ActiveRecord: the rows are loaded beside a COUNT of the same relation: .count alone when only the total is used, .size on the loaded relation when the rows are.`,
		},
		"EF Core": {
			ShapeOther:       `EF Core: project the columns of {table} the code reads, .Select(x => new { <properties the code reads> }), with .AsNoTracking() for read-only lists, instead of materializing whole entities.`,
			ShapeManyRows:    `EF Core: the query on {table} returns more rows than a request can use: Where and Take in the query, page by key, or .AsNoTracking().AsAsyncEnumerable() to stream an export. To count them, count in the database (CountAsync()) instead of reading them.`,
			ShapeCountedRows: `EF Core: the rows are read beside a Count of the same query: CountAsync() alone when only the total is used, list.Count when the rows are.`,
		},
		"Eloquent": {
			ShapeOther:       `Eloquent: select only the columns of {table} the code reads, ->select(<columns the code reads>) (or ->pluck(...)), instead of select *.`,
			ShapeManyRows:    `Eloquent: the query on {table} returns more rows than a request can use: ->cursorPaginate() or ->simplePaginate(), filters in the query, or ->lazyById() / ->chunkById() for an export. To count them, count in the database (->count()) instead of reading them.`,
			ShapeCountedRows: `Eloquent: the rows are read beside a count of the same query: ->count() alone when only the total is used, $rows->count() on the collection when the rows are.`,
		},
		"Ecto": {
			ShapeOther:       `Ecto: select only the fields of {table} the code reads, select: [<fields the code reads>] (or select: map(x, [...])), instead of the whole schema.`,
			ShapeManyRows:    `Ecto: the query on {table} returns more rows than a request can use: limit and where in the query, page by key, or Repo.stream inside a transaction for an export. To count them, count in the database (Repo.aggregate(query, :count)) instead of reading them.`,
			ShapeCountedRows: `Ecto: the rows are read beside a count of the same query: Repo.aggregate(query, :count) alone when only the total is used, length(rows) when the rows are.`,
		},
	}
}

// Rows read in vain are worded by the evidence: a recorded row count, or
// every row read beside its own count.
func init() {
	shapeHooks[detect.TypeOverFetch] = shapeByReason(map[string]Shape{
		detect.ReasonReturnedRows: ShapeManyRows,
		detect.ReasonCountedRows:  ShapeCountedRows,
	})
}
