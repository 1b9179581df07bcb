package livepage

import (
	"sort"
	"sync"
)

// Store keeps the last requests, at most a configured number: the oldest
// leave first. It is safe for concurrent use.
type Store struct {
	mu   sync.RWMutex
	max  int
	ring []Request
	next int
	full bool
}

// NewStore keeps at most max requests.
func NewStore(max int) *Store { return &Store{max: max, ring: make([]Request, 0, min(max, 1024))} }

// Record adds requests, pushing the oldest out when full.
func (s *Store) Record(requests []Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range requests {
		if len(s.ring) < s.max {
			s.ring = append(s.ring, r)
			continue
		}
		s.ring[s.next] = r
		s.next = (s.next + 1) % s.max
		s.full = true
	}
}

// Recent returns the requests, newest first.
func (s *Store) Recent() []Request {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Request, 0, len(s.ring))
	if !s.full {
		for i := len(s.ring) - 1; i >= 0; i-- {
			out = append(out, s.ring[i])
		}
		return out
	}
	for i := 0; i < s.max; i++ {
		out = append(out, s.ring[(s.next-1-i+2*s.max)%s.max])
	}
	return out
}

// ByTrace returns the requests of one trace.
func (s *Store) ByTrace(traceID string) []Request {
	var out []Request
	for _, r := range s.Recent() {
		if r.TraceID == traceID {
			out = append(out, r)
		}
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
