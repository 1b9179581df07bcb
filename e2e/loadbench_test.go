//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/querylens/querylens/tools/loadgen"
)

// TestLoadSmoke is the smoke run of `make bench`'s load generator: three
// seconds of the benchmark's traffic (testdata ORM traces mixed with clean
// ones, each trace's spans in 1 to 3 requests interleaved with others) as fast
// as the real collector takes it, through the querylens pipeline of the
// benchmark (querylens, batch, otlp_grpc to an in-process sink, and the
// connector). Every span sent must reach the sink, and the processor must have
// released every span it received.
func TestLoadSmoke(t *testing.T) {
	mix, err := loadgen.NewMix(1, loadgen.DefaultORMShare)
	if err != nil {
		t.Fatal(err)
	}
	corpus, err := loadgen.BuildCorpus(mix.Next, loadgen.CorpusOptions{Spans: 30_000, SpansPerRequest: 512, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	sink, err := loadgen.NewSink("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Stop()

	const wait = time.Second
	promPort := freePort(t)
	c, grpcPort, metricsPort := startPipeline(t, pipeline{
		grpc: true,
		processors: fmt.Sprintf(`
  querylens:
    wait_duration: %s
    num_traces: 5000
  batch:`, wait),
		connectors: `
  querylens:`,
		exporters: fmt.Sprintf(`
  otlp_grpc:
    endpoint: %s
    tls:
      insecure: true
    compression: none
    sending_queue:
      block_on_overflow: true
  prometheus:
    endpoint: 127.0.0.1:%d`, sink.Addr(), promPort),
		traceProcessors: "querylens, batch",
		traceExporters:  "otlp_grpc, querylens",
		metricExporters: "prometheus",
	})

	sender, err := loadgen.NewSender(fmt.Sprintf("127.0.0.1:%d", grpcPort), corpus, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sender.Run(ctx, 3*time.Second, 4); err != nil {
		t.Fatal(err)
	}
	sent := sender.Stats.Spans.Load()
	seconds := float64(sender.Stats.End-sender.Stats.Start) / 1e9

	// Past the wait, querylens releases every trace: the sink gets all.
	deadline := time.Now().Add(wait + 10*time.Second)
	for sink.Spans() < sent && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	drained := sink.Spans() >= sent
	received, released := loadSmokeMetric(t, metricsPort, "otelcol_processor_querylens_spans_received"),
		loadSmokeMetric(t, metricsPort, "otelcol_processor_querylens_spans_released")
	c.stop(t) // SIGTERM: querylens releases whatever it still holds

	got := sink.Spans()
	t.Logf("sent %d spans in %.1f s (%.0f spans/s, %d requests, %d refused and retried); the sink got %d; processor received %.0f, released %.0f",
		sent, seconds, float64(sent)/seconds, sender.Stats.Requests.Load(), sender.Stats.Errors.Load(), got, received, released)
	if got == 0 {
		t.Fatal("the sink got no span")
	}
	if got != sent {
		t.Fatalf("%d spans sent, %d received: %d lost", sent, got, sent-got)
	}
	switch {
	case !drained:
		// A busy machine: the rest came out at the stop, and is counted above.
		t.Logf("the sink did not have every span %v after the sending; the stop released the rest", wait+10*time.Second)
	case received != float64(sent) || released != received:
		t.Errorf("querylens received %.0f spans and released %.0f, %d were sent", received, released, sent)
	}
	lat := loadgen.MeasureLatency(sender.Traces(), sink.Arrivals())
	if lat.Incomplete != 0 || lat.Extra != 0 || lat.Complete == 0 {
		t.Fatalf("traces: %+v", lat)
	}
	t.Logf("%d traces whole; latency p50 %v, p99 %v (wait %v)", lat.Complete, lat.P50, lat.P99, wait)
}

// loadSmokeMetric sums the samples of a counter (name or name_total) on the
// collector's metrics endpoint.
func loadSmokeMetric(t *testing.T, port int, name string) float64 {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		sample, rest, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(line, '}'); i >= 0 {
			sample, rest = line[:i+1], line[i+1:]
		}
		base, _, _ := strings.Cut(sample, "{")
		fields := strings.Fields(rest)
		if len(fields) == 0 || (base != name && base != name+"_total") {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		sum += v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sum
}
