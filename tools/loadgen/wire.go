package loadgen

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/gzip" // a sink must read what an exporter compressed
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

// The OTLP trace service on the wire. The load generator speaks it with a codec
// that passes the encoded messages through (rawCodec), so that neither its
// sender nor its sink builds pdata: on a small machine the cost of the load
// generator would otherwise be of the order of the collector's own.
const exportMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"

// rawMessage is an encoded protobuf message.
type rawMessage struct{ b []byte }

// rawCodec is the "proto" codec for messages that are already encoded.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(*rawMessage)
	if !ok {
		return nil, fmt.Errorf("loadgen: cannot marshal %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(m.b)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(*rawMessage)
	if !ok {
		return fmt.Errorf("loadgen: cannot unmarshal into %T", v)
	}
	m.b = data.Materialize()
	return nil
}

func (rawCodec) Name() string { return "proto" }

var _ encoding.CodecV2 = rawCodec{}

// epoch is the origin of the load generator's clock (monotonic).
var epoch = time.Now()

// Now is the load generator's clock: nanoseconds since the process started.
func Now() int64 { return int64(time.Since(epoch)) }

// Sink is an OTLP/gRPC trace receiver that counts the spans it gets and, per
// trace, how many arrived and when the last of them did.
type Sink struct {
	server   *grpc.Server
	listener net.Listener
	spans    atomic.Int64
	requests atomic.Int64
	bytes    atomic.Int64

	mu     sync.Mutex
	traces map[[16]byte]*Arrival
	// arrivals holds when each span of the sampled traces arrived
	// (rootlatency.go).
	arrivals map[SpanKey]int64
}

// Arrival is what reached the sink of one trace.
type Arrival struct {
	Spans int
	Last  int64 // Now() when its last span arrived
}

// NewSink listens on addr ("127.0.0.1:0" for any port) and serves.
func NewSink(addr string) (*Sink, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Sink{listener: l, traces: map[[16]byte]*Arrival{}, arrivals: map[SpanKey]int64{}}
	s.server = grpc.NewServer(grpc.ForceServerCodecV2(rawCodec{}), grpc.MaxRecvMsgSize(512<<20))
	s.server.RegisterService(&grpc.ServiceDesc{
		ServiceName: "opentelemetry.proto.collector.trace.v1.TraceService",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Export",
			Handler: func(_ any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
				var m rawMessage
				if err := dec(&m); err != nil {
					return nil, err
				}
				if err := s.record(m.b); err != nil {
					return nil, status.Error(codes.InvalidArgument, err.Error())
				}
				return &rawMessage{}, nil // an empty ExportTraceServiceResponse
			},
		}},
	}, nil)
	go func() { _ = s.server.Serve(l) }()
	return s, nil
}

// Addr is the sink's host:port.
func (s *Sink) Addr() string { return s.listener.Addr().String() }

// Spans is the number of spans received so far.
func (s *Sink) Spans() int64 { return s.spans.Load() }

// Requests is the number of export requests received so far.
func (s *Sink) Requests() int64 { return s.requests.Load() }

// Bytes is the number of bytes of export requests received so far.
func (s *Sink) Bytes() int64 { return s.bytes.Load() }

// Arrivals returns a copy of the per-trace arrivals.
func (s *Sink) Arrivals() map[[16]byte]Arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyValues(s.traces)
}

// Stop closes the sink.
func (s *Sink) Stop() { s.server.Stop() }

type traceCount struct {
	id [16]byte
	n  int
}

func (s *Sink) record(b []byte) error {
	var counts []traceCount
	var samples []SpanKey
	n := 0
	err := eachSpanID(b, func(id, span []byte) {
		n++
		if sampled(id) {
			if sid := spanID(span); len(sid) == 8 {
				samples = append(samples, SpanKey{trace: [16]byte(id), span: [8]byte(sid)})
			}
		}
		if k := len(counts); k > 0 && [16]byte(id) == counts[k-1].id {
			counts[k-1].n++
			return
		}
		counts = append(counts, traceCount{id: [16]byte(id), n: 1})
	})
	if err != nil {
		return err
	}
	now := Now()
	s.mu.Lock()
	for _, c := range counts {
		a := s.traces[c.id]
		if a == nil {
			a = &Arrival{}
			s.traces[c.id] = a
		}
		a.Spans += c.n
		a.Last = max(a.Last, now)
	}
	for _, k := range samples {
		if _, seen := s.arrivals[k]; !seen {
			s.arrivals[k] = now
		}
	}
	s.mu.Unlock()
	s.spans.Add(int64(n))
	s.requests.Add(1)
	s.bytes.Add(int64(len(b)))
	return nil
}

// eachTraceID calls fn with the trace id of every span of an encoded
// ExportTraceServiceRequest (resource_spans = 1, scope_spans = 2, spans = 2,
// trace_id = 1).
func eachTraceID(b []byte, fn func(id []byte)) error {
	return eachSpanID(b, func(id, _ []byte) { fn(id) })
}

// eachSpanID is eachTraceID with the span's encoding too, for spanID.
func eachSpanID(b []byte, fn func(traceID, span []byte)) error {
	return eachField(b, 1, func(rs []byte) error {
		return eachField(rs, 2, func(ss []byte) error {
			return eachField(ss, 2, func(span []byte) error {
				found := false
				err := eachField(span, 1, func(id []byte) error {
					if len(id) != 16 {
						return fmt.Errorf("trace id of %d bytes", len(id))
					}
					found = true
					fn(id, span)
					return nil
				})
				if err == nil && !found {
					err = errors.New("span without a trace id")
				}
				return err
			})
		})
	})
}

// spanID reads the span id (span_id = 2) of an encoded span.
func spanID(span []byte) []byte {
	var id []byte
	_ = eachField(span, 2, func(v []byte) error { id = v; return nil })
	return id
}

// SpanArrivals returns when each span of the sampled traces arrived.
func (s *Sink) SpanArrivals() map[SpanKey]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.arrivals)
}

// eachField calls fn with the value of each length-delimited field num of the
// message b.
func eachField(b []byte, num protowire.Number, fn func([]byte) error) error {
	for len(b) > 0 {
		n, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return protowire.ParseError(l)
		}
		b = b[l:]
		if n == num && typ == protowire.BytesType {
			v, l := protowire.ConsumeBytes(b)
			if l < 0 {
				return protowire.ParseError(l)
			}
			if err := fn(v); err != nil {
				return err
			}
			b = b[l:]
			continue
		}
		l = protowire.ConsumeFieldValue(n, typ, b)
		if l < 0 {
			return protowire.ParseError(l)
		}
		b = b[l:]
	}
	return nil
}

// The backoff of a Sender between attempts of a refused request.
const (
	RetryInitial = 50 * time.Millisecond
	RetryMax     = time.Second
)

// Sender sends a Corpus over OTLP/gRPC as fast as the receiver takes it.
type Sender struct {
	conn   *grpc.ClientConn
	corpus *Corpus
	salt   uint64
	next   atomic.Int64 // index of the next request, over every pass of the corpus
	stop   atomic.Int64 // no request is started at or after this time (Now())

	mu     sync.Mutex
	traces map[[16]byte]*Sent
	// spans holds when each span of the sampled traces was sent.
	spans map[SpanKey]int64

	Stats SendStats
}

// Sent is what was sent of one trace.
type Sent struct {
	Spans int
	Last  int64 // Now() when the request with its last part was sent
	// Whole is true once every part of the trace was sent.
	Whole bool
}

// SendStats counts what a Sender did.
type SendStats struct {
	Requests, Spans, Bytes atomic.Int64
	// Rejected counts spans the receiver accepted the request of but reported
	// as rejected (partial success); Errors, the attempts that failed (and were
	// retried).
	Rejected, Errors atomic.Int64
	// Start and End of the sending, by Now().
	Start, End int64
	LastError  atomic.Value // string
}

// NewSender connects to the OTLP/gRPC receiver at endpoint. salt makes the
// trace ids of this sender differ from another's over the same corpus.
func NewSender(endpoint string, corpus *Corpus, salt uint64) (*Sender, error) {
	conn, err := grpc.NewClient(endpoint,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{})))
	if err != nil {
		return nil, err
	}
	return &Sender{conn: conn, corpus: corpus, salt: salt, traces: map[[16]byte]*Sent{}, spans: map[SpanKey]int64{}}, nil
}

// StopAt moves the end of a Run in progress to at (by Now()).
func (s *Sender) StopAt(at int64) { s.stop.Store(at) }

// Close closes the connection.
func (s *Sender) Close() error { return s.conn.Close() }

// Run sends with concurrency requests in flight until duration has passed (no
// request is started after it) or ctx ends, retrying a request the receiver
// refuses until it is accepted or ctx ends. The corpus is sent again and again,
// each pass with other trace ids.
func (s *Sender) Run(ctx context.Context, duration time.Duration, concurrency int) error {
	return s.RunAt(ctx, duration, concurrency, 0)
}

// RunAt is Run at an offered load of spansPerSecond at most (0: as fast as the
// receiver takes them): each request is sent when the spans before it are due.
func (s *Sender) RunAt(ctx context.Context, duration time.Duration, concurrency int, spansPerSecond float64) error {
	s.Stats.Start = Now()
	s.stop.Store(s.Stats.Start + int64(duration))
	var scheduled atomic.Int64 // spans handed to workers
	var wg sync.WaitGroup
	errs := make(chan error, concurrency)
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for Now() < s.stop.Load() && ctx.Err() == nil {
				i := s.next.Add(1) - 1
				req := &s.corpus.Requests[i%int64(len(s.corpus.Requests))]
				if spansPerSecond > 0 {
					before := scheduled.Add(int64(req.spans)) - int64(req.spans)
					due := s.Stats.Start + int64(float64(before)/spansPerSecond*1e9)
					if due >= s.stop.Load() {
						return
					}
					if d := due - Now(); d > 0 {
						select {
						case <-time.After(time.Duration(d)):
						case <-ctx.Done():
							return
						}
					}
				}
				pass := uint64(i / int64(len(s.corpus.Requests)))
				salt := mix64(s.salt + pass)
				buf = req.Encode(buf[:0], salt)
				if err := s.send(ctx, req, buf, salt); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	s.Stats.End = Now()
	close(errs)
	return <-errs
}

func (s *Sender) send(ctx context.Context, req *Request, body []byte, salt uint64) error {
	// A refused request is sent again after a backoff, as an SDK's exporter
	// does (theirs start at 1 to 5 s): from 50 ms, doubling to 1 s.
	backoff := RetryInitial
	for {
		sent := Now()
		var resp rawMessage
		err := s.conn.Invoke(ctx, exportMethod, &rawMessage{b: body}, &resp)
		if err == nil {
			s.Stats.Requests.Add(1)
			s.Stats.Spans.Add(int64(req.spans))
			s.Stats.Bytes.Add(int64(len(body)))
			if rejected := rejectedSpans(resp.b); rejected > 0 {
				s.Stats.Rejected.Add(rejected)
			}
			s.mu.Lock()
			req.EachTrace(body, func(id [16]byte, spans int) {
				t := s.traces[id]
				if t == nil {
					t = &Sent{}
					s.traces[id] = t
				}
				t.Spans += spans
				t.Last = max(t.Last, sent)
				t.Whole = t.Spans == s.corpus.traceSpans[salted(id, salt)]
			})
			for _, sp := range req.sampled {
				s.spans[SpanKey{trace: salted(sp.trace, salt), span: sp.span}] = sent
			}
			s.mu.Unlock()
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.Stats.Errors.Add(1)
		s.Stats.LastError.Store(err.Error())
		time.Sleep(backoff)
		backoff = min(2*backoff, RetryMax)
	}
}

// SpanSends returns when each span of the sampled traces was sent.
func (s *Sender) SpanSends() map[SpanKey]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.spans)
}

// Traces returns a copy of what was sent per trace.
func (s *Sender) Traces() map[[16]byte]Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyValues(s.traces)
}

// rejectedSpans reads partial_success.rejected_spans (1.1) of an encoded
// ExportTraceServiceResponse.
func rejectedSpans(b []byte) int64 {
	var rejected int64
	_ = eachField(b, 1, func(ps []byte) error {
		for len(ps) > 0 {
			n, typ, l := protowire.ConsumeTag(ps)
			if l < 0 {
				return nil
			}
			ps = ps[l:]
			if n == 1 && typ == protowire.VarintType {
				v, l := protowire.ConsumeVarint(ps)
				if l < 0 {
					return nil
				}
				rejected += int64(v)
				ps = ps[l:]
				continue
			}
			l = protowire.ConsumeFieldValue(n, typ, ps)
			if l < 0 {
				return nil
			}
			ps = ps[l:]
		}
		return nil
	})
	return rejected
}

// mix64 is splitmix64's finalizer: distinct inputs, well spread outputs.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Latency is the delay between sending the last part of a trace and the
// arrival of its last span at the sink, over the traces that arrived whole.
type Latency struct {
	Traces   int // sent
	Complete int // every span arrived
	// Cut are the traces of which the sending ended before it sent every
	// part: the pipeline holds them until its wait, so they are left out of
	// the latency (and counted in Complete when all that was sent arrived).
	Cut        int
	Incomplete int // some spans missing
	Extra      int // more spans arrived than were sent (duplicates)
	// Missing and Duplicated count spans, over every trace: sent but not
	// arrived, and arrived more times than sent.
	Missing, Duplicated int64
	P50, P90            time.Duration
	P99, Max            time.Duration
}

// MeasureLatency compares what was sent with what arrived.
func MeasureLatency(sent map[[16]byte]Sent, arrived map[[16]byte]Arrival) Latency {
	return MeasureLatencySince(sent, arrived, math.MinInt64)
}

// MeasureLatencySince is MeasureLatency with the latency taken only over the
// traces whose last part was sent at from (by Now()) or later; the counts are
// over every trace.
func MeasureLatencySince(sent map[[16]byte]Sent, arrived map[[16]byte]Arrival, from int64) Latency {
	l := Latency{Traces: len(sent)}
	ds := make([]int64, 0, len(sent))
	for id, s := range sent {
		a, ok := arrived[id]
		switch {
		case !ok:
			l.Incomplete++
			l.Missing += int64(s.Spans)
		case a.Spans < s.Spans:
			l.Incomplete++
			l.Missing += int64(s.Spans - a.Spans)
		case a.Spans > s.Spans:
			l.Extra++
			l.Duplicated += int64(a.Spans - s.Spans)
		default:
			l.Complete++
			if !s.Whole {
				l.Cut++
			} else if s.Last >= from {
				ds = append(ds, a.Last-s.Last)
			}
		}
	}
	for id, a := range arrived {
		if _, ok := sent[id]; !ok {
			l.Duplicated += int64(a.Spans) // never sent: not ours
		}
	}
	l.P50, l.P90, l.P99, l.Max = percentiles(ds)
	return l
}

// percentiles are the 50th, 90th and 99th percentiles and the maximum of ds
// (nanoseconds), which it sorts; all zero when it is empty.
func percentiles(ds []int64) (p50, p90, p99, most time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0, 0
	}
	slices.Sort(ds)
	q := func(p float64) time.Duration { return time.Duration(ds[min(len(ds)-1, int(p*float64(len(ds))))]) }
	return q(0.50), q(0.90), q(0.99), time.Duration(ds[len(ds)-1])
}

// copyValues copies a map of pointers into a map of values, which later
// updates of the original do not reach.
func copyValues[K comparable, V any](m map[K]*V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = *v
	}
	return out
}
