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
	td       ptrace.Traces
	spans    int
	deadline time.Time
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
}

func newTraceBuffer(numTraces, maxSpansPerTrace int, wait time.Duration) *traceBuffer {
	// simplelru only fails on a size below 1, which Config.Validate refuses.
	traces, _ := simplelru.NewLRU[pcommon.TraceID, *pendingTrace](numTraces, nil)
	return &traceBuffer{traces: traces, capacity: numTraces, maxSpans: maxSpansPerTrace, wait: wait}
}

// add moves the fragments into the buffer. It returns the traces that must be
// released now: the oldest ones when the buffer is full, traces that reached
// the span bound, and, once the buffer is closed, the fragments themselves.
func (b *traceBuffer) add(frags []*fragment, now time.Time) (release []*pendingTrace) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range frags {
		if b.closed {
			release = append(release, &pendingTrace{td: f.td, spans: f.spans})
			continue
		}
		t, ok := b.traces.Peek(f.id)
		if !ok {
			if b.traces.Len() >= b.capacity {
				_, oldest, _ := b.traces.RemoveOldest()
				release = append(release, oldest)
			}
			t = &pendingTrace{td: ptrace.NewTraces(), deadline: now.Add(b.wait)}
			b.traces.Add(f.id, t)
		}
		f.td.ResourceSpans().MoveAndAppendTo(t.td.ResourceSpans())
		t.spans += f.spans
		if t.spans >= b.maxSpans {
			b.traces.Remove(f.id)
			release = append(release, t)
		}
	}
	return release
}

// expired removes and returns the traces whose window closed by now, oldest
// first, at most limit of them.
func (b *traceBuffer) expired(now time.Time, limit int) []*pendingTrace {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*pendingTrace
	for len(out) < limit {
		_, t, ok := b.traces.GetOldest()
		if !ok || t.deadline.After(now) {
			break
		}
		b.traces.RemoveOldest()
		out = append(out, t)
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
