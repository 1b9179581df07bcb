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
}

// Gaps sums, per service, the gaps the processor annotated
// (querylens.gap.db_queries on a database span with no parent).
type Gaps struct {
	byService map[string]*gapSum
}

type gapSum struct {
	Gap
	ctx suggest.Context
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
				v, ok := spans.At(k).Attributes().Get(contract.AttrGapDBQueries)
				if !ok {
					continue
				}
				g.add(service, suggest.Context{Language: language, Scopes: []string{ss.Scope().Name()}}, int(v.Int()))
			}
		}
	}
}

func (g *Gaps) add(service string, ctx suggest.Context, queries int) {
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
}

// List returns the gaps, the most queries first, with their advice.
func (g *Gaps) List() []Gap {
	out := make([]Gap, 0, len(g.byService))
	for _, s := range g.byService {
		gap := s.Gap
		gap.Advice = suggest.ContextAdvice(s.ctx)
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
		if _, err := fmt.Fprintf(w, "warning: %s: %d database %s in %d %s ran in no request (a query with no parent span): no loop can be seen in %s. %s\n",
			g.Service, g.Queries, plural(g.Queries, "query", "queries"), g.Traces, plural(g.Traces, "trace", "traces"),
			plural(g.Queries, "it", "them"), g.Advice); err != nil {
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
