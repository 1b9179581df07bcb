package detect

import (
	"github.com/querylens/querylens/internal/traceview"
)

// DuplicateQueryConfig sets the duplicate_query detector: the very same
// statement with the very same values run again and again in one trace.
type DuplicateQueryConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
	// MinRepeats is the fewest runs that make a finding. Default 3: two runs
	// are often deliberate (a re-read after a write, a lock check), three
	// are a loop re-running a lookup per item.
	MinRepeats int `mapstructure:"min_repeats"`
}

// Validate names each setting out of range and what it allows.
func (c *DuplicateQueryConfig) Validate() error { return atLeast("min_repeats", c.MinRepeats, 2) }

type duplicateQuery struct {
	cfg DuplicateQueryConfig
	// nPlusOneRepeats: repeats of a statement under one loop parent with
	// different values, this many or more, are an N+1 even when some of
	// them share values; those are left to n_plus_one.
	nPlusOneRepeats int
}

func (d duplicateQuery) Detect(in *Input, claimed Claimed) []Finding {
	if in.repeats().most < d.cfg.MinRepeats {
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
	candidates = repeatedAtLeast(in, candidates, d.cfg.MinRepeats)
	var findings []Finding
	for _, members := range bySameKey(candidates, func(i int) string {
		db := t.Spans[i].DB
		return db.Statement.Fingerprint + "\x00" + valuesKey(db)
	}) {
		if len(members) < d.cfg.MinRepeats {
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
