package report

import (
	"fmt"
	"io"
	"sort"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/suggest"
)

// Gap is a service's database queries that ran in no request (a database
// span with no parent: an instrumentation gap), over a whole run.
type Gap struct {
	Service string `json:"service"`
	Queries int    `json:"queries"`
	Traces  int    `json:"traces"`
	// Advice says how the service's ORM gets the request's context.
	Advice string `json:"advice"`
	// Statement is the normalized statement that ran the most of the
	// queries, when it ran a third of them or more, and mostReadMin or more:
	// often a middleware or hook that runs it without the request's context,
	// once a request. StatementQueries is how many ran it.
	Statement        string `json:"statement,omitempty"`
	StatementQueries int    `json:"statement_queries,omitempty"`
}

// One statement names a gap when it ran a third of its queries or more, and
// this many or more.
const mostReadMin = 10

// maxGapStatements bounds the statements counted per service: past it, new
// ones are not counted (a gap of many statements names none anyway).
const maxGapStatements = 256

// Gaps sums, per service, the gaps the processor annotated
// (querylens.gap.db_queries on a database span with no parent).
type Gaps struct {
	byService map[string]*gapSum
}

type gapSum struct {
	Gap
	ctx        suggest.Context
	statements map[string]int // normalized statement -> queries
}

// maxGapServices bounds the services a run keeps gaps of; past it, the
// others are counted under "other".
const maxGapServices = 1000

// Add counts the gaps annotated in td.
func (g *Gaps) Add(td ptrace.Traces) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		attrs := rs.Resource().Attributes()
		service, language := "", ""
		if v, ok := attrs.Get(contract.AttrServiceName); ok {
			service = v.AsString()
		}
		if v, ok := attrs.Get("telemetry.sdk.language"); ok {
			language = v.AsString()
		}
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k).Attributes()
				v, ok := span.Get(contract.AttrGapDBQueries)
				if !ok {
					continue
				}
				statement := ""
				if st, ok := span.Get(contract.AttrStatement); ok {
					statement = st.Str()
				}
				g.add(service, suggest.Context{Language: language, Scopes: []string{ss.Scope().Name()}}, int(v.Int()), statement)
			}
		}
	}
}

func (g *Gaps) add(service string, ctx suggest.Context, queries int, statement string) {
	if g.byService == nil {
		g.byService = map[string]*gapSum{}
	}
	s, ok := g.byService[service]
	if !ok && len(g.byService) >= maxGapServices {
		service, ctx = "other", suggest.Context{}
		s, ok = g.byService[service]
	}
	if !ok {
		s = &gapSum{Gap: Gap{Service: service}, ctx: ctx}
		g.byService[service] = s
	}
	s.Queries += queries
	s.Traces++
	if statement == "" {
		return
	}
	if s.statements == nil {
		s.statements = map[string]int{}
	}
	if _, counted := s.statements[statement]; counted || len(s.statements) < maxGapStatements {
		s.statements[statement] += queries
	}
}

// mostRun is the statement that ran the most of a gap's queries, when it
// ran a third of them or more and mostReadMin or more.
func (s *gapSum) mostRun() (string, int) {
	best, n := "", 0
	for st, c := range s.statements {
		if c > n || c == n && st < best {
			best, n = st, c
		}
	}
	if n < mostReadMin || 3*n < s.Queries {
		return "", 0
	}
	return best, n
}

// List returns the gaps, the most queries first, with their advice.
func (g *Gaps) List() []Gap {
	out := make([]Gap, 0, len(g.byService))
	for _, s := range g.byService {
		gap := s.Gap
		gap.Advice = suggest.ContextAdvice(s.ctx)
		gap.Statement, gap.StatementQueries = s.mostRun()
		out = append(out, gap)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Queries != out[j].Queries {
			return out[i].Queries > out[j].Queries
		}
		return out[i].Service < out[j].Service
	})
	return out
}

// WriteGapWarnings writes one warning per gap.
func WriteGapWarnings(w io.Writer, gaps []Gap) error {
	for _, g := range gaps {
		most := ""
		if g.Statement != "" {
			most = fmt.Sprintf(" %d of them ran one statement, %s: look first at the code that runs it, often a middleware or hook, once a request.",
				g.StatementQueries, g.Statement)
		}
		if _, err := fmt.Fprintf(w, "warning: %s: %d database %s in %d %s ran in no request (a query with no parent span): no loop can be seen in %s.%s %s\n",
			g.Service, g.Queries, plural(g.Queries, "query", "queries"), g.Traces, plural(g.Traces, "trace", "traces"),
			plural(g.Queries, "it", "them"), most, g.Advice); err != nil {
			return err
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
