package sqlnorm

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"unsafe"
)

// store is the cache's bounded map from statement to entry. Statements are
// keyed by a 128-bit hash of their dialect and text, not by the text: a
// lookup reads the statement once, to hash it, and never compares it with a
// copy elsewhere in memory (that comparison, over cold memory, cost more than
// the rest of the lookup). That a lookup finds another statement with its
// hash has a chance of about size/2^128: below 1 in 10^30.
//
// It holds at most size entries and at most maxBytes bytes of them, as
// entryBytes estimates them: a count alone would let long statements hold
// size × max_length bytes.
//
// Eviction is CLOCK, an approximation of least recently used: a lookup marks
// its entry used (no list to reorder, so lookups share a read lock), and the
// clock hand passes over used entries once, clearing the mark, before it
// evicts one.
type store struct {
	mu    sync.RWMutex
	index map[storeKey]stored
	ring  []ringSlot // at most size; the hand goes round it
	// used marks the entries looked up since the hand last passed, by
	// ring slot: apart from the keys, so that the marks stay in the CPU's
	// cache.
	used     []atomic.Bool
	free     []int32 // ring slots emptied to make room in bytes
	hand     int
	size     int
	bytes    int64
	maxBytes int64
}

type storeKey [2]uint64

type stored struct {
	entry cacheEntry
	slot  int32 // in ring
}

type ringSlot struct {
	key   storeKey
	bytes int64 // 0: empty
}

// seeds of the two halves of a key, per process.
var keySeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// keyOf is the store's key of a statement of dialect d: the dialect makes
// one statement's keys in two dialects differ in every bit it sets.
func keyOf(d Dialect, raw string) storeKey {
	mix := uint64(d) * 0x9e3779b97f4a7c15
	return storeKey{maphash.String(keySeeds[0], raw) ^ mix, maphash.String(keySeeds[1], raw) ^ mix}
}

// newStore returns a store of at most size entries and maxBytes bytes
// (0: no bound in bytes). Its memory grows with what it holds.
func newStore(size int, maxBytes int64) *store {
	return &store{index: map[storeKey]stored{}, used: make([]atomic.Bool, size), size: size, maxBytes: maxBytes}
}

// entryOverhead is what an entry costs besides its statement: its key in the
// map and the ring, the map's slot and a shape.
const entryOverhead = int64(unsafe.Sizeof(storeKey{})+unsafe.Sizeof(stored{})+unsafe.Sizeof(ringSlot{})+unsafe.Sizeof(shapeOf{})) + 48

// statementBytes estimates the memory a cached statement holds: its struct
// and every string and slice it points to, counted apart even where one is
// part of another (an over-estimate, which the bound can afford).
func statementBytes(st *Statement) int64 {
	n := int64(unsafe.Sizeof(Statement{})) + int64(len(st.Text)+len(st.Fingerprint)+len(st.Command)+len(st.Source))
	n += int64(len(st.Aggregate) + len(st.ToMany) + len(st.OrderBy) + len(st.Base) + len(st.Where) + len(st.Limit.Param) + len(st.Offset.Param))
	for _, t := range st.Tables {
		n += int64(unsafe.Sizeof(t)) + int64(len(t))
	}
	return n
}

// get returns the entry of key and marks it used.
func (s *store) get(key storeKey) (cacheEntry, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.index[key]
	if !ok {
		return cacheEntry{}, false
	}
	if used := &s.used[v.slot]; !used.Load() {
		used.Store(true)
	}
	return v.entry, true
}

// add sets the entry of key, which holds bytes more than the store already
// does (its statement's, unless another entry holds it too), evicting others
// to stay within the bounds. An entry larger than the bound in bytes is not
// kept.
func (s *store) add(key storeKey, e cacheEntry, bytes int64) {
	bytes += entryOverhead
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.index[key]; ok {
		slot := &s.ring[v.slot]
		s.bytes += bytes - slot.bytes
		slot.bytes = bytes
		v.entry = e
		s.index[key] = v
		s.used[v.slot].Store(true)
		s.fit(int(v.slot))
		return
	}
	if s.maxBytes > 0 && bytes > s.maxBytes {
		return
	}
	for s.maxBytes > 0 && s.bytes+bytes > s.maxBytes || len(s.free) == 0 && len(s.ring) == s.size {
		s.evict(-1)
	}
	var slot int
	switch {
	case len(s.free) > 0:
		slot = int(s.free[len(s.free)-1])
		s.free = s.free[:len(s.free)-1]
	default:
		s.ring = append(s.ring, ringSlot{})
		slot = len(s.ring) - 1
	}
	s.ring[slot] = ringSlot{key: key, bytes: bytes}
	s.used[slot].Store(false)
	s.bytes += bytes
	s.index[key] = stored{entry: e, slot: int32(slot)}
}

// fit evicts entries, but the one in slot keep, until the store is within
// its bound in bytes.
func (s *store) fit(keep int) {
	for s.maxBytes > 0 && s.bytes > s.maxBytes && len(s.index) > 1 {
		s.evict(keep)
	}
}

// evict empties the first slot the hand finds unused since it last passed,
// but keep.
func (s *store) evict(keep int) {
	for {
		slot := s.hand
		s.hand = (s.hand + 1) % len(s.ring)
		r := &s.ring[slot]
		if r.bytes == 0 || slot == keep {
			continue
		}
		if used := &s.used[slot]; used.Load() {
			used.Store(false)
			continue
		}
		delete(s.index, r.key)
		s.bytes -= r.bytes
		*r = ringSlot{}
		s.free = append(s.free, int32(slot))
		return
	}
}

// len is the number of entries.
func (s *store) len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.index)
}

// held is the memory the entries hold, as estimated.
func (s *store) held() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.bytes
}
