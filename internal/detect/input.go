package detect

import "github.com/querylens/querylens/internal/traceview"

// Input is what every detector reads: the trace view, the database calls found
// in it once for all detectors, and which spans a finding already claimed.
type Input struct {
	Trace *traceview.Trace
	// Calls are the database spans that carry a statement and are not nested in
	// another database span (a knex span's pg child, a Sequelize span's pg
	// child), in canonical order.
	Calls   []Call
	claimed []bool
}

// Call is one database call and the span it was made under.
type Call struct {
	Span int
	// LoopParent is the span the call was made under, skipping ORM wrapper spans
	// that hold nothing but this call (a Hibernate session span per lazy load):
	// the parent whose loop repeats it.
	LoopParent traceview.SpanID
}

// maxAncestors bounds walks up the parent chain, which may hold a cycle.
const maxAncestors = 64

// NewInput derives the database calls of t.
func NewInput(t *traceview.Trace) *Input {
	in := &Input{Trace: t, claimed: make([]bool, len(t.Spans))}
	for i := range t.Spans {
		s := &t.Spans[i]
		if s.DB == nil || s.DB.Statement == nil || nestedInDBCall(t, i) {
			continue
		}
		in.Calls = append(in.Calls, Call{Span: i, LoopParent: loopParent(t, i)})
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

func nestedInDBCall(t *traceview.Trace, i int) bool {
	for hops, j := 0, i; hops < maxAncestors; hops++ {
		p, ok := t.Parent(j)
		if !ok || p == i {
			return false
		}
		if db := t.Spans[p].DB; db != nil && db.Statement != nil && t.Spans[p].Service == t.Spans[i].Service {
			return true
		}
		j = p
	}
	return false
}

func loopParent(t *traceview.Trace, i int) traceview.SpanID {
	s := &t.Spans[i]
	parent := s.ParentID
	for hops, j := 0, i; hops < maxAncestors; hops++ {
		p, ok := t.Parent(j)
		if !ok || p == i {
			break
		}
		w := &t.Spans[p]
		if w.Kind == traceview.KindServer || w.Kind == traceview.KindConsumer ||
			w.Service != s.Service || w.ParentID.IsEmpty() || len(t.Children(w.ID)) != 1 {
			break
		}
		parent, j = w.ParentID, p
	}
	return parent
}
