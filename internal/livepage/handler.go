package livepage

import (
	"encoding/json"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/querylens/querylens/internal/detect"
)

// Handler serves the page: / (recent requests), /requests/<trace id>,
// /fingerprints, and the same as JSON under /api/.
type Handler struct {
	store    *Store
	traceURL string // with {trace_id}; empty: no external link
	mux      *http.ServeMux
}

// NewHandler serves the store. traceURL, when not empty, links each trace id
// to Grafana or Jaeger: "{trace_id}" is replaced by the id.
func NewHandler(store *Store, traceURL string) *Handler {
	h := &Handler{store: store, traceURL: traceURL, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /{$}", h.index)
	h.mux.HandleFunc("GET /requests/{trace}", h.request)
	h.mux.HandleFunc("GET /fingerprints", h.fingerprints)
	h.mux.HandleFunc("GET /api/requests", h.apiRequests)
	h.mux.HandleFunc("GET /api/findings", h.apiFindings)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	h.mux.ServeHTTP(w, r)
}

// filter is what the index and the API filter and sort by.
type filter struct {
	Service, Route, Type, Sort string
}

func filterOf(r *http.Request) filter {
	q := r.URL.Query()
	return filter{Service: q.Get("service"), Route: q.Get("route"), Type: q.Get("type"), Sort: q.Get("sort")}
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
	Total    int
	Services []string
	Routes   []string
	Types    []string
}

func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	all := h.store.Recent()
	f := filterOf(r)
	page := indexPage{Filter: f, Requests: f.apply(all), Total: len(all), Types: detect.Types}
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
	writeJSON(w, filterOf(r).apply(h.store.Recent()))
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
	f := filterOf(r)
	for _, req := range f.apply(h.store.Recent()) {
		for _, x := range req.Findings {
			if f.Type == "" || x.Type == f.Type {
				out = append(out, apiFinding{Finding: x, TraceID: req.TraceID, Service: req.Service, Route: req.Route, Time: req.Time})
			}
		}
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
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
