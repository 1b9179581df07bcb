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
	mu       sync.RWMutex
	index    index
	ring     []ringSlot // at most size; the hand goes round it
	free     []int32    // ring slots emptied to make room in bytes
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
	}
	return s
}

func (s *store) shard(key storeKey) *shard {
	return &s.shards[key[1]&uint64(len(s.shards)-1)]
}

// entryOverhead is what an entry costs besides its statement: its slots in
// the index (8/3 of one: an index that just grew is 3/8 full), its ring slot
// and a shape.
const entryOverhead = int64(unsafe.Sizeof(indexSlot{})*8/3+unsafe.Sizeof(ringSlot{})+unsafe.Sizeof(shapeOf{})) + 48

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

// get returns the entry of key and marks it used; exact is true when the
// entry is key's own statement (no shape, or a shape made from it).
func (s *store) get(key storeKey) (e cacheEntry, exact, ok bool) {
	sh := s.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	slot := sh.index.find(key)
	if slot == nil {
		return cacheEntry{}, false, false
	}
	slot.mark()
	return slot.entry, slot.exact, true
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
	if old := sh.index.find(key); old != nil {
		ring := old.ring
		r := &sh.ring[ring]
		sh.bytes += bytes - r.bytes
		r.bytes = bytes
		sh.index.set(key, e, ring).mark()
		for sh.maxBytes > 0 && sh.bytes > sh.maxBytes && sh.index.len() > 1 {
			sh.evict(int(ring))
		}
		return
	}
	if sh.maxBytes > 0 && bytes > sh.maxBytes {
		return
	}
	for sh.maxBytes > 0 && sh.bytes+bytes > sh.maxBytes || len(sh.free) == 0 && len(sh.ring) == sh.size {
		sh.evict(-1)
	}
	var ring int
	if len(sh.free) > 0 {
		ring = int(sh.free[len(sh.free)-1])
		sh.free = sh.free[:len(sh.free)-1]
	} else {
		sh.ring = append(sh.ring, ringSlot{})
		ring = len(sh.ring) - 1
	}
	sh.ring[ring] = ringSlot{key: key, bytes: bytes}
	sh.bytes += bytes
	sh.index.set(key, e, int32(ring))
}

// evict empties the first ring slot the hand finds unused since it last
// passed, but keep.
func (sh *shard) evict(keep int) {
	for {
		ring := sh.hand
		sh.hand = (sh.hand + 1) % len(sh.ring)
		r := &sh.ring[ring]
		if r.bytes == 0 || ring == keep {
			continue
		}
		if slot := sh.index.find(r.key); slot.used != 0 {
			slot.used = 0 // under the write lock: no lookup marks it now
			continue
		}
		sh.index.remove(r.key)
		sh.bytes -= r.bytes
		*r = ringSlot{}
		sh.free = append(sh.free, int32(ring))
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
		n += sh.index.len()
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
