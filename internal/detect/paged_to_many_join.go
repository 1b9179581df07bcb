package detect

import "github.com/querylens/querylens/internal/traceview"

// PagedToManyJoinConfig sets the paged_to_many_join detector: a LIMIT over
// the rows of a join from a parent table to a to-many child, which pages
// joined rows, not parents.
type PagedToManyJoinConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
}

type pagedToManyJoin struct{ cfg PagedToManyJoinConfig }

// Detect reports, once per statement, a top-level LIMIT (other than 1, and
// not a lookup's guard: lookupGuard) over
// a query that joins its FROM table to a child that points back at it, with
// no DISTINCT or GROUP BY to fold the children: an author with five books
// takes five of the twenty rows of the page. The statement alone decides
// (sqlnorm's JoinsToMany): when the join is not a plain key equality named by
// convention, it says nothing.
func (d pagedToManyJoin) Detect(in *Input, _ Claimed) []Finding {
	return oncePerStatement(in, TypePagedToManyJoin, func(s *traceview.Span, _ int) (bool, string) {
		st := s.DB.Statement
		if st.Command != "SELECT" || !st.JoinsToMany || st.Distinct || st.GroupBy || st.Count || !st.Limit.Present {
			return false, ""
		}
		limit, known := boundValue(s.DB, st.Limit)
		return !known || limit > 1 && !lookupGuard(s.DB), ""
	})
}
