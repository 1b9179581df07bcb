package querylensprocessor

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// pendingTrace is the spans of one trace held until its window closes.
type pendingTrace struct {
	id       pcommon.TraceID
	td       ptrace.Traces
	spans    int
	deadline time.Time
}

// added is what one add did besides buffering.
type added struct {
	// release are the traces to release now.
	release []*pendingTrace
	// full and tooLarge count the traces released early because the buffer
	// was full or the trace reached max_spans_per_trace.
	full, tooLarge int
	// late counts spans of traces released before they arrived.
	late int
	// tooLargeIDs are the traces that reached max_spans_per_trace.
	tooLargeIDs []pcommon.TraceID
}

// traceBuffer holds spans per trace, bounded in traces and in spans per trace.
// Every trace is held for the same wait from its first span, so the order of
// first arrival is also the order of deadlines: the LRU, read with Peek only,
// is a bounded FIFO whose oldest entry is always the next to release.
//
// Nothing leaves the buffer except to be released: callers analyze and forward
// every pendingTrace it hands back.
type traceBuffer struct {
	mu       sync.Mutex
	traces   *simplelru.LRU[pcommon.TraceID, *pendingTrace]
	capacity int
	maxSpans int
	wait     time.Duration
	closed   bool
	// released remembers the traces released last (twice num_traces, at least
	// 1024), to count the spans that arrive after their trace left.
	released *simplelru.LRU[pcommon.TraceID, struct{}]
}

func newTraceBuffer(numTraces, maxSpansPerTrace int, wait time.Duration) *traceBuffer {
	// simplelru only fails on a size below 1, which Config.Validate refuses.
	traces, _ := simplelru.NewLRU[pcommon.TraceID, *pendingTrace](numTraces, nil)
	released, _ := simplelru.NewLRU[pcommon.TraceID, struct{}](max(2*numTraces, 1024), nil)
	return &traceBuffer{traces: traces, capacity: numTraces, maxSpans: maxSpansPerTrace, wait: wait, released: released}
}

// add moves the fragments into the buffer. It returns the traces that must be
// released now: the oldest ones when the buffer is full, traces that reached
// the span bound, and, once the buffer is closed, the fragments themselves.
func (b *traceBuffer) add(frags []*fragment, now time.Time) (a added) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range frags {
		if b.closed {
			a.release = append(a.release, &pendingTrace{id: f.id, td: f.td, spans: f.spans})
			continue
		}
		t, ok := b.traces.Peek(f.id)
		if !ok {
			if b.released.Contains(f.id) {
				a.late += f.spans
			}
			if b.traces.Len() >= b.capacity {
				_, oldest, _ := b.traces.RemoveOldest()
				a.release = append(a.release, b.leave(oldest))
				a.full++
			}
			t = &pendingTrace{id: f.id, td: ptrace.NewTraces(), deadline: now.Add(b.wait)}
			b.traces.Add(f.id, t)
		}
		f.td.ResourceSpans().MoveAndAppendTo(t.td.ResourceSpans())
		t.spans += f.spans
		if t.spans >= b.maxSpans {
			b.traces.Remove(f.id)
			a.release = append(a.release, b.leave(t))
			a.tooLarge++
			a.tooLargeIDs = append(a.tooLargeIDs, f.id)
		}
	}
	return a
}

// leave records that a trace was released.
func (b *traceBuffer) leave(t *pendingTrace) *pendingTrace {
	b.released.Add(t.id, struct{}{})
	return t
}

// expired removes and returns the traces whose window closed by now, oldest
// first: at most maxTraces of them, and no more once they hold maxSpans.
func (b *traceBuffer) expired(now time.Time, maxTraces, maxSpans int) []*pendingTrace {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*pendingTrace
	for spans := 0; len(out) < maxTraces && spans < maxSpans; {
		_, t, ok := b.traces.GetOldest()
		if !ok || t.deadline.After(now) {
			break
		}
		b.traces.RemoveOldest()
		out = append(out, b.leave(t))
		spans += t.spans
	}
	return out
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
			return out
		}
		out = append(out, t)
	}
}

// len is the number of traces held.
func (b *traceBuffer) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.traces.Len()
}
