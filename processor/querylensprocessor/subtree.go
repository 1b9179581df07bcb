package querylensprocessor

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/reuse"
	"github.com/querylens/querylens/internal/traceview"
)

// The OTLP span flags that say whether the parent is remote (bits 8 and 9,
// SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK and SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK),
// set by the SDKs that know.
const (
	flagHasIsRemote uint32 = 0x100
	flagIsRemote    uint32 = 0x200
)

// isLocalRoot reports whether a span starts a local subtree: the span of a
// request (or job, or message) in one process, whose in-process descendants
// end, and are exported, no later than itself. It is one when it has no
// parent, when its flags say its parent is remote, and, when they say
// nothing, when it is a SERVER or CONSUMER span. A span whose flags say its
// parent is in the same process is never one, whatever its kind.
func isLocalRoot(s ptrace.Span) bool {
	if s.ParentSpanID().IsEmpty() {
		return true
	}
	if f := s.Flags(); f&flagHasIsRemote != 0 {
		return f&flagIsRemote != 0
	}
	k := s.Kind()
	return k == ptrace.SpanKindServer || k == ptrace.SpanKindConsumer
}

// subtree is one local subtree of a view: the spans analyzed together.
type subtree struct {
	// root is the view index of its local root; when the local root has not
	// arrived, of the span that is highest in the chain.
	root int
	// complete is true when root is a local root: the subtree is whole (its
	// spans arrived no later than it, or within the settle).
	complete bool
	// spans are the view indexes of its spans, in the view's order.
	spans []int
	// due and arrived are set by the release: whether it leaves now, and
	// when its local root arrived (zero when unknown).
	due     bool
	arrived time.Time
}

// subtreeScratch is the memory of localSubtrees, reused trace after trace.
type subtreeScratch struct {
	top         []int32
	out         []subtree
	path, sizes []int
	backing     []int
	byRoot      map[int]int32
	byMissing   map[pcommon.SpanID]int32
}

// localSubtrees partitions the spans of a view into local subtrees: each span
// goes with the nearest local root above it, or itself. Spans whose chain ends
// at a parent that has not arrived go together with the others below that
// same missing parent (a loop whose parent is missing stays one group). The
// partition depends only on the spans, not on the order they arrived in.
// The result, in sc's memory (nil: new memory), is valid until sc's next
// use.
func localSubtrees(view *traceview.Trace, handles []ptrace.Span, sc *subtreeScratch) []subtree {
	if sc == nil {
		sc = new(subtreeScratch)
	}
	n := len(view.Spans)
	const unknown, walking = -1, -2
	top := reuse.Slice(sc.top, n) // the subtree index of each span
	sc.top = top
	for i := range top {
		top[i] = unknown
	}
	if sc.byRoot == nil {
		sc.byRoot, sc.byMissing = map[int]int32{}, map[pcommon.SpanID]int32{}
	}
	clear(sc.byRoot)
	clear(sc.byMissing)
	var (
		out       = sc.out[:0]
		byRoot    = sc.byRoot
		byMissing = sc.byMissing
		path      = sc.path[:0]
	)
	defer func() {
		sc.out, sc.path = out, path
		if len(byRoot)+len(byMissing) > 4096 { // a map cleared costs its size
			sc.byRoot, sc.byMissing = nil, nil
		}
	}()
	group := func(root int, complete bool) int32 {
		if complete {
			if g, ok := byRoot[root]; ok {
				return g
			}
		} else if g, ok := byMissing[pcommon.SpanID(view.Spans[root].ParentID)]; ok {
			return g
		}
		g := int32(len(out))
		out = append(out, subtree{root: root, complete: complete})
		if complete {
			byRoot[root] = g
		} else {
			byMissing[pcommon.SpanID(view.Spans[root].ParentID)] = g
		}
		return g
	}
	for i := range n {
		path = path[:0]
		g := int32(unknown)
		for j := i; ; {
			if top[j] >= 0 {
				g = top[j]
				break
			}
			if top[j] == walking { // a parent cycle: it ends here
				g = group(j, false)
				break
			}
			top[j] = walking
			path = append(path, j)
			if isLocalRoot(handles[j]) {
				g = group(j, true)
				break
			}
			p, ok := view.Parent(j)
			if !ok {
				g = group(j, false)
				break
			}
			j = p
		}
		for _, j := range path {
			top[j] = g
		}
	}
	// The spans of every subtree in one array, not appended to one by one.
	sizes := reuse.Slice(sc.sizes, len(out))
	clear(sizes)
	sc.sizes = sizes
	for i := range n {
		sizes[top[i]]++
	}
	backing, start := reuse.Slice(sc.backing, n), 0
	sc.backing = backing
	for g, size := range sizes {
		out[g].spans = backing[start : start : start+size]
		start += size
	}
	for i := range n {
		out[top[i]].spans = append(out[top[i]].spans, i)
	}
	return out
}
