package livepage

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/tools/loadgen"
)

// fullStore is a store at its default bound, 1,000 requests, filled with the
// testdata's requests over and over, as a long local session leaves it.
func fullStore(b *testing.B) *Store {
	b.Helper()
	records, _ := testdataRequests(b, time.Time{})
	store := NewStore(1000, 64<<20)
	now := time.Unix(1_800_000_000, 0)
	for i := 0; len(store.Recent()) < 1000 || i < len(records); i++ {
		rs := records[i%len(records)]
		for k := range rs {
			rs[k].Time = now.Add(time.Duration(i) * time.Second)
		}
		store.Record(rs)
	}
	return store
}

// BenchmarkIndexOf1000Requests renders the page's index over a full store:
// the time and bytes of one page.
func BenchmarkIndexOf1000Requests(b *testing.B) {
	store := fullStore(b)
	h := NewHandler(store, Settings{Concurrent: 4, Live: 4})
	_, page := get(&testing.T{}, h, "/")
	if n := strings.Count(page, `<tr class="request">`); n != 1000 {
		b.Fatalf("%d rows, want 1000", n)
	}
	for b.Loop() {
		get(&testing.T{}, h, "/")
	}
	b.ReportMetric(float64(len(page)), "bytes/page")
}

// BenchmarkRequestPageOf1000Spans renders the page of one request of 1,000
// spans (loadgen.LoopRequest: an N+1 of 497 queries) with its waterfall.
func BenchmarkRequestPageOf1000Spans(b *testing.B) {
	view, res := analyzed(b, loadgen.LoopRequest(time.Now(), 1000, 1))
	store := fullStore(b)
	reqs := FromAnalysis(view, res, time.Now())
	store.Record(reqs)
	h := NewHandler(store, Settings{Concurrent: 4})
	path := "/requests/" + reqs[0].TraceID
	_, page := get(&testing.T{}, h, path)
	if n := strings.Count(page, `tabindex="0"`); n != 1000 {
		b.Fatalf("%d rows, want 1000", n)
	}
	for b.Loop() {
		get(&testing.T{}, h, path)
	}
	b.ReportMetric(float64(len(page)), "bytes/page")
}

// BenchmarkStoreAtMaxRequests measures the heap a full store holds, each
// request analyzed from a trace of its own as the processor hands them, and
// what the store counts for them (max_bytes is a bound on that count): the
// testdata replayed up to the default max_requests of 1,000, and requests
// of 1,000 spans up to the default max_bytes of 64 MiB.
func BenchmarkStoreAtMaxRequests(b *testing.B) {
	gen, err := loadgen.New(1)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		trace func(i int) ptrace.Traces
	}{
		{"testdata", func(int) ptrace.Traces { return gen.Next(time.Now()) }},
		{"1000-span-requests", func(i int) ptrace.Traces { return loadgen.LoopRequest(time.Now(), 1000, uint64(i)) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				analyze := analyzer(b, 1000)
				fill := func() *Store {
					store := NewStore(1000, 64<<20)
					for i := 0; i < 1100; i++ { // past the bound: the oldest leave
						view, res := analyze(c.trace(i))
						store.Record(FromAnalysis(view, res, time.Now()))
					}
					return store
				}
				fill() // the normalizer's cache warmed: not the store's memory
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				store := fill()
				runtime.GC()
				runtime.ReadMemStats(&after)
				spans := 0
				for _, r := range store.Recent() {
					spans += len(r.Spans)
				}
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-held")
				b.ReportMetric(float64(store.Bytes())/(1<<20), "MiB-counted")
				b.ReportMetric(float64(len(store.Recent())), "requests")
				b.ReportMetric(float64(spans), "spans")
				runtime.KeepAlive(store)
				runtime.KeepAlive(analyze) // and the normalizer it holds
			}
		})
	}
}

// BenchmarkRecordOf1000Spans is what the page adds to the processor's work
// on a trace: turning the analyzed request of 1,000 spans into the page's
// records (waterfall included) and keeping them.
func BenchmarkRecordOf1000Spans(b *testing.B) {
	view, res := analyzed(b, loadgen.LoopRequest(time.Now(), 1000, 1))
	store := NewStore(1000, 64<<20)
	for b.Loop() {
		store.Record(FromAnalysis(view, res, time.Now()))
	}
}
