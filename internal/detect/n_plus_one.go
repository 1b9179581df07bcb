package detect

import (
	"errors"
	"time"

	"github.com/querylens/querylens/internal/traceview"
)

// NPlusOneConfig sets the n_plus_one detector: the same normalized statement
// repeated under one parent with different or unseen parameters.
type NPlusOneConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
	// MinRepeats is the fewest repeats under one parent that make a finding.
	// Default 5.
	MinRepeats int `mapstructure:"min_repeats"`
	// MinTotalDuration is the least summed duration of the repeats. Default 0:
	// local databases answer in microseconds and the N+1 is still there.
	MinTotalDuration time.Duration `mapstructure:"min_total_duration"`
	// CoarseMinRepeats is the fewest repeats of a coarse fingerprint (a span
	// with no statement, fingerprinted by db.query.summary or operation and
	// table). Default 10: "SELECT books" five times may be five different
	// queries on one table; ten times under one parent is a loop.
	CoarseMinRepeats int `mapstructure:"coarse_min_repeats"`
}

// Validate names each setting out of range and what it allows.
func (c *NPlusOneConfig) Validate() error {
	return errors.Join(atLeast("min_repeats", c.MinRepeats, 2), atLeast("coarse_min_repeats", c.CoarseMinRepeats, 2),
		notNegative("min_total_duration", c.MinTotalDuration))
}

// ReasonSpreadOut marks an n_plus_one whose repeats are spread over the
// request, between other work, rather than made by one loop: with values
// unseen, the same row read again at several places (the current user) as
// likely as a loop, and its fix is to read it once.
const ReasonSpreadOut = "spread_out"

type nPlusOne struct{ cfg NPlusOneConfig }

func (d nPlusOne) Detect(in *Input, claimed Claimed) []Finding {
	if in.repeats().most < min(d.cfg.MinRepeats, d.cfg.CoarseMinRepeats) {
		return nil
	}
	t := in.Trace
	var findings []Finding
	for _, g := range callsByLoopParent(in, claimed, in.Calls, loopStatement) {
		for _, members := range groupsOfAtLeast(in, g.spans, min(d.cfg.MinRepeats, d.cfg.CoarseMinRepeats)) {
			least := d.cfg.MinRepeats
			if t.Spans[members[0]].DB.Statement.IsCoarse() {
				least = d.cfg.CoarseMinRepeats
			}
			if len(members) < least || sameVisibleParameters(t, members) {
				continue
			}
			f := groupFinding(t, TypeNPlusOne, g.parent, members)
			if f.TotalDuration < d.cfg.MinTotalDuration {
				continue
			}
			if spreadOut(t, g.spans, members) {
				f.Reason = ReasonSpreadOut
			}
			findings = append(findings, f)
		}
	}
	return findings
}

// sameVisibleParameters reports whether every repeat ran with the very same
// values, visible inline or as db.query.parameter.*: a duplicate, not an N+1.
// Placeholders with no recorded values are unseen, never the same.
func sameVisibleParameters(t *traceview.Trace, members []int) bool {
	first := t.Spans[members[0]].DB
	if first.Statement.IsCoarse() { // no statement: the values are not seen
		return false
	}
	for _, m := range members {
		db := t.Spans[m].DB
		if db.Statement.Placeholders > 0 && db.NumParams == 0 || !sameValues(db, first) {
			return false
		}
	}
	return true
}

// groupFinding builds a finding over repeated spans under one parent, anchored
// on the parent or, when it never arrived, on the earliest member.
func groupFinding(t *traceview.Trace, typ string, parent traceview.SpanID, members []int) Finding {
	st := t.Spans[members[0]].DB.Statement
	f := Finding{
		Type:        typ,
		Fingerprint: st.Fingerprint,
		Statement:   st.Text,
		Count:       len(members),
		Members:     members,
	}
	if len(st.Tables) > 0 {
		f.Table = st.Tables[0]
	}
	if st.IsCoarse() {
		f.Source = st.Source
	}
	anchorOn(t, &f, parent)
	return f
}

// anchorOn sums the members' durations, anchors the finding on the parent or,
// when it never arrived, on the earliest member, and gives it its id.
func anchorOn(t *traceview.Trace, f *Finding, parent traceview.SpanID) {
	for _, m := range f.Members {
		f.TotalDuration += t.Spans[m].Duration()
	}
	if a, ok := t.Lookup(parent); ok {
		f.Anchor = a
	} else {
		f.Anchor, f.ParentMissing = f.Members[0], true
	}
	f.ID = findingID(t, f.Type, f.Fingerprint, f.Anchor, f.Members)
}
