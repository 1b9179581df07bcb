package sqlnorm

import (
	"fmt"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Cache normalizes statements through a bounded LRU cache keyed by the raw
// statement. It is safe for concurrent use.
type Cache struct {
	entries *lru.Cache[cacheKey, *Statement]
	maxLen  int
	hits    atomic.Uint64
	misses  atomic.Uint64
}

type cacheKey struct {
	dialect Dialect
	raw     string
}

// NewCache returns a cache of at most size statements. Statements longer than
// maxLen bytes are normalized from their first maxLen bytes, which bounds both
// the work per statement and the memory the cache holds.
func NewCache(size, maxLen int) (*Cache, error) {
	if maxLen < 1 {
		return nil, fmt.Errorf("max statement length must be positive, got %d", maxLen)
	}
	entries, err := lru.New[cacheKey, *Statement](size)
	if err != nil {
		return nil, fmt.Errorf("statement cache: %w", err)
	}
	return &Cache{entries: entries, maxLen: maxLen}, nil
}

// Normalize returns the normalized statement for raw, of the given
// db.system(.name), from the cache when it is there.
func (c *Cache) Normalize(system, raw string) *Statement {
	raw = truncate(raw, c.maxLen)
	key := cacheKey{DialectOf(system), raw}
	if st, ok := c.entries.Get(key); ok {
		c.hits.Add(1)
		return st
	}
	c.misses.Add(1)
	st := normalize(key.dialect, raw)
	// The raw string may point into a much larger decoded request: keep a copy.
	key.raw = strings.Clone(raw)
	c.entries.Add(key, st)
	return st
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
