package livepage

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

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
			if (f.Type == "" || x.Type == f.Type) && (f.Problem == "" || x.Problem == f.Problem) {
				out = append(out, apiFinding{Finding: x, TraceID: req.TraceID, Service: req.Service, Route: req.Route, Time: req.Time})
			}
		}
	}
	writeJSONList(w, f, len(out), pageOf(out, f))
}

func (h *Handler) apiProblems(w http.ResponseWriter, r *http.Request) {
	f := filterOf(r, defaultAPIPage)
	rows := problems(h.store.Recent(), time.Now())
	writeJSONList(w, f, len(rows), pageOf(rows, f))
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
