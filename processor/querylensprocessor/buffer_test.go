package querylensprocessor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/processor/querylensprocessor/internal/metadata"
)

func TestFullBufferReleasesOldestEarly(t *testing.T) {
	sink := new(consumertest.TracesSink)
	// A settle longer than the test: only num_traces releases.
	p := newTestProcessor(t, func(c *Config) { c.NumTraces = 2; c.WaitDuration, c.SettleDuration = time.Hour, time.Minute }, sink)
	ctx := context.Background()
	for i := byte(1); i <= 3; i++ {
		if err := p.ConsumeTraces(ctx, synthTrace(i, 6)); err != nil {
			t.Fatal(err)
		}
	}
	// The third trace did not fit: the first was analyzed and released at once.
	if got := sink.SpanCount(); got != 7 {
		t.Fatalf("%d spans released early, want the 7 of the oldest trace", got)
	}
	early := fixtures.Observe(sink.AllTraces()...)
	if len(early) != 1 || early[0].TraceID != traceID(1).String() || early[0].Count != 6 {
		t.Fatalf("the early release was not analyzed: %+v", early)
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sink.SpanCount(); got != 21 {
		t.Fatalf("%d spans out after shutdown, want 21", got)
	}
}

func TestMaxSpansPerTraceReleasesTheTrace(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newTestProcessor(t, func(c *Config) { c.MaxSpansPerTrace = 5; c.WaitDuration, c.SettleDuration = time.Hour, time.Minute }, sink)
	ctx := context.Background()
	td := synthTrace(1, 11)
	for i := 0; i < 12; i++ {
		if err := p.ConsumeTraces(ctx, spanOf(td, i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := sink.SpanCount(); got != 10 {
		t.Fatalf("%d spans released, want two full windows of 5", got)
	}
	if got := p.buffer.len(); got != 1 {
		t.Fatalf("%d traces held, want the last window", got)
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sink.SpanCount(); got != 12 {
		t.Fatalf("%d spans out, want 12", got)
	}
}

func TestTracesAreReleasedWhenTheWaitEnds(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newTestProcessor(t, func(c *Config) { c.Release, c.WaitDuration = ReleaseWholeTrace, 50*time.Millisecond }, sink)
	ctx := context.Background()
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = p.Shutdown(ctx) }()
	start := time.Now()
	if err := p.ConsumeTraces(ctx, synthTrace(1, 5)); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 40*time.Millisecond {
		t.Error("ConsumeTraces waited instead of returning")
	}
	if sink.SpanCount() != 0 {
		t.Fatal("spans were released before the wait ended")
	}
	waitFor(t, func() bool { return sink.SpanCount() == 6 })
	if got := fixtures.Observe(sink.AllTraces()...); len(got) != 1 || got[0].Count != 5 {
		t.Fatalf("released trace was not analyzed: %+v", got)
	}
}

func TestLateSpansStartANewWindow(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newTestProcessor(t, func(c *Config) { c.Release, c.WaitDuration = ReleaseWholeTrace, 20*time.Millisecond }, sink)
	ctx := context.Background()
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	td := synthTrace(1, 8)
	for i := 0; i < 4; i++ {
		_ = p.ConsumeTraces(ctx, spanOf(td, i))
	}
	waitFor(t, func() bool { return sink.SpanCount() == 4 })
	for i := 4; i < 9; i++ { // after the trace was released
		_ = p.ConsumeTraces(ctx, spanOf(td, i))
	}
	waitFor(t, func() bool { return sink.SpanCount() == 9 })
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := fixtures.SpanIDs(sink.AllTraces()...), fixtures.SpanIDs(td); !equal(got, want) {
		t.Fatalf("spans out %v, want %v", got, want)
	}
}

func TestShutdownReleasesEveryTrace(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newTestProcessor(t, func(c *Config) { c.WaitDuration = time.Hour }, sink)
	var in []ptrace.Traces
	for i := byte(1); i <= 50; i++ {
		in = append(in, synthTrace(i, int(i%9)))
	}
	want := fixtures.SpanIDs(in...)
	out := runAll(t, p, sink, in)
	if got := fixtures.SpanIDs(out...); !equal(got, want) {
		t.Fatalf("%d spans out, want %d", len(got), len(want))
	}
	wantFindings := 0
	for i := 1; i <= 50; i++ {
		if i%9 >= 5 {
			wantFindings++
		}
	}
	if got := len(fixtures.Observe(out...)); got != wantFindings {
		t.Fatalf("%d findings, want %d", got, wantFindings)
	}
}

func TestShutdownWithoutStart(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newTestProcessor(t, nil, sink)
	ctx := context.Background()
	_ = p.ConsumeTraces(ctx, synthTrace(1, 5))
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal("second Shutdown:", err)
	}
	if sink.SpanCount() != 6 {
		t.Fatalf("%d spans out, want 6", sink.SpanCount())
	}
	// Spans that arrive after Shutdown still flow on, analyzed.
	_ = p.ConsumeTraces(ctx, synthTrace(2, 5))
	if sink.SpanCount() != 12 {
		t.Fatalf("%d spans out after a late batch, want 12", sink.SpanCount())
	}
}

func TestConcurrentConsumersLoseNothing(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newTestProcessor(t, func(c *Config) {
		c.WaitDuration, c.SettleDuration = 2*time.Millisecond, time.Millisecond
		c.NumTraces = 16 // small enough to force early releases too
	}, sink)
	ctx := context.Background()
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sent []ptrace.Traces
	)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				td := synthTrace(byte(g*25+i), 6)
				mu.Lock()
				sent = append(sent, spanOf(td, 0)) // kept for the expected ids
				for k := 1; k <= 6; k++ {
					sent = append(sent, spanOf(td, k))
				}
				mu.Unlock()
				for k := 0; k <= 6; k++ {
					if err := p.ConsumeTraces(ctx, spanOf(td, k)); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := fixtures.SpanIDs(sink.AllTraces()...), fixtures.SpanIDs(sent...); !equal(got, want) {
		t.Fatalf("%d spans out, want %d", len(got), len(want))
	}
}

func TestPermanentRefusalIsDroppedLoggedAndCounted(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	tel := componenttest.NewTelemetry()
	defer func() { _ = tel.Shutdown(context.Background()) }()
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	set.Logger = zap.New(core)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	p, err := NewFactory().CreateTraces(context.Background(), set, cfg,
		consumertest.NewErr(consumererror.NewPermanent(errors.New("bad data"))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_ = p.ConsumeTraces(ctx, synthTrace(1, 5))
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	refused := logs.FilterMessageSnippet("refused released spans permanently").All()
	if len(refused) != 1 || refused[0].ContextMap()["spans"] != int64(6) {
		t.Fatalf("refusal not logged with its span count: %+v", logs.All())
	}
	if got := sum(t, tel, "otelcol_processor_querylens_spans_refused", nil); got != 6 {
		t.Errorf("spans refused %d, want 6", got)
	}
	if got := p.(*querylensProcessor).buffer.held.Load(); got != 0 {
		t.Errorf("%d bytes still counted as held", got)
	}
	found := logs.FilterMessageSnippet("querylens finding ").All()
	if len(found) != 1 {
		t.Fatalf("%d findings logged, want 1", len(found))
	}
	f := found[0].ContextMap()
	if f["type"] != "n_plus_one" || f["count"] != int64(5) || f["service"] != "bookshop" ||
		f["statement"] != "SELECT authors.id, authors.name FROM authors WHERE authors.id = ? LIMIT ?" || f["trace_id"] != traceID(1).String() {
		t.Errorf("finding log: %v", f)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestExpiredIsBoundedInTracesAndSpans(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	cfg := createDefaultConfig().(*Config)
	cfg.NumTraces, cfg.MaxSpansPerTrace, cfg.WaitDuration = 10, 1000, time.Second
	b := newTraceBuffer(cfg)
	spans := []int{3, 3, 3, 20, 3}
	for i, n := range spans {
		id := traceID(byte(i + 1))
		b.add([]*fragment{{id: id, td: ptrace.NewTraces(), spans: n}}, start.Add(time.Duration(i)*time.Millisecond))
	}
	ids := func(ts []*pendingTrace) (out []byte) {
		for _, t := range ts {
			out = append(out, t.id[15])
		}
		return out
	}
	if got := b.due(start.Add(999*time.Millisecond), 10, 100); len(got) != 0 {
		t.Fatalf("released %v before any window closed", ids(got))
	}
	steps := []struct {
		maxTraces, maxSpans int
		want                []byte
	}{
		{10, 5, []byte{1, 2}}, // 3 spans are under the bound, 6 reach it
		{1, 100, []byte{3}},   // the trace bound
		{10, 5, []byte{4}},    // a trace larger than the bound goes alone
		{10, 5, []byte{5}},
		{10, 5, nil},
	}
	for i, s := range steps {
		got := ids(b.due(start.Add(time.Hour), s.maxTraces, s.maxSpans))
		if string(got) != string(s.want) {
			t.Fatalf("step %d: released traces %v, want %v", i, got, s.want)
		}
	}
}

// TestFullBufferReleasesWhatIsDueFirst fills num_traces with a request whose
// local root has not arrived and one whose root settled: a new trace makes
// the settled one leave, whole, and keeps the incomplete one.
func TestFullBufferReleasesWhatIsDueFirst(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newTestProcessor(t, func(c *Config) { c.NumTraces, c.WaitDuration, c.SettleDuration = 2, time.Hour, time.Millisecond }, sink)
	ctx := context.Background()
	incomplete := synthTrace(1, 6)
	for i := 1; i <= 6; i++ { // the lookups, not the request span
		_ = p.ConsumeTraces(ctx, spanOf(incomplete, i))
	}
	_ = p.ConsumeTraces(ctx, synthTrace(2, 6))
	time.Sleep(5 * time.Millisecond) // its root settles; no releaser runs before Start
	_ = p.ConsumeTraces(ctx, synthTrace(3, 6))
	out := sink.AllTraces()
	if got := fixtures.SpanIDs(out...); !equal(got, fixtures.SpanIDs(synthTrace(2, 6))) {
		t.Fatalf("released %v, want trace 2 whole", got)
	}
	if f := fixtures.Observe(out...); len(f) != 1 || f[0].Count != 6 || f[0].ParentMissing {
		t.Fatalf("findings %+v", f)
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sink.SpanCount(); got != 20 {
		t.Fatalf("%d spans out, want 20", got)
	}
}

// TestSpansOfATraceOutWaitForIt: while a trace is out of the buffer to be
// released, spans of it that arrive wait beside it rather than start another
// entry that could settle on its own: the release takes them in (begin), and
// what is not due goes back with them (finish).
func TestSpansOfATraceOutWaitForIt(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	cfg := createDefaultConfig().(*Config)
	cfg.WaitDuration, cfg.SettleDuration = time.Hour, 10*time.Millisecond
	b := newTraceBuffer(cfg)
	frag := func(td ptrace.Traces) *fragment {
		return &fragment{id: traceID(1), td: td, spans: td.SpanCount(), roots: rootsOf(td)}
	}
	td := synthTrace(1, 3)
	b.add([]*fragment{frag(td)}, start)
	out := b.due(start.Add(cfg.SettleDuration), 10, 1000)
	if len(out) != 1 {
		t.Fatalf("%d traces due, want 1", len(out))
	}
	// The request span of another request of the trace arrives meanwhile.
	late := synthTrace(1, 0)
	spanAt(late, 0).SetSpanID(spanID(1, 50))
	b.add([]*fragment{frag(late)}, start.Add(11*time.Millisecond))
	if b.len() != 0 || out[0].late == nil {
		t.Fatalf("the late span started an entry of its own (%d held)", b.len())
	}
	b.begin(out[0])
	if out[0].spans != 5 || len(out[0].roots) != 2 {
		t.Fatalf("the release took %d spans and %d roots, want 5 and 2", out[0].spans, len(out[0].roots))
	}
	// The second root has not settled: it goes back, queued for its settle.
	rest := &pendingTrace{id: out[0].id, td: ptrace.NewTraces(), spans: 1, deadline: out[0].deadline, roots: out[0].roots[1:]}
	if back := b.finish(out[0], rest, start.Add(12*time.Millisecond)); len(back) != 0 {
		t.Fatalf("finish handed back %d traces", len(back))
	}
	if b.len() != 1 || len(b.out) != 0 {
		t.Fatalf("%d held and %d out after finish, want 1 and 0", b.len(), len(b.out))
	}
	if due := b.due(start.Add(21*time.Millisecond), 10, 1000); len(due) != 1 {
		t.Fatalf("the rest was not queued for its root's settle: %d due", len(due))
	}
}

func rootsOf(td ptrace.Traces) []pcommon.SpanID {
	_, roots := tracesBytesAndRoots(td, true)
	return roots
}
