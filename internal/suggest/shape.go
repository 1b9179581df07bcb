package suggest

import (
	"regexp"
	"strings"
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
	// ShapeCount counts (or sums) per item.
	ShapeCount
	ShapeInsert
	ShapeUpdate
	ShapeDelete
	// ShapeCommand is a key-value or document store command.
	ShapeCommand
	// ShapeManyRows stands for a query that returned too many rows (an
	// over_fetch by row count, whatever its statement).
	ShapeManyRows
	// ShapeCountedRows stands for rows read beside a COUNT of the same rows
	// (an over_fetch of every row of a findAndCountAll without a limit).
	ShapeCountedRows
)

var (
	// A predicate on one column against a placeholder, either way round:
	// "books.author_id = ?" or SQLAlchemy's "? = books.author_id".
	predicateRe = regexp.MustCompile(`(?:\b([A-Za-z_][\w$]*\.)?([A-Za-z_][\w$]*) = \?|\? = (?:[A-Za-z_][\w$]*\.)?([A-Za-z_][\w$]*))`)
	countRe     = regexp.MustCompile(`(?i)^SELECT (?:DISTINCT )?(?:COUNT|SUM|AVG|MIN|MAX) ?\(`)
)

// Classify tells the shape of a normalized statement and the column it is
// keyed on, if any.
func Classify(command, normalized string, sql bool) (Shape, string) {
	if !sql {
		return ShapeCommand, ""
	}
	switch command {
	case "INSERT":
		return ShapeInsert, ""
	case "UPDATE":
		return ShapeUpdate, keyColumn(normalized)
	case "DELETE":
		return ShapeDelete, keyColumn(normalized)
	case "SELECT":
	default:
		return ShapeOther, ""
	}
	if countRe.MatchString(normalized) {
		return ShapeCount, keyColumn(normalized)
	}
	col := keyColumn(normalized)
	switch {
	case col == "":
		return ShapeOther, ""
	case isPrimaryKey(col):
		return ShapeByKey, col
	case isForeignKey(col):
		return ShapeByForeignKey, col
	}
	return ShapeOther, col
}

// keyColumn is the column of the first "column = ?" predicate.
func keyColumn(normalized string) string {
	m := predicateRe.FindStringSubmatch(normalized)
	if m == nil {
		return ""
	}
	if m[2] != "" {
		return m[2]
	}
	return m[3]
}

func isPrimaryKey(col string) bool {
	c := strings.ToLower(col)
	return c == "id" || c == "pk" || c == "uuid"
}

func isForeignKey(col string) bool {
	return strings.HasSuffix(strings.ToLower(col), "_id") || strings.HasSuffix(col, "Id") ||
		strings.HasSuffix(col, "ID")
}
