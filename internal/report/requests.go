package report

import (
	"container/heap"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

// Request is a local request root as the processor annotated it: the
// database queries its part of the trace made.
type Request struct {
	TraceID  string  `json:"trace_id"`
	SpanID   string  `json:"span_id"`
	Service  string  `json:"service"`
	Route    string  `json:"route"`
	Queries  int     `json:"db_queries"`
	DBMs     float64 `json:"db_duration_ms"`
	Findings int     `json:"findings"`
}

// ReadRequests returns the requests annotated in td, each with the number of
// findings its service's spans of the trace carry.
func ReadRequests(td ptrace.Traces) []Request {
	type key struct {
		trace   pcommon.TraceID
		service string
	}
	findings := map[key]int{}
	var out []Request
	var keys []key
	eachSpan(td, func(service string, s ptrace.Span) {
		for e := 0; e < s.Events().Len(); e++ {
			if s.Events().At(e).Name() == contract.EventFinding {
				findings[key{s.TraceID(), service}]++
			}
		}
		a := s.Attributes()
		q, ok := a.Get(contract.AttrRequestDBQueries)
		if !ok {
			return
		}
		route := ""
		if v, ok := a.Get("http.route"); ok {
			route = v.AsString()
		}
		if v, ok := a.Get(contract.AttrRequestRoute); ok {
			route = v.AsString()
		}
		out = append(out, Request{
			TraceID: s.TraceID().String(),
			SpanID:  s.SpanID().String(),
			Service: service,
			Route:   firstNonEmpty(traceview.Route(traceview.Kind(s.Kind()), s.Name(), route), sqlnorm.SafeName(s.Name())),
			Queries: int(q.Int()),
			DBMs:    dbMs(a),
		})
		keys = append(keys, key{s.TraceID(), service})
	})
	for i := range out {
		out[i].Findings = findings[keys[i]]
	}
	return out
}

// Heaviest keeps the n requests with the most queries seen so far: memory
// stays bounded whatever the input.
type Heaviest struct {
	n     int
	seen  int
	items requestHeap
}

// NewHeaviest keeps the n heaviest requests.
func NewHeaviest(n int) *Heaviest { return &Heaviest{n: n} }

// Add offers a request.
func (h *Heaviest) Add(r Request) {
	h.seen++
	if h.items.Len() < h.n {
		heap.Push(&h.items, r)
		return
	}
	if h.n > 0 && heavier(r, h.items[0]) {
		h.items[0] = r
		heap.Fix(&h.items, 0)
	}
}

// Seen is the number of requests offered.
func (h *Heaviest) Seen() int { return h.seen }

// List returns the kept requests, heaviest first.
func (h *Heaviest) List() []Request {
	out := append([]Request(nil), h.items...)
	sort.Slice(out, func(i, j int) bool { return heavier(out[i], out[j]) })
	return out
}

// SortHeaviest orders requests by queries, heaviest first.
func SortHeaviest(reqs []Request) {
	sort.Slice(reqs, func(i, j int) bool { return heavier(reqs[i], reqs[j]) })
}

func heavier(a, b Request) bool {
	if a.Queries != b.Queries {
		return a.Queries > b.Queries
	}
	if a.DBMs != b.DBMs {
		return a.DBMs > b.DBMs
	}
	return a.TraceID+a.SpanID < b.TraceID+b.SpanID
}

// requestHeap is a min-heap: its root is the lightest kept request.
type requestHeap []Request

func (h requestHeap) Len() int           { return len(h) }
func (h requestHeap) Less(i, j int) bool { return heavier(h[j], h[i]) }
func (h requestHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *requestHeap) Push(x any)        { *h = append(*h, x.(Request)) }
func (h *requestHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// RequestTable writes requests as a table, heaviest first.
func RequestTable(w io.Writer, title string, reqs []Request) error {
	if len(reqs) == 0 {
		return nil
	}
	rows := [][]string{{"QUERIES", "DB MS", "FINDINGS", "SERVICE", "ROUTE", "TRACE"}}
	for _, r := range reqs {
		rows = append(rows, []string{fmt.Sprint(r.Queries), fmt.Sprintf("%.2f", r.DBMs), fmt.Sprint(r.Findings), r.Service, r.Route, r.TraceID})
	}
	var b strings.Builder
	b.WriteString(title + "\n")
	aligned(&b, rows)
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// aligned writes rows as columns of aligned cells, the last one unpadded.
func aligned(b *strings.Builder, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range rows {
		for i, c := range row {
			if i < len(row)-1 {
				b.WriteString(c + strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
			} else {
				b.WriteString(c)
			}
		}
		b.WriteString("\n")
	}
}

// dbMs is the request's time in the database: the wall time, parallel
// queries counted once, or the summed time where only that was written.
func dbMs(a pcommon.Map) float64 {
	if _, ok := a.Get(contract.AttrRequestDBWallDuration); ok {
		return num(a, contract.AttrRequestDBWallDuration)
	}
	return num(a, contract.AttrRequestDBDuration)
}
