package suggest

import (
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// A lookup by a case-folded value within its owner (Django's name__iexact
// per tag name) is no relation to prefetch: the values are fetched at once.
func TestCaseFoldedLookupIsNoRelation(t *testing.T) {
	for _, raw := range []string{
		`SELECT "bookmarks_tag"."id" FROM "bookmarks_tag" WHERE (UPPER("bookmarks_tag"."name"::text) = UPPER(%s) AND "bookmarks_tag"."owner_id" = %s) LIMIT 21`,
		`SELECT users.id FROM users WHERE LOWER(users.email) = ?`,
	} {
		st := sqlnorm.Normalize("postgresql", raw)
		shape, k := describe(st)
		if shape != ShapeOther || k.column == "" || isIdentifying(k.column) {
			t.Errorf("%s: shape %v, key %q", st.Text, shape, k.column)
		}
		fix, _ := Fix(Request{Type: detect.TypeNPlusOne, Statements: []*sqlnorm.Statement{st},
			Context: Context{Language: "python", Scopes: []string{"opentelemetry.instrumentation.django"}}})
		if !strings.HasPrefix(fix, "Django") {
			t.Errorf("not worded for Django: %s", fix)
		}
		if strings.Contains(fix, "prefetch_related") || strings.Contains(fix, "select_related") {
			t.Errorf("%s: %s", st.Text, fix)
		}
	}
}
