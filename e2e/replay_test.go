//go:build e2e

package e2e

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// The SDKs' batch span processor: a span is queued when it ends, and the queue
// is exported every 5 s, or at once when it holds 512 spans.
const (
	sdkSchedule  = 5 * time.Second
	sdkBatchSize = 512
)

// TestSDKExportReplay replays every testdata trace the way the SDKs export
// them, into the collector with its default settings: two processes (the
// services of a trace split between them by name) each run a batch span
// processor that exports every 5 s or at 512 spans, concurrently; the
// requests start 25 ms apart, so that many straddle an export and their local
// root arrives in an export after their children, 5 s later. Every request
// must still be analyzed whole: every span comes out annotated exactly as
// when its trace is analyzed at once (findings to the id, request counts),
// and no span is released without its local root.
func TestSDKExportReplay(t *testing.T) {
	t.Run("local_subtree, defaults", func(t *testing.T) {
		r := replaySDKExports(t, "")
		if r.released != float64(r.sent) || r.incomplete != 0 {
			t.Errorf("released %.0f of %d spans before the stop, %.0f without their local root", r.released, r.sent, r.incomplete)
		}
		if r.differ > 0 {
			t.Errorf("%d spans annotated otherwise than in their whole trace", r.differ)
		}
	})
	// The same replay through the window of the old default, for the record:
	// a request whose root comes in the next export, 5 s after its first
	// spans, is cut in two.
	t.Run("whole_trace, wait 5s", func(t *testing.T) {
		r := replaySDKExports(t, "release: whole_trace\n    wait_duration: 5s")
		t.Logf("whole_trace with a 5 s wait: %d of %d spans annotated otherwise than in their whole trace", r.differ, r.sent)
	})
}

// replayResult is what one replay gave.
type replayResult struct {
	sent, differ         int
	released, incomplete float64
}

// replaySDKExports runs the replay through a collector whose querylens has
// the settings given (YAML under processors::querylens).
func replaySDKExports(t *testing.T, settings string) (r replayResult) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	// What each span must carry: the whole trace analyzed at once.
	var want []ptrace.Traces
	for _, s := range scenarios {
		want = append(want, s.Annotated())
	}
	exporters := [2]*sdkExporter{{name: "process-a"}, {name: "process-b"}}
	for i, s := range scenarios {
		// Each request starts 25 ms after the one before; its spans end, and
		// are queued, when they ended in the recording.
		offset := time.Duration(i) * 25 * time.Millisecond
		tds := s.Fresh()
		first := pcommon.Timestamp(0)
		for _, td := range tds {
			eachSpanIn(td, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, sp ptrace.Span) {
				if first == 0 || sp.StartTimestamp() < first {
					first = sp.StartTimestamp()
				}
			})
		}
		for _, td := range tds {
			eachSpanIn(td, func(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, sp ptrace.Span) {
				service, _ := rs.Resource().Attributes().Get("service.name")
				e := exporters[len(service.AsString())%2]
				at := offset + time.Duration(sp.EndTimestamp()-first)
				e.spans = append(e.spans, endedSpan{at: at, resource: rs.Resource(), scope: ss.Scope(), span: sp})
			})
		}
	}
	for _, e := range exporters {
		e.plan()
	}

	fileEntry, out := fileExporter(t)
	c, httpPort, metricsPort := startPipeline(t, pipeline{
		processors: `
  querylens:
    ` + settings + `
  batch:`,
		exporters:       fileEntry,
		traceProcessors: "querylens, batch",
		traceExporters:  "file",
	})

	start := time.Now()
	var wg sync.WaitGroup
	for _, e := range exporters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.run(t, httpPort, start)
		}()
	}
	wg.Wait()
	sent := 0
	for _, e := range exporters {
		sent += e.sent
	}
	r.sent = sent
	// Every request is complete now: each leaves a settle after its root.
	deadline := time.Now().Add(10 * time.Second)
	for loadSmokeMetric(t, metricsPort, "otelcol_processor_querylens_spans_released") < float64(sent) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	released := loadSmokeMetric(t, metricsPort, "otelcol_processor_querylens_spans_released")
	incomplete := loadSmokeMetric(t, metricsPort, "otelcol_processor_querylens_spans_released_incomplete")
	c.stop(t)
	received := readExported(t, out)

	straddling, requests := 0, 0
	for _, e := range exporters {
		straddling += e.straddling
		requests += e.requests
	}
	t.Logf("%d spans in %d export requests from two processes over %v; %d local subtrees had their root in a later export than some of their spans; released before the stop %.0f, without their local root %.0f",
		sent, requests, time.Since(start).Round(time.Second), straddling, released, incomplete)
	if straddling == 0 {
		t.Fatal("no request straddled two exports: the replay proves nothing")
	}
	r.released, r.incomplete = released, incomplete
	got, exp := spanAnnotations(received...), spanAnnotations(want...)
	if len(got) != len(exp) || len(fixtures.SpanIDs(received...)) != len(exp) {
		t.Fatalf("%d spans out (%d distinct), %d in", len(fixtures.SpanIDs(received...)), len(got), len(exp))
	}
	for k, v := range exp {
		if got[k] != v {
			r.differ++
			if r.differ <= 3 {
				t.Logf("span %s annotated otherwise than in its whole trace:\n   got %s\n  want %s", k, got[k], v)
			}
		}
	}
	return r
}

// endedSpan is a span of a process, with when (from the start of the replay)
// it ends and is queued for export.
type endedSpan struct {
	at       time.Duration
	resource pcommon.Resource
	scope    pcommon.InstrumentationScope
	span     ptrace.Span
}

// sdkExporter is one process's batch span processor.
type sdkExporter struct {
	name  string
	spans []endedSpan
	// exports are the spans of each export request, and when it is sent.
	exports [][]endedSpan
	times   []time.Duration

	sent, requests, straddling int
}

// plan orders the spans by the time they end and cuts them into the exports
// a batch span processor makes: every sdkSchedule, and whenever sdkBatchSize
// spans are queued.
func (e *sdkExporter) plan() {
	slices.SortStableFunc(e.spans, func(a, b endedSpan) int { return cmp.Compare(a.at, b.at) })
	var queue []endedSpan
	tick := sdkSchedule
	flush := func(at time.Duration) {
		if len(queue) > 0 {
			e.exports = append(e.exports, queue)
			e.times = append(e.times, at)
			queue = nil
		}
	}
	for _, s := range e.spans {
		for s.at >= tick {
			flush(tick)
			tick += sdkSchedule
		}
		queue = append(queue, s)
		if len(queue) == sdkBatchSize {
			flush(s.at)
		}
	}
	flush(tick)
	// Local subtrees whose root is in a later export than some of their spans.
	exportOf := map[pcommon.SpanID]int{}
	parent := map[pcommon.SpanID]pcommon.SpanID{}
	for k, batch := range e.exports {
		for _, s := range batch {
			exportOf[s.span.SpanID()] = k
			parent[s.span.SpanID()] = s.span.ParentSpanID()
		}
	}
	later := map[pcommon.SpanID]bool{}
	for id, k := range exportOf {
		for p, hops := parent[id], 0; !p.IsEmpty() && hops < 64; p, hops = parent[p], hops+1 {
			if kp, ok := exportOf[p]; ok && kp > k {
				later[p] = true
			}
		}
	}
	e.straddling = len(later)
}

// run sends the exports at their time after start.
func (e *sdkExporter) run(t *testing.T, port int, start time.Time) {
	for k, batch := range e.exports {
		if d := time.Until(start.Add(e.times[k])); d > 0 {
			time.Sleep(d)
		}
		req := ptrace.NewTraces()
		resources := map[pcommon.Resource]ptrace.ResourceSpans{}
		scopes := map[pcommon.InstrumentationScope]ptrace.SpanSlice{}
		for _, s := range batch {
			spans, ok := scopes[s.scope]
			if !ok {
				rs, ok := resources[s.resource]
				if !ok {
					rs = req.ResourceSpans().AppendEmpty()
					s.resource.CopyTo(rs.Resource())
					resources[s.resource] = rs
				}
				ss := rs.ScopeSpans().AppendEmpty()
				s.scope.CopyTo(ss.Scope())
				spans = ss.Spans()
				scopes[s.scope] = spans
			}
			s.span.CopyTo(spans.AppendEmpty())
		}
		body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(req)
		if err != nil {
			t.Error(err)
			return
		}
		if err := postOTLPJSON(context.Background(), port, body); err != nil {
			t.Errorf("%s, export %d: %v", e.name, k, err)
			return
		}
		e.sent += len(batch)
		e.requests++
	}
}

func eachSpanIn(td ptrace.Traces, fn func(ptrace.ResourceSpans, ptrace.ScopeSpans, ptrace.Span)) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				fn(rs, ss, ss.Spans().At(k))
			}
		}
	}
}
