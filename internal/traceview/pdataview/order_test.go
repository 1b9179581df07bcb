package pdataview

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/querylens/querylens/internal/traceview"
)

// TestSortByStart: spans come out in canonical order, equal keys in their
// own order, whether their starts are packed beside their index (runs of
// equal starts sorted by the whole key) or too far apart for that.
func TestSortByStart(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s Scratch
	for trial := range 400 {
		n := rng.IntN(300)
		keys := make([]traceview.OrderKey, n)
		base := int64(1_700_000_000_000_000_000)
		for i := range keys {
			k := &keys[i]
			k.Start = base + rng.Int64N(int64(1+trial%5*1000)) // many ties
			k.End = k.Start + rng.Int64N(3)
			k.ID = traceview.SpanID{byte(rng.IntN(3))}
			k.Name = []string{"a", "b"}[rng.IntN(2)]
		}
		switch trial % 4 {
		case 1: // starts too far apart to pack
			if n > 1 {
				keys[0].Start, keys[n-1].Start = math.MinInt64+1, math.MaxInt64
			}
		case 2: // far apart but packable: days within a trace
			for i := range keys {
				keys[i].Start += rng.Int64N(int64(30 * 24 * 3600e9))
			}
		}
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		slices.SortStableFunc(want, func(a, b int) int { return traceview.CompareOrder(&keys[a], &keys[b]) })
		if got := s.sortByStart(keys); !slices.Equal(got, want) {
			t.Fatalf("trial %d (%d keys): order %v, want %v", trial, n, got, want)
		}
		if _, packed := s.packStarts(keys); packed != (trial%4 != 1 || n < 2) {
			t.Fatalf("trial %d: packed %v", trial, packed)
		}
	}
}
