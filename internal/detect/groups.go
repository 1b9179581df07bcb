package detect

import "github.com/querylens/querylens/internal/traceview"

// loopGroup is the calls made under one loop parent, in canonical order.
type loopGroup struct {
	parent traceview.SpanID
	spans  []int
}

// callsByLoopParent groups the unclaimed calls that keep passes by loop
// parent, in order of each parent's first call.
func callsByLoopParent(in *Input, calls []Call, keep func(*Input, int) bool) []loopGroup {
	var groups []loopGroup
	index := map[traceview.SpanID]int{}
	for _, c := range calls {
		if in.Claimed(c.Span) || !keep(in, c.Span) {
			continue
		}
		g, ok := index[c.LoopParent]
		if !ok {
			g = len(groups)
			index[c.LoopParent] = g
			groups = append(groups, loopGroup{parent: c.LoopParent})
		}
		groups[g].spans = append(groups[g].spans, c.Span)
	}
	return groups
}

// dataStatement keeps the statements that read or write data: BEGIN, COMMIT
// and SET repeat with the statements they wrap, and are never findings.
func dataStatement(in *Input, i int) bool {
	return !in.Trace.Spans[i].DB.Statement.Control
}

func fingerprint(t *traceview.Trace, i int) string {
	return t.Spans[i].DB.Statement.Fingerprint
}

func filter(spans []int, keep func(int) bool) []int {
	var out []int
	for _, i := range spans {
		if keep(i) {
			out = append(out, i)
		}
	}
	return out
}

// bySameKey splits spans into groups of equal key, in order of first appearance.
func bySameKey(spans []int, key func(int) string) [][]int {
	var groups [][]int
	index := map[string]int{}
	for _, i := range spans {
		k := key(i)
		g, ok := index[k]
		if !ok {
			g = len(groups)
			index[k] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}
