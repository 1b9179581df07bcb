package querylensprocessor

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// fullConsumer refuses every release with a retryable error while full is
// set, and takes them once it is not.
type fullConsumer struct {
	full    atomic.Bool
	refused atomic.Int64
	mu      sync.Mutex
	took    []ptrace.Traces
}

func (f *fullConsumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (f *fullConsumer) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	if f.full.Load() {
		f.refused.Add(1)
		return errors.New("sending queue is full")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.took = append(f.took, td)
	return nil
}

func (f *fullConsumer) spans() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fixtures.SpanIDs(f.took...)
}

// newBoundedProcessor is a started processor whose bound in bytes is bytes
// (max_held_mib counts whole MiB), with its telemetry.
func newBoundedProcessor(t *testing.T, bytes int64, mutate func(*Config), next consumer.Traces) (*querylensProcessor, *componenttest.Telemetry) {
	t.Helper()
	p, tel := newObservedProcessor(t, mutate, next)
	p.buffer.maxHeld = bytes
	if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	return p, tel
}

func isRetryable(err error) bool {
	var e *consumererror.Error
	return errors.As(err, &e) && e.IsRetryable()
}

// TestFullDownstreamPushesBack: the next consumer refuses everything for a
// while. What querylens released stays held, retried; once that reaches the
// bound, new spans are refused with a retryable error (the sender retries),
// and no more is held than the bound. When the consumer takes again, every
// span taken comes out exactly once.
func TestFullDownstreamPushesBack(t *testing.T) {
	next := &fullConsumer{}
	next.full.Store(true)
	const bound = 32 << 10
	p, tel := newBoundedProcessor(t, bound, nil, next)
	ctx := context.Background()
	var taken []ptrace.Traces
	refusals := 0
	// A sender: a refused request is sent again after a backoff, until the
	// bound was hit with releases refused downstream.
	for i := byte(1); (refusals < 3 || next.refused.Load() == 0) && i < 250; {
		td := synthTrace(i, 6)
		want := ptrace.NewTraces()
		td.CopyTo(want)
		err := p.ConsumeTraces(ctx, td)
		if err != nil {
			if !isRetryable(err) {
				t.Fatalf("refusal %v is not retryable", err)
			}
			refusals++
			time.Sleep(5 * time.Millisecond)
			continue
		}
		i++
		taken = append(taken, want)
		if held := p.buffer.held.Load(); held > bound {
			t.Fatalf("%d bytes held, bound %d", held, bound)
		}
		time.Sleep(time.Millisecond) // the request leaves, to be refused downstream
	}
	if refusals == 0 {
		t.Fatal("never pushed back")
	}
	if next.refused.Load() == 0 {
		t.Fatal("the consumer never refused: the test proves nothing")
	}
	next.full.Store(false)
	want := fixtures.SpanIDs(taken...)
	waitFor(t, func() bool { return len(next.spans()) == len(want) })
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := next.spans(); !equal(got, want) {
		t.Fatalf("%d spans out, want the %d taken, once each", len(got), len(want))
	}
	if got := sum(t, tel, "otelcol_processor_querylens_spans_pushed_back", nil); got != int64(refusals*7) {
		t.Errorf("pushed back %d spans, want %d", got, refusals*7)
	}
	if sum(t, tel, "otelcol_processor_querylens_spans_retried", nil) == 0 {
		t.Error("no retry counted")
	}
	if got := p.buffer.held.Load(); got != 0 {
		t.Errorf("%d bytes still held", got)
	}
	t.Logf("%d traces taken, %d refused to the sender; the consumer refused %d releases", len(taken), refusals, next.refused.Load())
}

// TestHeldBoundReleasesOldestEarly: requests whose local root never comes fill
// the bound; the oldest are released early, analyzed with what is there and
// counted, and new spans are taken again.
func TestHeldBoundReleasesOldestEarly(t *testing.T) {
	sink := new(consumertest.TracesSink)
	const bound = 16 << 10
	p, tel := newBoundedProcessor(t, bound, func(c *Config) { c.WaitDuration = time.Hour }, sink)
	ctx := context.Background()
	sent := 0
	for i := 1; sink.SpanCount() == 0 && i < 250; i++ {
		lookups := synthTrace(byte(i), 6)
		rs := lookups.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		rs.RemoveIf(func(s ptrace.Span) bool { return s.SpanID() == spanID(byte(i), 0) }) // the root never comes
		if err := p.ConsumeTraces(ctx, lookups); err == nil {
			sent += 6
		}
		time.Sleep(time.Millisecond)
	}
	if sink.SpanCount() == 0 {
		t.Fatal("nothing was released early")
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sink.SpanCount(); got != sent {
		t.Fatalf("%d spans out, %d taken", got, sent)
	}
	early := sum(t, tel, "otelcol_processor_querylens_traces_released_early", ptr(attribute.NewSet(attribute.String("reason", "max_held_mib"))))
	incomplete := sum(t, tel, "otelcol_processor_querylens_spans_released_incomplete", ptr(attribute.NewSet(attribute.String("reason", "max_held_mib"))))
	if early == 0 || incomplete == 0 {
		t.Errorf("released early for max_held_mib: %d traces, %d spans incomplete", early, incomplete)
	}
	if found := fixtures.Observe(sink.AllTraces()...); len(found) == 0 || !found[0].ParentMissing {
		t.Errorf("the early releases were not analyzed: %+v", found)
	}
}

// TestBoundWithoutReleaser: before Start (as `querylens analyze` runs it) no
// releaser drains the buffer, so spans are never refused: the caller releases
// the oldest traces itself.
func TestBoundWithoutReleaser(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newTestProcessor(t, func(c *Config) { c.Release, c.WaitDuration = ReleaseWholeTrace, time.Hour }, sink)
	p.buffer.maxHeld = 16 << 10
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		if err := p.ConsumeTraces(ctx, synthTrace(byte(i), 6)); err != nil {
			t.Fatalf("refused without a releaser: %v", err)
		}
		if held := p.buffer.held.Load(); held > 2*p.buffer.maxHeld {
			t.Fatalf("%d bytes held, bound %d", held, p.buffer.maxHeld)
		}
	}
	if sink.SpanCount() == 0 {
		t.Fatal("nothing released before the end")
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sink.SpanCount(); got != 700 {
		t.Fatalf("%d spans out, want 700", got)
	}
}

// TestRetryableRefusalIsRetried: a consumer that refuses now and then with a
// retryable error gets every span once, and querylens counts no refusal.
func TestRetryableRefusalIsRetried(t *testing.T) {
	var calls atomic.Int64
	var mu sync.Mutex
	var took []ptrace.Traces
	next, _ := consumer.NewTraces(func(_ context.Context, td ptrace.Traces) error {
		if calls.Add(1)%2 == 1 {
			return errors.New("try again")
		}
		mu.Lock()
		defer mu.Unlock()
		took = append(took, td)
		return nil
	})
	p, tel := newBoundedProcessor(t, 1<<20, nil, next)
	ctx := context.Background()
	var in []ptrace.Traces
	for i := byte(1); i <= 5; i++ {
		td := synthTrace(i, 5)
		cp := ptrace.NewTraces()
		td.CopyTo(cp)
		in = append(in, cp)
		_ = p.ConsumeTraces(ctx, td)
	}
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(fixtures.SpanIDs(took...)) == 30
	})
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := fixtures.SpanIDs(took...), fixtures.SpanIDs(in...); !equal(got, want) {
		t.Fatalf("%d spans out, want %d once each", len(got), len(want))
	}
	if got := sum(t, tel, "otelcol_processor_querylens_spans_refused", nil); got != 0 {
		t.Errorf("%d spans counted as refused", got)
	}
	if sum(t, tel, "otelcol_processor_querylens_spans_retried", nil) == 0 {
		t.Error("no retry counted")
	}
}
