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
	"sync"
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
	// Gaps are the queries that ran in no request: database spans with no
	// parent, which no loop can be seen in, one per such span.
	Gaps []Gap
}

// Gap is a database query that ran outside any request, with the queries
// under it: the trace begins with the query itself. Most often the
// application did not hand the request's context to its ORM (GORM without
// db.WithContext(ctx)); a background job that runs no span of its own looks
// the same.
type Gap struct {
	// Span is the query with no parent.
	Span    int
	Service string
	// Context is what recognises the service's ORM, for the advice on how
	// it receives the request's context (suggest.ContextAdvice).
	Context suggest.Context
	Queries int
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
	defer in.Release()
	res := Result{}
	res.Requests, res.Gaps = requests(t, in)
	if len(e.detectors) == 0 {
		return res
	}
	findings := detect.Run(e.detectors, in)
	services := map[string]serviceContext{} // gathered once per trace
	kept := findings[:0]
	for i := range findings {
		f := &findings[i]
		f.Code = codeLocation(t, f)
		f.Route = t.RouteOf(t.LocalRoot(f.Anchor))
		f.Service = t.Spans[f.Anchor].Service
		f.Problem = detect.ProblemID(f.Type, f.Service, f.Route, f.Fingerprint)
		if e.ignored(t, f) {
			continue
		}
		f.Suggestion, f.ORM = suggest.Fix(suggest.Request{
			Type: f.Type, Reason: f.Reason, Statements: statementsOf(t, f), Context: contextOf(t, f, services),
			Exception: f.Exception, Lazy: f.Lazy, Varying: varyingColumns(t, f), RowKey: rowKey(t, f),
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
// its part of the trace. A database span with no parent is no request: the
// queries of a trace that begins with one ran outside any request, and are
// its gaps.
func requests(t *traceview.Trace, in *detect.Input) ([]Request, []Gap) {
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
		if !startsGap(s) && (s.Kind == traceview.KindServer || s.Kind == traceview.KindConsumer || s.ParentID.IsEmpty()) {
			if r := t.LocalRoot(i); r == i {
				root(i)
			}
		}
	}
	var gaps []Gap
	scratch := requestScratches.Get().(*requestScratch)
	defer requestScratches.Put(scratch)
	queries, requestOf := scratch.queries[:0], scratch.requestOf[:0]
	for _, i := range in.DBSpans {
		s := &t.Spans[i]
		if s.DB.Statement == nil { // a pool's connect: no query
			continue
		}
		if r := t.LocalRoot(i); startsGap(&t.Spans[r]) {
			gaps = addGap(gaps, t, r)
			continue
		}
		k := root(i)
		requestOf = append(requestOf, [2]int{i, k})
		out[k].DBQueries++
		out[k].DBDuration += s.Duration()
		if s.End > s.Start {
			queries = append(queries, query{request: k, start: s.Start, end: s.End})
		}
	}
	// Each request's queries in one array, sized from its count.
	backing, start := make([]int, len(requestOf)), 0
	for k := range out {
		out[k].Queries = backing[start : start : start+out[k].DBQueries]
		start += out[k].DBQueries
	}
	for _, q := range requestOf {
		out[q[1]].Queries = append(out[q[1]].Queries, q[0])
	}
	addWallDurations(out, queries)
	scratch.queries, scratch.requestOf = queries, requestOf
	slices.SortFunc(out, func(a, b Request) int { return a.Span - b.Span })
	return out, gaps
}

// startsGap: a database span with no parent begins a trace of its own, outside
// any request. (One whose parent has not arrived is in a request still.)
func startsGap(s *traceview.Span) bool { return s.DB != nil && s.ParentID.IsEmpty() }

// addGap counts a query in the gap that begins with span root.
func addGap(gaps []Gap, t *traceview.Trace, root int) []Gap {
	for k := range gaps {
		if gaps[k].Span == root {
			gaps[k].Queries++
			return gaps
		}
	}
	s := &t.Spans[root]
	ctx := suggest.Context{Language: s.Language, Raw: s.DB.Raw}
	for j := range t.Spans {
		if o := &t.Spans[j]; o.Service == s.Service && o.Scope != "" && !slices.Contains(ctx.Scopes, o.Scope) {
			ctx.Scopes = append(ctx.Scopes, o.Scope)
		}
	}
	return append(gaps, Gap{Span: root, Service: s.Service, Context: ctx, Queries: 1})
}

// requestScratch is memory requests uses for one trace and reuses for the
// next.
type requestScratch struct {
	queries   []query
	requestOf [][2]int // a query's span and its request
}

var requestScratches = sync.Pool{New: func() any { return new(requestScratch) }}

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
	if len(e.ignore) == 0 {
		return false
	}
	service, now := t.Spans[f.Anchor].Service, time.Now()
	for _, r := range e.ignore {
		if r.matches(f, service, now) {
			r.suppressed.Add(1)
			return true
		}
	}
	return false
}

// statementsOf are the distinct statements a finding is about, those of its
// members (one iteration's for an mn_plus_one, the count and the page of a
// pagination_count), else its anchor's.
func statementsOf(t *traceview.Trace, f *detect.Finding) []*sqlnorm.Statement {
	var out []*sqlnorm.Statement
	seen := map[string]bool{}
	spans := f.Members
	if len(spans) == 0 {
		spans = []int{f.Anchor}
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

// maxVaryingRuns bounds the runs of a repeated statement whose values
// varyingColumns compares.
const maxVaryingRuns = 16

// varyingColumns are, by statement fingerprint, the columns of a loop's
// "column = value" predicates whose literal values differ between the runs
// of its statement (up to maxVaryingRuns runs of each): the key its fix
// batches on. Values are compared here and go no further; nil when the
// statements carry none.
func varyingColumns(t *traceview.Trace, f *detect.Finding) map[string][]string {
	if f.Type != detect.TypeNPlusOne && f.Type != detect.TypeMNPlusOne || len(f.Members) < 2 {
		return nil
	}
	type runs struct {
		n     int
		first map[string]string
	}
	byStatement := map[string]*runs{}
	var out map[string][]string
	for _, i := range f.Members {
		db := t.Spans[i].DB
		if db == nil || db.Statement == nil {
			continue
		}
		fp := db.Statement.Fingerprint
		r := byStatement[fp]
		if r == nil {
			r = &runs{first: map[string]string{}}
			byStatement[fp] = r
		}
		if r.n++; r.n > maxVaryingRuns {
			continue
		}
		for _, cv := range sqlnorm.EqualityValues(db.System, db.Raw) {
			if v, seen := r.first[cv[0]]; !seen {
				r.first[cv[0]] = cv[1]
			} else if v != cv[1] && !slices.Contains(out[fp], cv[0]) {
				if out == nil {
					out = map[string][]string{}
				}
				out[fp] = append(out[fp], cv[0])
			}
		}
	}
	return out
}

// serviceContext is what recognition reads of one service in a trace: its
// instrumentation scopes and a sample of its raw statements.
type serviceContext struct {
	scopes   []string
	raws     []string
	rawsRead bool
}

// maxServiceRaws bounds the raw statements of a service recognition reads
// beyond a finding's own.
const maxServiceRaws = 32

// contextOf gathers what ORM recognition reads: the language, runtime,
// instrumentation scopes and other raw statements of the service that ran
// the statement (cached per service in services).
func contextOf(t *traceview.Trace, f *detect.Finding, services map[string]serviceContext) suggest.Context {
	s := &t.Spans[subject(f)]
	ctx := suggest.Context{Language: s.Language, Runtime: s.Runtime}
	if s.DB != nil {
		ctx.Raw = s.DB.Raw
	}
	sc, ok := services[s.Service]
	if !ok {
		graphql := false
		for i := range t.Spans {
			o := &t.Spans[i]
			if o.Service != s.Service {
				continue
			}
			if o.Scope != "" && !slices.Contains(sc.scopes, o.Scope) {
				sc.scopes = append(sc.scopes, o.Scope)
			}
			graphql = graphql || strings.HasPrefix(o.Name, "graphql.") || strings.Contains(strings.ToLower(o.Scope), "graphql")
		}
		if graphql {
			sc.scopes = append(sc.scopes, graphqlMarker)
		}
		services[s.Service] = sc
	}
	ctx.Scopes = sc.scopes
	ctx.GraphQL = slices.Contains(sc.scopes, graphqlMarker)
	ctx.InputLoop = f.Type == detect.TypeNPlusOne && (loopWrites(t, f.Members) || inMutationBody(t, f.Anchor))
	if suggest.Recognize(ctx) == nil { // read the service's other statements only when needed
		if !sc.rawsRead {
			sc.raws, sc.rawsRead = serviceRaws(t, s.Service), true
			services[s.Service] = sc
		}
		ctx.ServiceRaws = sc.raws
	}
	return ctx
}

// loopWrites reports whether writes of the repeats' service started between
// the first and the last of them, one for every other repeat or more.
func loopWrites(t *traceview.Trace, members []int) bool {
	if len(members) < 2 {
		return false
	}
	first, last := t.Spans[members[0]].Start, t.Spans[members[0]].Start
	for _, m := range members {
		first, last = min(first, t.Spans[m].Start), max(last, t.Spans[m].Start)
	}
	service := t.Spans[members[0]].Service
	writes := 0
	for i := range t.Spans {
		o := &t.Spans[i]
		if o.DB != nil && o.Service == service && o.Start > first && o.Start < last && o.DB.Statement.Writes() {
			writes++
		}
	}
	return 2*writes >= len(members)-1
}

// rowKey is the column that identifies a row of an unordered deep_offset's
// table, when another statement of the trace reads that table by it: "id",
// looked up by equality or IN. Other findings need none.
func rowKey(t *traceview.Trace, f *detect.Finding) string {
	s := &t.Spans[subject(f)]
	if f.Type != detect.TypeDeepOffset || s.DB == nil || s.DB.Statement == nil || s.DB.Statement.OrderBy != "" || s.DB.Statement.Base == "" {
		return ""
	}
	base := s.DB.Statement.Base
	for i := range t.Spans {
		db := t.Spans[i].DB
		if db == nil || db.Statement == nil || db.Statement.Base != base {
			continue
		}
		if where := " " + db.Statement.Where; strings.Contains(where, " id = ?") || strings.Contains(where, " id IN (") {
			return "id"
		}
	}
	return ""
}

// inMutationBody reports whether span i runs in the resolver of a GraphQL
// mutation's own field, not in a nested field's: an ancestor is the
// operation span of a mutation (named "mutation" or "mutation <name>", the
// semantic conventions' span name), and no resolver between them resolves a
// nested field ("graphql.resolve updateProducts.0.featuredAsset"), whose
// reads are the relations of what the mutation returns.
func inMutationBody(t *traceview.Trace, i int) bool {
	for k := 0; k < len(t.Spans); k++ { // bounded: a parent cycle ends here
		name := t.Spans[i].Name
		if name == "mutation" || strings.HasPrefix(name, "mutation ") {
			return true
		}
		if path, ok := strings.CutPrefix(name, "graphql.resolve "); ok && strings.Contains(path, ".") {
			return false
		}
		parent, ok := t.Parent(i)
		if !ok {
			return false
		}
		i = parent
	}
	return false
}

// serviceRaws are up to maxServiceRaws distinct raw statements of a
// service's spans in the trace.
func serviceRaws(t *traceview.Trace, service string) []string {
	var raws []string
	for i := range t.Spans {
		o := &t.Spans[i]
		if o.Service == service && o.DB != nil && o.DB.Raw != "" && !slices.Contains(raws, o.DB.Raw) {
			if raws = append(raws, o.DB.Raw); len(raws) == maxServiceRaws {
				break
			}
		}
	}
	return raws
}

// graphqlMarker is kept among a service's scopes when its spans show GraphQL.
const graphqlMarker = "\x00graphql"
