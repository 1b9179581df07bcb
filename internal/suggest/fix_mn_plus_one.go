package suggest

import (
	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// The fix of an mn_plus_one, in the words of each ORM ("" is the generic
// fix): of a loop of reads (ShapeOther), {eager} standing for how to load
// each read of one iteration for all items (eager and eagerWrap, below); of
// a loop that writes (ShapeWriteLoop), {writes} standing for the bulk write
// of each write, as its n_plus_one would word it.
func init() {
	wording := Wording{"": {
		ShapeOther:     `One iteration of the loop runs several queries ({tables}): run each once for all items before the loop, with your ORM's eager loading: {eager}.`,
		ShapeWriteLoop: `Each iteration of the loop writes ({written}): write the rows of all items at once: {writes}`,
	}}
	// The pieces carry each ORM's words; the sentence around them is the same.
	for _, o := range orms {
		wording[o.Name] = map[Shape]string{
			ShapeOther:     o.Name + `: one iteration runs several queries ({tables}); load them for all items at once: {eager}.`,
			ShapeWriteLoop: o.Name + `: each iteration writes ({written}); write the rows of all items at once: {writes}`,
		}
	}
	fixes[detect.TypeMNPlusOne] = wording
}

// eagerWrap puts the eager pieces of one iteration's reads by key or
// foreign key ({items}, joined by sep) in each ORM's call; its counts and
// other reads, batched with an IN-list rather than loaded as a relation,
// follow apart.
var eagerWrap = map[string]struct{ call, sep string }{
	"":             {"{items}", ", "},
	"Django":       {"{items} on the queryset the loop iterates", "."},
	"SQLAlchemy":   {".options({items}) on the query the loop iterates", ", "},
	"GORM":         {"db.{items} on the query the loop iterates", "."},
	"bun":          {"{items}", "; "},
	"TypeORM":      {"relations: [{items}] on the find the loop iterates", ", "},
	"Prisma":       {"include: { {items} } in the findMany the loop iterates", ", "},
	"Sequelize":    {"include: [{items}] in the findAll the loop iterates", ", "},
	"Drizzle":      {"with: { {items} } in the db.query findMany the loop iterates", ", "},
	"Knex":         {"{items}", ", "},
	"Hibernate":    {"{items} in the query the loop iterates", ", "},
	"ActiveRecord": {"includes({items}) on the relation the loop iterates", ", "},
	"EF Core":      {"{items} on the query the loop iterates (.AsSplitQuery() for several collections)", ""},
	"Eloquent":     {"->with([{items}]) on the query the loop iterates", ", "},
	"Ecto":         {"preload: [{items}] in the query the loop iterates", ", "},
}

// eager words, for each ORM, how to load what one read of a loop reads, by
// its shape: the pieces of an mn_plus_one fix of reads. What the trace cannot
// name (the association) is a placeholder.
var eager = map[string]map[Shape]string{
	"": {
		ShapeByKey:        `{table} WHERE {qkey} IN (...)`,
		ShapeByForeignKey: `{table} WHERE {qkey} IN (...)`,
		ShapeCount:        `one count with GROUP BY {qkey}`,
		ShapeAggregate:    `one query with {aggSQL} and GROUP BY {qkey}`,
		ShapeOther:        `one query on {table} with {qkey} IN (...)`,
	},
	"Django": {
		ShapeByKey:        `select_related("<field to {table}>")`,
		ShapeByForeignKey: `prefetch_related("<relation to {table}>")`,
		ShapeCount:        `.annotate(n=Count("<relation to {table}>"))`,
		ShapeAggregate:    `.annotate({aggAPI})`,
		ShapeOther:        `one query on {table} with .filter({key}__in=keys)`,
	},
	"SQLAlchemy": {
		ShapeByKey:        `joinedload(<Parent>.<relationship to {table}>)`,
		ShapeByForeignKey: `selectinload(<Parent>.<relationship to {table}>)`,
		ShapeCount:        `one count with func.count() and group_by({qkey})`,
		ShapeAggregate:    `one query with {aggAPI} and group_by({qkey})`,
		ShapeOther:        `one query on {table} with .where({model}.{key}.in_(keys))`,
	},
	"GORM": {
		ShapeByKey:        `Preload("<association to {table}>")`,
		ShapeByForeignKey: `Preload("<association to {table}>")`,
		ShapeCount:        `one count with .Group("{qkey}")`,
		ShapeAggregate:    `one query with .Select("{qkey}, {aggSQL}") and .Group("{qkey}")`,
		ShapeOther:        `one query on {table} with Where("{qkey} IN ?", keys)`,
	},
	"bun": {
		ShapeByKey:        `the {table} rows with .Relation("<relation to {table}>") on the query the loop iterates, or all at once with .Where("{qkey} IN (?)", bun.In(keys))`,
		ShapeByForeignKey: `the {table} rows with .Relation("<relation to {table}>") on the query the loop iterates, or all at once with .Where("{qkey} IN (?)", bun.In(keys))`,
		ShapeCount:        `one count with .Where("{qkey} IN (?)", bun.In(keys)).Group("{key}")`,
		ShapeAggregate:    `one query with .ColumnExpr("{aggSQL}") and .Group("{key}")`,
		ShapeOther:        `one query on {table} with .Where("{qkey} IN (?)", bun.In(keys))`,
	},
	"TypeORM": {
		ShapeByKey:        `"<relation to {table}>"`,
		ShapeByForeignKey: `"<relation to {table}>"`,
		ShapeCount:        `one count with groupBy("{qkey}") in a query builder`,
		ShapeAggregate:    `one query builder with .addSelect("{aggSQL}") and groupBy("{qkey}")`,
		ShapeOther:        `one find on {table} with where { {key}: In(keys) }`,
	},
	"Prisma": {
		ShapeByKey:        `<relation to {table}>: true`,
		ShapeByForeignKey: `<relation to {table}>: true`,
		ShapeCount:        `one count, _count: { select: { <relation to {table}>: true } } in the include`,
		ShapeAggregate:    `one groupBy({ by: ["{key}"]{aggAPI} })`,
		ShapeOther:        `one findMany on {table} with where: { {key}: { in: keys } }`,
	},
	"Sequelize": {
		ShapeByKey:        `{ association: "<association to {table}>" }`,
		ShapeByForeignKey: `{ association: "<association to {table}>" }`,
		ShapeCount:        `one count with group: ["{key}"]`,
		ShapeAggregate:    `one findAll with attributes: ["{key}", {aggAPI}] and group: ["{key}"]`,
		ShapeOther:        `one findAll on {table} with where: { {key}: keys }`,
	},
	"Drizzle": {
		ShapeByKey:        `<relation to {table}>: true`,
		ShapeByForeignKey: `<relation to {table}>: true`,
		ShapeCount:        `one count() with inArray({qkey}, keys) and groupBy({qkey})`,
		ShapeAggregate:    `one select of {aggAPI} with inArray({qkey}, keys) and groupBy({qkey})`,
		ShapeOther:        `one select on {table} with inArray({qkey}, keys)`,
	},
	"Knex": {
		ShapeByKey:        `knex("{table}").whereIn("{key}", keys)`,
		ShapeByForeignKey: `the {table} query with .whereIn("{qkey}", keys)`,
		ShapeCount:        `one count with .whereIn("{qkey}", keys).groupBy("{qkey}")`,
		ShapeAggregate:    `one query with .select("{qkey}"){aggAPI}.whereIn("{qkey}", keys).groupBy("{qkey}")`,
		ShapeOther:        `one query on {table} with .whereIn("{key}", keys)`,
	},
	"Hibernate": {
		ShapeByKey:        `join fetch e.<association to {table}>`,
		ShapeByForeignKey: `join fetch e.<association to {table}> (or @BatchSize)`,
		ShapeCount:        `one count grouped by {key}`,
		ShapeAggregate:    `one {agg} query grouped by {key}`,
		ShapeOther:        `one query on {table} with in :keys on {key}`,
	},
	"ActiveRecord": {
		ShapeByKey:        `:<association to {table}>`,
		ShapeByForeignKey: `:<association to {table}>`,
		ShapeCount:        `one count with .group(:{key}).count (or a counter_cache)`,
		ShapeAggregate:    `one query with .group(:{key}).{aggAPI}`,
		ShapeOther:        `one query on {table} with where({key}: keys)`,
	},
	"EF Core": {
		ShapeByKey:        `.Include(x => x.<navigation to {table}>)`,
		ShapeByForeignKey: `.Include(x => x.<navigation to {table}>)`,
		ShapeCount:        `one count, a .Count() of <navigation to {table}> in a .Select projection`,
		ShapeAggregate:    `one .Select projection with x.<navigation to {table}>.{aggAPI}`,
		ShapeOther:        `one query on {table} with keys.Contains(...) on {key}`,
	},
	"Eloquent": {
		ShapeByKey:        `'<relation to {table}>'`,
		ShapeByForeignKey: `'<relation to {table}>'`,
		ShapeCount:        `one count with ->withCount('<relation to {table}>')`,
		ShapeAggregate:    `one {agg} with ->{aggAPI}`,
		ShapeOther:        `one query on {table} with ->whereIn('{key}', $keys)`,
	},
	"Ecto": {
		ShapeByKey:        `:<association to {table}>`,
		ShapeByForeignKey: `:<association to {table}>`,
		ShapeCount:        `one count with group_by: x.{key}`,
		ShapeAggregate:    `one query with group_by: x.{key} and select: {x.{key}, {aggAPI}}`,
		ShapeOther:        `one query on {table} with where: x.{key} in ^keys`,
	},
}

// A loop that writes gets bulk writes, a loop of reads eager loading; the
// fix names each table of one iteration.
func init() {
	shapeHooks[detect.TypeMNPlusOne] = func(r Request, _ *sqlnorm.Statement) Shape {
		for _, st := range r.Statements {
			if shape, _ := describe(st); shape.IsWrite() {
				return ShapeWriteLoop
			}
		}
		return ShapeOther
	}
	varHooks[detect.TypeMNPlusOne] = func(v map[string]string, r Request, orm string, _ *sqlnorm.Statement) {
		loopVars(v, orm, r.Statements, r.Varying)
	}
}
