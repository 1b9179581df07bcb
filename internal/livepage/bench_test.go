package livepage

import (
	"runtime"
	"strings"
	"testing"
	"time"
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

// BenchmarkStoreOf1000Requests measures the heap a full store holds.
func BenchmarkStoreOf1000Requests(b *testing.B) {
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		store := fullStore(b)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "MB-held")
		statements := 0
		for _, r := range store.Recent() {
			statements += len(r.Statements)
		}
		b.ReportMetric(float64(statements), "statements")
		runtime.KeepAlive(store)
	}
}
