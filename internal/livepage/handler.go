package livepage

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
)

// Handler serves the page: / (the top problems and the recent requests),
// /problems, /requests/<trace id> (with its waterfall), /routes,
// /fingerprints, the same as JSON under /api/, and /events, which tells
// open pages when the store changed. It answers at most a number of requests
// at a time (the others get 503 and Retry-After) and holds at most a number
// of live connections; every answer is bounded: pages of at most maxPage
// requests, JSON written one item at a time.
type Handler struct {
	store    *Store
	traceURL string // with {trace_id}; empty: no external link
	mux      *http.ServeMux
	slots    chan struct{}
	live     chan struct{} // live connections (/events), bounded apart
	// done is closed by Close: live connections end, so that the server
	// can shut down.
	done      chan struct{}
	closeOnce sync.Once
}

// Settings are the handler's bounds and its link to the trace store.
type Settings struct {
	// TraceURL, when not empty, links each trace id to Grafana or Jaeger:
	// "{trace_id}" is replaced by the id.
	TraceURL string
	// Concurrent bounds the answers written at a time.
	Concurrent int
	// Live bounds the live connections (/events); 0 turns live updates off.
	Live int
}

// Paging of the index and the API: ?limit= (at most maxPage) and ?offset=;
// the problems and fingerprints pages list at most maxRows.
const (
	defaultAPIPage = 100
	maxPage        = 1000
	maxRows        = 500
	// indexProblems is how many problems the index shows above the requests.
	indexProblems = 8
)

// NewHandler serves the store within the bounds of set.
func NewHandler(store *Store, set Settings) *Handler {
	h := &Handler{store: store, traceURL: set.TraceURL, mux: http.NewServeMux(),
		slots: make(chan struct{}, max(set.Concurrent, 1)), live: make(chan struct{}, max(set.Live, 0)), done: make(chan struct{})}
	h.mux.HandleFunc("GET /{$}", h.index)
	h.mux.HandleFunc("GET /problems", h.problems)
	h.mux.HandleFunc("GET /requests/{trace}", h.request)
	h.mux.HandleFunc("GET /routes", h.routes)
	h.mux.HandleFunc("GET /fingerprints", h.fingerprints)
	h.mux.HandleFunc("GET /api/requests", h.apiRequests)
	h.mux.HandleFunc("GET /api/findings", h.apiFindings)
	h.mux.HandleFunc("GET /api/problems", h.apiProblems)
	return h
}

// Close ends the live connections: the server's Shutdown waits for them.
func (h *Handler) Close() { h.closeOnce.Do(func() { close(h.done) }) }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy",
		"default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodGet {
		// Constant bytes and the live connections, each bounded apart.
		if a, ok := assets[r.URL.Path]; ok {
			serveAsset(w, r, a)
			return
		}
		if r.URL.Path == "/events" {
			h.events(w, r)
			return
		}
	}
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	default:
		// Each answer holds memory while it is written: past the bound,
		// the client comes back later.
		w.Header().Set("Retry-After", "1")
		http.Error(w, "querylens: too many requests at a time, retry", http.StatusServiceUnavailable)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// filter is what the index and the API filter, sort and page by.
type filter struct {
	Service, Route, Type, Sort string
	// Problem and Fingerprint keep the requests that hold a finding of
	// that problem, or ran a statement of that fingerprint.
	Problem, Fingerprint string
	Offset, Limit        int
}

func filterOf(r *http.Request, defaultLimit int) filter {
	q := r.URL.Query()
	f := filter{Service: q.Get("service"), Route: q.Get("route"), Type: q.Get("type"), Sort: q.Get("sort"),
		Problem: q.Get("problem"), Fingerprint: q.Get("fingerprint"), Limit: defaultLimit}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		f.Limit = n
	}
	f.Limit = min(f.Limit, maxPage)
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 {
		f.Offset = n
	}
	return f
}

// values are the filter's own settings, as a query.
func (f filter) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"service": f.Service, "route": f.Route, "type": f.Type, "sort": f.Sort,
		"problem": f.Problem, "fingerprint": f.Fingerprint} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// next is the query of the page after this one, "" when there is none.
func (f filter) next(total int) string {
	if f.Offset+f.Limit >= total {
		return ""
	}
	q := f.values()
	q.Set("limit", strconv.Itoa(f.Limit))
	q.Set("offset", strconv.Itoa(f.Offset+f.Limit))
	return q.Encode()
}

func (f filter) apply(reqs []Request) []Request {
	var out []Request
	for _, r := range reqs {
		if f.Service != "" && r.Service != f.Service || f.Route != "" && r.Route != f.Route {
			continue
		}
		if f.Type != "" && !hasType(r, f.Type) || f.Problem != "" && !hasProblem(r.Findings, f.Problem) ||
			f.Fingerprint != "" && !ranFingerprint(r, f.Fingerprint) {
			continue
		}
		out = append(out, r)
	}
	if f.Sort == "queries" {
		sort.SliceStable(out, func(i, j int) bool { return out[i].DBQueries > out[j].DBQueries })
	}
	return out
}

func hasType(r Request, typ string) bool {
	for _, f := range r.Findings {
		if f.Type == typ {
			return true
		}
	}
	return false
}

// ranFingerprint: a statement of the request, or one of its findings (an
// mn_plus_one's fingerprint is its iteration's), has the fingerprint.
func ranFingerprint(r Request, fp string) bool {
	for _, s := range r.Statements {
		if s.Fingerprint == fp {
			return true
		}
	}
	for _, f := range r.Findings {
		if f.Fingerprint == fp {
			return true
		}
	}
	return false
}

func pageOf[T any](items []T, f filter) []T {
	if f.Offset >= len(items) {
		return nil
	}
	return items[f.Offset:min(len(items), f.Offset+f.Limit)]
}
