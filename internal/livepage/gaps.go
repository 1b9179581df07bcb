package livepage

import (
	"sort"
	"time"

	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/suggest"
)

// GapRow is a service's database queries that ran in no request (database
// spans with no parent: an instrumentation gap, in which no loop can be
// seen), since the page started.
type GapRow struct {
	Service     string
	Queries     int
	Traces      int
	First, Last time.Time
	// Advice says how the service's ORM gets the request's context
	// (suggest.ContextAdvice): one of a few fixed texts.
	Advice string
}

// gapSums are the gaps by service, at most maxGapServices of them; the
// queries of services past the bound are summed under otherServices.
type gapSums map[string]*GapRow

const (
	maxGapServices = 64
	otherServices  = "(other services)"
)

// RecordGaps counts the queries of one analyzed trace that ran in no
// request.
func (s *Store) RecordGaps(gaps []engine.Gap, now time.Time) {
	if len(gaps) == 0 {
		return
	}
	type sum struct {
		queries int
		advice  string
	}
	byService := map[string]*sum{}
	var services []string
	for _, g := range gaps {
		x := byService[g.Service]
		if x == nil {
			x = &sum{advice: suggest.ContextAdvice(g.Context)}
			byService[g.Service] = x
			services = append(services, g.Service)
		}
		x.queries += g.Queries
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gaps == nil {
		s.gaps = gapSums{}
	}
	for _, service := range services {
		x := byService[service]
		row := s.gaps[service]
		if row == nil && len(s.gaps) >= maxGapServices {
			service, x.advice = otherServices, ""
			row = s.gaps[service]
		}
		if row == nil {
			row = &GapRow{Service: service, First: now, Advice: x.advice}
			s.gaps[service] = row
		}
		row.Queries += x.queries
		row.Traces++
		row.Last = now
	}
	s.changedLocked()
}

// Gaps returns the services whose queries ran in no request, the most
// queries first.
func (s *Store) Gaps() []GapRow {
	s.mu.RLock()
	out := make([]GapRow, 0, len(s.gaps))
	for _, row := range s.gaps {
		out = append(out, *row)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Queries != out[j].Queries {
			return out[i].Queries > out[j].Queries
		}
		return out[i].Service < out[j].Service
	})
	return out
}
