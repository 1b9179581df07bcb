package sqlnorm

import (
	"fmt"
	"strings"
	"testing"
)

// The cache's bound in bytes holds whatever the statements' lengths: long
// statements evict others instead of growing the cache to size × max_length.
func TestCacheBoundInBytes(t *testing.T) {
	const maxBytes = 64 << 10
	c, err := NewCacheOfBytes(100_000, maxBytes, 16<<10)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 3000)
	for i := range 500 {
		c.Normalize("postgresql", fmt.Sprintf("SELECT %s_%d FROM t%d WHERE id = $1", long, i, i))
		if b := c.Bytes(); b > maxBytes {
			t.Fatalf("after %d statements the cache holds %d bytes, bound %d", i+1, b, maxBytes)
		}
	}
	if n := c.Len(); n < 5 || n > maxBytes/3000 {
		t.Errorf("%d statements of 3 KB cached within %d bytes", n, maxBytes)
	}
	// The most recent is there, looked up again without a miss.
	last := fmt.Sprintf("SELECT %s_%d FROM t%d WHERE id = $1", long, 499, 499)
	_, misses := c.Stats()
	c.Normalize("postgresql", last)
	if _, m := c.Stats(); m != misses {
		t.Error("the statement added last was evicted")
	}
	// Short statements fill it to many more entries.
	for i := range 2000 {
		c.Normalize("postgresql", fmt.Sprintf("SELECT a FROM t%d WHERE id = $1", i))
	}
	if n, b := c.Len(), c.Bytes(); n < 80 || b > maxBytes { // some 600 bytes each, their index slots counted
		t.Errorf("short statements: %d cached in %d bytes, bound %d", n, b, maxBytes)
	}
}

// A statement larger than the whole bound is normalized but not kept.
func TestCacheEntryLargerThanBound(t *testing.T) {
	c, err := NewCacheOfBytes(10, 1024, 16<<10)
	if err != nil {
		t.Fatal(err)
	}
	c.Normalize("postgresql", "SELECT a FROM t WHERE id = $1")
	st := c.Normalize("postgresql", "SELECT "+strings.Repeat("column_name, ", 400)+"b FROM t")
	if st == nil || !strings.HasPrefix(st.Text, "SELECT column_name") {
		t.Fatalf("the large statement: %+v", st)
	}
	if c.Len() != 1 || c.Bytes() > 1024 {
		t.Errorf("cache holds %d statements, %d bytes, after one too large to keep", c.Len(), c.Bytes())
	}
	if _, err := NewCacheOfBytes(10, -1, 100); err == nil {
		t.Error("a negative bound in bytes was accepted")
	}
}

// The count bound still holds with a bound in bytes, and eviction keeps
// what is looked up: a working set that fits is served from the cache.
func TestCacheWorkingSetFits(t *testing.T) {
	c, err := NewCacheOfBytes(50, 1<<20, 4096)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		for i := range 40 {
			c.Normalize("mysql", fmt.Sprintf("SELECT a, b FROM t%d WHERE id = ?", i))
		}
		for i := range 5 { // passers-by
			c.Normalize("mysql", fmt.Sprintf("SELECT c FROM u%d_%d WHERE id = ?", round, i))
		}
	}
	if c.Len() > 50 {
		t.Errorf("%d entries, bound 50", c.Len())
	}
	hits, misses := c.Stats()
	if misses > 40+15+10 || hits < 70 {
		t.Errorf("hits %d, misses %d: the working set of 40 did not stay", hits, misses)
	}
}

// Workers share a sharded cache: every lookup gets its own statement's
// normalization, and the bounds hold.
func TestCacheConcurrentShards(t *testing.T) {
	c, err := NewCacheOfBytes(20_000, 1<<20, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.entries.shards); n < 2 {
		t.Fatalf("a cache of 20,000 entries has %d shard", n)
	}
	done := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := range 5000 {
				k := (i*7 + w) % 3000
				st := c.Normalize("postgresql", fmt.Sprintf("SELECT c%d FROM t%d WHERE id = %d", k, k, i))
				if want := fmt.Sprintf("SELECT c%d FROM t%d WHERE id = ?", k, k); st.Text != want {
					done <- fmt.Errorf("got %q, want %q", st.Text, want)
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n, b := c.Len(), c.Bytes(); n > 20_000 || b > 1<<20 {
		t.Errorf("%d entries, %d bytes: bounds 20,000 and %d", n, b, 1<<20)
	}
}
