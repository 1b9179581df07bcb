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
// A large store is split in shards by key, each with its own lock and its
// share of the bounds: lookups from several workers then seldom touch the
// same lock's memory, which each read lock writes to.
type store struct {
	shards []shard
}

// shard is one part of a store. Eviction is CLOCK, an approximation of least
// recently used: a lookup marks its entry used (no list to reorder, so
// lookups share a read lock), and the clock hand passes over used entries
// once, clearing the mark, before it evicts one.
type shard struct {
	mu    sync.RWMutex
	index map[storeKey]stored
	ring  []ringSlot // at most size; the hand goes round it
	// used marks the entries looked up since the hand last passed, by
	// ring slot: apart from the entries, so that the marks stay in the
	// CPU's cache.
	used     []atomic.Bool
	free     []int32 // ring slots emptied to make room in bytes
	hand     int
	size     int
	bytes    int64
	maxBytes int64
	// hits and misses count the lookups answered from the shard and those
	// normalized anew: in the shard, not in one pair of counters that every
	// worker's lookup would write to.
	hits, misses atomic.Uint64
	_            [64]byte // no false sharing with the next shard's lock
}

type storeKey [2]uint64

// stored is an entry with its slot in the ring: a lookup reads the map
// alone (and the slot's mark).
type stored struct {
	entry cacheEntry
	slot  int32
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

// shardMin is the fewest entries per shard: a small store is one shard,
// with exact bounds.
const (
	shardMin  = 4096
	maxShards = 16
)

// newStore returns a store of at most size entries and maxBytes bytes
// (0: no bound in bytes). Its memory grows with what it holds.
func newStore(size int, maxBytes int64) *store {
	n := 1
	for n < maxShards && size/(2*n) >= shardMin {
		n *= 2
	}
	s := &store{shards: make([]shard, n)}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.size = size / n
		if i < size%n {
			sh.size++
		}
		sh.maxBytes = maxBytes / int64(n)
		if maxBytes > 0 && sh.maxBytes == 0 {
			sh.maxBytes = 1
		}
		sh.index = map[storeKey]stored{}
		sh.used = make([]atomic.Bool, sh.size)
	}
	return s
}

func (s *store) shard(key storeKey) *shard {
	return &s.shards[key[1]&uint64(len(s.shards)-1)]
}

// entryOverhead is what an entry costs besides its statement: its key in the
// map, its ring slot with its mark, and a shape.
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
	sh := s.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	v, ok := sh.index[key]
	if !ok {
		return cacheEntry{}, false
	}
	if used := &sh.used[v.slot]; !used.Load() {
		used.Store(true)
	}
	return v.entry, true
}

// add sets the entry of key, which holds bytes more than the store already
// does (its statement's, unless another entry holds it too), evicting others
// to stay within the bounds. An entry larger than its shard's bound in bytes
// is not kept.
func (s *store) add(key storeKey, e cacheEntry, bytes int64) {
	bytes += entryOverhead
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if v, ok := sh.index[key]; ok {
		r := &sh.ring[v.slot]
		sh.bytes += bytes - r.bytes
		r.bytes = bytes
		v.entry = e
		sh.index[key] = v
		sh.used[v.slot].Store(true)
		for sh.maxBytes > 0 && sh.bytes > sh.maxBytes && len(sh.index) > 1 {
			sh.evict(int(v.slot))
		}
		return
	}
	if sh.maxBytes > 0 && bytes > sh.maxBytes {
		return
	}
	for sh.maxBytes > 0 && sh.bytes+bytes > sh.maxBytes || len(sh.free) == 0 && len(sh.ring) == sh.size {
		sh.evict(-1)
	}
	var slot int
	if len(sh.free) > 0 {
		slot = int(sh.free[len(sh.free)-1])
		sh.free = sh.free[:len(sh.free)-1]
	} else {
		sh.ring = append(sh.ring, ringSlot{})
		slot = len(sh.ring) - 1
	}
	sh.ring[slot] = ringSlot{key: key, bytes: bytes}
	sh.used[slot].Store(false)
	sh.bytes += bytes
	sh.index[key] = stored{entry: e, slot: int32(slot)}
}

// evict empties the first slot the hand finds unused since it last passed,
// but keep.
func (sh *shard) evict(keep int) {
	for {
		slot := sh.hand
		sh.hand = (sh.hand + 1) % len(sh.ring)
		r := &sh.ring[slot]
		if r.bytes == 0 || slot == keep {
			continue
		}
		if used := &sh.used[slot]; used.Load() {
			used.Store(false)
			continue
		}
		delete(sh.index, r.key)
		sh.bytes -= r.bytes
		*r = ringSlot{}
		sh.free = append(sh.free, int32(slot))
		return
	}
}

// hit counts a lookup of key answered from the store.
func (s *store) hit(key storeKey) { s.shard(key).hits.Add(1) }

// miss counts a lookup of key normalized anew.
func (s *store) miss(key storeKey) { s.shard(key).misses.Add(1) }

// stats sums the shards' hits and misses.
func (s *store) stats() (hits, misses uint64) {
	for i := range s.shards {
		hits += s.shards[i].hits.Load()
		misses += s.shards[i].misses.Load()
	}
	return hits, misses
}

// len is the number of entries.
func (s *store) len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += len(sh.index)
		sh.mu.RUnlock()
	}
	return n
}

// held is the memory the entries hold, as estimated.
func (s *store) held() int64 {
	var n int64
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += sh.bytes
		sh.mu.RUnlock()
	}
	return n
}
