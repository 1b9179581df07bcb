package detect

import "github.com/querylens/querylens/internal/traceview"

// PaginationCountConfig sets the pagination_count detector: a COUNT(*) for
// the page total run beside the LIMIT/OFFSET query of the page.
type PaginationCountConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
}

type paginationCount struct{ cfg PaginationCountConfig }

// Detect pairs, under each loop parent, a COUNT without GROUP BY with a page
// query (a SELECT with a LIMIT other than 1) of the same base table with the
// same filter: the total of Django's Paginator, Sequelize's findAndCountAll,
// GORM's Count beside Offset/Limit. What either joins does not matter (a
// page adds the LEFT JOINs of its includes, a count may not), nor where the
// page writes its filter and LIMIT (Sequelize's subQuery pages in a derived
// table): sqlnorm reads the base table and the filter of both.
func (d paginationCount) Detect(in *Input, claimed Claimed) []Finding {
	if !in.repeats().count {
		return nil
	}
	t := in.Trace
	var findings []Finding
	for _, g := range callsByLoopParent(in, claimed, in.Calls, dataStatement) {
		paired := map[int]bool{}
		for _, c := range g.spans {
			cst := t.Spans[c].DB.Statement
			if !cst.Count || paired[c] {
				continue
			}
			for _, p := range g.spans {
				pst := t.Spans[p].DB.Statement
				if paired[p] || !isPage(t.Spans[p].DB) || pst.Base == "" || pst.Base != cst.Base || pst.Where != cst.Where {
					continue
				}
				members := []int{min(c, p), max(c, p)}
				paired[c], paired[p] = true, true
				f := groupFinding(t, TypePaginationCount, g.parent, members)
				f.Statement = cst.Text + "; " + pst.Text
				f.Fingerprint = cst.Fingerprint
				f.ID = findingID(t, f.Type, f.Fingerprint, f.Anchor, members)
				findings = append(findings, f)
				break
			}
		}
	}
	return findings
}

// isPage: a SELECT of rows with a LIMIT that is not 1 (a LIMIT 1 fetches one
// row, it does not page).
func isPage(db *traceview.DBCall) bool {
	st := db.Statement
	if st.Command != "SELECT" || st.Count || st.GroupBy && !st.GroupsByKey || !st.Limit.Present {
		return false
	}
	limit, known := boundValue(db, st.Limit)
	return !known || limit != 1 && !lookupGuard(db)
}

// djangoGetLimit is the LIMIT of Django's get() (MAX_GET_RESULTS): it reads
// up to 21 rows, unordered, to tell one from several.
const djangoGetLimit = 21

// lookupGuard reports whether a known LIMIT guards a lookup rather than pages:
// Django's get() clears the order and reads LIMIT 21 from no offset (after a
// count() == 1, or with select_related of a reverse one-to-one). A page of 21
// in no order from no offset is no paginator's.
func lookupGuard(db *traceview.DBCall) bool {
	st := db.Statement
	limit, known := boundValue(db, st.Limit)
	return known && limit == djangoGetLimit && st.OrderBy == "" && !st.Offset.Present
}
