package suggest

import (
	"cmp"
	"strings"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// The fix of a deep_offset, in the words of each ORM ("" is the generic
// fix): keyset pagination on the page's own ORDER BY ({order}, {orderList},
// the condition {after}), or, for a page with no ORDER BY (ShapeUnordered),
// that it needs one.
func init() {
	fixes[detect.TypeDeepOffset] = Wording{
		"": {
			ShapeOther:     `Page by key (keyset pagination) instead of by offset: keep ORDER BY {order} and replace the OFFSET with WHERE {after} (the last row's values) LIMIT n: it stays fast at any depth, OFFSET reads and drops every skipped row.{tiebreak}`,
			ShapeUnordered: `The page has no ORDER BY, so its rows come in no stable order and pages may repeat or skip rows: order it by a unique key and page by that key (keyset pagination) (WHERE {ukey} > :last_key ORDER BY {ukey} LIMIT n) instead of by OFFSET, which reads and drops every skipped row.`,
		},
		"Django": {
			ShapeOther:     `Django: page by key (keyset pagination) instead of slicing at an offset: keep .order_by({orderList}), .filter() the rows after the last one seen ({after}) and slice [:page_size]: it stays fast at any depth.{tiebreak}`,
			ShapeUnordered: `Django: the queryset has no order_by, so pages may repeat or skip rows: order it by a unique key and page by it (keyset pagination), .filter({ukey}__gt=last_key).order_by("{ukey}")[:page_size], instead of slicing at an offset.`,
		},
		"SQLAlchemy": {
			ShapeOther:     `SQLAlchemy: page by key (keyset pagination) instead of .offset(): keep .order_by({orderList}), add a .where() for the rows after the last one seen ({after}) and .limit(page_size): it stays fast at any depth.{tiebreak}`,
			ShapeUnordered: `SQLAlchemy: the query has no order_by, so pages may repeat or skip rows: order it by a unique key and page by it (keyset pagination), .where(<Model>.{ukey} > last_key).order_by(<Model>.{ukey}).limit(page_size), instead of .offset().`,
		},
		"GORM": {
			ShapeOther:     `GORM: page by key (keyset pagination) instead of Offset: db.Where("{afterQ}", <the last row's {cols}>).Order("{order}").Limit(pageSize) stays fast at any depth; Offset reads and drops every skipped row.{tiebreak}`,
			ShapeUnordered: `GORM: the page has no Order, so its rows come in no stable order and pages may repeat or skip rows: order by a unique key and page by it (keyset pagination), db.Where("{ukey} > ?", lastKey).Order("{ukey}").Limit(pageSize), instead of Offset.`,
		},
		"bun": {
			ShapeOther:     `bun: page by key (keyset pagination) instead of .Offset(): .Where("{afterQ}", <the last row's {cols}>).Order("{order}").Limit(pageSize) stays fast at any depth; .Offset() reads and drops every skipped row.{tiebreak}`,
			ShapeUnordered: `bun: the page has no .Order(), so pages may repeat or skip rows: order by a unique key and page by it (keyset pagination), .Where("{ukey} > ?", lastKey).Order("{ukey}").Limit(pageSize), instead of .Offset().`,
		},
		"TypeORM": {
			ShapeOther:     `TypeORM: page by key (keyset pagination) instead of skip: keep order: { {orderList} }, add a where for the rows after the last one seen ({after}) and take: pageSize: it stays fast at any depth.{tiebreak}`,
			ShapeUnordered: `TypeORM: the page has no order, so pages may repeat or skip rows: order by a unique key and page by it (keyset pagination), where: { {ukey}: MoreThan(lastKey) }, order: { {ukey}: "ASC" }, take: pageSize, instead of skip.`,
		},
		"Prisma": {
			ShapeOther:     `Prisma: page by cursor (keyset pagination) instead of skip: keep orderBy: [{orderList}] and pass cursor (a unique field of the last row) with skip: 1, or a where for the rows after the last one seen ({after}), with take: pageSize.{tiebreak}`,
			ShapeUnordered: `Prisma: the page has no orderBy, so pages may repeat or skip rows: order by a unique field and page by cursor (keyset pagination), findMany({ take: pageSize, skip: 1, cursor: { {ukey}: lastKey }, orderBy: { {ukey}: "asc" } }), instead of skip.`,
		},
		"Sequelize": {
			ShapeOther:     `Sequelize: page by key (keyset pagination) instead of offset: keep order: [{orderList}], add a where for the rows after the last one seen ({after}, with Op.gt / Op.lt) and limit: pageSize: it stays fast at any depth.{tiebreak}`,
			ShapeUnordered: `Sequelize: the page has no order, so pages may repeat or skip rows: order by a unique key and page by it (keyset pagination), where: { {ukey}: { [Op.gt]: lastKey } }, order: [["{ukey}", "ASC"]], limit: pageSize, instead of offset.`,
		},
		"Drizzle": {
			ShapeOther:     "Drizzle: page by key (keyset pagination) instead of .offset(): keep .orderBy({orderList}), add .where(sql`{afterQ}`) with the last row's {cols}, and .limit(pageSize): it stays fast at any depth.{tiebreak}",
			ShapeUnordered: `Drizzle: the page has no orderBy, so pages may repeat or skip rows: order by a unique key and page by it (keyset pagination), .where(gt({ukey}, lastKey)).orderBy(asc({ukey})).limit(pageSize), instead of .offset().`,
		},
		"Knex": {
			ShapeOther:     `Knex: page by key (keyset pagination) instead of .offset(): keep .orderBy([{orderList}]), add .whereRaw("{afterQ}", <the last row's {cols}>) and .limit(pageSize): it stays fast at any depth.{tiebreak}`,
			ShapeUnordered: `Knex: the page has no orderBy, so pages may repeat or skip rows: order by a unique key and page by it (keyset pagination), .where("{ukey}", ">", lastKey).orderBy("{ukey}").limit(pageSize), instead of .offset().`,
		},
		"Hibernate": {
			ShapeOther:     `Hibernate: page by key (keyset pagination) instead of setFirstResult: keep "order by {orderList}", add a condition for the rows after the last one seen ({after}) with setMaxResults(pageSize), or Spring Data's keyset scrolling (ScrollPosition.keyset(), Window).{tiebreak}`,
			ShapeUnordered: `Hibernate: the page has no order by, so pages may repeat or skip rows: order by the id and page by it (keyset pagination) ("where e.id > :lastId order by e.id" with setMaxResults), or Spring Data's keyset scrolling, instead of setFirstResult.`,
		},
		"ActiveRecord": {
			ShapeOther:     `ActiveRecord: page by key (keyset pagination) instead of offset: keep .order({orderList}), add .where("{afterQ}", <the last row's {cols}>) and .limit(page_size): it stays fast at any depth.{tiebreak}`,
			ShapeUnordered: `ActiveRecord: the page has no order, so pages may repeat or skip rows: order by a unique key and page by it (keyset pagination), where("{ukey} > ?", last_key).order(:{ukey}).limit(page_size), instead of offset.`,
		},
		"EF Core": {
			ShapeOther:     `EF Core: page by key (keyset pagination) instead of Skip(n): keep the order ({order}) with OrderBy / ThenBy, add a .Where() for the rows after the last one seen ({after}) and .Take(pageSize): it stays fast at any depth.{tiebreak}`,
			ShapeUnordered: `EF Core: the page has no OrderBy, so pages may repeat or skip rows: order by a unique key and page by it (keyset pagination), .Where(x => x.<Key> > lastKey).OrderBy(x => x.<Key>).Take(pageSize), instead of Skip(n).`,
		},
		"Eloquent": {
			ShapeOther:     `Eloquent: page by key (keyset pagination) instead of by offset: keep {orderList} and ->cursorPaginate($perPage), which pages after the last row seen ({after}): it stays fast at any depth.{tiebreak}`,
			ShapeUnordered: `Eloquent: the page has no orderBy, so pages may repeat or skip rows: order by a unique key and page by it (keyset pagination), ->orderBy('{ukey}')->cursorPaginate($perPage), instead of by offset.`,
		},
		"Ecto": {
			ShapeOther:     `Ecto: page by key (keyset pagination) instead of offset: keep order_by: [{orderList}], add a where for the rows after the last one seen ({after}) and limit: ^page_size: it stays fast at any depth.{tiebreak}`,
			ShapeUnordered: `Ecto: the page has no order_by, so pages may repeat or skip rows: order by a unique key and page by it (keyset pagination), where: x.{ukey} > ^last_key, order_by: x.{ukey}, limit: ^page_size, instead of offset.`,
		},
	}
}

// A page with no ORDER BY gets its own wording; the fix of one with an
// order names it.
func init() {
	shapeHooks[detect.TypeDeepOffset] = func(_ Request, subject *sqlnorm.Statement) Shape {
		if subject != nil && subject.IsQuery() && subject.OrderBy == "" {
			return ShapeUnordered
		}
		if subject != nil && ordersByAggregate(subject.OrderBy) {
			return ShapeAggregateOrder
		}
		return ShapeOther
	}
	// An order by an aggregate has no API form worth guessing in any ORM:
	// every ORM says the same, in plain words.
	const aggregateOrder = `the page is ordered by an aggregate ({order}), which a WHERE cannot page after: page by key (keyset pagination) on the grouped rows (their group's key, with HAVING for the aggregate's last value), or keep the offset only for shallow pages and cap how deep a page may go.`
	for orm, byShape := range fixes[detect.TypeDeepOffset] {
		prefix := "The page"
		if orm != "" {
			prefix = orm + ": the page"
		}
		byShape[ShapeAggregateOrder] = prefix + strings.TrimPrefix(aggregateOrder, "the page")
	}
	varHooks[detect.TypeDeepOffset] = func(v map[string]string, r Request, orm string, subject *sqlnorm.Statement) {
		if subject != nil {
			orderVars(v, orm, parseOrder(subject.OrderBy))
		}
		v["ukey"] = cmp.Or(r.RowKey, "<key>") // the key to page an unordered page by: the trace's, else the user's
	}
}

// ordersByAggregate reports whether an ORDER BY item is an aggregate call
// (max(website_event.created_at) DESC).
func ordersByAggregate(orderBy string) bool {
	for _, item := range strings.Split(orderBy, ",") {
		if name, _, call := strings.Cut(strings.TrimSpace(item), "("); call && sqlnorm.AggregateName(strings.TrimSpace(name)) != "" {
			return true
		}
	}
	return false
}
