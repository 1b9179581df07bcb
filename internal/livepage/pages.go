package livepage

import (
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/querylens/querylens/internal/detect"
)

// pageData is what every page's template gets: its own data, and the
// shared parts (the trace store's link, the instrumentation gaps banner, and
// Rev, which changes when what the page shows changes: an open page
// replaces itself only then).
type pageData struct {
	Title    string
	Rev      string
	Version  uint64 // the store's, for the live script
	TraceURL string
	Live     bool
	Gaps     []GapRow
	Now      time.Time
	Window   Window
	Data     any
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, p pageData) {
	p.TraceURL, p.Live, p.Gaps = h.traceURL, cap(h.live) > 0, h.store.Gaps()
	if p.Version == 0 {
		p.Version, _ = h.store.Changed()
	}
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, p); err != nil {
		// Headers are gone: the page ends where it failed.
		_, _ = w.Write([]byte("<p>querylens: the page could not be written: " + template.HTMLEscapeString(err.Error()) + "</p>"))
	}
}

// rev is the store's version, as a page's Rev, and as its Version.
func (h *Handler) rev() (string, uint64) {
	v, _ := h.store.Changed()
	return strconv.FormatUint(v, 10), v
}

type indexPage struct {
	Filter   filter
	Problems []ProblemRow
	// AllProblems counts the problems of the window.
	AllProblems int
	Requests    []Request
	Shown       int // requests that pass the filter, on every page
	Next        template.URL
	Services    []string
	Routes      []string
	Types       []string
}

func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	rev, version := h.rev() // before reading: a change after it is shown next time
	all := h.store.Recent()
	now := time.Now()
	f := filterOf(r, maxPage)
	shown := f.apply(all)
	page := indexPage{Filter: f, Requests: pageOf(shown, f), Shown: len(shown), Types: detect.Types}
	if next := f.next(len(shown)); next != "" {
		page.Next = template.URL("/?" + next)
	}
	probs := problems(all, now)
	page.AllProblems = len(probs)
	page.Problems = probs[:min(len(probs), indexProblems)]
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
	h.render(w, http.StatusOK, "index", pageData{Title: "requests", Rev: rev, Version: version, Now: now, Window: windowOf(all), Data: page})
}

func (h *Handler) problems(w http.ResponseWriter, _ *http.Request) {
	rev, version := h.rev()
	all := h.store.Recent()
	now := time.Now()
	rows := problems(all, now)
	h.render(w, http.StatusOK, "problems", pageData{Title: "problems", Rev: rev, Version: version, Now: now, Window: windowOf(all),
		Data: struct {
			Problems []ProblemRow
			All      int
		}{rows[:min(len(rows), maxRows)], len(rows)}})
}

// requestSection is one request of a trace on its page.
type requestSection struct {
	Request
	Badges       []badge
	Waterfall    waterfallView
	RouteLoad    Load
	ServiceLoad  Load
	FocusFinding string
}

type requestPage struct {
	TraceID  string
	Requests []requestSection
}

func (h *Handler) request(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("trace")
	_, version := h.rev()
	all := h.store.Recent()
	focus := r.URL.Query().Get("finding")
	page := requestPage{TraceID: id}
	services, routes := loads(all)
	// Rev: the trace's records, not the rest of the store: an open request
	// page changes only when its trace does.
	rev := ""
	for i := range all {
		if all[i].TraceID != id {
			continue
		}
		x := requestSection{Request: all[i], Badges: badgesOf(all[i].Findings), Waterfall: waterfallOf(&all[i], focus), FocusFinding: focus}
		for _, l := range services {
			if l.Service == x.Service {
				x.ServiceLoad = l
			}
		}
		for _, l := range routes {
			if l.Service == x.Service && l.Route == x.Route {
				x.RouteLoad = l
			}
		}
		page.Requests = append(page.Requests, x)
		rev += x.SpanID + strconv.FormatInt(x.Time.UnixNano(), 36)
	}
	status := http.StatusOK
	if len(page.Requests) == 0 {
		status = http.StatusNotFound
	}
	h.render(w, status, "request", pageData{Title: id, Rev: rev, Version: version, Window: windowOf(all), Data: page})
}

func (h *Handler) routes(w http.ResponseWriter, _ *http.Request) {
	rev, version := h.rev()
	all := h.store.Recent()
	services, routes := loads(all)
	h.render(w, http.StatusOK, "routes", pageData{Title: "routes", Rev: rev, Version: version, Window: windowOf(all),
		Data: struct{ Services, Routes []Load }{services[:min(len(services), maxRows)], routes[:min(len(routes), maxRows)]}})
}

func (h *Handler) fingerprints(w http.ResponseWriter, _ *http.Request) {
	rev, version := h.rev()
	rows := h.store.Fingerprints()
	h.render(w, http.StatusOK, "fingerprints", pageData{Title: "fingerprints", Rev: rev, Version: version, Window: windowOf(h.store.Recent()),
		Data: rows[:min(len(rows), maxRows)]})
}
