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
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"

	"github.com/querylens/querylens/internal/fixtures"
	"github.com/querylens/querylens/internal/loadgen"
	"github.com/querylens/querylens/processor/querylensprocessor/internal/metadata"
)

// flakyConsumer refuses one release in five, and remembers what it took and
// what it refused.
type flakyConsumer struct {
	mu       sync.Mutex
	rng      *rand.Rand
	accepted []ptrace.Traces
	refused  []ptrace.Traces
}

func (f *flakyConsumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (f *flakyConsumer) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng.IntN(5) == 0 {
		f.refused = append(f.refused, td)
		return errors.New("exporter queue is full")
	}
	f.accepted = append(f.accepted, td)
	return nil
}

// TestNoLossCounted sends real ORM traces with fresh ids, cut into random
// batches in random order from four senders, through a processor whose buffer
// is small enough to force early releases, with a short wait so that late
// spans arrive after their trace left, shut down in the middle of windows,
// into a consumer that fails now and then: every span comes out exactly once,
// taken by the consumer or refused by it, and every refusal is counted.
func TestNoLossCounted(t *testing.T) {
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
	cfg.NumTraces, cfg.WaitDuration = 20, 3*time.Millisecond
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

	accepted, refused := fixtures.SpanIDs(next.accepted...), fixtures.SpanIDs(next.refused...)
	if got := fixtures.SpanIDs(append(next.accepted, next.refused...)...); !equal(got, want) {
		t.Fatalf("%d spans out (%d taken, %d refused), want exactly the %d in", len(got), len(accepted), len(refused), len(want))
	}
	if len(refused) == 0 || len(accepted) == 0 {
		t.Fatal("the consumer never failed, or never took anything: the test proves nothing")
	}
	if got := sum(t, tel, "otelcol_processor_querylens_spans_refused", nil); got != int64(len(refused)) {
		t.Errorf("spans refused counted %d, want %d", got, len(refused))
	}
	if got := sum(t, tel, "otelcol_processor_querylens_spans_released", nil); got != int64(len(want)) {
		t.Errorf("spans released %d, want %d", got, len(want))
	}
	early := sum(t, tel, "otelcol_processor_querylens_traces_released_early", ptr(attribute.NewSet(attribute.String("reason", "buffer_full"))))
	late, _ := tel.GetMetric("otelcol_processor_querylens_late_spans")
	t.Logf("%d spans in %d batches: %d taken, %d refused (counted); %d traces released early; late spans recorded: %v",
		len(want), len(batches), len(accepted), len(refused), early, late.Data != nil)
	if early == 0 {
		t.Error("no early release: num_traces did not bite")
	}
}
