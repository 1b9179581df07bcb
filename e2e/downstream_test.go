//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/tools/loadgen"
)

// TestDownstreamRefusals puts querylens right before an exporter that neither
// queues nor retries, so that every refusal of the trace store reaches
// querylens: first a flaky store (a request in four refused, to be retried;
// one in twenty refused for good), then a full one (every request refused for
// 3 s) while senders keep sending, then a well one. querylens retries what
// can be retried; while the store is full, what it holds reaches max_held_mib
// (1 MiB) and it refuses senders (HTTP 503), who retry. Every span the
// collector took comes out exactly once, or was refused for good by the store
// and counted so; what querylens held never passed the bound.
func TestDownstreamRefusals(t *testing.T) {
	sink := &moodySink{rng: rand.New(rand.NewPCG(8, 8)), mood: moodFlaky}
	c, httpPort, metricsPort := startPipeline(t, pipeline{
		processors: `
  querylens:
    max_held_mib: 1`,
		exporters: sink.exporter(t, `
    retry_on_failure:
      enabled: false
    sending_queue:
      enabled: false`),
		traceProcessors: "querylens",
		traceExporters:  "otlp_grpc",
	})

	gen, err := loadgen.New(17)
	if err != nil {
		t.Fatal(err)
	}
	var accepted []ptrace.Traces
	pushedBack := 0
	maxHeld := 0.0
	// send posts a request of whole traces until the collector takes it: a
	// refusal (503) is retried after 20 ms, as an SDK would after its backoff.
	send := func() {
		req := ptrace.NewTraces()
		for range 4 {
			gen.Next(time.Now()).ResourceSpans().MoveAndAppendTo(req.ResourceSpans())
		}
		body, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(req)
		for {
			err := postOTLPJSON(context.Background(), httpPort, body)
			maxHeld = max(maxHeld, loadSmokeMetric(t, metricsPort, "otelcol_processor_querylens_held_bytes"))
			if err == nil {
				accepted = append(accepted, req)
				return
			}
			pushedBack++
			time.Sleep(20 * time.Millisecond)
		}
	}
	for range 60 { // flaky
		send()
	}
	sink.setMood(moodFull)
	well := make(chan struct{})
	time.AfterFunc(3*time.Second, func() { sink.setMood(moodWell); close(well) })
	for sending := true; sending; {
		send()
		select {
		case <-well:
			sending = false
		default:
		}
	}
	for range 20 {
		send()
	}
	want := fixtures.SpanIDs(accepted...)
	deadline := time.Now().Add(30 * time.Second)
	for {
		sink.mu.Lock()
		n := len(fixtures.SpanIDs(append(append([]ptrace.Traces(nil), sink.took...), sink.refused...)...))
		sink.mu.Unlock()
		if n >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	counted := loadSmokeMetric(t, metricsPort, "otelcol_processor_querylens_spans_refused")
	retried := loadSmokeMetric(t, metricsPort, "otelcol_processor_querylens_spans_retried")
	pushed := loadSmokeMetric(t, metricsPort, "otelcol_processor_querylens_spans_pushed_back")
	c.stop(t)

	sink.mu.Lock()
	took, refused := fixtures.SpanIDs(sink.took...), fixtures.SpanIDs(sink.refused...)
	out := fixtures.SpanIDs(append(append([]ptrace.Traces(nil), sink.took...), sink.refused...)...)
	retryable := sink.retryable
	sink.mu.Unlock()
	t.Logf("%d spans taken by the collector in %d requests, %d requests pushed back (querylens refused %.0f spans to the sender); the store refused %d requests to retry (querylens retried %.0f spans) and %d spans for good (counted %.0f); it took %d spans; querylens held at most %.0f KiB",
		len(want), len(accepted), pushedBack, pushed, retryable, retried, len(refused), counted, len(took), maxHeld/1024)
	if fmt.Sprint(out) != fmt.Sprint(want) {
		missing, extra := diff(want, out)
		t.Fatalf("spans out are not the spans taken, exactly once: %d missing, %d extra (e.g. %v %v)", len(missing), len(extra), first(missing), first(extra))
	}
	if float64(len(refused)) != counted {
		t.Errorf("the store refused %d spans for good, querylens counted %.0f", len(refused), counted)
	}
	if len(refused) == 0 || retryable == 0 || retried == 0 {
		t.Error("the store never refused, for good or to retry: the test proves nothing")
	}
	if pushedBack == 0 || pushed == 0 {
		t.Error("querylens never pushed back on the sender while the store was full")
	}
	if maxHeld > 1<<20 {
		t.Errorf("querylens held %.0f KiB, more than max_held_mib (1 MiB)", maxHeld/1024)
	}
}
