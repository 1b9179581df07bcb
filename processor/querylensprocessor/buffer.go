package querylensprocessor

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/traceview/pdataview"
)

// releaseReason is why a trace leaves the buffer.
type releaseReason int8

const (
	// reasonSettled: a local root's settle passed; only the subtrees whose
	// root settled leave, the rest goes back.
	reasonSettled releaseReason = iota
	// The rest release every span held, analyzed with what is there.
	reasonWaitEnded
	reasonBufferFull
	reasonTooLarge
	reasonMaxHeld
	reasonShutdown
)

// pendingTrace is the spans of one trace held in the buffer.
type pendingTrace struct {
	id       pcommon.TraceID
	td       ptrace.Traces
	spans    int
	bytes    int64
	deadline time.Time
	// roots are the local roots held (local_subtree), with when each settles.
	roots []localRoot
	// settleAt is the time of its entry in the settle queue; zero when it has
	// none.
	settleAt time.Time
	// held is true while the trace is in the buffer.
	held bool
	// reason is why it left, set when it does.
	reason releaseReason
	// late holds the spans of the trace that arrived while it was out of the
	// buffer, being released: begin and finish take them in.
	late *pendingTrace
}

// localRoot is a local root held and the time its subtree is settled.
type localRoot struct {
	id      pcommon.SpanID
	arrived time.Time
	settled time.Time
}

// fullyDue reports whether every span of the trace is to be released.
func (t *pendingTrace) fullyDue() bool { return t.reason != reasonSettled }

// added is what one add did besides buffering.
type added struct {
	// release are the traces to release now.
	release []*pendingTrace
	// full and tooLarge count the traces released early because the buffer
	// was full or the trace reached max_spans_per_trace.
	full, tooLarge int
	// late counts spans that arrived after what they belong to was
	// released: their trace (whole_trace), their request (local_subtree).
	late int
	// tooLargeIDs are the traces that reached max_spans_per_trace.
	tooLargeIDs []pcommon.TraceID
}

// settleEntry is a trace waiting for a local root to settle.
type settleEntry struct {
	at time.Time
	t  *pendingTrace
}

// traceBuffer holds spans per trace, bounded in traces, in spans per trace and
// in bytes. Every trace is held for the same wait from its first span, so the
// order of first arrival is also the order of deadlines: the LRU, read with
// Peek only, is a bounded FIFO whose oldest entry is always the next to
// expire. In local_subtree, a trace whose local root arrived is also queued to
// leave when the root settles; the settle is the same for every root, so that
// queue is a FIFO too.
//
// Nothing leaves the buffer except to be released: callers analyze and forward
// every pendingTrace it hands back, and end each release with finish, which
// puts back what was not due.
type traceBuffer struct {
	mu       sync.Mutex
	traces   *simplelru.LRU[pcommon.TraceID, *pendingTrace]
	settling []settleEntry // FIFO from settleHead
	head     int
	capacity int
	maxSpans int
	wait     time.Duration
	settle   time.Duration
	subtrees bool
	closed   bool
	// released remembers the traces released last (twice num_traces, at least
	// 1024), to count the spans that arrive after what they belong to left:
	// in whole_trace any span of such a trace; in local_subtree, where the
	// requests of a trace leave apart, the spans whose parent is the local
	// root of a request that left (the roots are its values).
	released *simplelru.LRU[pcommon.TraceID, []pcommon.SpanID]
	// out are the traces taken out to be released, until finish: spans of
	// theirs that arrive meanwhile wait in their late, so that a trace is in
	// one place at a time and a local root never leaves without children that
	// came in while its trace was out.
	out map[pcommon.TraceID]*pendingTrace

	// held is the bytes of the spans accepted and not yet delivered or
	// dropped: in the buffer, being analyzed, or waiting to be retried.
	held    atomic.Int64
	maxHeld int64
}

func newTraceBuffer(cfg *Config) *traceBuffer {
	// simplelru only fails on a size below 1, which Config.Validate refuses.
	traces, _ := simplelru.NewLRU[pcommon.TraceID, *pendingTrace](cfg.NumTraces, nil)
	b := &traceBuffer{traces: traces, capacity: cfg.NumTraces, maxSpans: cfg.MaxSpansPerTrace,
		wait: cfg.WaitDuration, settle: cfg.SettleDuration, subtrees: cfg.Release == ReleaseLocalSubtree, maxHeld: cfg.maxHeldBytes(),
		out: map[pcommon.TraceID]*pendingTrace{}}
	b.released, _ = simplelru.NewLRU[pcommon.TraceID, []pcommon.SpanID](max(2*cfg.NumTraces, 1024), nil)
	return b
}

// full reports whether the spans held reached the bound in bytes.
func (b *traceBuffer) full() bool { return b.held.Load() >= b.maxHeld }

// reserve counts bytes as held, unless that would pass the bound: then it
// counts nothing and returns false. A request larger than the bound is taken
// when nothing is held, so that it can ever be taken.
func (b *traceBuffer) reserve(bytes int64) bool {
	if after := b.held.Add(bytes); after > b.maxHeld && after > bytes {
		b.held.Add(-bytes)
		return false
	}
	return true
}

// add moves the fragments, whose bytes the caller counted as held, into the
// buffer. It returns the traces that must be released now: the oldest ones
// when the buffer is full, traces that reached the span bound, and, once the
// buffer is closed, the fragments themselves.
func (b *traceBuffer) add(frags []*fragment, now time.Time) (a added) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range frags {
		if b.closed {
			a.release = append(a.release, &pendingTrace{id: f.id, td: f.td, spans: f.spans, bytes: f.bytes, reason: reasonShutdown})
			continue
		}
		if b.subtrees {
			if roots, ok := b.released.Peek(f.id); ok {
				a.late += childrenOf(f.td, roots)
			}
		}
		if o, ok := b.out[f.id]; ok { // being released: the spans wait for it
			if o.late == nil {
				o.late = &pendingTrace{id: f.id, td: ptrace.NewTraces(), deadline: now.Add(b.wait)}
			}
			b.append(o.late, f, now)
			continue
		}
		t, ok := b.traces.Peek(f.id)
		if !ok {
			if !b.subtrees && b.released.Contains(f.id) {
				a.late += f.spans
			}
			if b.traces.Len() >= b.capacity {
				_, oldest, _ := b.traces.RemoveOldest()
				a.release = append(a.release, b.leave(oldest, reasonBufferFull))
				a.full++
			}
			t = &pendingTrace{id: f.id, td: ptrace.NewTraces(), deadline: now.Add(b.wait), held: true}
			b.traces.Add(f.id, t)
		}
		b.append(t, f, now)
		if len(f.roots) > 0 {
			b.queue(t, now.Add(b.settle))
		}
		if t.spans >= b.maxSpans {
			b.traces.Remove(f.id)
			a.release = append(a.release, b.leave(t, reasonTooLarge))
			a.tooLarge++
			a.tooLargeIDs = append(a.tooLargeIDs, f.id)
		}
	}
	return a
}

// append moves a fragment's spans into t and notes its local roots.
func (b *traceBuffer) append(t *pendingTrace, f *fragment, now time.Time) {
	f.td.ResourceSpans().MoveAndAppendTo(t.td.ResourceSpans())
	t.spans += f.spans
	t.bytes += f.bytes
	settled := now.Add(b.settle)
	for _, id := range f.roots {
		t.roots = append(t.roots, localRoot{id: id, arrived: now, settled: settled})
	}
}

// queue puts t in the settle queue for at, unless it is already queued.
func (b *traceBuffer) queue(t *pendingTrace, at time.Time) {
	if !t.settleAt.IsZero() {
		return
	}
	t.settleAt = at
	b.settling = append(b.settling, settleEntry{at: at, t: t})
}

// leave takes t out of the buffer's bookkeeping (the caller removed it from
// the LRU), records why, and keeps it among the traces out until finish.
func (b *traceBuffer) leave(t *pendingTrace, reason releaseReason) *pendingTrace {
	t.held = false
	t.settleAt = time.Time{}
	t.reason = reason
	b.out[t.id] = t
	if !b.subtrees {
		b.released.Add(t.id, nil)
	}
	return t
}

// requestsLeft records the local roots of the requests of a trace that were
// released, for the spans that come after them.
func (b *traceBuffer) requestsLeft(id pcommon.TraceID, roots []pcommon.SpanID) {
	if len(roots) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	known, _ := b.released.Peek(id)
	b.released.Add(id, append(known, roots...))
}

// childrenOf counts the spans of td whose parent is one of roots.
func childrenOf(td ptrace.Traces, roots []pcommon.SpanID) int {
	n := 0
	pdataview.EachSpan(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) {
		if slices.Contains(roots, s.ParentSpanID()) {
			n++
		}
	})
	return n
}

// begin takes into t, out to be released, the spans of its trace that arrived
// since it left: they are analyzed with it.
func (b *traceBuffer) begin(t *pendingTrace) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if l := t.late; l != nil {
		t.late = nil
		merge(t, l)
	}
}

// merge moves the spans of from into t.
func merge(t, from *pendingTrace) {
	from.td.ResourceSpans().MoveAndAppendTo(t.td.ResourceSpans())
	t.spans += from.spans
	t.bytes += from.bytes
	t.roots = append(t.roots, from.roots...)
}

// due removes and returns the traces to release by now, oldest first: those
// with a local root settled (their other spans come back with finish), then
// those whose wait ended; at most maxTraces of them, and no more once they
// hold maxSpans.
func (b *traceBuffer) due(now time.Time, maxTraces, maxSpans int) []*pendingTrace {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*pendingTrace
	spans := 0
	for b.head < len(b.settling) && len(out) < maxTraces && spans < maxSpans {
		e := b.settling[b.head]
		if e.at.After(now) {
			break
		}
		b.settling[b.head] = settleEntry{}
		b.head++
		if !e.t.held || !e.t.settleAt.Equal(e.at) { // it left, or was queued again
			continue
		}
		b.traces.Remove(e.t.id)
		out = append(out, b.leave(e.t, reasonSettled))
		spans += e.t.spans
	}
	b.compactSettling()
	for len(out) < maxTraces && spans < maxSpans {
		_, t, ok := b.traces.GetOldest()
		if !ok || t.deadline.After(now) {
			break
		}
		b.traces.RemoveOldest()
		out = append(out, b.leave(t, reasonWaitEnded))
		spans += t.spans
	}
	return out
}

// oldest removes and returns the oldest traces, due or not, until they hold
// bytes: released early when the bound in bytes is reached.
func (b *traceBuffer) oldest(bytes int64, maxTraces int) []*pendingTrace {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*pendingTrace
	for taken := int64(0); taken < bytes && len(out) < maxTraces; {
		_, t, ok := b.traces.RemoveOldest()
		if !ok {
			break
		}
		out = append(out, b.leave(t, reasonMaxHeld))
		taken += t.bytes
	}
	return out
}

// compactSettling drops the consumed head of the settle queue once it is
// half of it, so that the queue does not grow without bound.
func (b *traceBuffer) compactSettling() {
	if b.head > 0 && b.head >= len(b.settling)/2 {
		n := copy(b.settling, b.settling[b.head:])
		clear(b.settling[n:])
		b.settling = b.settling[:n]
		b.head = 0
	}
}

// finish ends the release of t: rest, when not nil, is what of t was not
// due (the subtrees whose root has not arrived or not settled); it goes back
// to the buffer with t's deadline, with the spans that arrived while t was out.
// It returns the traces to release now instead: those whose wait ended
// meanwhile, the oldest when the buffer is full, and, once it is closed, all.
func (b *traceBuffer) finish(t, rest *pendingTrace, now time.Time) (released []*pendingTrace) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.out[t.id] == t {
		delete(b.out, t.id)
	}
	back := rest
	if l := t.late; l != nil {
		t.late = nil
		if back == nil {
			back = l
		} else {
			merge(back, l)
		}
	}
	if back == nil || back.spans == 0 && back.td.ResourceSpans().Len() == 0 {
		return nil
	}
	switch {
	case b.closed:
		back.reason = reasonShutdown
		return []*pendingTrace{back}
	case !back.deadline.After(now):
		b.out[back.id] = back
		back.reason = reasonWaitEnded
		return []*pendingTrace{back}
	}
	if b.traces.Len() >= b.capacity {
		_, oldest, _ := b.traces.RemoveOldest()
		released = append(released, b.leave(oldest, reasonBufferFull))
	}
	back.held, back.reason, back.settleAt = true, reasonSettled, time.Time{}
	b.traces.Add(back.id, back)
	if len(back.roots) > 0 {
		first := back.roots[0].settled
		for _, r := range back.roots[1:] {
			if r.settled.Before(first) {
				first = r.settled
			}
		}
		b.queue(back, first)
	}
	return released
}

// close removes and returns every trace held; later adds are released at once.
func (b *traceBuffer) close() []*pendingTrace {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	out := make([]*pendingTrace, 0, b.traces.Len())
	for {
		_, t, ok := b.traces.RemoveOldest()
		if !ok {
			break
		}
		out = append(out, b.leave(t, reasonShutdown))
	}
	clear(b.settling)
	b.settling, b.head = nil, 0
	return out
}

// len is the number of traces held.
func (b *traceBuffer) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.traces.Len()
}
