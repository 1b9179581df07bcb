package sqlnorm

import (
	"reflect"
	"testing"
)

// The literal of each column = value of a statement, by its column's last
// name part; placeholders hold none.
func TestEqualityValues(t *testing.T) {
	for _, c := range []struct {
		system, raw string
		want        [][2]string
	}{
		{"sqlite", `SELECT "status_bookmark"."id" FROM "status_bookmarks" AS "status_bookmark" WHERE ("status_bookmark"."account_id" = '01ABC') AND ("status_bookmark"."status_id" = '01XYZ')`,
			[][2]string{{"account_id", "'01ABC'"}, {"status_id", "'01XYZ'"}}},
		{"postgresql", `SELECT * FROM books WHERE books.author_id = 42 AND pages > 10`, [][2]string{{"author_id", "42"}}},
		{"postgresql", `SELECT * FROM books WHERE books.author_id = $1`, nil},
		{"mongodb", `{"find": "books", "filter": {"author_id": 3}}`, nil},
	} {
		if got := EqualityValues(c.system, c.raw); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %q, want %q", c.raw, got, c.want)
		}
	}
}
