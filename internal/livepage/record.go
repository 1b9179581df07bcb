// Package livepage is the findings page of local development: the recent
// requests, their database statements grouped by fingerprint, their findings
// and the fingerprints that waste the most queries — django-debug-toolbar's
// SQL panel for any language. It holds plain Go records, bounded in number;
// the querylens extension serves it, from the traces the processor hands it.
package livepage

import (
	"sort"
	"time"
	"unicode/utf8"

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
}

// Finding is a finding of a request, with its fix.
type Finding struct {
	Type        string  `json:"type"`
	ID          string  `json:"id"`
	Count       int     `json:"count"`
	Wasted      int     `json:"wasted_queries"`
	DurationMs  float64 `json:"total_duration_ms"`
	Fingerprint string  `json:"fingerprint"`
	Statement   string  `json:"statement"`
	Suggestion  string  `json:"suggestion"`
	ORM         string  `json:"orm,omitempty"`
	Code        string  `json:"code,omitempty"`
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

// What one request holds at most: its statements, and the bytes of each
// string it keeps (names are cut at sqlnorm.MaxNameBytes by the last gate).
const (
	maxStatements     = 500
	maxStatementBytes = 2048
	maxSuggestion     = 1024
	maxCode           = 512
)

// size is what a request holds, as the store counts it: its strings, and
// the fixed part of each record.
func (r *Request) size() int {
	n := 256 + len(r.TraceID) + len(r.SpanID) + len(r.Service) + len(r.Route)
	for i := range r.Findings {
		f := &r.Findings[i]
		n += 160 + len(f.Type) + len(f.ID) + len(f.Fingerprint) + len(f.Statement) + len(f.Suggestion) + len(f.ORM) + len(f.Code)
	}
	for i := range r.Statements {
		st := &r.Statements[i]
		n += 96 + len(st.Fingerprint) + len(st.Text) + len(st.System) + len(st.Finding) + len(st.FindingID)
	}
	return n
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
// local request root, with its database calls and its findings.
func FromAnalysis(t *traceview.Trace, res engine.Result, now time.Time) []Request {
	index := map[int]int{}
	out := make([]Request, 0, len(res.Requests))
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
	}
	request := func(span int) *Request {
		k, ok := index[t.LocalRoot(span)]
		if !ok {
			return nil
		}
		return &out[k]
	}
	member := map[int]*detect.Finding{}
	for k := range res.Findings {
		f := &res.Findings[k]
		for _, m := range f.Members {
			member[m] = f
		}
		r := request(f.Anchor)
		if r == nil {
			continue
		}
		code := ""
		if f.Code.Function != "" || f.Code.File != "" {
			code = f.Code.Function
			if f.Code.File != "" {
				code += " " + f.Code.File
				if f.Code.Line > 0 {
					code += ":" + itoa(f.Code.Line)
				}
			}
		}
		r.Findings = append(r.Findings, Finding{
			Type: f.Type, ID: f.ID, Count: f.Count, Wasted: f.WastedQueries(), DurationMs: float64(f.TotalDuration.Nanoseconds()) / 1e6,
			Fingerprint: f.Fingerprint, Statement: sqlnorm.CutText(f.Statement, maxStatementBytes),
			Suggestion: cut(f.Suggestion, maxSuggestion), ORM: f.ORM, Code: cut(code, maxCode),
		})
	}
	// The request's queries, not every database span: a call recorded by an
	// ORM's span and its driver's is listed once.
	for k := range res.Requests {
		r := &out[k]
		for _, i := range res.Requests[k].Queries {
			s := &t.Spans[i]
			if len(r.Statements) >= maxStatements {
				r.Truncated++
				continue
			}
			st := Statement{
				Fingerprint: s.DB.Statement.Fingerprint, Text: sqlnorm.CutText(s.DB.Statement.Text, maxStatementBytes),
				System:     sqlnorm.SafeName(s.DB.System),
				DurationMs: float64(s.Duration().Nanoseconds()) / 1e6,
			}
			if s.DB.Statement.Placeholders == 0 || s.DB.NumParams > 0 {
				st.Values = xxhash.Sum64String(s.DB.Raw) ^ s.DB.Params | 1
			}
			if f := member[i]; f != nil {
				st.Finding, st.FindingID = f.Type, f.ID
			}
			r.Statements = append(r.Statements, st)
		}
	}
	return out
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
