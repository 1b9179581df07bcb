package suggest

import "github.com/querylens/querylens/internal/detect"

// The fix of a deep_offset, in the words of each ORM; "" is the generic fix,
// for a service whose ORM is not recognised.
func init() {
	fixes[detect.TypeDeepOffset] = Wording{
		"":             {ShapeOther: `Page by key instead of by offset: WHERE id > :last_seen ORDER BY id LIMIT n stays fast at any depth, OFFSET reads and drops every skipped row.`},
		"Django":       {ShapeOther: `Django: page by key instead of by offset, .filter(id__gt=last_id).order_by("id")[:page_size]: it stays fast at any depth.`},
		"SQLAlchemy":   {ShapeOther: `SQLAlchemy: page by key instead of by offset, .where({Model}.id > last_id).order_by({Model}.id).limit(page_size): it stays fast at any depth.`},
		"GORM":         {ShapeOther: `GORM: page by key instead of by offset, db.Where("id > ?", lastID).Order("id").Limit(pageSize).Find(&rows): it stays fast at any depth.`},
		"TypeORM":      {ShapeOther: `TypeORM: page by key instead of skip, find({ where: { id: MoreThan(lastId) }, order: { id: "ASC" }, take: pageSize }): OFFSET reads and drops every skipped row.`},
		"Prisma":       {ShapeOther: `Prisma: page by cursor instead of skip, findMany({ take: pageSize, skip: 1, cursor: { id: lastId }, orderBy: { id: "asc" } }) or where: { id: { gt: lastId } }: skip reads and drops every skipped row.`},
		"Sequelize":    {ShapeOther: `Sequelize: page by key instead of by offset, where: { id: { [Op.gt]: lastId } }, order: [["id", "ASC"]], limit: pageSize: it stays fast at any depth.`},
		"Knex":         {ShapeOther: `Knex: page by key instead of by offset, .where("id", ">", lastId).orderBy("id").limit(pageSize): it stays fast at any depth.`},
		"Hibernate":    {ShapeOther: `Hibernate: page by key instead of by offset ("where b.id > :lastId order by b.id" with setMaxResults(pageSize), or Hibernate's KeyedPage / Spring Data's ScrollPosition).`},
		"ActiveRecord": {ShapeOther: `ActiveRecord: page by key instead of by offset, where("id > ?", last_id).order(:id).limit(page_size): it stays fast at any depth.`},
		"EF Core":      {ShapeOther: `EF Core: page by key instead of Skip(n), .Where(x => x.Id > lastId).OrderBy(x => x.Id).Take(pageSize): OFFSET ... ROWS reads and drops every skipped row.`},
		"Eloquent":     {ShapeOther: `Eloquent: page by key instead of by offset, ->orderBy('id')->cursorPaginate(20) (or ->where('id', '>', $lastId)): OFFSET reads and drops every skipped row.`},
		"Ecto":         {ShapeOther: `Ecto: page by key instead of by offset, where: x.id > ^last_id, order_by: x.id, limit: ^page_size (cursor pagination): OFFSET reads and drops every skipped row.`},
	}
}
