//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/tools/loadgen"
)

// TestNoLossThroughTheBinary sends real ORM traces with fresh ids, cut into
// random batches sent out of order by four senders, through the real
// collector (querylens with a small buffer, so traces leave early, and late
// spans start new windows) to a downstream that refuses requests now and
// then; the exporter retries. The collector is stopped with SIGTERM while
// windows are open. Every span arrives exactly once.
func TestNoLossThroughTheBinary(t *testing.T) {
	sink := &moodySink{rng: rand.New(rand.NewPCG(3, 3)), mood: moodUnsteady}
	c, httpPort, _ := startPipeline(t, pipeline{
		processors: `
  querylens:
    wait_duration: 300ms
    num_traces: 40
  batch:
    timeout: 50ms`,
		exporters: sink.exporter(t, `
    retry_on_failure:
      initial_interval: 10ms
      max_interval: 100ms
      max_elapsed_time: 60s`),
		traceProcessors: "querylens, batch",
		traceExporters:  "otlp_grpc",
	})

	gen, err := loadgen.New(11)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	var spans []ptrace.Traces
	for i := 0; i < 300; i++ {
		spans = append(spans, splitSpans(gen.Next(time.Now()))...)
	}
	want := fixtures.SpanIDs(spans...)
	rng.Shuffle(len(spans), func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })
	var bodies [][]byte
	for len(spans) > 0 {
		n := min(1+rng.IntN(80), len(spans))
		b := ptrace.NewTraces()
		for _, td := range spans[:n] {
			td.ResourceSpans().MoveAndAppendTo(b.ResourceSpans())
		}
		body, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(b)
		bodies = append(bodies, body)
		spans = spans[n:]
	}
	work := make(chan []byte)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range work {
				if err := postOTLPJSON(context.Background(), httpPort, body); err != nil {
					t.Error(err)
				}
				if rand.IntN(8) == 0 {
					time.Sleep(20 * time.Millisecond) // some traces leave, their late spans come after
				}
			}
		}()
	}
	for _, b := range bodies {
		work <- b
	}
	close(work)
	wg.Wait()
	time.Sleep(200 * time.Millisecond)
	sink.mu.Lock()
	sink.mood = moodWell // the downstream recovers; the collector stops while windows are open
	refused := sink.retryable
	sink.mu.Unlock()
	c.stop(t)

	sink.mu.Lock()
	got := fixtures.SpanIDs(sink.took...)
	sink.mu.Unlock()
	t.Logf("%d spans sent in %d requests; %d arrived; the downstream refused %d requests, retried", len(want), len(bodies), len(got), refused)
	if refused == 0 {
		t.Error("the downstream never refused: the test proves nothing about retries")
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		missing, extra := diff(want, got)
		t.Fatalf("spans out are not the spans in, exactly once: %d missing, %d extra (e.g. %v %v)", len(missing), len(extra), first(missing), first(extra))
	}
}

// splitSpans puts each span of td, with its resource and scope, in a
// ptrace.Traces of its own.
func splitSpans(td ptrace.Traces) []ptrace.Traces {
	var out []ptrace.Traces
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				one := ptrace.NewTraces()
				ors := one.ResourceSpans().AppendEmpty()
				rs.Resource().CopyTo(ors.Resource())
				oss := ors.ScopeSpans().AppendEmpty()
				ss.Scope().CopyTo(oss.Scope())
				ss.Spans().At(k).CopyTo(oss.Spans().AppendEmpty())
				out = append(out, one)
			}
		}
	}
	return out
}

func diff(want, got []string) (missing, extra []string) {
	count := map[string]int{}
	for _, w := range want {
		count[w]++
	}
	for _, g := range got {
		count[g]--
	}
	for k, n := range count {
		for ; n > 0; n-- {
			missing = append(missing, k)
		}
		for ; n < 0; n++ {
			extra = append(extra, k)
		}
	}
	return missing, extra
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
