package querylensprocessor

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/internal/traceview"
	"github.com/querylens/querylens/internal/traceview/pdataview"
)

func TestIsLocalRoot(t *testing.T) {
	cases := []struct {
		name   string
		parent bool
		kind   ptrace.SpanKind
		flags  uint32
		want   bool
	}{
		{"no parent", false, ptrace.SpanKindInternal, 0, true},
		{"server span, no flags", true, ptrace.SpanKindServer, 0, true},
		{"consumer span, no flags", true, ptrace.SpanKindConsumer, 0, true},
		{"internal span, no flags", true, ptrace.SpanKindInternal, 0, false},
		{"client span, no flags", true, ptrace.SpanKindClient, 0, false},
		{"internal span, remote parent", true, ptrace.SpanKindInternal, flagHasIsRemote | flagIsRemote, true},
		{"server span, parent in the process", true, ptrace.SpanKindServer, flagHasIsRemote, false},
		{"remote flag without its has-bit", true, ptrace.SpanKindInternal, flagIsRemote, false},
		{"trace flags only (sampled)", true, ptrace.SpanKindServer, 0x01, true},
	}
	for _, c := range cases {
		s := ptrace.NewSpan()
		s.SetSpanID(spanID(1, 1))
		if c.parent {
			s.SetParentSpanID(spanID(1, 0))
		}
		s.SetKind(c.kind)
		s.SetFlags(c.flags)
		if got := isLocalRoot(s); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// twoServices is a trace of a gateway and a backend: the gateway's request
// span, an HTTP client span under it, and under that the backend's request
// span with five lookups of an author each.
func twoServices(t byte) ptrace.Traces {
	td := synthTrace(t, 5) // the backend: its request span and five lookups
	backend := td.ResourceSpans().At(0)
	backend.Resource().Attributes().PutStr("service.name", "backend")
	backend.ScopeSpans().At(0).Spans().At(0).SetParentSpanID(spanID(t, 101))
	gw := td.ResourceSpans().AppendEmpty()
	gw.Resource().Attributes().PutStr("service.name", "gateway")
	spans := gw.ScopeSpans().AppendEmpty().Spans()
	root := spans.AppendEmpty()
	root.SetTraceID(traceID(t))
	root.SetSpanID(spanID(t, 100))
	root.SetName("GET /page")
	root.SetKind(ptrace.SpanKindServer)
	root.SetStartTimestamp(900_000)
	root.SetEndTimestamp(2_100_000)
	call := spans.AppendEmpty()
	call.SetTraceID(traceID(t))
	call.SetSpanID(spanID(t, 101))
	call.SetParentSpanID(spanID(t, 100))
	call.SetName("GET")
	call.SetKind(ptrace.SpanKindClient)
	call.SetStartTimestamp(950_000)
	call.SetEndTimestamp(2_050_000)
	return td
}

// TestLocalSubtrees partitions a trace of two services with a loop whose
// parent is missing: the gateway's and the backend's requests apart, and the
// orphans together under their missing parent.
func TestLocalSubtrees(t *testing.T) {
	td := twoServices(1)
	orphans := td.ResourceSpans().AppendEmpty()
	orphans.Resource().Attributes().PutStr("service.name", "worker")
	spans := orphans.ScopeSpans().AppendEmpty().Spans()
	for i := 200; i < 203; i++ {
		s := spans.AppendEmpty()
		s.SetTraceID(traceID(1))
		s.SetSpanID(spanID(1, i))
		s.SetParentSpanID(spanID(1, 199)) // never arrives
		s.SetStartTimestamp(3_000_000)
	}
	view, handles := pdataview.Build(td, newTestProcessor(t, nil, nil).norm)
	got := map[string][]string{}
	for _, st := range localSubtrees(view, handles, nil) {
		key := view.Spans[st.root].Name
		if !st.complete {
			key = "incomplete under " + view.Spans[st.root].ParentID.String()
		}
		for _, i := range st.spans {
			got[key] = append(got[key], view.Spans[i].ID.String())
		}
	}
	if len(got) != 3 || len(got["GET /page"]) != 2 || len(got["GET /books"]) != 6 || len(got["incomplete under "+traceview.SpanID(spanID(1, 199)).String()]) != 3 {
		t.Fatalf("subtrees %v", got)
	}
}

// TestRequestLeavesOnceComplete sends a request's lookups, then (in a later
// export) its request span: nothing leaves before the request span, then the
// request leaves whole, analyzed, a settle later, long before the wait.
func TestRequestLeavesOnceComplete(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p, tel := newObservedProcessor(t, func(c *Config) { c.WaitDuration = time.Hour }, sink)
	ctx := startForTest(t, p)
	td := synthTrace(1, 6)
	for i := 1; i <= 6; i++ {
		_ = p.ConsumeTraces(ctx, spanOf(td, i))
	}
	time.Sleep(50 * time.Millisecond) // five settles: the lookups alone must stay
	if n := sink.SpanCount(); n != 0 {
		t.Fatalf("%d spans left before their request span arrived", n)
	}
	_ = p.ConsumeTraces(ctx, spanOf(td, 0))
	waitFor(t, func() bool { return sink.SpanCount() == 7 })
	found := fixtures.Observe(sink.AllTraces()...)
	if len(found) != 1 || found[0].Count != 6 || found[0].ParentMissing || found[0].Anchor != "GET /books" {
		t.Fatalf("findings %+v", found)
	}
	if got := sum(t, tel, "otelcol_processor_querylens_spans_released_incomplete", nil); got != 0 {
		t.Errorf("%d spans released incomplete", got)
	}
	if n := histogramCount(t, tel, "otelcol_processor_querylens_release_delay"); n != 1 {
		t.Errorf("release delay recorded %d times, want once", n)
	}
}

// TestServicesLeaveApart sends the backend's part of a trace first, then the
// gateway's: each request leaves when its own root settles, analyzed apart,
// with its own query count.
func TestServicesLeaveApart(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newTestProcessor(t, func(c *Config) { c.WaitDuration = time.Hour }, sink)
	ctx := startForTest(t, p)
	td := twoServices(1)
	backend, gateway := resourceOf(td, 0), resourceOf(td, 1)
	_ = p.ConsumeTraces(ctx, backend)
	waitFor(t, func() bool { return sink.SpanCount() == 6 })
	_ = p.ConsumeTraces(ctx, gateway)
	waitFor(t, func() bool { return sink.SpanCount() == 8 })
	requests := map[string]int64{}
	fixtures.EachSpan(sink.AllTraces(), func(_ pcommon.Resource, s ptrace.Span) {
		if v, ok := s.Attributes().Get("querylens.request.db_queries"); ok {
			requests[s.Name()] = v.Int()
		}
	})
	if len(requests) != 2 || requests["GET /books"] != 5 || requests["GET /page"] != 0 {
		t.Errorf("request counts %v", requests)
	}
	if found := fixtures.Observe(sink.AllTraces()...); len(found) != 1 || found[0].Anchor != "GET /books" {
		t.Errorf("findings %+v", found)
	}
}

// TestWaitingSpansReadOnce: a request's lookups wait for their request span
// while another request of their trace leaves. They are read (their
// statements normalized) once, when they leave, not at every release of
// their trace.
func TestWaitingSpansReadOnce(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newTestProcessor(t, func(c *Config) { c.WaitDuration = time.Hour }, sink)
	ctx := startForTest(t, p)
	td := twoServices(1)
	for i := 1; i <= 5; i++ {
		_ = p.ConsumeTraces(ctx, spanOf(td, i)) // the backend's lookups, before their request span
	}
	gateway := resourceOf(td, 1)
	_ = p.ConsumeTraces(ctx, gateway)
	waitFor(t, func() bool { return sink.SpanCount() == 2 })
	time.Sleep(30 * time.Millisecond) // three settles: the lookups must stay
	if n := sink.SpanCount(); n != 2 {
		t.Fatalf("%d spans left, want the gateway's 2", n)
	}
	if hits, misses := p.norm.Stats(); hits+misses != 0 {
		t.Errorf("%d statements read with the gateway's request, want none", hits+misses)
	}
	_ = p.ConsumeTraces(ctx, spanOf(td, 0))
	waitFor(t, func() bool { return sink.SpanCount() == 8 })
	if hits, misses := p.norm.Stats(); hits+misses != 5 {
		t.Errorf("%d statement lookups, want one per lookup span (5)", hits+misses)
	}
	if found := fixtures.Observe(sink.AllTraces()...); len(found) != 1 || found[0].Count != 5 || found[0].Anchor != "GET /books" {
		t.Errorf("findings %+v", found)
	}
}

// TestIncompleteRequestWaits sends lookups whose request span never comes:
// they leave at wait_duration, analyzed with what is there, counted.
func TestIncompleteRequestWaits(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p, tel := newObservedProcessor(t, func(c *Config) { c.WaitDuration, c.SettleDuration = 50*time.Millisecond, time.Millisecond }, sink)
	ctx := context.Background()
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	td := synthTrace(1, 6)
	for i := 1; i <= 6; i++ {
		_ = p.ConsumeTraces(ctx, spanOf(td, i))
	}
	waitFor(t, func() bool { return sink.SpanCount() == 6 })
	found := fixtures.Observe(sink.AllTraces()...)
	if len(found) != 1 || found[0].Count != 6 || !found[0].ParentMissing {
		t.Fatalf("findings %+v", found)
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sum(t, tel, "otelcol_processor_querylens_spans_released_incomplete", ptr(attribute.NewSet(attribute.String("reason", "wait_duration")))); got != 6 {
		t.Errorf("%d spans counted as released incomplete at wait_duration, want 6", got)
	}
}

// TestLateSpansOfARequest: a span whose request left before it arrived is
// counted late; the request of another service of the same trace, arriving
// after the first left, is not.
func TestLateSpansOfARequest(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p, tel := newObservedProcessor(t, func(c *Config) { c.WaitDuration = time.Hour }, sink)
	ctx := context.Background()
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	td := twoServices(1)
	backend, gateway := resourceOf(td, 0), resourceOf(td, 1)
	_ = p.ConsumeTraces(ctx, backend)
	waitFor(t, func() bool { return sink.SpanCount() == 6 })
	_ = p.ConsumeTraces(ctx, gateway)
	waitFor(t, func() bool { return sink.SpanCount() == 8 })
	late := synthTrace(1, 6) // a seventh lookup of the backend's request
	_ = p.ConsumeTraces(ctx, spanOf(late, 6))
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sum(t, tel, "otelcol_processor_querylens_late_spans", nil); got != 1 {
		t.Errorf("%d late spans counted, want 1", got)
	}
	if got := sink.SpanCount(); got != 9 {
		t.Errorf("%d spans out, want 9", got)
	}
}

// startForTest starts p, to be shut down when the test ends, and returns the
// context to send with.
func startForTest(t *testing.T, p *querylensProcessor) context.Context {
	t.Helper()
	ctx := context.Background()
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(ctx) })
	return ctx
}

// resourceOf is the spans of td's resource i, alone: one service's export.
func resourceOf(td ptrace.Traces, i int) ptrace.Traces {
	out := ptrace.NewTraces()
	td.ResourceSpans().At(i).CopyTo(out.ResourceSpans().AppendEmpty())
	return out
}
