package suggest

import "github.com/querylens/querylens/internal/detect"

// The fix of an over_fetch, in the words of each ORM: of whole rows read
// (ShapeOther), of too many rows returned (ShapeManyRows). "" is the
// generic fix, for a service whose ORM is not recognised.
func init() {
	fixes[detect.TypeOverFetch] = Wording{
		"": {
			ShapeOther:    `List the columns the code reads instead of SELECT * (your ORM's projection: only, select, attributes).`,
			ShapeManyRows: `The query returns more rows than a request can use: paginate by key, filter or aggregate in the database, or stream an export.`,
		},
		"Django": {
			ShapeOther:    `Django: fetch only the columns the code reads, .only("id", "title") or .values("id", "title") on the queryset (or list them in raw SQL).`,
			ShapeManyRows: `Django: return only what the request shows: paginate by key, filter or aggregate in the database, or .iterator() for an export.`,
		},
		"SQLAlchemy": {
			ShapeOther:    `SQLAlchemy: select the columns the code reads, select({Model}.id, {Model}.title), or .options(load_only({Model}.id, {Model}.title)).`,
			ShapeManyRows: `SQLAlchemy: return only what the request shows: paginate by key, filter or aggregate in the database, or .yield_per(1000) for an export.`,
		},
		"GORM": {
			ShapeOther:    `GORM: select the columns the code reads, db.Select("id", "title").Find(&rows), or Find into a smaller struct whose fields GORM selects.`,
			ShapeManyRows: `GORM: return only what the request shows: paginate by key, filter or aggregate in the database, or FindInBatches for an export.`,
		},
		"TypeORM": {
			ShapeOther:    `TypeORM: select only the columns the code reads, find({ select: { id: true, title: true } }) or createQueryBuilder("x").select(["x.id", "x.title"]).`,
			ShapeManyRows: `TypeORM: return only what the request shows: take and where in the query, page by key, or .stream() an export from a query builder.`,
		},
		"Prisma": {
			ShapeOther:    `Prisma: select only the fields the code reads, select: { id: true, title: true }, instead of whole rows.`,
			ShapeManyRows: `Prisma: return only what the request shows: take and where in the query, cursor pagination, or read an export in batches (take + cursor).`,
		},
		"Sequelize": {
			ShapeOther:    `Sequelize: list the columns the code reads, attributes: ["id", "title"] in the find.`,
			ShapeManyRows: `Sequelize: return only what the request shows: limit and where in the database, page by key, or read an export in batches.`,
		},
		"Knex": {
			ShapeOther:    `Knex: list the columns the code reads, knex("{table}").select("id", "title") instead of select("*").`,
			ShapeManyRows: `Knex: return only what the request shows: .limit() and .where() in the database, page by key, or .stream() an export.`,
		},
		"Hibernate": {
			ShapeOther:    `Hibernate: select a DTO projection ("select new BookSummary(b.id, b.title) from {Model} b", or a Spring Data interface or record projection as the repository method's return type) instead of whole entities.`,
			ShapeManyRows: `Hibernate: return only what the request shows: setMaxResults and filters in the query, page by key, or a Stream / ScrollableResults for an export.`,
		},
		"ActiveRecord": {
			ShapeOther:    `ActiveRecord: read only the columns the code uses, select(:id, :title), or pluck(:id, :title) when you need no model.`,
			ShapeManyRows: `ActiveRecord: return only what the request shows: paginate by key, filter or aggregate in the database, or find_each / in_batches for an export.`,
		},
		"EF Core": {
			ShapeOther:    `EF Core: project the columns the code reads, .Select(x => new { x.Id, x.Title }), with .AsNoTracking() for read-only lists, instead of materializing whole entities.`,
			ShapeManyRows: `EF Core: return only what the request shows: Where and Take in the query, page by key, or .AsNoTracking().AsAsyncEnumerable() to stream an export.`,
		},
		"Eloquent": {
			ShapeOther:    `Eloquent: select only the columns the code reads, ->select('id', 'title') (or ->pluck('title', 'id')), instead of select *.`,
			ShapeManyRows: `Eloquent: return only what the request shows: ->cursorPaginate() or ->simplePaginate(), filters in the query, or ->lazyById() / ->chunkById() for an export.`,
		},
		"Ecto": {
			ShapeOther:    `Ecto: select only the fields the code reads, select: [:id, :title] (or select: map(x, [:id, :title])), instead of the whole schema.`,
			ShapeManyRows: `Ecto: return only what the request shows: limit and where in the query, page by key, or Repo.stream inside a transaction for an export.`,
		},
	}
}
