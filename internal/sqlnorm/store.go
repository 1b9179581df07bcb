package sqlnorm

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// store is the cache's bounded map from statement to entry. Statements are
// keyed by a 128-bit hash of their dialect and text, not by the text: a
// lookup reads the statement once, to hash it, and never compares it with a
// copy elsewhere in memory (that comparison, over cold memory, cost more than
// the rest of the lookup). That a lookup finds another statement with its
// hash has a chance of about size/2^128: below 1 in 10^30.
//
// Eviction is CLOCK, an approximation of least recently used: a lookup marks
// its entry used (no list to reorder, so lookups share a read lock), and the
// clock hand passes over used entries once, clearing the mark, before it
// evicts one.
type store struct {
	mu    sync.RWMutex
	index map[storeKey]stored
	ring  []storeKey // at most size; the hand goes round it
	// used marks the entries looked up since the hand last passed, by
	// ring slot: apart from the keys, so that the marks stay in the CPU's
	// cache.
	used []atomic.Bool
	hand int
	size int
}

type storeKey [2]uint64

type stored struct {
	entry cacheEntry
	slot  int32 // in ring
}

// seeds of the two halves of a key, per process.
var keySeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// keyOf is the store's key of a statement of dialect d: the dialect makes
// one statement's keys in two dialects differ in every bit it sets.
func keyOf(d Dialect, raw string) storeKey {
	mix := uint64(d) * 0x9e3779b97f4a7c15
	return storeKey{maphash.String(keySeeds[0], raw) ^ mix, maphash.String(keySeeds[1], raw) ^ mix}
}

func newStore(size int) *store {
	return &store{index: make(map[storeKey]stored, size), ring: make([]storeKey, 0, size), used: make([]atomic.Bool, size), size: size}
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

// add sets the entry of key, evicting another when the store is full.
func (s *store) add(key storeKey, e cacheEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.index[key]; ok {
		v.entry = e
		s.index[key] = v
		s.used[v.slot].Store(true)
		return
	}
	if len(s.ring) < s.size {
		s.ring = append(s.ring, key)
		s.index[key] = stored{entry: e, slot: int32(len(s.ring) - 1)}
		return
	}
	for {
		if used := &s.used[s.hand]; used.Load() {
			used.Store(false)
			s.hand = (s.hand + 1) % len(s.ring)
			continue
		}
		delete(s.index, s.ring[s.hand])
		s.ring[s.hand] = key
		s.index[key] = stored{entry: e, slot: int32(s.hand)}
		s.hand = (s.hand + 1) % len(s.ring)
		return
	}
}

// len is the number of entries.
func (s *store) len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.index)
}
