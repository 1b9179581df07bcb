package sqlnorm

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestIndexAsAMap: any sequence of sets and removes leaves the index holding
// what a Go map holds, keys crowded on a few homes (runs that wrap round the
// table's end, removals inside them) as well as spread ones.
func TestIndexAsAMap(t *testing.T) {
	for _, spread := range []uint64{3, 64, 1 << 40} {
		rng := rand.New(rand.NewPCG(spread, 1))
		var x index
		want := map[storeKey]int32{}
		keys := make([]storeKey, 0, 512)
		for step := range 20_000 {
			switch op := rng.IntN(10); {
			case op < 5 || len(keys) == 0:
				k0 := rng.Uint64N(spread) | rng.Uint64()<<60
				if rng.IntN(2) == 0 {
					k0 = ^k0 // a home at the table's end: runs wrap round
				}
				k := storeKey{k0, rng.Uint64()}
				if step%7 == 0 && len(keys) > 0 {
					k = keys[rng.IntN(len(keys))] // set again
				}
				if _, ok := want[k]; !ok {
					keys = append(keys, k)
				}
				want[k] = int32(step)
				x.set(k, cacheEntry{}, int32(step))
			default:
				i := rng.IntN(len(keys))
				k := keys[i]
				keys[i] = keys[len(keys)-1]
				keys = keys[:len(keys)-1]
				delete(want, k)
				x.remove(k)
			}
			if x.len() != len(want) {
				t.Fatalf("spread %d, step %d: %d keys, want %d", spread, step, x.len(), len(want))
			}
			if step%97 == 0 {
				for k, ring := range want {
					if s := x.find(k); s == nil || s.ring != ring {
						t.Fatalf("spread %d, step %d: key %x gives %+v; want ring slot %d", spread, step, k, s, ring)
					}
				}
				if x.find(storeKey{rng.Uint64(), rng.Uint64()}) != nil {
					t.Fatalf("spread %d, step %d: a key never set was found", spread, step)
				}
			}
			if 4*x.n > 3*len(x.slots) {
				t.Fatalf("%d keys in %d slots: over 3/4 full", x.n, len(x.slots))
			}
		}
		x.remove(storeKey{1, 2}) // absent: nothing happens
		if x.len() != len(want) {
			t.Fatalf("removing an absent key changed the count")
		}
	}
	if size := unsafe.Sizeof(indexSlot{}); size != 48 {
		t.Errorf("a slot is %d bytes, want 48", size)
	}
}

// TestIndexSlotExact: a slot knows whether its entry is its key's own
// statement, so that a lookup reads no shape; its mark survives a growth.
func TestIndexSlotExact(t *testing.T) {
	var x index
	k, other := storeKey{1, 1}, storeKey{2, 2}
	st := &Statement{}
	cases := []struct {
		e    cacheEntry
		want bool
	}{
		{cacheEntry{st: st}, true},
		{cacheEntry{st: st, shape: &shapeOf{from: k}}, true},
		{cacheEntry{st: st, shape: &shapeOf{from: other}}, false},
	}
	for _, c := range cases {
		if s := x.set(k, c.e, 0); s.exact != c.want {
			t.Errorf("entry %+v: exact %v, want %v", c.e, s.exact, c.want)
		}
	}
	x.find(k).mark()
	for i := range 100 {
		x.set(storeKey{uint64(i) + 10, 0}, cacheEntry{st: st}, int32(i))
	}
	if s := x.find(k); s == nil || s.used == 0 {
		t.Errorf("the mark was lost as the index grew: %+v", s)
	}
}
