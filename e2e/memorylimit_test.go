//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/tools/loadgen"
)

// TestMemoryLimiterRefusesUpstream fills a collector whose memory_limiter
// sits in front of querylens (which holds every trace for an hour): past
// the limit, requests are refused to the sender, and what was accepted all
// comes out at shutdown — refusal upstream, no loss inside.
func TestMemoryLimiterRefusesUpstream(t *testing.T) {
	fileEntry, out := fileExporter(t)
	c, httpPort, _ := startPipeline(t, pipeline{
		processors: `
  memory_limiter:
    check_interval: 100ms
    limit_mib: 120
    spike_limit_mib: 40
  querylens:
    wait_duration: 1h
  batch:`,
		exporters:       fileEntry,
		traceProcessors: "memory_limiter, querylens, batch",
		traceExporters:  "file",
	})

	gen, err := loadgen.New(21)
	if err != nil {
		t.Fatal(err)
	}
	var accepted []ptrace.Traces
	refused, sent := 0, 0
	deadline := time.Now().Add(90 * time.Second)
	for refused < 5 && time.Now().Before(deadline) {
		req := ptrace.NewTraces()
		for i := 0; i < 300; i++ {
			gen.Next(time.Now()).ResourceSpans().MoveAndAppendTo(req.ResourceSpans())
		}
		body, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(req)
		sent++
		if err := postOTLPJSON(context.Background(), httpPort, body); err != nil {
			refused++
			time.Sleep(50 * time.Millisecond)
			continue
		}
		accepted = append(accepted, req)
	}
	if refused == 0 {
		t.Fatalf("the memory limiter never refused in %d requests", sent)
	}
	c.stop(t)
	received := readExported(t, out)
	want, got := fixtures.SpanIDs(accepted...), fixtures.SpanIDs(received...)
	t.Logf("%d requests: %d accepted (%d spans), %d refused to the sender; %d spans out", sent, len(accepted), len(want), refused, len(got))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("spans out (%d) are not the accepted spans (%d)", len(got), len(want))
	}
}
