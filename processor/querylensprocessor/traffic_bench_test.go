package querylensprocessor

import (
	"context"
	"sync"
	"syscall"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/tools/loadgen"
)

var (
	trafficOnce   sync.Once
	trafficCorpus *loadgen.Corpus
	trafficErr    error
)

// benchTraffic is the traffic of `make bench` (tools/cmd/loadbench), smaller:
// testdata and clean traces split over requests of 512 spans as an SDK sends
// them.
func benchTraffic(b *testing.B) *loadgen.Corpus {
	trafficOnce.Do(func() {
		mix, err := loadgen.NewMix(1, loadgen.DefaultORMShare)
		if err != nil {
			trafficErr = err
			return
		}
		trafficCorpus, trafficErr = loadgen.BuildCorpus(mix.Next, loadgen.CorpusOptions{Spans: 60_000, SpansPerRequest: 512, Seed: 1})
	})
	if trafficErr != nil {
		b.Fatal(trafficErr)
	}
	return trafficCorpus
}

// BenchmarkTraffic measures the processor on the load benchmark's traffic in
// local_subtree, settle 0: each request decoded (not timed), split, buffered,
// analyzed, annotated and passed on. ns/span is what `make bench` reads as
// the processor's part of the CPU per span.
func BenchmarkTraffic(b *testing.B) {
	corpus := benchTraffic(b)
	p := newTestProcessor(b, func(c *Config) { c.SettleDuration = 0 }, nil)
	p.delivery.next = consumertest.NewNop()
	ctx := context.Background()
	var (
		body  []byte
		reqs  []ptrace.Traces
		spans int
		salt  uint64
		u     ptrace.ProtoUnmarshaler
	)
	decode := func() {
		salt++
		reqs = reqs[:0]
		for i := range corpus.Requests {
			body = corpus.Requests[i].Encode(body[:0], salt*0x9e3779b97f4a7c15)
			td, err := u.UnmarshalTraces(body)
			if err != nil {
				b.Fatal(err)
			}
			reqs = append(reqs, td)
		}
	}
	var cpu int64 // the process's CPU time while consuming, GC included
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		b.StopTimer()
		decode()
		b.StartTimer()
		before := processCPU()
		for _, td := range reqs {
			if i == b.N {
				break
			}
			spans += td.SpanCount()
			_ = p.ConsumeTraces(ctx, td)
			i++
		}
		cpu += processCPU() - before
	}
	b.StopTimer()
	_ = p.Shutdown(ctx)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(spans), "ns/span")
	b.ReportMetric(float64(cpu)/float64(spans), "cpu-ns/span")
	hits, misses := p.norm.Stats()
	b.ReportMetric(float64(hits)/float64(max(hits+misses, 1)), "cache-hits")
}

// processCPU is the user and system CPU time of the process, in nanoseconds.
func processCPU() int64 {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return u.Utime.Nano() + u.Stime.Nano()
}
