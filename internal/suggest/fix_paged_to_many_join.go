package suggest

import "github.com/querylens/querylens/internal/detect"

// The fix of a paged_to_many_join, in the words of each ORM; "" is the
// generic fix, for a service whose ORM is not recognised.
func init() {
	fixes[detect.TypePagedToManyJoin] = Wording{
		"":             {ShapeOther: `The LIMIT pages the rows of the join, not the {table} rows: a parent with five children takes five slots. Page the parent ids in a subquery (WHERE id IN (SELECT id FROM {table} ... LIMIT n)), then load the children with a second query.`},
		"Django":       {ShapeOther: `Django: slicing a queryset filtered across a to-many relation pages joined rows: page the base queryset and prefetch_related("{rels}") for its page, or add .distinct() when the filter crosses the relation.`},
		"SQLAlchemy":   {ShapeOther: `SQLAlchemy: a limit() over join(<Parent>.{rels}) pages joined rows: load the collection with selectinload, or page a subquery of the parent ids and join to it.`},
		"GORM":         {ShapeOther: `GORM: Limit over Joins("JOIN {table} ...") pages joined rows: page the parents and load the children with Preload("{Rels}"), or group/select DISTINCT on the parent key.`},
		"TypeORM":      {ShapeOther: `TypeORM: limit() over leftJoinAndSelect of a collection pages joined rows: use skip/take, which page the parents in a DISTINCT subquery, or relationLoadStrategy: "query".`},
		"Prisma":       {ShapeOther: `Prisma: a LIMIT over a join to a to-many table pages joined rows ($queryRaw?): page the parents with findMany({ take }) and include: { {rels}: true }, which loads the children of that page only.`},
		"Sequelize":    {ShapeOther: `Sequelize: limit with a required include and subQuery: false pages joined rows: keep the default subQuery (the parents are paged in a subquery) or load the children with separate: true.`},
		"Knex":         {ShapeOther: `Knex: .limit() after .join() on a to-many table pages joined rows: page the parent ids first (.whereIn("id", knex("{table}").select("id").limit(n))), then load the children with whereIn.`},
		"Hibernate":    {ShapeOther: `Hibernate: never JOIN FETCH a collection with setMaxResults (it pages in memory, HHH90003004) nor page a to-many join in SQL: page the ids first, then fetch the entities with their collection by those ids.`},
		"ActiveRecord": {ShapeOther: `ActiveRecord: .limit over joins(:{rels}) pages joined rows: page the parents and preload(:{rels}), or use .distinct when the filter crosses the relation.`},
		"EF Core":      {ShapeOther: `EF Core: Take over a join to a collection pages joined rows: page the parents and .Include(x => x.{Rels}) (EF pages the parents in a subquery), with .AsSplitQuery() for several collections.`},
		"Eloquent":     {ShapeOther: `Eloquent: ->limit() over ->join('{table}', ...) pages joined rows: page the parents and eager-load the children with ->with('{rels}'), or ->distinct() on the parent columns.`},
		"Ecto":         {ShapeOther: `Ecto: limit over a join to a has_many pages joined rows: page the parents, then preload: [:{rels}] (a separate query), or page a subquery of the parent ids.`},
	}
}
