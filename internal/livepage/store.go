package livepage

import (
	"sort"
	"sync"
)

// Store keeps the last requests, at most a number of them and at most a
// number of bytes (the strings they hold, each counted once per request even
// where the statement cache shares it with others): the oldest leave first.
// Beside them, it sums the queries that ran in no request, per service. It
// is safe for concurrent use, and says when it changes (Changed).
type Store struct {
	mu       sync.RWMutex
	max      int
	maxBytes int
	ring     []Request // a circular queue of n requests from head; grows up to max
	head, n  int
	bytes    int
	gaps     gapSums
	// version counts the changes; changed is closed at the next one.
	version uint64
	changed chan struct{}
}

// NewStore keeps at most max requests of at most maxBytes in all.
func NewStore(max, maxBytes int) *Store {
	return &Store{max: max, maxBytes: maxBytes, ring: make([]Request, min(max, 64)), changed: make(chan struct{})}
}

// Record adds requests, pushing the oldest out when full.
func (s *Store) Record(requests []Request) {
	if len(requests) == 0 {
		return
	}
	for i := range requests {
		requests[i].bytes = requests[i].size()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range requests {
		if r.bytes > s.maxBytes {
			continue // larger than the whole store: never kept
		}
		for s.n > 0 && (s.n == s.max || s.bytes+r.bytes > s.maxBytes) {
			s.dropOldest()
		}
		if s.n == len(s.ring) {
			s.grow()
		}
		s.ring[(s.head+s.n)%len(s.ring)] = r
		s.n++
		s.bytes += r.bytes
	}
	s.changedLocked()
}

// changedLocked counts a change and wakes whoever waits for one.
func (s *Store) changedLocked() {
	s.version++
	close(s.changed)
	s.changed = make(chan struct{})
}

// Changed returns the version of what the store holds, and a channel closed
// at the next change.
func (s *Store) Changed() (uint64, <-chan struct{}) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.version, s.changed
}

func (s *Store) dropOldest() {
	s.bytes -= s.ring[s.head].bytes
	s.ring[s.head] = Request{}
	s.head = (s.head + 1) % len(s.ring)
	s.n--
}

// grow doubles the queue, up to max.
func (s *Store) grow() {
	ring := make([]Request, min(max(2*len(s.ring), 1), s.max))
	for i := 0; i < s.n; i++ {
		ring[i] = s.ring[(s.head+i)%len(s.ring)]
	}
	s.ring, s.head = ring, 0
}

// Bytes is what the kept requests hold, as counted for max_bytes.
func (s *Store) Bytes() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.bytes
}

// Recent returns the requests, newest first.
func (s *Store) Recent() []Request {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Request, s.n)
	for i := 0; i < s.n; i++ {
		out[i] = s.ring[(s.head+s.n-1-i)%len(s.ring)]
	}
	return out
}

// FingerprintRow is a fingerprint of recent traffic and what it wasted.
type FingerprintRow struct {
	Fingerprint string
	Statement   string
	Service     string
	Types       []string
	Findings    int
	Wasted      int
	Calls       int
	DurationMs  float64
}

// Fingerprints ranks the fingerprints of the recent requests by wasted
// queries, then by calls.
func (s *Store) Fingerprints() []FingerprintRow {
	index := map[string]int{}
	var rows []FingerprintRow
	row := func(fp, text, service string) *FingerprintRow {
		key := service + "\x00" + fp
		k, ok := index[key]
		if !ok {
			k = len(rows)
			index[key] = k
			rows = append(rows, FingerprintRow{Fingerprint: fp, Statement: text, Service: service})
		}
		return &rows[k]
	}
	for _, r := range s.Recent() {
		for _, st := range r.Statements {
			x := row(st.Fingerprint, st.Text, r.Service)
			x.Calls++
			x.DurationMs += st.DurationMs
		}
		for _, f := range r.Findings {
			x := row(f.Fingerprint, f.Statement, r.Service)
			x.Findings++
			x.Wasted += f.Wasted
			if !contains(x.Types, f.Type) {
				x.Types = append(x.Types, f.Type)
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Wasted != rows[j].Wasted {
			return rows[i].Wasted > rows[j].Wasted
		}
		return rows[i].Calls > rows[j].Calls
	})
	return rows
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
