package livepage

import (
	"math"

	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

// What a span is on the waterfall.
const (
	SpanOther uint8 = iota
	SpanDB
	SpanHTTP
)

// Span is one span of a request on its waterfall: when it ran, from the
// request's first start, how deep it is under the request's root, and what
// it is.
type Span struct {
	Start    int64 // nanoseconds from the request's first span's start
	Duration int64 // nanoseconds
	// Label is the normalized statement of a database span, the route of an
	// HTTP call, or else the span's name read by the last gate: never a
	// literal value.
	Label string
	Depth uint16
	Kind  uint8
	// Finding is 1 + the index, in the request's Findings, of the finding
	// the span is a member of (a loop's query); 0 for none.
	Finding uint16
}

// spanBytes is the fixed part of a Span as the store counts it.
const spanBytes = 48

// waterfall lists the spans of the request whose root is span root: the
// spans of its part of the trace (traceview.LocalRoot), in tree order (each
// span, then its children in start order), at most maxSpans of them; it
// returns how many more there were. finding says which finding a span is a
// member of.
func waterfall(t *traceview.Trace, root int, in interner, finding func(span int) uint16) ([]Span, int) {
	type item struct{ span, depth int }
	var order []item
	truncated := 0
	seen := make([]bool, len(t.Spans))
	stack := []item{{root, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[it.span] { // a span exported twice, or a parent cycle
			continue
		}
		seen[it.span] = true
		if len(order) < maxSpans {
			order = append(order, it)
		} else {
			truncated++
		}
		children := t.Children(t.Spans[it.span].ID)
		for k := len(children) - 1; k >= 0; k-- {
			if c := children[k]; !seen[c] && t.LocalRoot(c) == root {
				stack = append(stack, item{c, it.depth + 1})
			}
		}
	}
	// The axis begins at the earliest start: a child may start before its
	// parent when clocks disagree.
	t0 := int64(math.MaxInt64)
	for _, it := range order {
		t0 = min(t0, t.Spans[it.span].Start)
	}
	out := make([]Span, len(order))
	for k, it := range order {
		s := &t.Spans[it.span]
		out[k] = Span{Start: s.Start - t0, Duration: s.Duration().Nanoseconds(), Depth: uint16(min(it.depth, math.MaxUint16)),
			Label: in.of(labelOf(s)), Finding: finding(it.span)}
		switch {
		case s.DB != nil:
			out[k].Kind = SpanDB
		case s.HTTP != nil:
			out[k].Kind = SpanHTTP
		}
	}
	return out, truncated
}

// labelOf is what the waterfall says a span is.
func labelOf(s *traceview.Span) string {
	switch {
	case s.DB != nil && s.DB.Statement != nil:
		return sqlnorm.CutText(s.DB.Statement.Text, maxStatementBytes)
	case s.HTTP != nil && s.HTTP.Route() != "":
		return s.HTTP.Route()
	}
	return sqlnorm.SafeName(s.Name)
}
