// Package livepage is the findings page of local development: the recent
// requests, their database statements grouped by fingerprint, their findings
// and the fingerprints that waste the most queries — django-debug-toolbar's
// SQL panel for any language. It holds plain Go records, bounded in number;
// the querylens extension serves it, from the traces the processor hands it.
package livepage

import (
	"math"
	"slices"
	"sort"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/cespare/xxhash/v2"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

// Request is one local request of a trace, as the page shows it.
type Request struct {
	Time       time.Time `json:"time"`
	TraceID    string    `json:"trace_id"`
	SpanID     string    `json:"span_id"`
	Service    string    `json:"service"`
	Route      string    `json:"route"`
	DBQueries  int       `json:"db_queries"`
	DBDuration float64   `json:"db_duration_ms"`
	// DBWallDuration is the time at least one query ran (parallel queries
	// count once): the request's time in the database.
	DBWallDuration float64     `json:"db_wall_duration_ms"`
	Findings       []Finding   `json:"findings"`
	Statements     []Statement `json:"statements"`
	// Truncated counts the statements beyond the per-request bound.
	Truncated int `json:"statements_truncated,omitempty"`
	// Spans are the request's spans on its waterfall, in tree order;
	// SpansTruncated counts those beyond the per-request bound.
	Spans          []Span `json:"-"`
	SpansTruncated int    `json:"-"`
	// bytes is what the request holds, as the store counts it (size), set
	// when it is recorded.
	bytes int
}

// Finding is a finding of a request, with its fix.
type Finding struct {
	Type       string  `json:"type"`
	ID         string  `json:"id"`
	Count      int     `json:"count"`
	Wasted     int     `json:"wasted_queries"`
	DurationMs float64 `json:"total_duration_ms"`
	// WastedMs is the time a fix saves: the duration of the runs it removes.
	WastedMs    float64 `json:"wasted_ms"`
	Fingerprint string  `json:"fingerprint"`
	// Problem is the signature of the problem the finding is one occurrence
	// of (detect.ProblemID: type, service, route, fingerprint).
	Problem    string `json:"problem_id"`
	Statement  string `json:"statement"`
	Suggestion string `json:"suggestion"`
	ORM        string `json:"orm,omitempty"`
	Code       string `json:"code,omitempty"`
}

// Statement is one database call of a request, in order. Its text is the
// normalized statement: never a literal value.
type Statement struct {
	Fingerprint string  `json:"fingerprint"`
	Text        string  `json:"statement"`
	System      string  `json:"db_system"`
	DurationMs  float64 `json:"duration_ms"`
	// Values is a hash of the raw statement and recorded parameters: two
	// calls with the same Values ran the very same query (a duplicate). 0
	// when the values cannot be seen (placeholders, no recorded parameters).
	Values uint64 `json:"-"`
	// Finding and FindingID are the type and id of the group finding the call
	// belongs to, if any.
	Finding   string `json:"finding,omitempty"`
	FindingID string `json:"finding_id,omitempty"`
}

// What one request holds at most: its statements, its spans on the
// waterfall, and the bytes of each string it keeps (names are cut at
// sqlnorm.MaxNameBytes by the last gate).
const (
	maxStatements     = 2000
	maxSpans          = 2000
	maxStatementBytes = 2048
	maxSuggestion     = 1024
	maxCode           = 512
)

// The fixed part of each record as the store counts it: its struct.
const (
	requestBytes   = 256
	findingBytes   = 176
	statementBytes = 96
)

// size is what a request holds, as the store counts it: the fixed part of
// each record, and each string once per backing array (the interner of
// FromAnalysis makes the equal texts of a request one string: a loop's
// statement is held once, not once per call).
func (r *Request) size() int {
	h := heldStrings{}
	n := requestBytes + h.add(r.TraceID) + h.add(r.SpanID) + h.add(r.Service) + h.add(r.Route)
	for i := range r.Findings {
		f := &r.Findings[i]
		n += findingBytes + h.add(f.Type) + h.add(f.ID) + h.add(f.Fingerprint) + h.add(f.Problem) + h.add(f.Statement) +
			h.add(f.Suggestion) + h.add(f.ORM) + h.add(f.Code)
	}
	for i := range r.Statements {
		st := &r.Statements[i]
		n += statementBytes + h.add(st.Fingerprint) + h.add(st.Text) + h.add(st.System) + h.add(st.Finding) + h.add(st.FindingID)
	}
	for i := range r.Spans {
		n += spanBytes + h.add(r.Spans[i].Label)
	}
	return n
}

// heldStrings counts the bytes of strings once per backing array.
type heldStrings map[*byte]int

func (h heldStrings) add(s string) int {
	if len(s) == 0 {
		return 0
	}
	p := unsafe.StringData(s)
	if n, ok := h[p]; ok && n >= len(s) {
		return 0
	}
	h[p] = len(s)
	return len(s)
}

// interner makes the equal strings of a request one string.
type interner map[string]string

func (in interner) of(s string) string {
	if x, ok := in[s]; ok {
		return x
	}
	in[s] = s
	return s
}

// cut cuts s to at most n bytes, not inside a UTF-8 sequence, with … when cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	k := n - len("…")
	for k > 0 && !utf8.RuneStart(s[k]) {
		k--
	}
	return s[:k] + "…"
}

// FromAnalysis turns an analyzed trace into the requests of the page: one per
// local request root, with its database calls, its findings and its spans.
func FromAnalysis(t *traceview.Trace, res engine.Result, now time.Time) []Request {
	index := map[int]int{}
	out := make([]Request, 0, len(res.Requests))
	texts := make([]interner, 0, len(res.Requests))
	for _, r := range res.Requests {
		index[r.Span] = len(out)
		s := &t.Spans[r.Span]
		route := r.Route
		if route == "" {
			// A root with no route shows its name, which may be a raw
			// statement: read by the last gate.
			route = sqlnorm.SafeName(s.Name)
		}
		out = append(out, Request{
			Time: now, TraceID: t.ID.String(), SpanID: s.ID.String(), Service: s.Service, Route: route,
			DBQueries: r.DBQueries, DBDuration: float64(r.DBDuration.Nanoseconds()) / 1e6,
			DBWallDuration: float64(r.DBWallDuration.Nanoseconds()) / 1e6,
			Findings:       []Finding{}, Statements: []Statement{},
		})
		texts = append(texts, interner{})
	}
	request := func(span int) int {
		k, ok := index[t.LocalRoot(span)]
		if !ok {
			return -1
		}
		return k
	}
	// member: the finding each repeated span belongs to, with its request
	// and its place in that request's findings.
	type membership struct {
		f          *detect.Finding
		request, k int
	}
	member := make([]membership, len(t.Spans)) // by span; f nil: none
	for k := range res.Findings {
		f := &res.Findings[k]
		rk := request(f.Anchor)
		place := -1
		if rk >= 0 {
			r, in := &out[rk], texts[rk]
			place = len(r.Findings)
			r.Findings = append(r.Findings, Finding{
				Type: f.Type, ID: f.ID, Count: f.Count, Wasted: f.WastedQueries(),
				DurationMs: float64(f.TotalDuration.Nanoseconds()) / 1e6, WastedMs: float64(f.WastedDuration.Nanoseconds()) / 1e6,
				Fingerprint: f.Fingerprint, Problem: f.Problem, Statement: in.of(sqlnorm.CutText(f.Statement, maxStatementBytes)),
				Suggestion: cut(f.Suggestion, maxSuggestion), ORM: f.ORM, Code: cut(codeOf(f.Code), maxCode),
			})
		}
		for _, m := range f.Members {
			member[m] = membership{f: f, request: rk, k: place}
		}
	}
	// The request's queries, not every database span: a call recorded by an
	// ORM's span and its driver's is listed once.
	for k := range res.Requests {
		r, in := &out[k], texts[k]
		// Slices of their exact size: the store counts what they hold.
		r.Statements = make([]Statement, 0, min(len(res.Requests[k].Queries), maxStatements))
		r.Findings = slices.Clone(r.Findings)
		for _, i := range res.Requests[k].Queries {
			s := &t.Spans[i]
			if len(r.Statements) >= maxStatements {
				r.Truncated++
				continue
			}
			st := Statement{
				Fingerprint: in.of(s.DB.Statement.Fingerprint), Text: in.of(sqlnorm.CutText(s.DB.Statement.Text, maxStatementBytes)),
				System:     in.of(sqlnorm.SafeName(s.DB.System)),
				DurationMs: float64(s.Duration().Nanoseconds()) / 1e6,
			}
			if s.DB.Statement.Placeholders == 0 || s.DB.NumParams > 0 {
				st.Values = xxhash.Sum64String(s.DB.Raw) ^ s.DB.Params | 1
			}
			if m := member[i]; m.f != nil {
				st.Finding, st.FindingID = m.f.Type, m.f.ID
			}
			r.Statements = append(r.Statements, st)
		}
		r.Spans, r.SpansTruncated = waterfall(t, res.Requests[k].Span, in, func(span int) uint16 {
			if m := member[span]; m.f != nil && m.request == k && m.k >= 0 && m.k < math.MaxUint16 {
				return uint16(m.k + 1)
			}
			return 0
		})
	}
	return out
}

// codeOf is a code location as the page shows it: function file:line.
func codeOf(c traceview.CodeLocation) string {
	if c.Function == "" && c.File == "" {
		return ""
	}
	code := c.Function
	if c.File != "" {
		code += " " + c.File
		if c.Line > 0 {
			code += ":" + itoa(c.Line)
		}
	}
	return code
}

// Group is the calls of one fingerprint within a request: similar calls; the
// ones with the same Values are duplicates.
type Group struct {
	Fingerprint string
	Text        string
	Count       int
	Duplicates  int // calls beyond the first of each distinct set of values
	DurationMs  float64
}

// Groups folds a request's statements by fingerprint, most frequent first.
func (r *Request) Groups() []Group {
	index := map[string]int{}
	values := map[string]map[uint64]bool{}
	var out []Group
	for _, s := range r.Statements {
		k, ok := index[s.Fingerprint]
		if !ok {
			k = len(out)
			index[s.Fingerprint] = k
			out = append(out, Group{Fingerprint: s.Fingerprint, Text: s.Text})
			values[s.Fingerprint] = map[uint64]bool{}
		}
		g := &out[k]
		g.Count++
		g.DurationMs += s.DurationMs
		if s.Values == 0 { // values unseen: similar, never a known duplicate
			continue
		}
		if values[s.Fingerprint][s.Values] {
			g.Duplicates++
		}
		values[s.Fingerprint][s.Values] = true
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
