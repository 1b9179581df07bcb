package suggest

import (
	"regexp"
	"slices"
	"strings"

	"github.com/querylens/querylens/internal/sqlnorm"
)

// Shape is what a repeated statement does, which decides the fix.
type Shape int

const (
	ShapeOther Shape = iota
	// ShapeByKey looks one row up by its primary key: a to-one relation read
	// per item (N+1 on a forward foreign key).
	ShapeByKey
	// ShapeByForeignKey reads the rows that point at one parent: a collection
	// or many-to-many relation read per item.
	ShapeByForeignKey
	// ShapeCount counts per item: a COUNT in the select list.
	ShapeCount
	ShapeInsert
	// ShapeUpsert inserts or updates: INSERT ... ON CONFLICT, ON DUPLICATE
	// KEY UPDATE, INSERT OR REPLACE, REPLACE, MERGE.
	ShapeUpsert
	ShapeUpdate
	ShapeDelete
	// ShapeCommand is a key-value or document store command.
	ShapeCommand
	// ShapeUnkeyed reads with no WHERE and no value to look up by: the same
	// query, whichever item the loop is at.
	ShapeUnkeyed
	// ShapeManyRows stands for a query that returned too many rows (an
	// over_fetch by row count, whatever its statement).
	ShapeManyRows
	// ShapeWriteLoop stands for an mn_plus_one whose iteration writes.
	ShapeWriteLoop
	// ShapeWrite stands for a duplicate_query of a write.
	ShapeWrite
	// ShapeUnordered stands for a deep_offset whose page has no ORDER BY.
	ShapeUnordered
	// ShapeAggregateOrder stands for a deep_offset whose page is ordered by
	// an aggregate (ORDER BY max(...)): no row value to page after in WHERE.
	ShapeAggregateOrder
	// ShapeCountedRows stands for rows read beside a COUNT of the same rows
	// (an over_fetch of every row of a findAndCountAll without a limit).
	ShapeCountedRows
	// ShapeSpreadOut stands for an n_plus_one of reads spread over the
	// request, between other work, rather than one loop (the current user
	// read again by each helper that needs it).
	ShapeSpreadOut
	// ShapeLazyException stands for a lazy_load_out_of_scope on an ORM's
	// lazy-load exception, ShapeLazyTemplate for one on a template's
	// repeats; one on queries after their parent ended is ShapeOther.
	ShapeLazyException
	ShapeLazyTemplate
	// ShapeAggregate folds rows per item with another aggregate than COUNT
	// (SUM, AVG, MIN, MAX, ...) or groups them: like a count, one grouped
	// query for all items fixes it, never eager loading.
	ShapeAggregate
	// ShapeTree stands for an n_plus_one that reads a tree one node at a
	// time: rows of a table by their parent column (parent_id), the children
	// of each row read before. A self-reference the ORM may not map as an
	// association: load once and group, or read a level per query.
	ShapeTree
)

// IsWrite reports whether the shape writes rows.
func (s Shape) IsWrite() bool {
	return s == ShapeInsert || s == ShapeUpsert || s == ShapeUpdate || s == ShapeDelete
}

// isParentColumn reports whether a column names a row's parent in the same
// table, the adjacency list of a tree: parent_id, parentId, parent,
// parent_<entity>_id.
func isParentColumn(column string) bool {
	c := strings.ToLower(strings.Trim(column, "\"`[]"))
	return c == "parent" || c == "parent_id" || c == "parentid" || strings.HasPrefix(c, "parent_") && strings.HasSuffix(c, "_id")
}

// key is what a statement is keyed on: the first column it compares to a
// value with "=", unqualified and as written, and every such column (the
// lookup of a get-or-create).
type key struct {
	column, qualified string
	columns           []string
}

var (
	// A predicate on one column against a placeholder, either way round:
	// "books.author_id = ?" or SQLAlchemy's "? = books.author_id".
	// Names may keep their quotes (Ecto's b0."author_id").
	predicateRe = regexp.MustCompile("(?:((?:[\"`]?\\b[A-Za-z_][\\w$]*[\"`]?\\.)*)[\"`]?\\b([A-Za-z_][\\w$]*)[\"`]? = \\?|" +
		"\\? = ((?:[\"`]?[A-Za-z_][\\w$]*[\"`]?\\.)*)[\"`]?([A-Za-z_][\\w$]*)[\"`]?)")
	// A column compared case-folded to a value: "UPPER(tags.name :: text) =
	// UPPER(?)", "LOWER(email) = ?".
	caseFoldLookupRe = regexp.MustCompile("(?i)(?:\\b(?:UPPER|LOWER) ?\\( ?((?:[\"`]?[A-Za-z_][\\w$]*[\"`]?\\.)*)[\"`]?([A-Za-z_][\\w$]*)[\"`]?(?: ?:: ?\\w+)? ?\\) = (?:(?:UPPER|LOWER) ?\\( ?)?\\?)")
	// A column against a list: "users.id IN (?)", the batched lookup of a
	// key when no "=" predicate names one.
	inListRe = regexp.MustCompile("((?:[\"`]?\\b[A-Za-z_][\\w$]*[\"`]?\\.)*)[\"`]?\\b([A-Za-z_][\\w$]*)[\"`]? IN \\(\\?\\)")
	upsertRe = regexp.MustCompile(`(?i)\bON CONFLICT\b|\bON DUPLICATE KEY UPDATE\b|^INSERT OR (?:REPLACE|IGNORE)\b|^INSERT IGNORE\b`)
)

// Classify tells the shape of a normalized statement and the column it is
// keyed on, if any.
func Classify(st *sqlnorm.Statement) (Shape, string) {
	shape, k := describe(st)
	return shape, k.column
}

// classify reads the shape from the statement's text and, for a SELECT, its
// structure: an aggregate anywhere in the top-level select list (not only
// first), or a GROUP BY, makes it an aggregate, whatever it is keyed on.
func classify(command, normalized string, sql bool, structure sqlnorm.Structure) (Shape, key) {
	if !sql {
		return ShapeCommand, key{}
	}
	switch command {
	case "INSERT":
		if upsertRe.MatchString(normalized) {
			return ShapeUpsert, key{}
		}
		return ShapeInsert, key{}
	case "REPLACE", "MERGE", "UPSERT":
		return ShapeUpsert, key{}
	case "UPDATE":
		return ShapeUpdate, keyOf(whereOf(normalized))
	case "DELETE":
		return ShapeDelete, keyOf(whereOf(normalized))
	case "SELECT":
	default:
		return ShapeOther, key{}
	}
	k := keyOf(normalized)
	if k.column == "" && !strings.Contains(normalized, " WHERE ") {
		return ShapeUnkeyed, k
	}
	if m := caseFoldLookupRe.FindStringSubmatch(normalized); m != nil && !isIdentifying(m[2]) {
		// A lookup by a value the request brings (a name, case-folded: Django's
		// __iexact), within its owner or not: no relation to load, the values
		// to fetch at once.
		column := lowerIfShouting(m[2])
		return ShapeOther, key{column: column, qualified: strings.NewReplacer(`"`, "", "`", "").Replace(m[1]) + column, columns: []string{column}}
	}
	if shape := aggregateShape(structure); shape != ShapeOther {
		return shape, k
	}
	if k.column == "" {
		return ShapeOther, k
	}
	return keyShape(k.column), k
}

// keyShape is the shape of a read keyed on column.
func keyShape(column string) Shape {
	switch {
	case isPrimaryKey(column):
		return ShapeByKey
	case isForeignKey(column):
		return ShapeByForeignKey
	case isIdentifying(column): // a key named its own way (Hibernate's DIS_ID_A): one row by its key
		return ShapeByKey
	}
	return ShapeOther
}

// varyingKey is the first "column = ?" predicate of st whose column is among
// varying, the columns whose values differ between the runs, when the key
// describe picks is not among them: bookmarks WHERE account_id = ? AND
// status_id = ? run per status, the account the same each time, is keyed on
// status_id. ok is false when it keeps describe's key.
func varyingKey(st *sqlnorm.Statement, varying []string) (key, bool) {
	if st == nil || len(varying) == 0 {
		return key{}, false
	}
	in := func(col string) bool {
		return slices.ContainsFunc(varying, func(v string) bool { return strings.EqualFold(v, col) })
	}
	_, k := describe(st)
	if k.column == "" || in(k.column) {
		return key{}, false
	}
	for _, m := range predicateRe.FindAllStringSubmatch(st.Text, -1) {
		if column, qualified := predicateColumn(m); in(column) {
			return key{column: column, qualified: qualified, columns: []string{column}}, true
		}
	}
	return key{}, false
}

// aggregateShape is ShapeCount for a select list that counts,
// ShapeAggregate for one that folds rows otherwise or a query that groups
// (but by its base table's key with no aggregate: one row per row, a plain
// read), else ShapeOther.
func aggregateShape(s sqlnorm.Structure) Shape {
	switch {
	case s.Aggregate == "count":
		return ShapeCount
	case s.Aggregate != "" || s.GroupBy && !s.GroupsByKey:
		return ShapeAggregate
	}
	return ShapeOther
}

// whereOf is what follows the first WHERE: an UPDATE's SET compares columns
// to values too.
func whereOf(normalized string) string {
	if i := strings.Index(normalized, " WHERE "); i >= 0 {
		return normalized[i:]
	}
	return ""
}

// keyOf reads the "column = ?" predicates of a statement, else its first
// "column IN (?)".
func keyOf(normalized string) key {
	var k key
	matches := predicateRe.FindAllStringSubmatch(normalized, -1)
	if len(matches) == 0 {
		if m := inListRe.FindStringSubmatch(normalized); m != nil {
			matches = [][]string{{m[0], m[1], m[2], "", ""}}
		}
	}
	for _, m := range matches {
		column, qualified := predicateColumn(m)
		// The key is the first column that names a row (an id); else the first.
		if k.column == "" || !isIdentifying(k.column) && isIdentifying(column) {
			k.column, k.qualified = column, qualified
		}
		k.columns = appendNew(k.columns, column)
	}
	return k
}

// predicateColumn is the column of a predicateRe match, and the column as
// the statement qualifies it, unquoted.
func predicateColumn(m []string) (column, qualified string) {
	qualifier, column := m[1], m[2]
	if column == "" {
		qualifier, column = m[3], m[4]
	}
	column = lowerIfShouting(column)
	return column, unquote.Replace(qualifier) + column
}

// unquote drops the quotes of a qualifier.
var unquote = strings.NewReplacer(`"`, "", "`", "")

// isIdentifying: the column's name holds the word id (id, author_id,
// authorId, dis_id_a): it names a row, not a value to look one up by.
func isIdentifying(col string) bool {
	for _, word := range strings.FieldsFunc(camelToSnake(col), func(r rune) bool { return r == '_' }) {
		if word == "id" || word == "pk" || word == "uuid" {
			return true
		}
	}
	return false
}

// camelToSnake lowercases a name, an underscore before each capital that
// follows a lowercase letter (authorId: author_id).
func camelToSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && s[i-1] >= 'a' && s[i-1] <= 'z' {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isPrimaryKey(col string) bool {
	c := strings.ToLower(col)
	return c == "id" || c == "pk" || c == "uuid"
}

func isForeignKey(col string) bool {
	return strings.HasSuffix(strings.ToLower(col), "_id") || strings.HasSuffix(col, "Id") ||
		strings.HasSuffix(col, "ID")
}
