package suggest

import (
	"strconv"
	"strings"
)

// orderItem is one item of a query's ORDER BY: a column (unqualified), or an
// expression as the normalized statement writes it.
type orderItem struct {
	column string
	desc   bool
	expr   bool
}

// parseOrder reads sqlnorm's ORDER BY ("users.created_at DESC, id"): items
// split at the commas outside parentheses.
func parseOrder(orderBy string) []orderItem {
	var items []orderItem
	depth, start := 0, 0
	for i := 0; i <= len(orderBy); i++ {
		if i < len(orderBy) {
			switch orderBy[i] {
			case '(':
				depth++
			case ')':
				depth--
			}
			if orderBy[i] != ',' || depth != 0 {
				continue
			}
		}
		if item, ok := parseOrderItem(strings.TrimSpace(orderBy[start:i])); ok {
			items = append(items, item)
		}
		start = i + 1
	}
	return items
}

func parseOrderItem(s string) (orderItem, bool) {
	words := strings.Fields(s)
	var item orderItem
	// NULLS FIRST|LAST and COLLATE x do not change what keys the page.
	for i := 0; i < len(words); i++ {
		switch strings.ToUpper(words[i]) {
		case "ASC":
			words = append(words[:i], words[i+1:]...)
			i--
		case "DESC":
			item.desc = true
			words = append(words[:i], words[i+1:]...)
			i--
		case "NULLS", "COLLATE":
			words = words[:i]
		}
	}
	switch len(words) {
	case 0:
		return item, false
	case 1:
		item.column = lowerIfShouting(strings.Trim(lastSegment(words[0]), "\"`[]"))
		item.expr = !isIdentifier(item.column)
	default:
		item.column = strings.Join(words, " ")
		item.expr = true
	}
	return item, true
}

// sqlOrder is the order as SQL: "created_at DESC, id".
func sqlOrder(items []orderItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.column
		if it.desc {
			parts[i] += " DESC"
		}
	}
	return strings.Join(parts, ", ")
}

// orderStyle writes an order in one ORM's API: each item by asc or desc
// ({col} is its column), joined by sep.
type orderStyle struct{ asc, desc, sep string }

// orderStyles are the ORMs whose order is not a SQL string.
var orderStyles = map[string]orderStyle{
	"Django":       {`"{col}"`, `"-{col}"`, ", "},
	"SQLAlchemy":   {`<Model>.{col}`, `<Model>.{col}.desc()`, ", "},
	"TypeORM":      {`{col}: "ASC"`, `{col}: "DESC"`, ", "},
	"Prisma":       {`{ {col}: "asc" }`, `{ {col}: "desc" }`, ", "},
	"Sequelize":    {`["{col}", "ASC"]`, `["{col}", "DESC"]`, ", "},
	"Drizzle":      {`asc({col})`, `desc({col})`, ", "},
	"Knex":         {`{ column: "{col}" }`, `{ column: "{col}", order: "desc" }`, ", "},
	"Hibernate":    {`e.{col}`, `e.{col} desc`, ", "},
	"ActiveRecord": {`{col}: :asc`, `{col}: :desc`, ", "},
	"Eloquent":     {`->orderBy('{col}')`, `->orderBy('{col}', 'desc')`, ""},
	"Ecto":         {`asc: x.{col}`, `desc: x.{col}`, ", "},
}

// ormOrder is the order in orm's API (SQL for the others).
func ormOrder(orm string, items []orderItem) string {
	style, ok := orderStyles[orm]
	if !ok {
		return sqlOrder(items)
	}
	parts := make([]string, len(items))
	for i, it := range items {
		pattern := style.asc
		if it.desc {
			pattern = style.desc
		}
		parts[i] = strings.ReplaceAll(pattern, "{col}", it.column)
	}
	return strings.Join(parts, style.sep)
}

// afterLast is the condition that keeps the rows after the last one seen,
// in the query's order: email > :last_email; (created_at, id) <
// (:last_created_at, :last_id) when every item goes the same way; expanded
// with OR when they do not. bind writes the value of item i.
func afterLast(items []orderItem, bind func(i int, it orderItem) string) string {
	if len(items) == 0 {
		return ""
	}
	op := func(it orderItem) string {
		if it.desc {
			return "<"
		}
		return ">"
	}
	same := true
	for _, it := range items[1:] {
		same = same && it.desc == items[0].desc
	}
	if len(items) == 1 || same {
		cols, vals := make([]string, len(items)), make([]string, len(items))
		for i, it := range items {
			cols[i], vals[i] = it.column, bind(i, it)
		}
		if len(items) == 1 {
			return cols[0] + " " + op(items[0]) + " " + vals[0]
		}
		return "(" + strings.Join(cols, ", ") + ") " + op(items[0]) + " (" + strings.Join(vals, ", ") + ")"
	}
	if len(items) > maxExpanded { // an OR per item would outgrow the fix
		return "the rows after the last one seen, in the order " + sqlOrder(items)
	}
	var ors []string
	for i, it := range items {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, items[j].column+" = "+bind(j, items[j]))
		}
		ands = append(ands, it.column+" "+op(it)+" "+bind(i, it))
		term := strings.Join(ands, " AND ")
		if len(ands) > 1 {
			term = "(" + term + ")"
		}
		ors = append(ors, term)
	}
	return strings.Join(ors, " OR ")
}

// maxExpanded is the most items of a mixed-direction order written out as
// a condition.
const maxExpanded = 3

// namedBind binds :last_<column> (:last_<n> for an expression).
func namedBind(i int, it orderItem) string {
	if it.expr {
		return ":last_" + strconv.Itoa(i+1)
	}
	return ":last_" + it.column
}

func positionalBind(int, orderItem) string { return "?" }

// uniqueOrder: the order ends on a key, so no two rows tie.
func uniqueOrder(items []orderItem) bool {
	return len(items) > 0 && !items[len(items)-1].expr && isPrimaryKey(items[len(items)-1].column)
}

func columnsOf(items []orderItem) string {
	cols := make([]string, len(items))
	for i, it := range items {
		cols[i] = it.column
	}
	return strings.Join(cols, ", ")
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// lowerIfShouting lowercases a name the normalizer uppercased as a keyword
// (KEY, NAME): an ORM's column names are not all capitals.
func lowerIfShouting(s string) string {
	if s != strings.ToUpper(s) || s == strings.ToLower(s) {
		return s
	}
	return strings.ToLower(s)
}
