package loadgen

import (
	"encoding/binary"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/traceview"
)

// Latency from a local root's arrival: for a sample of the traces (those whose
// trace id ends in a multiple of rootSample, a byte no salt changes), the
// sender records when each span was sent and the sink when it arrived; a
// span's latency is its arrival minus the sending of its local root (or of
// itself, if it was sent later). That is how long a pipeline kept it after its
// request was complete.
const rootSample = 32

// sampled reports whether a trace is in the sample.
func sampled(traceID []byte) bool { return traceID[15]%rootSample == 0 }

// SpanKey is a span of one pass of the corpus: its trace id as sent (salted)
// and its span id.
type SpanKey struct {
	trace [16]byte
	span  [8]byte
}

// sampledSpan is a span of a sampled trace in a request, and its local root.
type sampledSpan struct {
	trace      [16]byte // unsalted
	span, root [8]byte
}

// localRootsOf maps each span of a trace to its local root (the first span of
// its service's part of the trace, as the processor annotates it).
func localRootsOf(td ptrace.Traces) map[[8]byte][8]byte {
	var spans []traceview.Span
	eachSpanWithService(td, func(service string, s ptrace.Span) {
		spans = append(spans, traceview.Span{ID: traceview.SpanID(s.SpanID()), ParentID: traceview.SpanID(s.ParentSpanID()),
			Kind: traceview.Kind(s.Kind()), Start: int64(s.StartTimestamp()), End: int64(s.EndTimestamp()), Name: s.Name(), Service: service})
	})
	view, _ := traceview.New(traceview.TraceID{}, spans)
	out := make(map[[8]byte][8]byte, len(spans))
	for i := range view.Spans {
		out[view.Spans[i].ID] = view.Spans[view.LocalRoot(i)].ID
	}
	return out
}

func eachSpanWithService(td ptrace.Traces, fn func(string, ptrace.Span)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		service := ""
		if v, ok := rss.At(i).Resource().Attributes().Get("service.name"); ok {
			service = v.AsString()
		}
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				fn(service, spans.At(k))
			}
		}
	}
}

// salted is a trace id as Encode sends it with salt.
func salted(id [16]byte, salt uint64) [16]byte {
	binary.BigEndian.PutUint64(id[:8], binary.BigEndian.Uint64(id[:8])^salt)
	return id
}

// RootLatency is the latency of the sampled spans from their local root's
// arrival.
type RootLatency struct {
	Spans              int // measured: sent after the start, arrived
	P50, P90, P99, Max time.Duration
}

// MeasureRootLatency computes the latency from the local root of the spans
// whose local root was sent at from (by Now()) or later.
func MeasureRootLatency(c *Corpus, sent, arrived map[SpanKey]int64, from int64) RootLatency {
	var ds []int64
	for k, at := range sent {
		a, ok := arrived[k]
		if !ok {
			continue
		}
		root, ok := c.localRoot[k.span]
		if !ok {
			continue
		}
		r, ok := sent[SpanKey{trace: k.trace, span: root}]
		if !ok { // its request was not sent whole: held until the wait
			continue
		}
		start := max(at, r)
		if start < from {
			continue
		}
		ds = append(ds, a-start)
	}
	l := RootLatency{Spans: len(ds)}
	l.P50, l.P90, l.P99, l.Max = percentiles(ds)
	return l
}
