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

// A page ordered by an aggregate gets no keyset condition on it in WHERE
// (invalid SQL) nor an order API guessed from it.
func TestDeepOffsetOrderedByAnAggregate(t *testing.T) {
	st := sqlnorm.Normalize("postgresql", `SELECT session_id, max(website_event.created_at) AS last FROM website_event GROUP BY session_id ORDER BY max(website_event.created_at) DESC LIMIT 20 OFFSET 1180`)
	fix, orm := Fix(Request{Type: detect.TypeDeepOffset, Statements: []*sqlnorm.Statement{st},
		Context: Context{Language: "nodejs", Scopes: []string{"prisma"}}})
	if orm != "Prisma" || !strings.Contains(fix, "ordered by an aggregate") || strings.Contains(fix, "orderBy: [{ max") || strings.Contains(fix, "cursor") {
		t.Errorf("%s: %s", orm, fix)
	}
}
