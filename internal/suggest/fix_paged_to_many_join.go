package suggest

import (
	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// The fix of a paged_to_many_join, in the words of each ORM; "" is the
// generic fix, for a service whose ORM is not recognised. {parent} is the
// FROM table, whose rows the page means to count; {child} the joined to-many
// table, the collection to load apart.
func init() {
	fixes[detect.TypePagedToManyJoin] = Wording{
		"":             {ShapeOther: `The LIMIT pages the rows of the join, not the {parent} rows: a {parent} row with five {child} rows takes five slots. Page the {parent} keys alone (WHERE <key> IN (SELECT <key> FROM {parent} ... LIMIT n)), then load their {child} rows with a second query.`},
		"Django":       {ShapeOther: `Django: slicing a queryset joined to {child} pages joined rows, not {parent} rows: page the {parent} queryset alone and load {child} for the page with prefetch_related("<relation to {child}>"), or add .distinct() when only a filter crosses the relation.`},
		"SQLAlchemy":   {ShapeOther: `SQLAlchemy: a limit() over a join to {child} pages joined rows, not {parent} rows: page the {parent} query alone and load {child} with .options(selectinload(<Parent>.<relationship to {child}>)), or page a subquery of the {parent} ids.`},
		"GORM":         {ShapeOther: `GORM: Limit over a join to {child} pages joined rows, not {parent} rows: page the {parent} rows alone and load {child} with db.Preload("<association to {child}>") (a second query for that page only), or select DISTINCT {parent} rows.`},
		"bun":          {ShapeOther: `bun: .Limit() over a join to {child} pages joined rows, not {parent} rows: page the {parent} keys alone (WHERE <key> IN (SELECT <key> FROM {parent} ... LIMIT n)), then load their {child} rows with .Relation("<relation to {child}>") (one query with IN) or bun.In.`},
		"TypeORM":      {ShapeOther: `TypeORM: limit() over a join to {child} pages joined rows, not {parent} rows: use skip / take, which page the {parent} ids in a DISTINCT subquery, or load {child} apart with relationLoadStrategy: "query".`},
		"Prisma":       {ShapeOther: `Prisma: a LIMIT over a join to {child} pages joined rows, not {parent} rows ($queryRaw?): page {parent} with findMany({ take }) and include: { <relation to {child}>: true }, which loads {child} for that page only.`},
		"Sequelize":    {ShapeOther: `Sequelize: a limit over a join to {child} pages joined rows, not {parent} rows (an include with subQuery: false, or required: true): keep the default subQuery, which pages the {parent} rows in a subquery, or load {child} with a second query for the page.`},
		"Drizzle":      {ShapeOther: `Drizzle: .limit() over a join to {child} pages joined rows, not {parent} rows: db.query.{parent}.findMany({ limit: n, with: { <relation to {child}>: true } }) pages {parent} rows, or page the {parent} keys alone (WHERE <key> IN (SELECT <key> FROM {parent} ... LIMIT n): inArray(<key>, db.select({ id: <key> }).from({parent}).limit(n))), then load their {child} rows with inArray.`},
		"Knex":         {ShapeOther: `Knex: .limit() over a join to {child} pages joined rows, not {parent} rows: page the {parent} keys first in a subquery (.whereIn(<key>, knex("{parent}").select(<key>).limit(n))), then load their {child} rows with whereIn.`},
		"Hibernate":    {ShapeOther: `Hibernate: a page over a join to {child} pages joined rows, not {parent} rows, and join fetch of a collection with setMaxResults pages in memory (HHH90003004): page the {parent} ids first, then fetch those entities with their {child} collection.`},
		"ActiveRecord": {ShapeOther: `ActiveRecord: .limit over a join to {child} pages joined rows, not {parent} rows: page the {parent} relation alone and preload(:<association to {child}>), or use .distinct when only a filter crosses the relation.`},
		"EF Core":      {ShapeOther: `EF Core: Take over a join to {child} pages joined rows, not {parent} rows: page the {parent} query and .Include(x => x.<navigation to {child}>) (EF pages the parents in a subquery), with .AsSplitQuery() for several collections.`},
		"Eloquent":     {ShapeOther: `Eloquent: ->limit() over ->join('{child}', ...) pages joined rows, not {parent} rows: page the {parent} query alone and eager-load {child} with ->with('<relation to {child}>'), or ->distinct() on the {parent} columns.`},
		"Ecto":         {ShapeOther: `Ecto: limit over a join to {child} pages joined rows, not {parent} rows: page the {parent} query alone, then preload: [:<association to {child}>] (a separate query), or page a subquery of the {parent} ids.`},
	}
}

// The fix names the FROM table and the to-many table the structure found.
func init() {
	varHooks[detect.TypePagedToManyJoin] = func(v map[string]string, _ Request, _ string, subject *sqlnorm.Statement) {
		v["parent"], v["child"] = "<parent table>", "<child table>"
		if subject != nil {
			parent, child := pagedTables(subject)
			v["parent"], v["child"] = orDefault(parent, v["parent"]), orDefault(child, v["child"])
		}
	}
}

// pagedTables are the FROM table of a paged join and its to-many table: the
// one the structure found, or, through a many-to-many's join table, the
// table behind it.
func pagedTables(st *sqlnorm.Statement) (parent, child string) {
	if len(st.Tables) > 0 {
		parent = st.Tables[0]
	}
	child = st.ToMany
	if child == "" || isJoinTable(child, st.Tables) {
		for _, t := range st.Tables {
			if t != parent && t != child && !isJoinTable(t, st.Tables) {
				child = t
				break
			}
		}
	}
	return lastSegment(parent), lastSegment(child)
}
