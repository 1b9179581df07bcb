package suggest

import "github.com/querylens/querylens/internal/detect"

// The fix of a pagination_count, in the words of each ORM; "" is the generic
// fix, for a service whose ORM is not recognised.
func init() {
	fixes[detect.TypePaginationCount] = Wording{
		"":             {ShapeOther: `The page total costs a full COUNT(*) per page: drop it (next/previous links with keyset pagination), cache it, or estimate it.`},
		"Django":       {ShapeOther: `Django: the Paginator runs a COUNT(*) for every page: drop the total (next/previous with keyset pagination), cache it, or give the Paginator a cheaper count.`},
		"SQLAlchemy":   {ShapeOther: `SQLAlchemy: a COUNT(*) runs for every page: drop the total (page by key), or count once and cache it.`},
		"GORM":         {ShapeOther: `GORM: a Count runs beside every page: drop the total (page by key), or count once and cache it.`},
		"TypeORM":      {ShapeOther: `TypeORM: findAndCount / getManyAndCount runs a COUNT beside every page: use find with keyset pagination and no total, or count once and cache it.`},
		"Prisma":       {ShapeOther: `Prisma: a count() runs beside every page: drop the total (cursor pagination, take: pageSize + 1 tells whether a next page exists), or count once and cache it.`},
		"Sequelize":    {ShapeOther: `Sequelize: findAndCountAll runs a COUNT(*) for every page: use findAll with keyset pagination and no total, or count once and cache it.`},
		"Knex":         {ShapeOther: `Knex: a count query runs beside every page: drop the total (page by key), or count once and cache it.`},
		"Hibernate":    {ShapeOther: `Hibernate: a Spring Data Page runs a count query for every page: return a Slice (no total) or a Window (keyset scrolling), or count once and cache it.`},
		"ActiveRecord": {ShapeOther: `ActiveRecord: the paginator counts for every page: use Kaminari's without_count or pagy's countless / keyset pagination, or cache the total.`},
		"EF Core":      {ShapeOther: `EF Core: a CountAsync runs beside every page: drop the total (keyset pages, Take(pageSize + 1) tells whether a next page exists), or count once and cache it.`},
		"Eloquent":     {ShapeOther: `Eloquent: ->paginate() runs a count(*) for every page: use ->simplePaginate() or ->cursorPaginate(), which run no count, or cache the total.`},
		"Ecto":         {ShapeOther: `Ecto: a Repo.aggregate(query, :count) runs beside every page: drop the total (keyset pagination, limit + 1 tells whether a next page exists), or count once and cache it.`},
	}
}
