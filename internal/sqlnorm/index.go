package sqlnorm

import "sync/atomic"

// index maps a store key to its entry: an open-addressing table with linear
// probing. A key is a hash already, so its first half picks its slot, and a
// lookup reads one slot: the key, the entry, whether the entry is the key's
// own statement and the clock's mark side by side, most often in one cache
// line. (A Go map hashes the key again and keeps a group's control word
// apart from its slots; with the mark and the shape in their own memory, a
// lookup read three or four lines, which the spans streaming through the
// CPU's cache between two lookups leave in none of its caches.) Not safe for
// concurrent use but for marks; the shard's lock guards it.
type index struct {
	slots []indexSlot // a power of two long, at most 3/4 full
	n     int
}

// indexSlot is an entry with its key, 48 bytes.
type indexSlot struct {
	key   storeKey
	entry cacheEntry
	ring  int32  // the entry's slot in the ring
	used  uint32 // looked up since the clock's hand last passed (atomic: lookups share a read lock)
	full  bool
	// exact is true when the entry is the key's own statement: no shape, or
	// a shape made from the statement of this very key.
	exact bool
}

const indexMinSlots = 16

func (x *index) home(key storeKey) int { return int(key[0] & uint64(len(x.slots)-1)) }

// find returns key's slot, nil when key is absent.
func (x *index) find(key storeKey) *indexSlot {
	if i := x.pos(key); i >= 0 {
		return &x.slots[i]
	}
	return nil
}

// pos is the position of key's slot, -1 when key is absent.
func (x *index) pos(key storeKey) int {
	if len(x.slots) == 0 {
		return -1
	}
	mask := len(x.slots) - 1
	for i := x.home(key); ; i = (i + 1) & mask {
		s := &x.slots[i]
		if !s.full {
			return -1
		}
		if s.key == key {
			return i
		}
	}
}

// set sets key's entry and ring slot, unmarked, and returns its slot.
func (x *index) set(key storeKey, e cacheEntry, ring int32) *indexSlot {
	if 4*(x.n+1) > 3*len(x.slots) {
		x.grow()
	}
	mask := len(x.slots) - 1
	i := x.home(key)
	for x.slots[i].full && x.slots[i].key != key {
		i = (i + 1) & mask
	}
	s := &x.slots[i]
	if !s.full {
		x.n++
	}
	*s = indexSlot{key: key, entry: e, ring: ring, full: true, exact: e.shape == nil || e.shape.from == key}
	return s
}

// remove removes key, shifting back the keys after it that probed past its
// slot, so that no lookup stops short of them (no tombstones).
func (x *index) remove(key storeKey) {
	i := x.pos(key)
	if i < 0 {
		return
	}
	mask := len(x.slots) - 1
	for j := i; ; {
		j = (j + 1) & mask
		t := &x.slots[j]
		if !t.full {
			break
		}
		// t stays unless its home is outside (i, j], cyclically: then a
		// lookup of it passes i, which is about to be empty.
		if h := x.home(t.key); (j-h)&mask < (j-i)&mask {
			continue
		}
		x.slots[i] = *t
		i = j
	}
	x.slots[i] = indexSlot{}
	x.n--
}

func (x *index) grow() {
	old := x.slots
	x.slots = make([]indexSlot, max(indexMinSlots, 2*len(old)))
	x.n = 0
	for i := range old {
		if s := &old[i]; s.full {
			t := x.set(s.key, s.entry, s.ring)
			t.used = atomic.LoadUint32(&s.used)
		}
	}
}

func (x *index) len() int { return x.n }

// mark marks s used, writing only when it is not.
func (s *indexSlot) mark() {
	if atomic.LoadUint32(&s.used) == 0 {
		atomic.StoreUint32(&s.used, 1)
	}
}
