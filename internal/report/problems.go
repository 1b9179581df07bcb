package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/querylens/querylens/internal/detect"
)

// Problem is one trap in one place: the findings of one signature (type,
// service, route, fingerprint: querylens.problem.id), however many requests
// hit it.
type Problem struct {
	ID          string `json:"problem_id"`
	Type        string `json:"type"`
	Service     string `json:"service"`
	Route       string `json:"route,omitempty"`
	Fingerprint string `json:"fingerprint"`
	Statement   string `json:"statement"`
	Exception   string `json:"exception_type,omitempty"`
	// Occurrences are its findings, in Traces traces; TracesAtLeast is true
	// when the run saw too many traces to tell them all apart, and Traces is
	// then a lower bound.
	Occurrences   int  `json:"occurrences"`
	Traces        int  `json:"traces"`
	TracesAtLeast bool `json:"traces_at_least,omitempty"`
	// MaxCount is the most repeats of one occurrence.
	MaxCount int `json:"max_count"`
	// WastedQueries and WastedMs are summed over the occurrences: the queries
	// (or calls) and the time fixing it would have saved in this run.
	WastedQueries int       `json:"wasted_queries"`
	WastedMs      float64   `json:"wasted_ms"`
	FirstSeen     time.Time `json:"first_seen"`
	LastSeen      time.Time `json:"last_seen"`
	// The example is its most wasteful occurrence (the first of those that
	// tie): its trace, the span of its event, its fix and code location.
	ExampleTrace string `json:"example_trace_id"`
	ExampleSpan  string `json:"example_span_id"`
	Anchor       string `json:"anchor_span"`
	Suggestion   string `json:"suggestion"`
	ORM          string `json:"orm,omitempty"`
	Code         *Code  `json:"code,omitempty"`
}

// Problems groups findings into problems as they come, in bounded memory:
// one entry per problem, up to maxProblems (the findings of more are
// counted in Overflow), and the trace ids that tell occurrences in the same
// trace apart, up to maxTraceIDs in all.
type Problems struct {
	byID     map[string]*problemSum
	traceIDs int
	// Overflow counts the findings of problems past the bound.
	Overflow int
}

type problemSum struct {
	Problem
	traces    map[string]struct{}
	lastTrace string
	wasted    int // of the example
}

const (
	maxProblems = 20000
	maxTraceIDs = 1 << 20
)

// Add counts one finding in its problem.
func (p *Problems) Add(f Finding) {
	if p.byID == nil {
		p.byID = map[string]*problemSum{}
	}
	id := f.Problem
	if id == "" {
		id = detect.ProblemID(f.Type, f.Service, f.Route, f.Fingerprint)
	}
	s, ok := p.byID[id]
	if !ok {
		if len(p.byID) >= maxProblems {
			p.Overflow++
			return
		}
		s = &problemSum{Problem: Problem{ID: id, Type: f.Type, Service: f.Service, Route: f.Route, Fingerprint: f.Fingerprint,
			Statement: f.Statement, Exception: f.Exception, FirstSeen: f.Time, LastSeen: f.Time}, wasted: -1}
		p.byID[id] = s
	}
	s.Occurrences++
	s.MaxCount = max(s.MaxCount, f.Count)
	s.WastedQueries += f.WastedQueries
	s.WastedMs += f.WastedMs
	if !f.Time.IsZero() {
		if s.FirstSeen.IsZero() || f.Time.Before(s.FirstSeen) {
			s.FirstSeen = f.Time
		}
		if f.Time.After(s.LastSeen) {
			s.LastSeen = f.Time
		}
	}
	p.countTrace(s, f.TraceID)
	if f.WastedQueries > s.wasted {
		s.wasted = f.WastedQueries
		s.ExampleTrace, s.ExampleSpan, s.Anchor = f.TraceID, f.SpanID, f.Anchor
		s.Suggestion, s.ORM, s.Code = f.Suggestion, f.ORM, f.Code
	}
}

// countTrace counts the trace of an occurrence once per problem; past the
// bound on the ids kept, a trace is new when it is not the last one seen
// (a trace's findings come together), and the count is a lower bound.
func (p *Problems) countTrace(s *problemSum, trace string) {
	if _, seen := s.traces[trace]; seen {
		return
	}
	if p.traceIDs < maxTraceIDs {
		if s.traces == nil {
			s.traces = map[string]struct{}{}
		}
		s.traces[trace] = struct{}{}
		p.traceIDs++
		s.Traces++
	} else if trace != s.lastTrace {
		s.Traces++
		s.TracesAtLeast = true
	}
	s.lastTrace = trace
}

// Len is the number of problems.
func (p *Problems) Len() int { return len(p.byID) }

// List returns the problems, the most wasteful first: by wasted queries,
// then occurrences, then type in precedence order, then id.
func (p *Problems) List() []Problem {
	rank := map[string]int{}
	for i, t := range detect.Types {
		rank[t] = i
	}
	out := make([]Problem, 0, len(p.byID))
	for _, s := range p.byID {
		out = append(out, s.Problem)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		switch {
		case a.WastedQueries != b.WastedQueries:
			return a.WastedQueries > b.WastedQueries
		case a.Occurrences != b.Occurrences:
			return a.Occurrences > b.Occurrences
		case rank[a.Type] != rank[b.Type]:
			return rank[a.Type] < rank[b.Type]
		}
		return a.ID < b.ID
	})
	return out
}

// ProblemTable writes problems as a table, the most wasteful first, then
// each one's statement, fix, code location and example trace.
func ProblemTable(w io.Writer, problems []Problem) error {
	rows := [][]string{{"#", "TYPE", "SERVICE", "ROUTE", "FINDINGS", "TRACES", "WASTED", "WASTED MS", "FIRST SEEN", "LAST SEEN"}}
	for i, p := range problems {
		traces := strconv.Itoa(p.Traces)
		if p.TracesAtLeast {
			traces = "≥" + traces
		}
		wasted, wastedMs := "-", "-"
		if p.WastedQueries > 0 {
			wasted, wastedMs = Count(p.WastedQueries, wastedUnit(p.Type)), fmt.Sprintf("%.2f", p.WastedMs)
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), p.Type, p.Service, orDash(p.Route), strconv.Itoa(p.Occurrences), traces,
			wasted, wastedMs, seen(p.FirstSeen), seen(p.LastSeen)})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, the most wasteful first:\n", Count(len(problems), "problem"))
	aligned(&b, rows)
	b.WriteString("\n")
	for i, p := range problems {
		fmt.Fprintf(&b, "%d. %s ×%d  %s %s  problem %s\n", i+1, p.Type, p.MaxCount, p.Service, orDash(p.Route), p.ID)
		fmt.Fprintf(&b, "    %s\n", what(p.Statement, p.Exception))
		fmt.Fprintf(&b, "    fix: %s\n", p.Suggestion)
		if p.Code != nil {
			fmt.Fprintf(&b, "    at: %s\n", p.Code)
		}
		fmt.Fprintf(&b, "    example: trace %s, span %q\n", p.ExampleTrace, p.Anchor)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// seen is a time as the problem table shows it: UTC, to the second.
func seen(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
