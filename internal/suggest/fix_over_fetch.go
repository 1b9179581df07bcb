package suggest

import "github.com/querylens/querylens/internal/detect"

// The fix of an over_fetch, in the words of each ORM: of whole rows read
// (ShapeOther), of too many rows returned (ShapeManyRows), of rows read
// beside their own count (ShapeCountedRows). "" is the
// generic fix, for a service whose ORM is not recognised.
func init() {
	fixes[detect.TypeOverFetch] = Wording{
		"": {
			ShapeOther:       `List the columns the code reads instead of SELECT * (your ORM's projection: only, select, attributes).`,
			ShapeManyRows:    `The query returns more rows than a request can use: paginate by key, filter or aggregate in the database, or stream an export.`,
			ShapeCountedRows: `The rows are read beside a COUNT(*) of the same rows: if only the total is used, drop this query and keep the count; if the rows are used, their number is the total, so drop the COUNT.`,
		},
		"Django": {
			ShapeOther:       `Django: fetch only the columns the code reads, .only("id", "title") or .values("id", "title") on the queryset (or list them in raw SQL).`,
			ShapeManyRows:    `Django: return only what the request shows: paginate by key, filter or aggregate in the database, or .iterator() for an export.`,
			ShapeCountedRows: `Django: the rows are read beside a .count() of the same queryset: .count() alone when only the total is used, len() of the evaluated queryset when the rows are.`,
		},
		"SQLAlchemy": {
			ShapeOther:       `SQLAlchemy: select the columns the code reads, select({Model}.id, {Model}.title), or .options(load_only({Model}.id, {Model}.title)).`,
			ShapeManyRows:    `SQLAlchemy: return only what the request shows: paginate by key, filter or aggregate in the database, or .yield_per(1000) for an export.`,
			ShapeCountedRows: `SQLAlchemy: the rows are read beside a count of the same query: select(func.count()).select_from(...) alone when only the total is used, len(rows) when the rows are.`,
		},
		"GORM": {
			ShapeOther:       `GORM: select the columns the code reads, db.Select("id", "title").Find(&rows), or Find into a smaller struct whose fields GORM selects.`,
			ShapeManyRows:    `GORM: return only what the request shows: paginate by key, filter or aggregate in the database, or FindInBatches for an export.`,
			ShapeCountedRows: `GORM: Find reads every row beside a Count of the same rows: Count alone when only the total is used, len(rows) when the rows are.`,
		},
		"TypeORM": {
			ShapeOther:       `TypeORM: select only the columns the code reads, find({ select: { id: true, title: true } }) or createQueryBuilder("x").select(["x.id", "x.title"]).`,
			ShapeManyRows:    `TypeORM: return only what the request shows: take and where in the query, page by key, or .stream() an export from a query builder.`,
			ShapeCountedRows: `TypeORM: findAndCount() without take reads every row and counts them too: count({ where }) when only the total is used, find() and rows.length when the rows are.`,
		},
		"Prisma": {
			ShapeOther:       `Prisma: select only the fields the code reads, select: { id: true, title: true }, instead of whole rows.`,
			ShapeManyRows:    `Prisma: return only what the request shows: take and where in the query, cursor pagination, or read an export in batches (take + cursor).`,
			ShapeCountedRows: `Prisma: the rows are read beside a count of the same filter: count({ where }) alone when only the total is used, rows.length when the rows are.`,
		},
		"Sequelize": {
			ShapeOther:       `Sequelize: list the columns the code reads, attributes: ["id", "title"] in the find.`,
			ShapeManyRows:    `Sequelize: return only what the request shows: limit and where in the database, page by key, or read an export in batches.`,
			ShapeCountedRows: `Sequelize: findAndCountAll() without a limit reads every row and counts them too: Model.count({ where }) when only the total is used, findAll() and rows.length when the rows are.`,
		},
		"Knex": {
			ShapeOther:       `Knex: list the columns the code reads, knex("{table}").select("id", "title") instead of select("*").`,
			ShapeManyRows:    `Knex: return only what the request shows: .limit() and .where() in the database, page by key, or .stream() an export.`,
			ShapeCountedRows: `Knex: the rows are read beside a count(*) of the same filter: .count() alone when only the total is used, rows.length when the rows are.`,
		},
		"Hibernate": {
			ShapeOther:       `Hibernate: select a DTO projection ("select new BookSummary(b.id, b.title) from {Model} b", or a Spring Data interface or record projection as the repository method's return type) instead of whole entities.`,
			ShapeManyRows:    `Hibernate: return only what the request shows: setMaxResults and filters in the query, page by key, or a Stream / ScrollableResults for an export.`,
			ShapeCountedRows: `Hibernate: the rows are read beside a count query of the same filter: the count query alone when only the total is used, list.size() when the rows are.`,
		},
		"ActiveRecord": {
			ShapeOther:       `ActiveRecord: read only the columns the code uses, select(:id, :title), or pluck(:id, :title) when you need no model.`,
			ShapeManyRows:    `ActiveRecord: return only what the request shows: paginate by key, filter or aggregate in the database, or find_each / in_batches for an export.`,
			ShapeCountedRows: `ActiveRecord: the rows are loaded beside a COUNT of the same relation: .count alone when only the total is used, .size on the loaded relation when the rows are.`,
		},
		"EF Core": {
			ShapeOther:       `EF Core: project the columns the code reads, .Select(x => new { x.Id, x.Title }), with .AsNoTracking() for read-only lists, instead of materializing whole entities.`,
			ShapeManyRows:    `EF Core: return only what the request shows: Where and Take in the query, page by key, or .AsNoTracking().AsAsyncEnumerable() to stream an export.`,
			ShapeCountedRows: `EF Core: the rows are read beside a Count of the same query: CountAsync() alone when only the total is used, list.Count when the rows are.`,
		},
		"Eloquent": {
			ShapeOther:       `Eloquent: select only the columns the code reads, ->select('id', 'title') (or ->pluck('title', 'id')), instead of select *.`,
			ShapeManyRows:    `Eloquent: return only what the request shows: ->cursorPaginate() or ->simplePaginate(), filters in the query, or ->lazyById() / ->chunkById() for an export.`,
			ShapeCountedRows: `Eloquent: the rows are read beside a count of the same query: ->count() alone when only the total is used, $rows->count() on the collection when the rows are.`,
		},
		"Ecto": {
			ShapeOther:       `Ecto: select only the fields the code reads, select: [:id, :title] (or select: map(x, [:id, :title])), instead of the whole schema.`,
			ShapeManyRows:    `Ecto: return only what the request shows: limit and where in the query, page by key, or Repo.stream inside a transaction for an export.`,
			ShapeCountedRows: `Ecto: the rows are read beside a count of the same query: Repo.aggregate(query, :count) alone when only the total is used, length(rows) when the rows are.`,
		},
	}
}
