package sqlnorm

import (
	"fmt"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Cache normalizes statements through a bounded LRU cache. A statement is
// looked up as it is, then, when it holds literal values, by its shape (the
// values blanked): statements whose values an ORM writes inline share one
// entry, and only the first of them is lexed. It is safe for concurrent use.
type Cache struct {
	entries *store
	maxLen  int
}

// cacheEntry is a cached statement; shape is set when it was made for a
// statement's key (its plain literals blanked), from the statement whose
// store key is from, and
// serves every statement of that key: bounds says which of their literals
// are the paging bounds, read from each statement's own values. (Behind a
// pointer: every lookup copies the entry.)
type cacheEntry struct {
	st    *Statement
	shape *shapeOf
}

type shapeOf struct {
	from   storeKey
	bounds boundSlots
}

// NewCache returns a cache of at most size statements. Statements longer than
// maxLen bytes are normalized from their first maxLen bytes, which bounds both
// the work per statement and the memory the cache holds; the reader reads
// what the cut leaves open (a string, a quoted name, a comment) as a value or
// a comment to the end.
func NewCache(size, maxLen int) (*Cache, error) {
	return NewCacheOfBytes(size, 0, maxLen)
}

// NewCacheOfBytes is NewCache that also holds at most maxBytes bytes of
// statements, as estimated (0: no bound in bytes), evicting the least
// recently used to stay within it.
func NewCacheOfBytes(size int, maxBytes int64, maxLen int) (*Cache, error) {
	if maxLen < 1 {
		return nil, fmt.Errorf("max statement length must be positive, got %d", maxLen)
	}
	if size < 1 {
		return nil, fmt.Errorf("statement cache: size must be positive, got %d", size)
	}
	if maxBytes < 0 {
		return nil, fmt.Errorf("statement cache: bytes must be 0 (no bound) or positive, got %d", maxBytes)
	}
	return &Cache{entries: newStore(size, maxBytes), maxLen: maxLen}, nil
}

// Normalize returns the normalized statement for raw, of the given
// db.system(.name), from the cache when it is there.
func (c *Cache) Normalize(system, raw string) *Statement {
	raw = truncate(raw, c.maxLen)
	d := DialectOf(system)
	rawKey := keyOf(d, raw)
	if e, exact, ok := c.entries.get(rawKey); ok && exact {
		c.entries.hit(rawKey)
		return e.st
	}
	key := rawKey
	var slots []int32
	if d.IsSQL() {
		// The buffers are only looked up with: the store keeps a hash.
		kb := keyBuffers.Get().(*keyBuffer)
		defer keyBuffers.Put(kb)
		var b []byte
		var ok bool
		if b, slots, ok = blankLiterals(raw, d, kb.key, kb.slots[:0]); ok {
			kb.key, kb.slots = b, slots
			key = keyOf(d, unsafe.String(unsafe.SliceData(b), len(b)))
			if e, _, ok := c.entries.get(key); ok && e.shape != nil {
				c.entries.hit(key)
				if rawKey == e.shape.from {
					// The very statement again (a Django LIMIT 21): found as
					// it is from now on, without blanking it. Statements of
					// new values each time (GORM's) never take a second entry.
					c.entries.add(rawKey, cacheEntry{st: e.st}, 0) // the key's entry holds the statement
				}
				return e.statementFor(raw, slots)
			}
		} else {
			slots = nil
		}
	}
	c.entries.miss(key)
	st, shared, bounds := normalize(d, raw, slots)
	if shared {
		c.entries.add(key, cacheEntry{st: st, shape: &shapeOf{from: rawKey, bounds: bounds}}, statementBytes(st))
	} else {
		c.entries.add(rawKey, cacheEntry{st: st}, statementBytes(st))
	}
	return st
}

type keyBuffer struct {
	key   []byte
	slots []int32
}

var keyBuffers = sync.Pool{New: func() any { return &keyBuffer{key: make([]byte, 0, 512), slots: make([]int32, 0, 32)} }}

// statementFor is the entry's statement for raw, another statement of its
// key whose literal values are at slots: the statement, or, when the LIMIT
// or OFFSET is one of those values, a copy with raw's own numbers, the one
// part of a statement that is read from its values.
func (e cacheEntry) statementFor(raw string, slots []int32) *Statement {
	st := e.st
	if e.shape == nil || !st.Limit.Literal && !st.Offset.Literal {
		return st
	}
	limit, offset := st.Limit, st.Offset
	if limit.Literal {
		limit = slotBound(raw, slots, e.shape.bounds.limit)
		if e.shape.bounds.rownumStrict && limit.Literal {
			limit.Value--
		}
	}
	if offset.Literal {
		offset = slotBound(raw, slots, e.shape.bounds.offset)
	}
	if limit == st.Limit && offset == st.Offset {
		return st
	}
	own := *st
	own.Limit, own.Offset = limit, offset
	own.Catalog = isCatalog(&own, firstWord(afterControl(own.Text))) // a LIMIT 1 probe
	return &own
}

// slotBound is the bound whose number is literal slot k of raw.
func slotBound(raw string, slots []int32, slot int32) Bound {
	k := int(slot)
	if k < 0 || 2*k+1 >= len(slots) {
		return Bound{Present: true}
	}
	text := raw[slots[2*k]:slots[2*k+1]]
	if !allDigits(text) {
		return Bound{Present: true}
	}
	v, err := strconv.ParseInt(text, 10, 64)
	return Bound{Present: true, Value: v, Literal: err == nil}
}

// Stats returns the lookups answered from the cache and those normalized anew.
func (c *Cache) Stats() (hits, misses uint64) { return c.entries.stats() }

// Len is the number of statements cached.
func (c *Cache) Len() int { return c.entries.len() }

// Bytes is the memory the cached statements hold, as estimated.
func (c *Cache) Bytes() int64 { return c.entries.held() }

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && cut > n-utf8.UTFMax && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
