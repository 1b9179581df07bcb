package detect

import (
	"errors"
	"slices"

	"github.com/querylens/querylens/internal/traceview"
)

// DuplicateQueryConfig sets the duplicate_query detector: the very same
// statement with the very same values run again and again in one trace.
type DuplicateQueryConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
	// MinRepeats is the fewest runs that make a finding. Default 3: two runs
	// of a write are often deliberate, three are a loop re-running a
	// statement per item.
	MinRepeats int `mapstructure:"min_repeats"`
	// MinReadRepeats is the fewest runs of a read (a SELECT) that make a
	// finding when no write ran between them: nothing can have changed its
	// answer (Django's admin counting a list twice).
	// Default 2; at MinRepeats or more the write between does not matter.
	MinReadRepeats int `mapstructure:"min_read_repeats"`
}

// Validate names each setting out of range and what it allows.
func (c *DuplicateQueryConfig) Validate() error {
	return errors.Join(atLeast("min_repeats", c.MinRepeats, 2), atLeast("min_read_repeats", c.MinReadRepeats, 2))
}

type duplicateQuery struct {
	cfg DuplicateQueryConfig
	// nPlusOneRepeats: repeats of a statement under one loop parent with
	// different values, this many or more, are an N+1 even when some of
	// them share values; those are left to n_plus_one.
	nPlusOneRepeats int
}

func (d duplicateQuery) Detect(in *Input, claimed Claimed) []Finding {
	least := min(d.cfg.MinRepeats, d.cfg.MinReadRepeats)
	if in.repeats().most < least {
		return nil
	}
	t := in.Trace
	inLoop := make(map[int]bool)
	for _, g := range callsByLoopParent(in, claimed, in.Calls, dataStatement) {
		for _, same := range groupsOfAtLeast(in, g.spans, d.nPlusOneRepeats) {
			if len(same) >= d.nPlusOneRepeats && !sameVisibleParameters(t, same) {
				for _, i := range same {
					inLoop[i] = true
				}
			}
		}
	}
	var candidates []int
	for _, c := range in.Calls {
		db := t.Spans[c.Span].DB
		visible := (db.Statement.Placeholders == 0 || db.NumParams > 0) && !db.Statement.IsCoarse()
		if visible && !inLoop[c.Span] && !claimed[c.Span] && !db.Statement.Control {
			candidates = append(candidates, c.Span)
		}
	}
	// Only a statement run MinRepeats times or more can repeat its values
	// that often: the others are left out before their values are keyed.
	candidates = repeatedAtLeast(in, candidates, least)
	var findings []Finding
	var writes writeTimes
	for _, members := range bySameKey(candidates, func(i int) string {
		db := t.Spans[i].DB
		return db.Statement.Fingerprint + "\x00" + valuesKey(db)
	}) {
		if runs := distinctRuns(t, members); runs < d.cfg.MinRepeats && (runs < d.cfg.MinReadRepeats || !unchangedReads(in, members, &writes)) {
			continue
		}
		parent := traceview.SpanID{}
		if a, ok := commonAncestor(t, members); ok {
			parent = t.Spans[a].ID
		}
		f := groupFinding(t, TypeDuplicateQuery, parent, members)
		findings = append(findings, f)
	}
	return findings
}

// repeatedAtLeast keeps, in order, the spans whose statement's fingerprint
// is that of n of the spans or more.
func repeatedAtLeast(in *Input, spans []int, n int) []int {
	if len(spans) < n {
		return nil
	}
	ids, counts := fingerprintNumbers(in, spans)
	kept := spans[:0]
	for k, i := range spans {
		if counts[ids[k]] >= n {
			kept = append(kept, i)
		}
	}
	return kept
}

// unchangedReads reports whether the runs of one statement (in start order)
// are reads of a table with no write at all between them: no data statement that is
// not a SELECT started after the first run and before the last. A write to
// another table counts too: the second read may reload what was saved (an
// entity updated, then read again with its relations).
func unchangedReads(in *Input, runs []int, w *writeTimes) bool {
	t := in.Trace
	if st := t.Spans[runs[0]].DB.Statement; st.Command != "SELECT" || len(st.Tables) == 0 {
		return false // no table read: a driver's probe (select current_schema()), a clock
	}
	w.index(in)
	from, to := t.Spans[runs[0]].Start, t.Spans[runs[len(runs)-1]].Start
	k, _ := slices.BinarySearch(w.starts, from+1)
	return k == len(w.starts) || w.starts[k] >= to
}

// writeTimes are the start times of a trace's writes, sorted: made once per
// trace, on the first pair of reads that asks, so that each pair costs a
// search, not a pass over the calls.
type writeTimes struct {
	made   bool
	starts []int64
}

func (w *writeTimes) index(in *Input) {
	if w.made {
		return
	}
	w.made = true
	t := in.Trace
	for _, c := range in.Calls {
		if st := t.Spans[c.Span].DB.Statement; st.Command != "SELECT" && !st.Control {
			w.starts = append(w.starts, t.Spans[c.Span].Start)
		}
	}
	slices.Sort(w.starts)
}

// distinctRuns counts the runs of spans of distinct ids: a span exported
// twice (a retried export, a file read twice) is one run of its query.
func distinctRuns(t *traceview.Trace, spans []int) int {
	ids := make(map[traceview.SpanID]struct{}, len(spans))
	for _, i := range spans {
		ids[t.Spans[i].ID] = struct{}{}
	}
	return len(ids)
}
