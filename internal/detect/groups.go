package detect

import (
	"github.com/querylens/querylens/internal/reuse"
	"github.com/querylens/querylens/internal/traceview"
)

// loopGroup is the calls made under one loop parent, in canonical order.
type loopGroup struct {
	parent traceview.SpanID
	spans  []int
}

// callsByLoopParent groups the unclaimed calls that keep passes by loop
// parent, in order of each parent's first call, in one backing array.
func callsByLoopParent(in *Input, claimed Claimed, calls []Call, keep func(*Input, int) bool) []loopGroup {
	in.numberLoops()
	var index map[traceview.SpanID]int // for calls NewInput did not number
	group := func(c *Call) (int, bool) {
		if c.loop > 0 && int(c.loop) <= len(in.loopSlot) {
			g := in.loopSlot[c.loop-1]
			return int(g), g >= 0
		}
		g, ok := index[c.LoopParent]
		return g, ok
	}
	setGroup := func(c *Call, g int) {
		if c.loop > 0 && int(c.loop) <= len(in.loopSlot) {
			in.loopSlot[c.loop-1] = int32(g)
			return
		}
		if index == nil {
			index = make(map[traceview.SpanID]int, 4)
		}
		index[c.LoopParent] = g
	}
	ids := reuse.Slice(in.groupOf, len(calls)) // the Input's, reused by every detector in turn
	in.groupOf = ids
	var sizes []int
	var parents []traceview.SpanID
	kept := 0
	for n := range calls {
		c := &calls[n]
		if claimed[c.Span] || !keep(in, c.Span) {
			ids[n] = -1
			continue
		}
		g, ok := group(c)
		if !ok {
			g = len(sizes)
			setGroup(c, g)
			sizes = append(sizes, 0)
			parents = append(parents, c.LoopParent)
		}
		ids[n] = int32(g)
		sizes[g]++
		kept++
	}
	for _, c := range calls {
		if c.loop > 0 && int(c.loop) <= len(in.loopSlot) {
			in.loopSlot[c.loop-1] = -1
		}
	}
	backing := make([]int, kept)
	groups := make([]loopGroup, len(sizes))
	start := 0
	for g, size := range sizes {
		groups[g] = loopGroup{parent: parents[g], spans: backing[start : start : start+size]}
		start += size
	}
	for n, c := range calls {
		if g := ids[n]; g >= 0 {
			groups[g].spans = append(groups[g].spans, c.Span)
		}
	}
	return groups
}

// dataStatement keeps the statements that read or write data: BEGIN, COMMIT
// and SET repeat with the statements they wrap, and are never findings.
func dataStatement(in *Input, i int) bool {
	return !in.Trace.Spans[i].DB.Statement.Control
}

// loopStatement keeps the data statements a loop can repeat per item: not
// those that carry a batch (an IN list, rows, arrays of several items), whose
// repeats are an ORM's bulk work in batches (bulk_create's batch_size, an
// import in chunks), not one query per item.
func loopStatement(in *Input, i int) bool {
	st := in.Trace.Spans[i].DB.Statement
	return !st.Control && !st.Batch
}

func fingerprint(t *traceview.Trace, i int) string {
	return t.Spans[i].DB.Statement.Fingerprint
}

// numberByKey numbers the spans by their key, in order of first appearance:
// ids[n] is the number of spans[n]'s key, sizes[id] how many spans have it.
// Spans are then compared as small integers, without building strings.
func numberByKey(spans []int, key func(int) string) (ids, sizes []int) {
	index := make(map[string]int, 8)
	ids = make([]int, len(spans))
	for n, i := range spans {
		k := key(i)
		id, ok := index[k]
		if !ok {
			id = len(sizes)
			index[k] = id
			sizes = append(sizes, 0)
		}
		ids[n] = id
		sizes[id]++
	}
	return ids, sizes
}

// bySameKey splits spans into groups of equal key, in order of first
// appearance. The groups share one backing array: a handful of allocations
// whatever the number of groups.
func bySameKey(spans []int, key func(int) string) [][]int {
	ids, sizes := numberByKey(spans, key)
	return groupsOf(spans, ids, sizes)
}

// groupsOf splits spans into the groups numbered ids (sizes spans each), in
// one backing array.
func groupsOf(spans, ids, sizes []int) [][]int {
	backing := make([]int, len(spans))
	groups := make([][]int, len(sizes))
	start := 0
	for g, size := range sizes {
		groups[g] = backing[start : start : start+size]
		start += size
	}
	for n, i := range spans {
		groups[ids[n]] = append(groups[ids[n]], i)
	}
	return groups
}

// spreadOut reports whether repeats of one statement are spread over their
// parent's work rather than made by one loop. Between one repeat and the
// next, a loop runs the rest of one iteration: statements that repeat too
// (another relation of each item; with an ORM's identity map, only those not
// loaded yet, so not always the same ones). Repeats made at several places of
// a request (a helper that reads the current user, called by a decorator, the
// view and a serializer) have one-off work between them: statements that run
// only once under the parent. Spread out: at least two gaps, and a quarter of
// them, hold such work (a loop may run a one-off query for one item).
func spreadOut(t *traceview.Trace, calls, repeats []int) bool {
	if len(repeats) < 3 {
		return false
	}
	runs := make(map[string]int, len(calls))
	for _, c := range calls {
		runs[fingerprint(t, c)]++
	}
	oneOff := 0
	k := 0 // position in calls; repeats are a subsequence of calls
	for n, r := range repeats {
		found := false
		for ; k < len(calls) && calls[k] != r; k++ {
			found = found || n > 0 && runs[fingerprint(t, calls[k])] == 1
		}
		k++ // past r
		if found {
			oneOff++
		}
	}
	return oneOff >= 2 && oneOff*4 >= len(repeats)-1
}
