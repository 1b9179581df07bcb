package suggest

import "github.com/querylens/querylens/internal/detect"

// The fix of an mn_plus_one, in the words of each ORM ("" is the generic
// fix): {eager} stands for the pieces of eager loading (eager) of the
// statements of one iteration.
func init() {
	fixes[detect.TypeMNPlusOne] = Wording{
		"":             {ShapeOther: `One iteration of the loop runs several queries: load each for all items before the loop ({eager}), with your ORM's eager loading.`},
		"Django":       {ShapeOther: `Django: one iteration runs several queries; load them all with the queryset the loop iterates: {eager}.`},
		"SQLAlchemy":   {ShapeOther: `SQLAlchemy: one iteration runs several queries; load them all with the query the loop iterates: .options({eager}).`},
		"GORM":         {ShapeOther: `GORM: one iteration runs several queries; load them all with the rows the loop iterates: db.{eager}.Find(&rows).`},
		"TypeORM":      {ShapeOther: `TypeORM: one iteration runs several queries; load them all with the find the loop iterates: relations: { {eager} }.`},
		"Prisma":       {ShapeOther: `Prisma: one iteration runs several queries; load them all in the findMany the loop iterates: include: { {eager} }.`},
		"Sequelize":    {ShapeOther: `Sequelize: one iteration runs several queries; eager-load them all in the findAll the loop iterates: include: [{eager}].`},
		"Knex":         {ShapeOther: `Knex: one iteration runs several queries; fetch each for all items at once before the loop: {eager}.`},
		"Hibernate":    {ShapeOther: `Hibernate: one iteration runs several queries; fetch them all with the query the loop iterates: {eager}.`},
		"ActiveRecord": {ShapeOther: `ActiveRecord: one iteration runs several queries; preload them all on the relation the loop iterates: includes({eager}).`},
		"EF Core":      {ShapeOther: `EF Core: one iteration runs several queries; load them all with the query the loop iterates: {eager}, with .AsSplitQuery() when several collections are included (cartesian explosion).`},
		"Eloquent":     {ShapeOther: `Eloquent: one iteration runs several queries; eager-load them all with the query the loop iterates: ->with([{eager}]).`},
		"Ecto":         {ShapeOther: `Ecto: one iteration runs several queries; preload them all with the query the loop iterates: preload: [{eager}].`},
	}
}

// eager words, for each ORM, how to load what one statement of a loop
// reads, by its shape: the pieces of an mn_plus_one fix.
var eager = map[string]map[Shape]string{
	"": {
		ShapeByKey:        `{table} WHERE id IN (...)`,
		ShapeByForeignKey: `{table} WHERE {fk} IN (...)`,
		ShapeCount:        `one COUNT ... GROUP BY {fk} on {table}`,
		ShapeOther:        `one query on {table}`,
	},
	"Django": {
		ShapeByKey:        `select_related("{rel}")`,
		ShapeByForeignKey: `prefetch_related("{rels}")`,
		ShapeCount:        `annotate(num_{rels}=Count("{rels}"))`,
		ShapeOther:        `select_related / prefetch_related for {table}`,
	},
	"SQLAlchemy": {
		ShapeByKey:        `joinedload(<Parent>.{rel})`,
		ShapeByForeignKey: `selectinload(<Parent>.{rels})`,
		ShapeCount:        `a func.count() subquery on {table}`,
		ShapeOther:        `selectinload for {table}`,
	},
	"GORM": {
		ShapeByKey:        `Preload("{Rel}")`,
		ShapeByForeignKey: `Preload("{Rels}")`,
		ShapeCount:        `Preload("{Rels}")`,
		ShapeOther:        `Preload("{Rels}")`,
	},
	"TypeORM": {
		ShapeByKey:        `{rel}: true`,
		ShapeByForeignKey: `{rels}: true`,
		ShapeCount:        `{rels}: true (or a grouped count)`,
		ShapeOther:        `{rels}: true`,
	},
	"Prisma": {
		ShapeByKey:        `{rel}: true`,
		ShapeByForeignKey: `{rels}: true`,
		ShapeCount:        `_count: { select: { {rels}: true } }`,
		ShapeOther:        `{rels}: true`,
	},
	"Sequelize": {
		ShapeByKey:        `{ model: {Model} }`,
		ShapeByForeignKey: `{ model: {Model}, separate: true }`,
		ShapeCount:        `{ model: {Model}, attributes: [] } with a COUNT attribute`,
		ShapeOther:        `{ model: {Model} }`,
	},
	"Knex": {
		ShapeByKey:        `knex("{table}").whereIn("id", ids)`,
		ShapeByForeignKey: `knex("{table}").whereIn("{fk}", ids)`,
		ShapeCount:        `knex("{table}").count().groupBy("{fk}")`,
		ShapeOther:        `one whereIn query on {table}`,
	},
	"Hibernate": {
		ShapeByKey:        `join fetch e.{rel}`,
		ShapeByForeignKey: `join fetch e.{rels} (or @BatchSize)`,
		ShapeCount:        `a count in the query (group by)`,
		ShapeOther:        `an @EntityGraph with {table}`,
	},
	"ActiveRecord": {
		ShapeByKey:        `:{rel}`,
		ShapeByForeignKey: `:{rels}`,
		ShapeCount:        `:{rels} (or a counter_cache)`,
		ShapeOther:        `:{rels}`,
	},
	"EF Core": {
		ShapeByKey:        `.Include(x => x.{Rel})`,
		ShapeByForeignKey: `.Include(x => x.{Rels})`,
		ShapeCount:        `a x.{Rels}.Count() projection`,
		ShapeOther:        `.Include(x => x.{Rels})`,
	},
	"Eloquent": {
		ShapeByKey:        `'{rel}'`,
		ShapeByForeignKey: `'{rels}'`,
		ShapeCount:        `'{rels}' (or ->withCount('{rels}'))`,
		ShapeOther:        `'{rels}'`,
	},
	"Ecto": {
		ShapeByKey:        `:{rel}`,
		ShapeByForeignKey: `:{rels}`,
		ShapeCount:        `:{rels} (or a grouped count)`,
		ShapeOther:        `:{rels}`,
	},
}
