package suggest

import (
	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// The fix of a pagination_count, in the words of each ORM; "" is the generic
// fix, for a service whose ORM is not recognised. {table} is the table the
// count reads.
func init() {
	fixes[detect.TypePaginationCount] = Wording{
		"":             {ShapeOther: `Every page also counts all its {table} rows (COUNT(*)) for the total: drop the total (next / previous links, one more row than the page tells whether there is a next one), or count once and keep it.`},
		"Django":       {ShapeOther: `Django: the Paginator counts all the {table} rows for every page: drop the total (next / previous with keyset pagination), cache the count, or give the Paginator a cheaper count.`},
		"SQLAlchemy":   {ShapeOther: `SQLAlchemy: every page also counts all its {table} rows: drop the total (fetch one more row than the page to know whether there is a next one), or count once and keep it.`},
		"GORM":         {ShapeOther: `GORM: a Count over {table} runs beside every page: drop the total (Limit(pageSize + 1) tells whether there is a next page), or count once and keep it.`},
		"bun":          {ShapeOther: `bun: a count over {table} runs beside every page (ScanAndCount): drop the total (.Limit(pageSize + 1) tells whether there is a next page), or count once and keep it.`},
		"TypeORM":      {ShapeOther: `TypeORM: findAndCount / getManyAndCount counts all the {table} rows for every page: use find with take: pageSize + 1 and no total, or count once and keep it.`},
		"Prisma":       {ShapeOther: `Prisma: a count() over {table} runs beside every page: drop the total (take: pageSize + 1 tells whether there is a next page), or count once and keep it.`},
		"Sequelize":    {ShapeOther: `Sequelize: findAndCountAll counts all the {table} rows for every page: use findAll with limit: pageSize + 1 and no total, or count once and keep it.`},
		"Drizzle":      {ShapeOther: `Drizzle: a count over {table} runs beside every page: drop the total (.limit(pageSize + 1) tells whether there is a next page), or count once and keep it.`},
		"Knex":         {ShapeOther: `Knex: a count over {table} runs beside every page: drop the total (.limit(pageSize + 1) tells whether there is a next page), or count once and keep it.`},
		"Hibernate":    {ShapeOther: `Hibernate: a Spring Data Page counts all the {table} rows for every page: return a Slice (no total) or a Window (keyset scrolling), or count once and keep it.`},
		"ActiveRecord": {ShapeOther: `ActiveRecord: the paginator counts all the {table} rows for every page: use Kaminari's without_count or pagy's countless / keyset pagination, or cache the total.`},
		"EF Core":      {ShapeOther: `EF Core: a CountAsync over {table} runs beside every page: drop the total (Take(pageSize + 1) tells whether there is a next page), or count once and keep it.`},
		"Eloquent":     {ShapeOther: `Eloquent: ->paginate() counts all the {table} rows for every page: use ->simplePaginate() or ->cursorPaginate(), which run no count, or cache the total.`},
		"Ecto":         {ShapeOther: `Ecto: a Repo.aggregate(query, :count) over {table} runs beside every page: drop the total (limit: page_size + 1 tells whether there is a next page), or count once and keep it.`},
	}
}

// The fix is about the page's COUNT, not the page.
func init() {
	subjectHooks[detect.TypePaginationCount] = func(r Request) *sqlnorm.Statement {
		for _, st := range r.Statements {
			if st.Count {
				return st
			}
		}
		return nil
	}
	// What is counted is the count's FROM table (through a derived table),
	// never a table of a subquery in a select list that comes first.
	varHooks[detect.TypePaginationCount] = func(v map[string]string, _ Request, _ string, subject *sqlnorm.Statement) {
		if subject != nil && subject.Base != "" {
			v["table"] = lastSegment(subject.Base)
		}
	}
}
