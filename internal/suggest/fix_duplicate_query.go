package suggest

import (
	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// The fix of a duplicate_query, in the words of each ORM; "" is the generic
// fix, for a service whose ORM is not recognised. A repeated read is run once
// and reused; a repeated write (ShapeWrite) is said to be repeated: caching
// is no answer to a write.
func init() {
	fixes[detect.TypeDuplicateQuery] = Wording{
		"": {
			ShapeOther: `The same query on {table} runs again with the same values in one request: run it once and reuse the result, or keep it for the request.`,
			ShapeWrite: `The same write to {table} runs again with the same values in one request: the second one changes nothing; find the code path that writes it twice (a save that writes its associations again, a retried call) and write once.`,
		},
		"Django": {
			ShapeOther: `Django: the same query on {table} runs again with the same values in one request: run it once and reuse the result (keep it on the request, or @cached_property).`,
			ShapeWrite: `Django: the same write to {table} runs again with the same values in one request: find the second save() / create() of the same rows and write once (save(update_fields=[...]) writes only what changed).`,
		},
		"SQLAlchemy": {
			ShapeOther: `SQLAlchemy: the same query on {table} runs again with the same values in one request: run it once and reuse the result (session.get(<Model>, pk) answers from the identity map without a query).`,
			ShapeWrite: `SQLAlchemy: the same write to {table} runs again with the same values in one request: find the second execute or flush of the same rows and write once.`,
		},
		"GORM": {
			ShapeOther: `GORM: the same query on {table} runs again with the same values in one request: run it once and pass the result down.`,
			ShapeWrite: `GORM: the same write to {table} runs again with the same values in one request: find the second write of the same rows and drop it (Save and Create also write the loaded associations: db.Omit(clause.Associations) skips them).`,
		},
		"bun": {
			ShapeOther: `bun: the same query on {table} runs again with the same values in one request: run it once and pass the result down.`,
			ShapeWrite: `bun: the same write to {table} runs again with the same values in one request: find the second write of the same rows and drop it.`,
		},
		"TypeORM": {
			ShapeOther: `TypeORM: the same query on {table} runs again with the same values in one request: run it once and reuse the result.`,
			ShapeWrite: `TypeORM: the same write to {table} runs again with the same values in one request: find the second save of the same rows (cascades save relations again) and write once.`,
		},
		"Prisma": {
			ShapeOther: `Prisma: the same query on {table} runs again with the same values in one request: run it once and reuse the result.`,
			ShapeWrite: `Prisma: the same write to {table} runs again with the same values in one request: find the second create / update of the same rows and write once.`,
		},
		"Sequelize": {
			ShapeOther: `Sequelize: the same query on {table} runs again with the same values in one request: run it once and reuse the result.`,
			ShapeWrite: `Sequelize: the same write to {table} runs again with the same values in one request: find the second save / set of the same rows and write once.`,
		},
		"Drizzle": {
			ShapeOther: `Drizzle: the same query on {table} runs again with the same values in one request: run it once and reuse the rows.`,
			ShapeWrite: `Drizzle: the same write to {table} runs again with the same values in one request: find the second call and write once.`,
		},
		"Knex": {
			ShapeOther: `Knex: the same query on {table} runs again with the same values in one request: run it once and reuse the rows.`,
			ShapeWrite: `Knex: the same write to {table} runs again with the same values in one request: find the second call and write once.`,
		},
		"Hibernate": {
			ShapeOther: `Hibernate: the same query on {table} runs again with the same values in one request: load it once per request and reuse it (a query the persistence context does not answer runs every time).`,
			ShapeWrite: `Hibernate: the same write to {table} runs again with the same values in one request: find the second flush or merge of the same rows (cascades write associations again) and write once.`,
		},
		"ActiveRecord": {
			ShapeOther: `ActiveRecord: the same query on {table} runs again with the same values in one request: load it once and memoize it (@x ||= ...).`,
			ShapeWrite: `ActiveRecord: the same write to {table} runs again with the same values in one request: find the second save / update of the same rows (autosaved associations write again) and write once.`,
		},
		"EF Core": {
			ShapeOther: `EF Core: the same query on {table} runs again with the same values in one request: run it once and reuse the result; FindAsync answers tracked entities without a query.`,
			ShapeWrite: `EF Core: the same write to {table} runs again with the same values in one request: find the second SaveChanges of the same rows and write once.`,
		},
		"Eloquent": {
			ShapeOther: `Eloquent: the same query on {table} runs again with the same values in one request: run it once and reuse the result (once() keeps it for the request).`,
			ShapeWrite: `Eloquent: the same write to {table} runs again with the same values in one request: find the second save / sync of the same rows and write once.`,
		},
		"Ecto": {
			ShapeOther: `Ecto: the same query on {table} runs again with the same values in one request: run it once and pass the result down.`,
			ShapeWrite: `Ecto: the same write to {table} runs again with the same values in one request: find the second Repo call writing the same rows and write once.`,
		},
	}
}

// A repeated write is said to be repeated, never to be cached.
func init() {
	shapeHooks[detect.TypeDuplicateQuery] = func(_ Request, subject *sqlnorm.Statement) Shape {
		if shape, _ := describe(subject); shape.IsWrite() {
			return ShapeWrite
		}
		return ShapeOther
	}
}
