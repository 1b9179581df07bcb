package detect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

var coarseCache, _ = sqlnorm.NewCache(10, 100)

// summarized adds a database span that records no statement, only its
// summary, as .NET SqlClient does by default.
func (b *traceBuilder) summarized(id, parent byte, summary string) *traceBuilder {
	b.span(id, parent, summary, traceview.KindClient)
	s := &b.spans[len(b.spans)-1]
	s.DB = &traceview.DBCall{System: "microsoft.sql_server", Statement: coarseCache.Coarse(summary, "", "")}
	return b
}

func TestCoarseFingerprints(t *testing.T) {
	loop := func(n int, summary string) *traceBuilder {
		b := newRoot()
		for i := 0; i < n; i++ {
			b.summarized(byte(10+i), 1, summary)
		}
		return b
	}
	tests := []struct {
		name  string
		trace *traceBuilder
		types []string
		want  []expect
	}{
		{"ten repeats of one summary are a loop", loop(10, "SELECT Authors"), []string{TypeNPlusOne}, []expect{{TypeNPlusOne, 10, 1}}},
		{"five may be five queries on one table", loop(5, "SELECT Authors"), []string{TypeNPlusOne}, nil},
		{"nine stay below coarse_min_repeats", loop(9, "SELECT Authors"), []string{TypeNPlusOne}, nil},
		// The values are unseen: the same summary twice is no duplicate.
		{"no duplicate query on a summary", loop(4, "SELECT Authors"), []string{TypeDuplicateQuery}, nil},
		// Nor can a summary show a SELECT * or an OFFSET.
		{"no single-span finding on a summary", loop(1, "SELECT Authors"), []string{TypeOverFetch, TypeDeepOffset, TypePagedToManyJoin}, nil},
		{"ten iterations of two summaries are an mn_plus_one", twoSummaries(10), []string{TypeMNPlusOne}, []expect{{TypeMNPlusOne, 10, 1}}},
		{"six are not, though min_iterations is 5", twoSummaries(6), []string{TypeMNPlusOne}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := tt.trace.build()
			got := runOnly(tr, tt.types...)
			check(t, got, tr, tt.want)
			for _, f := range got {
				if f.Source != sqlnorm.SourceSummary || !strings.HasPrefix(f.Statement, "SELECT Authors") || f.Table != "Authors" {
					t.Errorf("finding on %q from %q about table %q, want the summary's", f.Statement, f.Source, f.Table)
				}
			}
		})
	}
}

// twoSummaries is a loop that reads each item's author and its tags.
func twoSummaries(n int) *traceBuilder {
	b := newRoot()
	for i := 0; i < n; i++ {
		b.summarized(byte(10+2*i), 1, "SELECT Authors").summarized(byte(11+2*i), 1, "SELECT Tags")
	}
	return b
}

func TestStatementsKeepTheirThreshold(t *testing.T) {
	b := newRoot()
	for i := 0; i < 5; i++ {
		b.db(byte(10+i), 1, fmt.Sprintf(`SELECT * FROM "authors" WHERE "authors"."id" = %d`, i))
	}
	tr := b.build()
	got := runOnly(tr, TypeNPlusOne)
	check(t, got, tr, []expect{{TypeNPlusOne, 5, 1}})
	if got[0].Source != "" {
		t.Errorf("a finding on statements says its source is %q", got[0].Source)
	}
}
