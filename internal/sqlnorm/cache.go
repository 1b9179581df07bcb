package sqlnorm

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Cache normalizes statements through a bounded LRU cache. A statement is
// looked up as it is, then, when it holds literal values, by its shape (the
// values blanked): statements whose values an ORM writes inline share one
// entry, and only the first of them is lexed. It is safe for concurrent use.
type Cache struct {
	entries *lru.Cache[cacheKey, cacheEntry]
	maxLen  int
	hits    atomic.Uint64
	misses  atomic.Uint64
}

type cacheKey struct {
	dialect Dialect
	raw     string
}

// cacheEntry is a cached statement; shape is set when it was made for a
// statement's shape, from the statement from, so that its paging numbers
// may be another statement's.
type cacheEntry struct {
	st    *Statement
	shape bool
	from  string
}

// NewCache returns a cache of at most size statements. Statements longer than
// maxLen bytes are normalized from their first maxLen bytes, which bounds both
// the work per statement and the memory the cache holds.
func NewCache(size, maxLen int) (*Cache, error) {
	if maxLen < 1 {
		return nil, fmt.Errorf("max statement length must be positive, got %d", maxLen)
	}
	entries, err := lru.New[cacheKey, cacheEntry](size)
	if err != nil {
		return nil, fmt.Errorf("statement cache: %w", err)
	}
	return &Cache{entries: entries, maxLen: maxLen}, nil
}

// Normalize returns the normalized statement for raw, of the given
// db.system(.name), from the cache when it is there.
func (c *Cache) Normalize(system, raw string) *Statement {
	raw = truncate(raw, c.maxLen)
	d := DialectOf(system)
	key := cacheKey{d, raw}
	if e, ok := c.entries.Get(key); ok {
		c.hits.Add(1)
		return e.statementFor(raw, d, e.shape)
	}
	shape := false
	if d.IsSQL() {
		// The buffer is only looked up with; what the cache keeps is a copy.
		bp := keyBuffers.Get().(*[]byte)
		defer keyBuffers.Put(bp)
		var b []byte
		if b, shape = blankLiterals(raw, d, *bp); shape {
			*bp = b
			key.raw = unsafe.String(unsafe.SliceData(b), len(b))
			if e, ok := c.entries.Get(key); ok {
				c.hits.Add(1)
				if raw == e.from {
					// The very statement again (a Django LIMIT 21): found as
					// it is from now on, without blanking it. Statements of
					// new values each time (GORM's) never take a second entry.
					c.entries.Add(cacheKey{d, e.from}, cacheEntry{st: e.st})
				}
				return e.statementFor(raw, d, true)
			}
		}
	}
	c.misses.Add(1)
	// The key may point into the buffer, or into a larger decoded request:
	// the cache keeps a copy, and the statement is made from it.
	key.raw = strings.Clone(key.raw)
	st := normalizeShape(d, key.raw, raw)
	e := cacheEntry{st: st, shape: shape}
	if shape {
		e.from = strings.Clone(raw)
	}
	c.entries.Add(key, e)
	return st
}

var keyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// statementFor is the entry's statement for raw: the statement, or, when it
// was made from another statement of raw's shape (other) and raw's LIMIT or
// OFFSET is a number, a copy with raw's numbers, the one part of a statement
// that is read from its values.
func (e cacheEntry) statementFor(raw string, d Dialect, other bool) *Statement {
	st := e.st
	if !other || !st.Limit.Literal && !st.Offset.Literal {
		return st
	}
	limit, offset := pagingBounds(raw, d)
	if limit == st.Limit && offset == st.Offset {
		return st
	}
	own := *st
	own.Limit, own.Offset = limit, offset
	return &own
}

// Stats returns the lookups answered from the cache and those normalized anew.
func (c *Cache) Stats() (hits, misses uint64) { return c.hits.Load(), c.misses.Load() }

// Len is the number of statements cached.
func (c *Cache) Len() int { return c.entries.Len() }

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
