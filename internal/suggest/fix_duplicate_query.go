package suggest

import "github.com/querylens/querylens/internal/detect"

// The fix of a duplicate_query, in the words of each ORM; "" is the generic
// fix, for a service whose ORM is not recognised.
func init() {
	fixes[detect.TypeDuplicateQuery] = Wording{
		"":             {ShapeOther: `The same query runs again with the same values: run it once before the loop and reuse the result, or cache it for the request.`},
		"Django":       {ShapeOther: `Django: the same query runs again with the same values: run it once before the loop and reuse the result (cache it on the request or with @cached_property).`},
		"SQLAlchemy":   {ShapeOther: `SQLAlchemy: the same query runs again with the same values: run it once and reuse the result (session.get(Model, pk) answers from the identity map without a query).`},
		"GORM":         {ShapeOther: `GORM: the same query runs again with the same values: run it once before the loop and pass the result down (or cache it for the request).`},
		"TypeORM":      {ShapeOther: `TypeORM: the same query runs again with the same values: run it once before the loop and reuse the result (or cache: true on the find for reference data).`},
		"Prisma":       {ShapeOther: `Prisma: the same query runs again with the same values: run it once before the loop and reuse the result (or cache it for the request).`},
		"Sequelize":    {ShapeOther: `Sequelize: the same query runs again with the same values: run the findOne once before the loop and reuse it (or memoize it for the request).`},
		"Knex":         {ShapeOther: `Knex: the same query runs again with the same values: run it once before the loop and reuse the rows.`},
		"Hibernate":    {ShapeOther: `Hibernate: the same query runs again with the same values: load it once per request and reuse it, or cache reference data (query cache / second-level cache).`},
		"ActiveRecord": {ShapeOther: `ActiveRecord: the same query runs again with the same values: load it once and memoize it (@x ||= ...), or Rails.cache for reference data.`},
		"EF Core":      {ShapeOther: `EF Core: the same query runs again with the same values: run it once before the loop and reuse the result (IMemoryCache for reference data); FindAsync answers tracked entities without a query.`},
		"Eloquent":     {ShapeOther: `Eloquent: the same query runs again with the same values: run it once before the loop and reuse the result, or Cache::remember / once() for reference data.`},
		"Ecto":         {ShapeOther: `Ecto: the same query runs again with the same values: run it once before the loop and pass the result down (or cache it for the request).`},
	}
}
