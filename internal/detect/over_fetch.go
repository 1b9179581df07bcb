package detect

import (
	"fmt"

	"github.com/querylens/querylens/internal/traceview"
)

// OverFetchConfig sets the over_fetch detector: a request that reads far
// more rows than it can use, as its spans record.
type OverFetchConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
	// SelectAll also reports every SELECT * (or table.*) of a table, once per
	// statement and request. Default false: a trace does not show which
	// columns the code reads, and GORM, Knex and Eloquent select whole rows
	// in nearly every query, so whole rows alone are a hint, not evidence.
	SelectAll bool `mapstructure:"select_all"`
	// MaxReturnedRows reports a query of a request that returned more rows
	// than this (db.response.returned_rows, or the db.rows_affected GORM
	// records for a SELECT). Default 1000: more than a page, a report or an
	// export batch needs. 0 turns the check off.
	MaxReturnedRows int64 `mapstructure:"max_returned_rows"`
}

// Validate names each setting out of range and what it allows.
func (c *OverFetchConfig) Validate() error {
	if c.MaxReturnedRows < 0 {
		return fmt.Errorf("max_returned_rows must be 0 (off) or more, got %d", c.MaxReturnedRows)
	}
	return nil
}

// Reasons of an over_fetch finding.
const (
	ReasonSelectAll    = "select_all"
	ReasonReturnedRows = "returned_rows"
	ReasonCountedRows  = "counted_rows"
)

type overFetch struct{ cfg OverFetchConfig }

// Detect reports, once per statement and request:
//   - a query whose recorded row count is above the bound, when it serves a
//     request (a server or consumer span above it): a background job that
//     loads a whole table into a cache or an export reads every row by design;
//   - every row of a filter read at once with a COUNT of the same filter,
//     under one parent: the two overlap in time, one call of an ORM that
//     returns rows with their count (Sequelize's findAndCountAll without a
//     limit) asked for every row; the rows or the count are waste, whichever
//     the code uses. A count and a read one after the other are two calls
//     (a template that counts a queryset and then lists it): no finding;
//   - with select_all on, whole rows of a table.
func (d overFetch) Detect(in *Input, claimed Claimed) []Finding {
	t := in.Trace
	counted := countedRows(in, claimed)
	return oncePerStatement(in, TypeOverFetch, func(s *traceview.Span, i int) (bool, string) {
		st := s.DB.Statement
		if counted[i] {
			return true, ReasonCountedRows
		}
		// The row count first: it is in the call, the statement is memory
		// elsewhere.
		rows := s.DB.ReturnedRows
		if rows < 0 {
			rows = s.DB.RowsAffected // GORM's name for the rows a SELECT returned
		}
		if d.cfg.MaxReturnedRows > 0 && rows > d.cfg.MaxReturnedRows && st.Command == "SELECT" && servesRequest(t, i) {
			return true, ReasonReturnedRows
		}
		if d.cfg.SelectAll && st.SelectsAll {
			return true, ReasonSelectAll
		}
		return false, ""
	})
}

// servesRequest reports whether span i runs inside a request: its local root
// is a server or consumer span.
func servesRequest(t *traceview.Trace, i int) bool {
	k := t.Spans[t.LocalRoot(i)].Kind
	return k == traceview.KindServer || k == traceview.KindConsumer
}

// countedRows marks the unpaged reads of rows that run, under one loop
// parent and at the same time, with a COUNT (without GROUP BY) of the same
// base table and filter.
func countedRows(in *Input, claimed Claimed) map[int]bool {
	if !in.repeats().count {
		return nil
	}
	t := in.Trace
	var marked map[int]bool
	for _, g := range callsByLoopParent(in, claimed, in.Calls, dataStatement) {
		var counts []int
		for _, c := range g.spans {
			if st := t.Spans[c].DB.Statement; st.Count && st.Base != "" {
				counts = append(counts, c)
			}
		}
		if len(counts) == 0 {
			continue
		}
		for _, r := range g.spans {
			st := t.Spans[r].DB.Statement
			if st.Command != "SELECT" || st.Count || st.GroupBy && !st.GroupsByKey || st.Limit.Present || st.Offset.Present {
				continue
			}
			for _, c := range counts {
				cst := t.Spans[c].DB.Statement
				if cst.Base == st.Base && cst.Where == st.Where && overlap(&t.Spans[c], &t.Spans[r]) {
					if marked == nil {
						marked = map[int]bool{}
					}
					marked[r] = true
					break
				}
			}
		}
	}
	return marked
}

// overlap reports whether two spans ran at the same time: one started before
// the other ended, strictly (timestamps of whole milliseconds make a call
// that starts in the tick the previous one ended look like it touches it).
func overlap(a, b *traceview.Span) bool {
	return a.Start < b.End && b.Start < a.End
}
