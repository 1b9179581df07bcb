package loadgen

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview/pdataview"
)

// Clean traces are what they say: 20 to 500 spans of one trace, one root, no
// finding at all with the processor's default settings.
func TestCleanTracesHaveNoFinding(t *testing.T) {
	g := NewClean(7)
	cache, err := sqlnorm.NewCache(100_000, 16384)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(detect.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	traces := 300
	if testing.Short() {
		traces = 50
	}
	minN, maxN, total := 1<<30, 0, 0
	for i := range traces {
		var td ptrace.Traces
		switch i {
		case 0:
			td = g.NextN(time.Now(), CleanMaxSpans)
		case 1:
			td = g.NextN(time.Now(), CleanMinSpans)
		default:
			td = g.Next(time.Now())
		}
		n := td.SpanCount()
		minN, maxN, total = min(minN, n), max(maxN, n), total+n
		if n < CleanMinSpans || n > CleanMaxSpans {
			t.Fatalf("trace %d has %d spans", i, n)
		}
		checkOneTree(t, td)
		view, _ := pdataview.Build(td, cache)
		if res := eng.Analyze(view); len(res.Findings) > 0 {
			f := res.Findings[0]
			t.Fatalf("trace %d (%d spans): %d findings, the first %s x%d: %s", i, n, len(res.Findings), f.Type, f.Count, f.Statement)
		}
	}
	t.Logf("%d traces: %d..%d spans, mean %d; %d statement shapes", traces, minN, maxN, total/traces, g.Shapes())
}

// Every shape normalizes to a statement of its own.
func TestCleanShapesAreDistinct(t *testing.T) {
	g := NewClean(1)
	seen := map[string]string{}
	for i := range g.shapes {
		for _, style := range []byte{'$', '?', '%'} {
			raw := g.shapes[i].placeholders(style)
			st := sqlnorm.Normalize("postgresql", raw)
			if style == '$' {
				if prev, ok := seen[st.Fingerprint]; ok {
					t.Fatalf("%q and %q share fingerprint %s", prev, raw, st.Fingerprint)
				}
				seen[st.Fingerprint] = raw
			}
		}
	}
}

func checkOneTree(t *testing.T, td ptrace.Traces) {
	t.Helper()
	ids := map[pcommon.SpanID]bool{}
	var traceID pcommon.TraceID
	roots := 0
	eachSpan(td, func(s ptrace.Span) {
		if traceID.IsEmpty() {
			traceID = s.TraceID()
		}
		if s.TraceID() != traceID {
			t.Fatal("two trace ids in one trace")
		}
		if ids[s.SpanID()] {
			t.Fatal("a span id twice")
		}
		ids[s.SpanID()] = true
		if s.EndTimestamp() < s.StartTimestamp() {
			t.Fatal("a span ends before it starts")
		}
	})
	eachSpan(td, func(s ptrace.Span) {
		if s.ParentSpanID().IsEmpty() {
			roots++
		} else if !ids[s.ParentSpanID()] {
			t.Fatalf("span %s has no parent in the trace", s.Name())
		}
	})
	if roots != 1 {
		t.Fatalf("%d roots", roots)
	}
}

// A corpus holds every span of its traces once, each trace in 1 to 3
// requests, and Encode with a salt gives other trace ids of the same traces.
func TestCorpus(t *testing.T) {
	m, c := testCorpus(t, 3, 20_000)
	if m.ORMTraces == 0 || m.CleanTraces == 0 {
		t.Fatalf("mix: %d testdata traces, %d clean", m.ORMTraces, m.CleanTraces)
	}
	for _, salt := range []uint64{0, 12345} {
		perTrace := map[[16]byte]int{}
		requestsOf := map[[16]byte]int{}
		spans := 0
		for i := range c.Requests {
			r := &c.Requests[i]
			body := r.Encode(nil, salt)
			td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(body)
			if err != nil {
				t.Fatal(err)
			}
			if td.SpanCount() != r.Spans() {
				t.Fatalf("request %d: %d spans, says %d", i, td.SpanCount(), r.Spans())
			}
			spans += r.Spans()
			inRequest := map[[16]byte]int{}
			if err := eachTraceID(body, func(id []byte) { inRequest[[16]byte(id)]++ }); err != nil {
				t.Fatal(err)
			}
			r.EachTrace(body, func(id [16]byte, n int) {
				if inRequest[id] != n {
					t.Fatalf("request %d: trace %x: %d spans, says %d", i, id, inRequest[id], n)
				}
				perTrace[id] += n
				requestsOf[id]++
			})
			if len(inRequest) != len(r.parts) {
				t.Fatalf("request %d: %d traces, says %d", i, len(inRequest), len(r.parts))
			}
		}
		if spans != c.Spans || len(perTrace) != c.Traces {
			t.Fatalf("salt %d: %d spans in %d traces, corpus says %d in %d", salt, spans, len(perTrace), c.Spans, c.Traces)
		}
		for id, n := range requestsOf {
			if n < 1 || n > 3 {
				t.Fatalf("trace %x in %d requests", id, n)
			}
		}
	}
}

// The sender and the sink agree, directly connected: every span sent arrives,
// and the passes of the corpus are distinct traces.
func TestSenderToSink(t *testing.T) {
	_, c := testCorpus(t, 5, 5_000)
	sink, err := NewSink("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Stop()
	s, err := NewSender(sink.Addr(), c, 99)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Run(context.Background(), 300*time.Millisecond, 4); err != nil {
		t.Fatal(err)
	}
	sent := s.Stats.Spans.Load()
	if sent == 0 || sink.Spans() != sent {
		t.Fatalf("sent %d spans, the sink got %d", sent, sink.Spans())
	}
	lat := MeasureLatency(s.Traces(), sink.Arrivals())
	if lat.Complete != lat.Traces || lat.Traces == 0 {
		t.Fatalf("latency: %+v", lat)
	}
	if s.Stats.Requests.Load() > int64(len(c.Requests)) && lat.Traces <= c.Traces {
		t.Fatalf("%d requests of a corpus of %d but only %d distinct traces", s.Stats.Requests.Load(), len(c.Requests), lat.Traces)
	}
	root := MeasureRootLatency(c, s.SpanSends(), sink.SpanArrivals(), 0)
	if root.Spans == 0 || root.P50 < 0 || root.Max < root.P50 {
		t.Fatalf("latency from the local root: %+v", root)
	}
	t.Logf("%d requests, %d spans, %d traces; latency p50 %v p99 %v; from the local root, over %d sampled spans, p50 %v p99 %v",
		s.Stats.Requests.Load(), sent, lat.Traces, lat.P50, lat.P99, root.Spans, root.P50, root.P99)
}

// A span's latency runs from the sending of its local root, or of itself when
// it was sent after its root.
func TestMeasureRootLatency(t *testing.T) {
	tr := [16]byte{15: rootSample}
	root, child, late := [8]byte{1}, [8]byte{2}, [8]byte{3}
	c := &Corpus{localRoot: map[[8]byte][8]byte{root: root, child: root, late: root}}
	ms := int64(time.Millisecond)
	sent := map[SpanKey]int64{{tr, child}: 10 * ms, {tr, root}: 30 * ms, {tr, late}: 50 * ms}
	arrived := map[SpanKey]int64{{tr, child}: 32 * ms, {tr, root}: 33 * ms, {tr, late}: 51 * ms}
	got := MeasureRootLatency(c, sent, arrived, 0)
	// child: 32-30, root: 33-30, late: 51-50
	if got.Spans != 3 || got.P50 != 2*time.Millisecond || got.Max != 3*time.Millisecond {
		t.Fatalf("%+v", got)
	}
	if got := MeasureRootLatency(c, sent, arrived, 40*ms); got.Spans != 1 {
		t.Fatalf("from 40 ms: %+v", got)
	}
}

// Decoding a request allocates more than its encoding holds (strings copied,
// a struct per span and attribute), and the measure says so.
func TestMeanDecodedBytes(t *testing.T) {
	_, c := testCorpus(t, 5, 5_000)
	wire := 0
	for i := range c.Requests[:4] {
		wire += c.Requests[i].Size()
	}
	decoded, err := c.MeanDecodedBytes(4)
	if err != nil {
		t.Fatal(err)
	}
	if decoded <= float64(wire)/4 {
		t.Errorf("decoding a request allocated %.0f bytes, not more than its %d encoded", decoded, wire/4)
	}
}

// testCorpus is a corpus of at least spans spans of the default mix, with
// the mix it was drawn from.
func testCorpus(t *testing.T, seed uint64, spans int) (*Mix, *Corpus) {
	t.Helper()
	m, err := NewMix(seed, DefaultORMShare)
	if err != nil {
		t.Fatal(err)
	}
	c, err := BuildCorpus(m.Next, CorpusOptions{Spans: spans, SpansPerRequest: 512, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return m, c
}
