package querylensprocessor

import (
	"runtime"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/tools/loadgen"
)

// TestSizeEstimate compares the estimate of what spans take in memory with
// the heap that decoding them takes, on the benchmark's traffic: within a
// factor of two either way, so that max_held_mib means about what it says.
func TestSizeEstimate(t *testing.T) {
	mix, err := loadgen.NewMix(1, loadgen.DefaultORMShare)
	if err != nil {
		t.Fatal(err)
	}
	corpus, err := loadgen.BuildCorpus(mix.Next, loadgen.CorpusOptions{Spans: 50_000, SpansPerRequest: 512, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	bodies := make([][]byte, len(corpus.Requests))
	wire := 0
	for i := range corpus.Requests {
		bodies[i] = corpus.Requests[i].Encode(nil, 0)
		wire += len(bodies[i])
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	decoded := make([]ptrace.Traces, len(bodies))
	var u ptrace.ProtoUnmarshaler
	for i, b := range bodies {
		if decoded[i], err = u.UnmarshalTraces(b); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	var estimate int64
	for _, td := range decoded {
		estimate += tracesBytes(td)
	}
	runtime.KeepAlive(decoded)
	ratio := float64(estimate) / float64(heap)
	t.Logf("%d spans: %d bytes on the wire, %d on the heap decoded, estimated %d (%.2fx the heap)", corpus.Spans, wire, heap, estimate, ratio)
	if ratio < 0.5 || ratio > 2 {
		t.Errorf("the estimate is %.2fx the heap", ratio)
	}
}
