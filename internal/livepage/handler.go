package livepage

import (
	"bufio"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/querylens/querylens/internal/detect"
)

// Handler serves the page: / (recent requests), /requests/<trace id>,
// /fingerprints, and the same as JSON under /api/. It answers at most a
// number of requests at a time (the others get 503 and Retry-After), and
// every answer is bounded: pages of at most maxPage requests, JSON written
// one request at a time.
type Handler struct {
	store    *Store
	traceURL string // with {trace_id}; empty: no external link
	mux      *http.ServeMux
	slots    chan struct{}
}

// Paging of the index and the API: ?limit= (at most maxPage) and ?offset=.
const (
	defaultAPIPage = 100
	maxPage        = 1000
)

// NewHandler serves the store, answering at most concurrent requests at a
// time. traceURL, when not empty, links each trace id to Grafana or Jaeger:
// "{trace_id}" is replaced by the id.
func NewHandler(store *Store, traceURL string, concurrent int) *Handler {
	h := &Handler{store: store, traceURL: traceURL, mux: http.NewServeMux(), slots: make(chan struct{}, max(concurrent, 1))}
	h.mux.HandleFunc("GET /{$}", h.index)
	h.mux.HandleFunc("GET /requests/{trace}", h.request)
	h.mux.HandleFunc("GET /fingerprints", h.fingerprints)
	h.mux.HandleFunc("GET /api/requests", h.apiRequests)
	h.mux.HandleFunc("GET /api/findings", h.apiFindings)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	h.mux.ServeHTTP(w, r)
}

// filter is what the index and the API filter, sort and page by.
type filter struct {
	Service, Route, Type, Sort string
	Offset, Limit              int
}

func filterOf(r *http.Request, defaultLimit int) filter {
	q := r.URL.Query()
	f := filter{Service: q.Get("service"), Route: q.Get("route"), Type: q.Get("type"), Sort: q.Get("sort"), Limit: defaultLimit}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		f.Limit = n
	}
	f.Limit = min(f.Limit, maxPage)
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 {
		f.Offset = n
	}
	return f
}

// next is the query of the page after this one, "" when there is none.
func (f filter) next(total int) string {
	if f.Offset+f.Limit >= total {
		return ""
	}
	q := url.Values{}
	for k, v := range map[string]string{"service": f.Service, "route": f.Route, "type": f.Type, "sort": f.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
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
		if f.Type != "" && !hasType(r, f.Type) {
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

type indexPage struct {
	Filter   filter
	Requests []Request
	Shown    int // requests that pass the filter, on every page
	Total    int
	Next     template.URL // the next page, built from numbers and the filter's own, encoded, values
	Services []string
	Routes   []string
	Types    []string
}

func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	all := h.store.Recent()
	f := filterOf(r, maxPage)
	shown := f.apply(all)
	page := indexPage{Filter: f, Requests: pageOf(shown, f), Shown: len(shown), Total: len(all), Types: detect.Types}
	if next := f.next(len(shown)); next != "" {
		page.Next = template.URL("/?" + next)
	}
	seenS, seenR := map[string]bool{}, map[string]bool{}
	for _, x := range all {
		if !seenS[x.Service] {
			seenS[x.Service] = true
			page.Services = append(page.Services, x.Service)
		}
		if !seenR[x.Route] {
			seenR[x.Route] = true
			page.Routes = append(page.Routes, x.Route)
		}
	}
	sort.Strings(page.Services)
	sort.Strings(page.Routes)
	h.render(w, "index", page)
}

type requestPage struct {
	TraceID  string
	Requests []Request
}

func (h *Handler) request(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("trace")
	reqs := h.store.ByTrace(id)
	if len(reqs) == 0 {
		w.WriteHeader(http.StatusNotFound)
	}
	h.render(w, "request", requestPage{TraceID: id, Requests: reqs})
}

func (h *Handler) fingerprints(w http.ResponseWriter, _ *http.Request) {
	rows := h.store.Fingerprints()
	if len(rows) > 200 {
		rows = rows[:200]
	}
	h.render(w, "fingerprints", rows)
}

func (h *Handler) apiRequests(w http.ResponseWriter, r *http.Request) {
	f := filterOf(r, defaultAPIPage)
	reqs := f.apply(h.store.Recent())
	writeJSONList(w, f, len(reqs), pageOf(reqs, f))
}

// apiFinding is a finding with the request it is in.
type apiFinding struct {
	Finding
	TraceID string    `json:"trace_id"`
	Service string    `json:"service"`
	Route   string    `json:"route"`
	Time    time.Time `json:"time"`
}

func (h *Handler) apiFindings(w http.ResponseWriter, r *http.Request) {
	out := []apiFinding{}
	f := filterOf(r, defaultAPIPage)
	for _, req := range f.apply(h.store.Recent()) {
		for _, x := range req.Findings {
			if f.Type == "" || x.Type == f.Type {
				out = append(out, apiFinding{Finding: x, TraceID: req.TraceID, Service: req.Service, Route: req.Route, Time: req.Time})
			}
		}
	}
	writeJSONList(w, f, len(out), pageOf(out, f))
}

func pageOf[T any](items []T, f filter) []T {
	if f.Offset >= len(items) {
		return nil
	}
	return items[f.Offset:min(len(items), f.Offset+f.Limit)]
}

// writeJSONList writes a page of a list as a JSON array, one item at a time,
// so that an answer never holds more than one item's JSON; X-Total-Count
// and a Link header to the next page say what else there is.
func writeJSONList[T any](w http.ResponseWriter, f filter, total int, items []T) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	if next := f.next(total); next != "" {
		w.Header().Set("Link", "<?"+next+`>; rel="next"`)
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetIndent("  ", "  ")
	_, _ = bw.WriteString("[")
	for i := range items {
		if i > 0 {
			_, _ = bw.WriteString(",")
		}
		_, _ = bw.WriteString("\n  ")
		if enc.Encode(&items[i]) != nil {
			break
		}
	}
	_, _ = bw.WriteString("]\n")
	_ = bw.Flush()
}

func (h *Handler) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages.ExecuteTemplate(w, name, struct {
		Data     any
		TraceURL string
	}{data, h.traceURL}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

var funcs = template.FuncMap{
	"traceLink": func(tmpl, id string) string { return strings.ReplaceAll(tmpl, "{trace_id}", id) },
	"ms":        func(v float64) string { return strconvFloat(v) },
	"clock":     func(t time.Time) string { return t.Format("15:04:05") },
	"sel":       func(a, b string) bool { return a == b },
}
