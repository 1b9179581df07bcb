// Package engine runs the detectors over a trace view, words each finding's
// fix and drops the findings the user chose to ignore. The processor, the
// connector and the command-line tool share it, so a finding is the same
// everywhere.
package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/suggest"
	"github.com/querylens/querylens/internal/traceview"
)

// Engine is safe for concurrent use: it holds only configuration.
type Engine struct {
	detectors []detect.Detector
	ignore    []*ignoreRule
}

// New returns an engine running the detectors enabled in cfg and dropping the
// findings an ignore rule matches.
func New(cfg detect.Config, ignore []IgnoreRule) (*Engine, error) {
	rules, err := compileIgnore(ignore)
	if err != nil {
		return nil, err
	}
	return &Engine{detectors: detect.New(cfg), ignore: rules}, nil
}

// Result is what the engine finds in one trace.
type Result struct {
	Findings []detect.Finding
	// Requests are the local request roots, with the database queries each
	// made: the seed's "watch the query count", per request.
	Requests []Request
}

// Request is a local request root: the first span of a service's part of the
// trace (traceview.LocalRoot).
type Request struct {
	Span      int
	Route     string
	DBQueries int
	// Queries are the spans of those queries, in canonical order: one per
	// call, not every span that records it (an ORM's wrapper or twin).
	Queries []int
	// DBDuration is the summed duration of the queries.
	DBDuration time.Duration
	// DBWallDuration is the time at least one query ran: queries that
	// overlap (Promise.all, goroutines) count once.
	DBWallDuration time.Duration
}

// Analyze returns the findings of one trace, each with its suggestion, its
// request's route and, when its spans record one, its code location; and the
// database queries of each request.
func (e *Engine) Analyze(t *traceview.Trace) Result {
	in := detect.NewInput(t)
	res := Result{Requests: requests(t, in)}
	if len(e.detectors) == 0 {
		return res
	}
	findings := detect.Run(e.detectors, in)
	scopes := map[string][]string{} // by service, gathered once per trace
	kept := findings[:0]
	for i := range findings {
		f := &findings[i]
		f.Code = codeLocation(t, f)
		f.Route = t.RouteOf(t.LocalRoot(f.Anchor))
		if e.ignored(t, f) {
			continue
		}
		f.Suggestion, f.ORM = suggest.Fix(suggest.Request{
			Type: f.Type, Reason: f.Reason, Statements: statementsOf(t, f), Context: contextOf(t, f, scopes),
		})
		if f.Code.Function != "" {
			f.Suggestion += " Called from " + describeCode(f.Code) + "."
		}
		kept = append(kept, *f)
	}
	res.Findings = kept
	return res
}

// requests finds every local request root and sums the database queries in
// its part of the trace.
func requests(t *traceview.Trace, in *detect.Input) []Request {
	index := map[int]int{}
	var out []Request
	root := func(i int) int {
		r := t.LocalRoot(i)
		k, ok := index[r]
		if !ok {
			k = len(out)
			index[r] = k
			out = append(out, Request{Span: r, Route: t.RouteOf(r)})
		}
		return k
	}
	for i := range t.Spans {
		s := &t.Spans[i]
		if s.Kind == traceview.KindServer || s.Kind == traceview.KindConsumer || s.ParentID.IsEmpty() {
			if r := t.LocalRoot(i); r == i {
				root(i)
			}
		}
	}
	queries := make([]query, 0, len(in.DBSpans))
	for _, i := range in.DBSpans {
		s := &t.Spans[i]
		if s.DB.Statement == nil { // a pool's connect: no query
			continue
		}
		k := root(i)
		out[k].DBQueries++
		out[k].Queries = append(out[k].Queries, i)
		out[k].DBDuration += s.Duration()
		if s.End > s.Start {
			queries = append(queries, query{request: k, start: s.Start, end: s.End})
		}
	}
	addWallDurations(out, queries)
	slices.SortFunc(out, func(a, b Request) int { return a.Span - b.Span })
	return out
}

// query is when one database query of out[request] ran.
type query struct {
	request    int
	start, end int64
}

// addWallDurations sets each request's DBWallDuration: the length of the
// union of its queries' intervals.
func addWallDurations(out []Request, queries []query) {
	slices.SortFunc(queries, func(a, b query) int {
		if a.request != b.request {
			return a.request - b.request
		}
		return cmp.Compare(a.start, b.start)
	})
	for i := 0; i < len(queries); {
		q := queries[i]
		var wall int64
		start, end := q.start, q.end
		for i++; i < len(queries) && queries[i].request == q.request; i++ {
			if next := queries[i]; next.start > end {
				wall += end - start
				start, end = next.start, next.end
			} else {
				end = max(end, next.end)
			}
		}
		wall += end - start
		out[q.request].DBWallDuration = time.Duration(wall)
	}
}

func (e *Engine) ignored(t *traceview.Trace, f *detect.Finding) bool {
	service := t.Spans[f.Anchor].Service
	for _, r := range e.ignore {
		if r.matches(f, service) {
			r.suppressed.Add(1)
			return true
		}
	}
	return false
}

// statementsOf are the statements a finding is about: one iteration's for an
// mn_plus_one, else the statement of its subject span.
func statementsOf(t *traceview.Trace, f *detect.Finding) []*sqlnorm.Statement {
	var out []*sqlnorm.Statement
	seen := map[string]bool{}
	spans := []int{subject(f)}
	if f.Type == detect.TypeMNPlusOne {
		spans = f.Members
	}
	for _, i := range spans {
		if db := t.Spans[i].DB; db != nil && db.Statement != nil && !seen[db.Statement.Fingerprint] {
			seen[db.Statement.Fingerprint] = true
			out = append(out, db.Statement)
		}
	}
	return out
}

// subject is the span whose statement the finding is about.
func subject(f *detect.Finding) int {
	if len(f.Members) > 0 {
		return f.Members[0]
	}
	return f.Anchor
}

// codeLocation is where the trap is in the code: the first repeated span
// that records one, else the offending or anchor span.
func codeLocation(t *traceview.Trace, f *detect.Finding) traceview.CodeLocation {
	for _, i := range append(slices.Clone(f.Members), f.Anchor) {
		if c := t.Spans[i].Code; c.Function != "" || c.File != "" {
			return c
		}
	}
	return traceview.CodeLocation{}
}

func describeCode(c traceview.CodeLocation) string {
	switch {
	case c.File != "" && c.Line > 0:
		return fmt.Sprintf("%s (%s:%d)", c.Function, c.File, c.Line)
	case c.File != "":
		return fmt.Sprintf("%s (%s)", c.Function, c.File)
	}
	return c.Function
}

// contextOf gathers what ORM recognition reads: the language and the
// instrumentation scopes of the service that ran the statement (cached per
// service in scopes).
func contextOf(t *traceview.Trace, f *detect.Finding, scopes map[string][]string) suggest.Context {
	s := &t.Spans[subject(f)]
	ctx := suggest.Context{Language: s.Language}
	if s.DB != nil {
		ctx.Raw = s.DB.Raw
	}
	list, ok := scopes[s.Service]
	if !ok {
		graphql := false
		for i := range t.Spans {
			o := &t.Spans[i]
			if o.Service != s.Service {
				continue
			}
			if o.Scope != "" && !slices.Contains(list, o.Scope) {
				list = append(list, o.Scope)
			}
			graphql = graphql || strings.HasPrefix(o.Name, "graphql.") || strings.Contains(strings.ToLower(o.Scope), "graphql")
		}
		if graphql {
			list = append(list, graphqlMarker)
		}
		scopes[s.Service] = list
	}
	ctx.Scopes = list
	ctx.GraphQL = slices.Contains(list, graphqlMarker)
	return ctx
}

// graphqlMarker is kept among a service's scopes when its spans show GraphQL.
const graphqlMarker = "\x00graphql"
