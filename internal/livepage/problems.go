package livepage

import (
	"slices"
	"sort"
	"time"
)

// ProblemRow is one problem of the recent requests: the findings of one
// signature (type, service, route, fingerprint: Finding.Problem), however
// many requests hit it.
type ProblemRow struct {
	ID          string    `json:"problem_id"`
	Type        string    `json:"type"`
	Service     string    `json:"service"`
	Route       string    `json:"route"`
	Fingerprint string    `json:"fingerprint"`
	Statement   string    `json:"statement"`
	Occurrences int       `json:"occurrences"` // findings
	Requests    int       `json:"requests"`    // requests with at least one
	Wasted      int       `json:"wasted_queries"`
	WastedMs    float64   `json:"wasted_ms"`
	First       time.Time `json:"first_seen"`
	Last        time.Time `json:"last_seen"`
	// LastTrace is the trace of its latest request.
	LastTrace string `json:"last_trace_id"`
	// Spark counts its findings per minute over the last sparkMinutes,
	// oldest first.
	Spark []int `json:"per_minute"`
}

// sparkMinutes is how far back a problem's sparkline goes.
const sparkMinutes = 15

// Window is what the recent requests cover: how many, and since when.
type Window struct {
	Requests int
	Since    time.Time
}

// windowOf says what reqs, newest first, cover.
func windowOf(reqs []Request) Window {
	if len(reqs) == 0 {
		return Window{}
	}
	return Window{Requests: len(reqs), Since: reqs[len(reqs)-1].Time}
}

// problems groups the findings of reqs, newest first, by problem: the most
// wasted queries first, then the most occurrences.
func problems(reqs []Request, now time.Time) []ProblemRow {
	index := map[string]int{}
	var rows []ProblemRow
	for i := range reqs {
		r := &reqs[i]
		minute := int(now.Sub(r.Time) / time.Minute)
		for k := range r.Findings {
			f := &r.Findings[k]
			at, ok := index[f.Problem]
			if !ok {
				at = len(rows)
				index[f.Problem] = at
				rows = append(rows, ProblemRow{ID: f.Problem, Type: f.Type, Service: r.Service, Route: r.Route, Fingerprint: f.Fingerprint,
					Statement: f.Statement, Last: r.Time, LastTrace: r.TraceID, Spark: make([]int, sparkMinutes)})
			}
			p := &rows[at]
			p.Occurrences++
			if p.First.IsZero() || r.Time.Before(p.First) {
				p.First = r.Time
			}
			if !hasProblem(r.Findings[:k], f.Problem) { // the request counted once
				p.Requests++
			}
			p.Wasted += f.Wasted
			p.WastedMs += f.WastedMs
			if minute >= 0 && minute < sparkMinutes {
				p.Spark[sparkMinutes-1-minute]++
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Wasted != rows[j].Wasted {
			return rows[i].Wasted > rows[j].Wasted
		}
		return rows[i].Occurrences > rows[j].Occurrences
	})
	return rows
}

// hasProblem: one of the findings is an occurrence of the problem.
func hasProblem(findings []Finding, problem string) bool {
	return slices.ContainsFunc(findings, func(f Finding) bool { return f.Problem == problem })
}

// Load is the database work of a service or a route over the recent
// requests.
type Load struct {
	Service, Route string
	Requests       int
	Queries        int
	MaxQueries     int
	Findings       int
	DBMs           float64
}

// PerRequest is the mean queries per request.
func (l Load) PerRequest() float64 {
	if l.Requests == 0 {
		return 0
	}
	return float64(l.Queries) / float64(l.Requests)
}

func (l *Load) add(r *Request) {
	l.Requests++
	l.Queries += r.DBQueries
	l.MaxQueries = max(l.MaxQueries, r.DBQueries)
	l.Findings += len(r.Findings)
	l.DBMs += r.DBWallDuration
}

// loads sums the recent requests by service and by route (a route's Load
// has its service and route; a service's has Route ""), the most queries
// first.
func loads(reqs []Request) (services, routes []Load) {
	type key struct{ service, route string }
	si, ri := map[string]int{}, map[key]int{}
	for i := range reqs {
		r := &reqs[i]
		k, ok := si[r.Service]
		if !ok {
			k = len(services)
			si[r.Service] = k
			services = append(services, Load{Service: r.Service})
		}
		services[k].add(r)
		k, ok = ri[key{r.Service, r.Route}]
		if !ok {
			k = len(routes)
			ri[key{r.Service, r.Route}] = k
			routes = append(routes, Load{Service: r.Service, Route: r.Route})
		}
		routes[k].add(r)
	}
	for _, list := range [][]Load{services, routes} {
		sort.SliceStable(list, func(i, j int) bool { return list[i].Queries > list[j].Queries })
	}
	return services, routes
}
