package querylensprocessor

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/processor/querylensprocessor/internal/metadata"
	"github.com/querylens/querylens/tools/loadgen"
)

// flakyConsumer refuses some releases with a retryable error, takes part of
// some and refuses the rest (consumererror.Traces), refuses a few
// permanently, and remembers what it took and what it refused for good.
// With never set it takes everything.
type flakyConsumer struct {
	mu        sync.Mutex
	rng       *rand.Rand
	never     bool
	accepted  []ptrace.Traces
	permanent []ptrace.Traces
	retryable int
}

func (f *flakyConsumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (f *flakyConsumer) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r := f.rng.IntN(100); {
	case f.never:
	case r < 3:
		f.permanent = append(f.permanent, td)
		return consumererror.NewPermanent(errors.New("bad data"))
	case r < 20:
		f.retryable++
		return errors.New("exporter queue is full")
	case r < 30 && td.ResourceSpans().Len() > 1:
		f.retryable++
		rest := ptrace.NewTraces()
		td.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
			if rest.ResourceSpans().Len() < td.ResourceSpans().Len()/2 {
				rs.MoveTo(rest.ResourceSpans().AppendEmpty())
				return true
			}
			return false
		})
		f.accepted = append(f.accepted, td)
		return consumererror.NewTraces(errors.New("took half"), rest)
	}
	f.accepted = append(f.accepted, td)
	return nil
}

// TestNoLossCounted sends real ORM traces with fresh ids, cut into random
// batches in random order from four senders, through a processor whose buffer
// is small enough to force early releases, with a short wait so that late
// spans arrive after their trace left, shut down in the middle of windows,
// into a consumer that refuses now and then, takes part of a release now and
// then, and drops a few for good: every span is taken exactly once or counted
// as refused for good, in both release modes.
func TestNoLossCounted(t *testing.T) {
	for _, mode := range releaseModes {
		t.Run(mode, func(t *testing.T) { testNoLossCounted(t, mode) })
	}
}

func testNoLossCounted(t *testing.T, mode string) {
	gen, err := loadgen.New(42)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	// 400 traces, each span on its own, shuffled, then regrouped at random.
	var spans []ptrace.Traces
	for i := 0; i < 400; i++ {
		spans = append(spans, oneTracesPerSpan(gen.Next(time.Now()))...)
	}
	want := fixtures.SpanIDs(spans...)
	rng.Shuffle(len(spans), func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })
	var batches []ptrace.Traces
	for len(spans) > 0 {
		n := min(1+rng.IntN(60), len(spans))
		b := ptrace.NewTraces()
		for _, td := range spans[:n] {
			td.ResourceSpans().MoveAndAppendTo(b.ResourceSpans())
		}
		batches = append(batches, b)
		spans = spans[n:]
	}

	tel := componenttest.NewTelemetry()
	defer func() { _ = tel.Shutdown(context.Background()) }()
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	cfg := createDefaultConfig().(*Config)
	cfg.Release, cfg.NumTraces, cfg.WaitDuration, cfg.SettleDuration = mode, 20, 3*time.Millisecond, time.Millisecond
	next := &flakyConsumer{rng: rand.New(rand.NewPCG(9, 9))}
	p, err := NewFactory().CreateTraces(context.Background(), set, cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	work := make(chan ptrace.Traces)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				if err := p.ConsumeTraces(ctx, b); err != nil {
					t.Error(err)
				}
				if rng := rand.IntN(10); rng == 0 {
					time.Sleep(time.Millisecond) // let some windows close
				}
			}
		}()
	}
	for _, b := range batches {
		work <- b
	}
	close(work)
	wg.Wait()
	if err := p.Shutdown(ctx); err != nil { // windows still open: released now
		t.Fatal(err)
	}

	accepted, refused := fixtures.SpanIDs(next.accepted...), fixtures.SpanIDs(next.permanent...)
	if got := fixtures.SpanIDs(append(next.accepted, next.permanent...)...); !equal(got, want) {
		t.Fatalf("%d spans out (%d taken, %d refused for good), want exactly the %d in", len(got), len(accepted), len(refused), len(want))
	}
	if len(refused) == 0 || len(accepted) == 0 || next.retryable == 0 {
		t.Fatal("the consumer never refused, or never took anything: the test proves nothing")
	}
	if got := sum(t, tel, "otelcol_processor_querylens_spans_refused", nil); got != int64(len(refused)) {
		t.Errorf("spans refused counted %d, want %d", got, len(refused))
	}
	if got := sum(t, tel, "otelcol_processor_querylens_spans_released", nil); got != int64(len(want)) {
		t.Errorf("spans released %d, want %d", got, len(want))
	}
	if got := p.(*querylensProcessor).buffer.held.Load(); got != 0 {
		t.Errorf("%d bytes still counted as held", got)
	}
	retried := sum(t, tel, "otelcol_processor_querylens_spans_retried", nil)
	early := sum(t, tel, "otelcol_processor_querylens_traces_released_early", ptr(attribute.NewSet(attribute.String("reason", "buffer_full"))))
	t.Logf("%d spans in %d batches: %d taken, %d refused for good (counted), %d retried after %d retryable refusals; %d traces released early",
		len(want), len(batches), len(accepted), len(refused), retried, next.retryable, early)
	if early == 0 {
		t.Error("no early release: num_traces did not bite")
	}
	if retried == 0 {
		t.Error("nothing was retried")
	}
}

// TestCountsAddUp sends the benchmark's traffic from eight senders through a
// processor whose num_traces is small enough that traces leave early and come
// back, while their spans keep arriving: every span comes out, the released
// count equals the received one, and no byte stays counted as held.
func TestCountsAddUp(t *testing.T) {
	mix, err := loadgen.NewMix(1, loadgen.DefaultORMShare)
	if err != nil {
		t.Fatal(err)
	}
	corpus, err := loadgen.BuildCorpus(mix.Next, loadgen.CorpusOptions{Spans: 40_000, SpansPerRequest: 512, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range releaseModes {
		t.Run(mode, func(t *testing.T) {
			sink := new(consumertest.TracesSink)
			p, tel := newObservedProcessor(t, func(c *Config) { c.Release, c.WaitDuration, c.NumTraces = mode, 200*time.Millisecond, 30 }, sink)
			ctx := context.Background()
			if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
				t.Fatal(err)
			}
			work := make(chan int)
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var u ptrace.ProtoUnmarshaler
					for i := range work {
						td, err := u.UnmarshalTraces(corpus.Requests[i].Encode(nil, 7))
						if err != nil {
							t.Error(err)
							return
						}
						if err := p.ConsumeTraces(ctx, td); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			for i := range corpus.Requests {
				work <- i
			}
			close(work)
			wg.Wait()
			waitFor(t, func() bool { return sink.SpanCount() == corpus.Spans })
			received := sum(t, tel, "otelcol_processor_querylens_spans_received", nil)
			released := sum(t, tel, "otelcol_processor_querylens_spans_released", nil)
			held := p.buffer.held.Load()
			if err := p.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			if received != int64(corpus.Spans) || released != received || held != 0 {
				t.Errorf("%d spans sent: received %d, released %d; %d bytes still counted as held", corpus.Spans, received, released, held)
			}
		})
	}
}
