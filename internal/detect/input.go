package detect

import (
	"slices"
	"sync"

	"github.com/querylens/querylens/internal/reuse"
	"github.com/querylens/querylens/internal/traceview"
)

// Input is what every detector reads: the trace view, and the database and
// HTTP calls found in it once for all detectors.
type Input struct {
	Trace *traceview.Trace
	// Calls are the database spans that carry a statement, in canonical order,
	// except those that record again the call of a database span above them (a
	// knex or Sequelize span's pg child, with the same statement) and schema
	// work (sqlnorm's Catalog: migrator and driver introspection).
	Calls []Call
	// HTTPCalls are the HTTP client spans, except those that record again the
	// call of an HTTP client span above them with the same route.
	HTTPCalls []Call
	// DBSpans are the database spans, with a statement or not, except those
	// that record again the call of a database span above them: the queries
	// a request made.
	DBSpans []int

	fps *fingerprintIDs // numbered on first use (fingerprints)
	rep *callRepeats    // counted on first use (repeats)
	// looped is set once the calls' LoopParent and loop are (numberLoops).
	looped bool
	// loopSlot is scratch of one entry per loop parent numbered, all -1
	// between uses (callsByLoopParent).
	loopSlot []int32
	// groupOf is scratch of callsByLoopParent: each call's group.
	groupOf []int32
	// scratch is the memory above, from a pool: Release puts it back.
	scratch *inputScratch
}

// inputScratch is memory an Input uses while its trace is analyzed, reused
// by the next trace's (Release): per-trace slices and maps were most of what
// analysis allocated besides the annotations.
type inputScratch struct {
	wrapper                               []bool
	repeated                              []int8
	above, dbSpans                        []int
	calls, httpCalls                      []Call
	ops, loopSlot, groupOf, fpIDs, fpSlot []int32
	fpValues                              []uint64
	loops                                 map[traceview.SpanID]int32
	fpIndex                               map[uint64]int32
	names                                 map[string]int
	routes                                map[string]int
}

var inputScratches = sync.Pool{New: func() any { return new(inputScratch) }}

// maxScratchMap is the most entries a map of a scratch keeps for the next
// trace: clearing a map costs its size, and one trace's outsized map should
// not cost every trace after it.
const maxScratchMap = 4096

// memory is the Input's scratch memory; new memory for an Input released, or
// made by hand, which has none.
func (in *Input) memory() *inputScratch {
	if in.scratch == nil {
		return new(inputScratch)
	}
	return in.scratch
}

// Release ends the use of the Input: its memory goes to the next one, and
// it may not be read again.
func (in *Input) Release() {
	sc := in.scratch
	if sc == nil {
		return
	}
	sc.groupOf = in.groupOf // grown by callsByLoopParent
	sc.dbSpans, sc.calls, sc.httpCalls = in.DBSpans[:0], in.Calls[:0], in.HTTPCalls[:0]
	*in = Input{}
	if len(sc.loops) > maxScratchMap {
		sc.loops = nil
	}
	if len(sc.fpIndex) > maxScratchMap {
		sc.fpIndex = nil
	}
	if len(sc.routes) > maxScratchMap {
		sc.routes = nil
	} else {
		clear(sc.routes) // its keys are the trace's routes: not kept past it
	}
	if len(sc.names) > maxScratchMap {
		sc.names = nil
	} else {
		clear(sc.names) // its keys are the trace's span names: not kept past it
	}
	inputScratches.Put(sc)
}

// Call is one database or HTTP call and the span it was made under.
type Call struct {
	Span int
	// LoopParent is the span whose loop repeats the call: its parent, seen
	// through the spans that are only the body of one iteration — ORM spans
	// that wrap nothing but this call (a Hibernate "SELECT Book" span per lazy
	// load, ActiveRecord's "Book.create!" > "Book#save!" around BEGIN, INSERT,
	// COMMIT) and per-item spans that repeat under their own parent (a
	// template render or serializer span per row). Found on first use:
	// read it through callsByLoopParent.
	LoopParent traceview.SpanID
	// loop numbers LoopParent in its Input, from 1; 0 when not numbered.
	loop int32
}

// maxAncestors bounds walks up the parent chain, which may hold a cycle.
const maxAncestors = 64

// NewInput derives the calls of t.
func NewInput(t *traceview.Trace) *Input {
	sc := inputScratches.Get().(*inputScratch)
	in := &Input{Trace: t, scratch: sc, groupOf: sc.groupOf}
	// An ORM's database span with its driver's database spans below it
	// wraps the queries the driver ran (TypeORM's "save books" over BEGIN,
	// INSERT, COMMIT; its countBy over the driver's SELECT COUNT): the
	// queries below are the calls. It is an ORM's when it records no query
	// (an operation, or arguments as JSON), or when the spans below come from
	// another instrumentation. A query's span may hold queries of its own of
	// the same instrumentation (GORM's Preload runs under its parent query):
	// both are calls. One below that only records the same statement again
	// is left out.
	wrapper := reuse.Slice(sc.wrapper, len(t.Spans))
	clear(wrapper)
	above := reuse.Slice(sc.above, len(t.Spans)) // nearest database span above, or -1
	sc.wrapper, sc.above = wrapper, above
	for i := range t.Spans {
		above[i] = -1
		if t.Spans[i].DB == nil {
			continue
		}
		a, ok := nearestAbove(t, i, sameStatement)
		if !ok {
			continue
		}
		above[i] = a
		if _, same := sameStatement(&t.Spans[i], &t.Spans[a]); !same && t.Spans[i].DB.Statement != nil &&
			(!t.Spans[a].DB.Statement.IsQuery() || t.Spans[a].Scope != t.Spans[i].Scope) {
			wrapper[a] = true
		}
	}
	recorded := func(i int) bool {
		a := above[i]
		if a < 0 || wrapper[a] {
			return false
		}
		_, same := sameStatement(&t.Spans[i], &t.Spans[a])
		return same
	}
	beside := recordedBeside(t)
	dbs, https := 0, 0
	for i := range t.Spans {
		if t.Spans[i].DB != nil {
			dbs++
		}
		if t.Spans[i].HTTP != nil {
			https++
		}
	}
	// Sized once: appended to one by one, they took a fifth of what
	// analysis allocates.
	in.DBSpans, in.Calls, in.HTTPCalls = slices.Grow(sc.dbSpans[:0], dbs), slices.Grow(sc.calls[:0], dbs), slices.Grow(sc.httpCalls[:0], https)
	for i := range t.Spans {
		s := &t.Spans[i]
		if s.DB != nil && !wrapper[i] && !recorded(i) && (beside == nil || !beside[i]) {
			in.DBSpans = append(in.DBSpans, i)
			if s.DB.Statement != nil && !s.DB.Statement.Catalog { // schema work is a tool's, never a finding
				in.Calls = append(in.Calls, Call{Span: i})
			}
		}
		if s.HTTP != nil && !recordedAbove(t, i, sameRoute) {
			in.HTTPCalls = append(in.HTTPCalls, Call{Span: i})
		}
	}
	return in
}

// numberLoops finds the loop parent of every call, on first use: only the
// detectors that group calls by loop read them, and a trace that repeats
// too little for any of them is left alone without.
func (in *Input) numberLoops() {
	if in.looped {
		return
	}
	in.looped = true
	t := in.Trace
	sc := in.memory()
	// How many calls (data statements, not BEGIN or COMMIT, and HTTP calls)
	// each span holds in its subtree: a span that holds one wraps that call.
	ops := reuse.Slice(sc.ops, len(t.Spans))
	clear(ops)
	sc.ops = ops
	count := func(c Call) {
		ops[c.Span]++
		eachAncestor(t, c.Span, func(a int) bool { ops[a]++; return true })
	}
	for _, c := range in.Calls {
		if !t.Spans[c.Span].DB.Statement.Control {
			count(c)
		}
	}
	for _, c := range in.HTTPCalls {
		count(c)
	}
	repeated := newRepeatedNames(t, sc)
	defer func() { sc.names = repeated.names }()
	loops := sc.loops
	if loops == nil {
		loops = map[traceview.SpanID]int32{}
		sc.loops = loops
	} else {
		clear(loops)
	}
	for _, calls := range [][]Call{in.Calls, in.HTTPCalls} {
		for k := range calls {
			c := &calls[k]
			c.LoopParent = loopParent(t, c.Span, ops, repeated)
			n, ok := loops[c.LoopParent]
			if !ok {
				n = int32(len(loops)) + 1
				loops[c.LoopParent] = n
			}
			c.loop = n
		}
	}
	in.loopSlot = reuse.Slice(sc.loopSlot, len(loops))
	sc.loopSlot = in.loopSlot
	for k := range in.loopSlot {
		in.loopSlot[k] = -1
	}
}

// recordedBeside marks the database spans that record again the call of a
// sibling span of another instrumentation: the same statement under the same
// parent, in the same service, within that sibling's time. Python's SQLAlchemy
// and psycopg2 instrumentations, both on, record each cursor.execute twice
// that way (SQLAlchemy's span is not the current one while the driver runs).
// The outer span, which starts first, stays the call. Nil when no parent has
// statements of two instrumentations below it.
func recordedBeside(t *traceview.Trace) []bool {
	type latest struct {
		scope, service string
		end            int64
	}
	var (
		again []bool
		seen  map[string][]latest // fingerprint -> the latest end per scope and service
	)
	for _, g := range t.Groups {
		if !mixedScopes(t, g.Children) {
			continue
		}
		if seen == nil {
			again = make([]bool, len(t.Spans))
			seen = make(map[string][]latest)
		} else {
			clear(seen)
		}
		for _, c := range g.Children { // in start order
			s := &t.Spans[c]
			if s.DB == nil || s.DB.Statement == nil {
				continue
			}
			fp := s.DB.Statement.Fingerprint
			list, mine := seen[fp], -1
			for k := range list {
				switch o := &list[k]; {
				case o.service != s.Service:
				case o.scope != s.Scope:
					again[c] = again[c] || o.end >= s.End
				default:
					mine = k
				}
			}
			if mine < 0 {
				seen[fp] = append(list, latest{scope: s.Scope, service: s.Service, end: s.End})
			} else {
				list[mine].end = max(list[mine].end, s.End)
			}
		}
	}
	return again
}

// mixedScopes reports whether the spans hold statements of two
// instrumentation scopes.
func mixedScopes(t *traceview.Trace, spans []int) bool {
	first, found := "", false
	for _, c := range spans {
		s := &t.Spans[c]
		switch {
		case s.DB == nil || s.DB.Statement == nil:
		case !found:
			first, found = s.Scope, true
		case s.Scope != first:
			return true
		}
	}
	return false
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

func sameStatement(a, b *traceview.Span) (bool, bool) {
	if b.DB == nil {
		return false, false
	}
	if a.DB.Statement == nil || b.DB.Statement == nil {
		return true, false
	}
	return true, a.DB.Statement.Fingerprint == b.DB.Statement.Fingerprint
}

func sameRoute(a, b *traceview.Span) (bool, bool) {
	if b.HTTP == nil {
		return false, false
	}
	return true, a.HTTP.Route() == b.HTTP.Route()
}

// recordedAbove reports whether the nearest call of the same kind above span
// i, in the same service, is the same call (same reports: found, same).
func recordedAbove(t *traceview.Trace, i int, same func(a, b *traceview.Span) (found, equal bool)) bool {
	a, ok := nearestAbove(t, i, same)
	if !ok {
		return false
	}
	_, equal := same(&t.Spans[i], &t.Spans[a])
	return equal
}

// nearestAbove is the nearest ancestor of span i, in its service, that is a
// call of the same kind (same reports it found).
func nearestAbove(t *traceview.Trace, i int, same func(a, b *traceview.Span) (found, equal bool)) (int, bool) {
	s := &t.Spans[i]
	above, ok := 0, false
	eachAncestor(t, i, func(a int) bool {
		p := &t.Spans[a]
		if p.Service != s.Service {
			return false
		}
		if found, _ := same(s, p); found {
			above, ok = a, true
			return false
		}
		return true
	})
	return above, ok
}

// repeatedNames tells the spans that share their name with a sibling: the
// body of one iteration of a loop. It reads a span's siblings when first
// asked about it (loopParent asks about few spans: the ancestors of calls
// that hold more than one call).
type repeatedNames struct {
	t     *traceview.Trace
	state []int8 // per span: 0 not read yet, 1 no, 2 yes
	names map[string]int
}

func newRepeatedNames(t *traceview.Trace, sc *inputScratch) *repeatedNames {
	state := reuse.Slice(sc.repeated, len(t.Spans))
	clear(state)
	sc.repeated = state
	return &repeatedNames{t: t, state: state, names: sc.names}
}

// of reports whether span i shares its name with a sibling.
func (r *repeatedNames) of(i int) bool {
	if r.state[i] == 0 {
		r.readSiblings(i)
	}
	return r.state[i] == 2
}

// readSiblings sets the state of span i and of its siblings.
func (r *repeatedNames) readSiblings(i int) {
	t := r.t
	siblings := t.Children(t.Spans[i].ParentID)
	for _, c := range siblings {
		r.state[c] = 1
	}
	r.state[i] = 1 // a span whose parent id lists it not (it cannot happen; cheap to be sure)
	if len(siblings) < 2 {
		return
	}
	if len(siblings) <= 8 { // a few names: compared, not hashed
		for k, c := range siblings {
			for _, o := range siblings[:k] {
				if t.Spans[o].Name == t.Spans[c].Name {
					r.state[o], r.state[c] = 2, 2
					break
				}
			}
		}
		return
	}
	if r.names == nil {
		r.names = make(map[string]int, len(siblings))
	} else {
		clear(r.names)
	}
	for _, c := range siblings {
		name := t.Spans[c].Name
		if f, ok := r.names[name]; ok {
			r.state[f], r.state[c] = 2, 2
		} else {
			r.names[name] = c
		}
	}
}

func loopParent(t *traceview.Trace, i int, ops []int32, repeated *repeatedNames) traceview.SpanID {
	s := &t.Spans[i]
	parent := s.ParentID
	eachAncestor(t, i, func(a int) bool {
		w := &t.Spans[a]
		if w.Kind == traceview.KindServer || w.Kind == traceview.KindConsumer ||
			w.Service != s.Service || w.ParentID.IsEmpty() || ops[a] > 1 && !repeated.of(a) {
			return false
		}
		parent = w.ParentID
		return true
	})
	return parent
}

// commonAncestor returns the nearest span that is an ancestor of every member,
// or false when there is none in the trace (a parent never arrived).
func commonAncestor(t *traceview.Trace, members []int) (int, bool) {
	var chain []int
	eachAncestor(t, members[0], func(a int) bool { chain = append(chain, a); return true })
	if len(chain) == 0 {
		return -1, false
	}
	pos := make(map[int]int, len(chain))
	for k, a := range chain {
		pos[a] = k
	}
	lowest := 0
	for _, m := range members[1:] {
		found := -1
		eachAncestor(t, m, func(a int) bool {
			if k, ok := pos[a]; ok {
				found = k
				return false
			}
			return true
		})
		if found < 0 {
			return -1, false
		}
		lowest = max(lowest, found)
	}
	return chain[lowest], true
}
