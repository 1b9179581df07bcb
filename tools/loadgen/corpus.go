package loadgen

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// A Corpus is traffic encoded ahead of time: OTLP ExportTraceServiceRequests
// in their protobuf form, ready to be sent again and again with new trace ids
// (Request.Encode), so that sending costs the load generator a copy and a few
// hundred XORs per request instead of building and marshalling pdata.
//
// Each trace's spans are spread over 1 to 3 requests, in the order of their end
// (an SDK exports a span when it ends, so the root comes last), and each request
// holds parts of many traces, as an SDK's batch span processor sends them.
// Parts with the same resource and scope share one ResourceSpans and
// ScopeSpans in a request.
type Corpus struct {
	Requests []Request
	Spans    int
	Traces   int
	// localRoot is the local root of each span of the sampled traces
	// (rootlatency.go).
	localRoot map[[8]byte][8]byte
	// traceSpans is the number of spans of each trace (its id unsalted).
	traceSpans map[[16]byte]int
}

// Request is one encoded export request.
type Request struct {
	body  []byte
	spans int
	// idAt are the offsets of every trace id in body (one per span, and any in
	// links): Encode rewrites their first 8 bytes.
	idAt []int32
	// parts are the traces body holds spans of: the offset of one copy of the
	// trace id, and the number of spans.
	parts []part
	// sampled are its spans of the traces sampled for the latency from the
	// local root.
	sampled []sampledSpan
}

type part struct {
	at    int32
	spans int32
}

// Spans is the number of spans in the request.
func (r *Request) Spans() int { return r.spans }

// MeanDecodedBytes is what decoding one of the first n requests allocates,
// on average: about what a collector holds for each request in flight.
// Measured with the runtime's count of bytes allocated; nothing else should
// run meanwhile.
func (c *Corpus) MeanDecodedBytes(n int) (float64, error) {
	n = min(n, len(c.Requests))
	if n == 0 {
		return 0, nil
	}
	var before, after runtime.MemStats
	var u ptrace.ProtoUnmarshaler
	runtime.ReadMemStats(&before)
	for i := range c.Requests[:n] {
		// An export request and TracesData share their encoding.
		if _, err := u.UnmarshalTraces(c.Requests[i].body); err != nil {
			return 0, fmt.Errorf("decoding request %d: %w", i, err)
		}
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(n), nil
}

// Size is the encoded size in bytes.
func (r *Request) Size() int { return len(r.body) }

// Encode appends the request to dst with every trace id's first 8 bytes XORed
// with salt: salt 0 is the corpus as built, another salt gives other traces.
func (r *Request) Encode(dst []byte, salt uint64) []byte {
	n := len(dst)
	dst = append(dst, r.body...)
	if salt == 0 {
		return dst
	}
	b := dst[n:]
	for _, at := range r.idAt {
		v := binary.BigEndian.Uint64(b[at:]) ^ salt
		binary.BigEndian.PutUint64(b[at:], v)
	}
	return dst
}

// EachTrace calls fn with the trace id and span count of each trace the
// request encoded in body (by Encode) holds spans of.
func (r *Request) EachTrace(body []byte, fn func(id [16]byte, spans int)) {
	for _, p := range r.parts {
		fn([16]byte(body[p.at:p.at+16]), int(p.spans))
	}
}

// CorpusOptions says how to build a Corpus.
type CorpusOptions struct {
	// Spans is the least number of spans in the corpus.
	Spans int
	// SpansPerRequest is the size at which a request is closed (an SDK's
	// max_export_batch_size is 512); a request can be larger when one part is.
	SpansPerRequest int
	// Seed makes the split reproducible.
	Seed uint64
}

// BuildCorpus draws traces from next until opts.Spans spans, splits and
// interleaves them into requests and encodes these.
func BuildCorpus(next func(time.Time) ptrace.Traces, opts CorpusOptions) (*Corpus, error) {
	if opts.SpansPerRequest <= 0 {
		opts.SpansPerRequest = 512
	}
	rng := rand.New(rand.NewPCG(opts.Seed^0x2545f4914f6cdd1d, opts.Seed+0x9e3779b97f4a7c15))
	c := &Corpus{localRoot: map[[8]byte][8]byte{}, traceSpans: map[[16]byte]int{}}
	// Three requests are open at once: part j of a trace goes into the j-th,
	// and the first is sent when it is full.
	var open [3]*pending
	for i := range open {
		open[i] = newPending(c.localRoot)
	}
	emit := func(p *pending) error {
		if p.spans == 0 {
			return nil
		}
		r, err := p.encode()
		if err != nil {
			return err
		}
		c.Requests = append(c.Requests, r)
		return nil
	}
	now := time.Now()
	for c.Spans < opts.Spans {
		td := next(now.Add(time.Duration(c.Traces) * time.Millisecond))
		n := td.SpanCount()
		if n == 0 {
			continue
		}
		c.Traces++
		c.Spans += n
		id := firstTraceID(td)
		c.traceSpans[id] += n
		if sampled(id[:]) {
			for span, root := range localRootsOf(td) {
				c.localRoot[span] = root
			}
		}
		k := min(1+rng.IntN(3), n)
		for j, chunk := range splitTrace(td, k, rng) {
			open[j].add(chunk)
		}
		for open[0].spans >= opts.SpansPerRequest {
			if err := emit(open[0]); err != nil {
				return nil, err
			}
			open[0], open[1], open[2] = open[1], open[2], newPending(c.localRoot)
		}
	}
	for _, p := range open {
		if err := emit(p); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// splitTrace splits td into k parts by the end time of its spans.
func splitTrace(td ptrace.Traces, k int, rng *rand.Rand) []ptrace.Traces {
	if k == 1 {
		return []ptrace.Traces{td}
	}
	type ref struct {
		rs, ss, s int
		end       pcommon.Timestamp
	}
	var refs []ref
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for l := 0; l < spans.Len(); l++ {
				refs = append(refs, ref{i, j, l, spans.At(l).EndTimestamp()})
			}
		}
	}
	slices.SortStableFunc(refs, func(a, b ref) int { return cmp.Compare(a.end, b.end) })
	// k-1 distinct cut points in 1..n-1.
	cuts := rng.Perm(len(refs) - 1)[:k-1]
	for i := range cuts {
		cuts[i]++
	}
	slices.Sort(cuts)
	chunkOf := map[[3]int]int{}
	c := 0
	for i, r := range refs {
		for c < len(cuts) && i >= cuts[c] {
			c++
		}
		chunkOf[[3]int{r.rs, r.ss, r.s}] = c
	}
	out := make([]ptrace.Traces, k)
	for c := range out {
		out[c] = ptrace.NewTraces()
		for i := 0; i < rss.Len(); i++ {
			var rs ptrace.ResourceSpans
			sss := rss.At(i).ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				var ss ptrace.ScopeSpans
				spans := sss.At(j).Spans()
				for l := 0; l < spans.Len(); l++ {
					if chunkOf[[3]int{i, j, l}] != c {
						continue
					}
					if rs == (ptrace.ResourceSpans{}) {
						rs = out[c].ResourceSpans().AppendEmpty()
						rss.At(i).Resource().CopyTo(rs.Resource())
						rs.SetSchemaUrl(rss.At(i).SchemaUrl())
					}
					if ss == (ptrace.ScopeSpans{}) {
						ss = rs.ScopeSpans().AppendEmpty()
						sss.At(j).Scope().CopyTo(ss.Scope())
						ss.SetSchemaUrl(sss.At(j).SchemaUrl())
					}
					spans.At(l).CopyTo(ss.Spans().AppendEmpty())
				}
			}
		}
	}
	return out
}

// pending is a request being filled.
type pending struct {
	td        ptrace.Traces
	spans     int
	rs        map[string]ptrace.ResourceSpans
	ss        map[string]ptrace.ScopeSpans
	traces    map[pcommon.TraceID]int
	localRoot map[[8]byte][8]byte
	sampled   []sampledSpan
}

func newPending(localRoot map[[8]byte][8]byte) *pending {
	return &pending{td: ptrace.NewTraces(), rs: map[string]ptrace.ResourceSpans{}, ss: map[string]ptrace.ScopeSpans{},
		traces: map[pcommon.TraceID]int{}, localRoot: localRoot}
}

func (p *pending) add(td ptrace.Traces) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		src := rss.At(i)
		rkey := fmt.Sprint(src.Resource().Attributes().AsRaw())
		rs, ok := p.rs[rkey]
		if !ok {
			rs = p.td.ResourceSpans().AppendEmpty()
			src.Resource().CopyTo(rs.Resource())
			rs.SetSchemaUrl(src.SchemaUrl())
			p.rs[rkey] = rs
		}
		sss := src.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			sj := sss.At(j)
			skey := rkey + "\x00" + sj.Scope().Name() + "\x00" + sj.Scope().Version()
			ss, ok := p.ss[skey]
			if !ok {
				ss = rs.ScopeSpans().AppendEmpty()
				sj.Scope().CopyTo(ss.Scope())
				ss.SetSchemaUrl(sj.SchemaUrl())
				p.ss[skey] = ss
			}
			spans := sj.Spans()
			for l := 0; l < spans.Len(); l++ {
				span := spans.At(l)
				p.traces[span.TraceID()]++
				if id := span.TraceID(); sampled(id[:]) {
					p.sampled = append(p.sampled, sampledSpan{trace: id, span: span.SpanID(), root: p.localRoot[span.SpanID()]})
				}
			}
			p.spans += spans.Len()
			spans.MoveAndAppendTo(ss.Spans())
		}
	}
}

func (p *pending) encode() (Request, error) {
	body, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(p.td)
	if err != nil {
		return Request{}, err
	}
	r := Request{body: body, spans: p.spans, sampled: p.sampled}
	for id, spans := range p.traces {
		first := -1
		count := 0
		for from := 0; ; {
			i := bytes.Index(body[from:], id[:])
			if i < 0 {
				break
			}
			at := from + i
			if first < 0 {
				first = at
			}
			r.idAt = append(r.idAt, int32(at))
			count++
			from = at + len(id)
		}
		if count < spans {
			return Request{}, fmt.Errorf("loadgen: trace %s: %d spans in a request but its id found %d times", id, spans, count)
		}
		r.parts = append(r.parts, part{at: int32(first), spans: int32(spans)})
	}
	slices.Sort(r.idAt)
	r.idAt = slices.Compact(r.idAt)
	return r, nil
}

// firstTraceID is the trace id of the first span of td.
func firstTraceID(td ptrace.Traces) pcommon.TraceID {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			if spans := sss.At(j).Spans(); spans.Len() > 0 {
				return spans.At(0).TraceID()
			}
		}
	}
	return pcommon.TraceID{}
}
