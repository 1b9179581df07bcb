package detect

import (
	"regexp"
	"testing"
)

// The signature is a contract: baselines and SARIF alerts of earlier runs
// compare by it, so the same four parts give the same id in every version.
func TestProblemIDIsStable(t *testing.T) {
	id := ProblemID(TypeNPlusOne, "shop", "/books", "0123456789abcdef")
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
		t.Fatalf("id %q is not 16 lowercase hex characters", id)
	}
	// Pinned when the signature was introduced (issue 22): a change here
	// breaks every baseline users committed.
	if id != "3e9c61359b477472" {
		t.Errorf("the signature changed: %s", id)
	}
}

func TestProblemIDTellsEachPart(t *testing.T) {
	base := [4]string{TypeNPlusOne, "shop", "/books", "0123456789abcdef"}
	seen := map[string][4]string{ProblemID(base[0], base[1], base[2], base[3]): base}
	variants := [][4]string{
		{TypeDuplicateQuery, "shop", "/books", "0123456789abcdef"},
		{TypeNPlusOne, "shop2", "/books", "0123456789abcdef"},
		{TypeNPlusOne, "shop", "/authors", "0123456789abcdef"},
		{TypeNPlusOne, "shop", "", "0123456789abcdef"},
		{TypeNPlusOne, "shop", "/books", "fedcba9876543210"},
		// The parts are kept apart: moving a character across a boundary
		// is another signature.
		{TypeNPlusOne, "sho", "p/books", "0123456789abcdef"},
	}
	for _, v := range variants {
		id := ProblemID(v[0], v[1], v[2], v[3])
		if other, dup := seen[id]; dup {
			t.Errorf("%v and %v share the id %s", v, other, id)
		}
		seen[id] = v
	}
}
