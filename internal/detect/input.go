package detect

import "github.com/querylens/querylens/internal/traceview"

// Input is what every detector reads: the trace view, the database calls found
// in it once for all detectors, and which spans a finding already claimed.
type Input struct {
	Trace *traceview.Trace
	// Calls are the database spans that carry a statement, in canonical order,
	// except those that record again the call of a database span above them (a
	// knex or Sequelize span's pg child, with the same statement).
	Calls   []Call
	claimed []bool
}

// Call is one database call and the span it was made under.
type Call struct {
	Span int
	// LoopParent is the span the call was made under, seen through the ORM
	// spans that wrap nothing but this one call (a Hibernate "SELECT Book" span
	// per lazy load, ActiveRecord's "Book.create!" > "Book#save!" around
	// BEGIN, INSERT, COMMIT): the span whose loop repeats it.
	LoopParent traceview.SpanID
}

// maxAncestors bounds walks up the parent chain, which may hold a cycle.
const maxAncestors = 64

// NewInput derives the database calls of t.
func NewInput(t *traceview.Trace) *Input {
	in := &Input{Trace: t, claimed: make([]bool, len(t.Spans))}
	for i := range t.Spans {
		if s := &t.Spans[i]; s.DB != nil && s.DB.Statement != nil && !recordedAbove(t, i) {
			in.Calls = append(in.Calls, Call{Span: i})
		}
	}
	// How many data statements (not BEGIN, COMMIT, SET ...) each span holds in
	// its subtree: a span that holds only one is a wrapper of that call.
	calls := make([]int32, len(t.Spans))
	for _, c := range in.Calls {
		if t.Spans[c.Span].DB.Statement.Control {
			continue
		}
		calls[c.Span]++
		eachAncestor(t, c.Span, func(a int) bool { calls[a]++; return true })
	}
	for k := range in.Calls {
		in.Calls[k].LoopParent = loopParent(t, in.Calls[k].Span, calls)
	}
	return in
}

// Claimed reports whether span i is already a member of a group finding.
func (in *Input) Claimed(i int) bool { return in.claimed[i] }

// Claim marks spans as members of a group finding, so that detectors of lower
// precedence leave them alone.
func (in *Input) Claim(spans []int) {
	for _, i := range spans {
		in.claimed[i] = true
	}
}

// eachAncestor calls fn with each ancestor of span i, nearest first, until fn
// returns false; a parent cycle ends the walk.
func eachAncestor(t *traceview.Trace, i int, fn func(int) bool) {
	for hops, j := 0, i; hops < maxAncestors; hops++ {
		p, ok := t.Parent(j)
		if !ok || p == i || !fn(p) {
			return
		}
		j = p
	}
}

// recordedAbove reports whether the nearest database span above span i, in
// the same service, records the same statement: one call, instrumented twice.
func recordedAbove(t *traceview.Trace, i int) bool {
	s := &t.Spans[i]
	above := false
	eachAncestor(t, i, func(a int) bool {
		p := &t.Spans[a]
		if p.Service != s.Service {
			return false
		}
		if p.DB == nil || p.DB.Statement == nil {
			return true
		}
		above = p.DB.Statement.Fingerprint == s.DB.Statement.Fingerprint
		return false
	})
	return above
}

func loopParent(t *traceview.Trace, i int, calls []int32) traceview.SpanID {
	s := &t.Spans[i]
	parent := s.ParentID
	eachAncestor(t, i, func(a int) bool {
		w := &t.Spans[a]
		if w.Kind == traceview.KindServer || w.Kind == traceview.KindConsumer ||
			w.Service != s.Service || w.ParentID.IsEmpty() || calls[a] > 1 {
			return false
		}
		parent = w.ParentID
		return true
	})
	return parent
}
