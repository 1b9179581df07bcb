// Package loadgen replays the testdata traces as new traffic: each trace with
// fresh trace and span ids (parents remapped alike) and timestamps moved to
// now, so that a collector sees many distinct traces of real shapes.
package loadgen

import (
	"encoding/binary"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/internal/traceview/pdataview"
)

// Generator hands out copies of the testdata traces with fresh ids.
type Generator struct {
	traces []ptrace.Traces // one per scenario, its requests merged
	rng    *rand.Rand
}

// New loads the testdata traces; seed makes the sequence reproducible.
func New(seed uint64) (*Generator, error) {
	scenarios, err := fixtures.All()
	if err != nil {
		return nil, err
	}
	g := &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for _, s := range scenarios {
		td := ptrace.NewTraces()
		for _, r := range s.Fresh() {
			r.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
		}
		g.traces = append(g.traces, td)
	}
	return g, nil
}

// Next returns a copy of one testdata trace, chosen at random, with fresh ids
// and its first span starting at now.
func (g *Generator) Next(now time.Time) ptrace.Traces {
	src := g.traces[g.rng.IntN(len(g.traces))]
	td := ptrace.NewTraces()
	src.CopyTo(td)
	return g.Refresh(td, now)
}

// Refresh gives the spans of td, one trace, fresh trace and span ids (parents
// remapped alike) and moves its first span's start to now; it returns td.
func (g *Generator) Refresh(td ptrace.Traces, now time.Time) ptrace.Traces {
	var traceID pcommon.TraceID
	binary.BigEndian.PutUint64(traceID[:8], g.rng.Uint64())
	binary.BigEndian.PutUint64(traceID[8:], g.rng.Uint64())
	ids := map[pcommon.SpanID]pcommon.SpanID{}
	fresh := func(old pcommon.SpanID) pcommon.SpanID {
		if old.IsEmpty() {
			return old
		}
		id, ok := ids[old]
		if !ok {
			binary.BigEndian.PutUint64(id[:], g.rng.Uint64()|1)
			ids[old] = id
		}
		return id
	}
	first := pcommon.Timestamp(0)
	eachSpan(td, func(s ptrace.Span) {
		if first == 0 || s.StartTimestamp() < first {
			first = s.StartTimestamp()
		}
	})
	shift := pcommon.NewTimestampFromTime(now) - first
	eachSpan(td, func(s ptrace.Span) {
		s.SetTraceID(traceID)
		s.SetSpanID(fresh(s.SpanID()))
		s.SetParentSpanID(fresh(s.ParentSpanID()))
		s.SetStartTimestamp(s.StartTimestamp() + shift)
		s.SetEndTimestamp(s.EndTimestamp() + shift)
		for i := 0; i < s.Events().Len(); i++ {
			e := s.Events().At(i)
			e.SetTimestamp(e.Timestamp() + shift)
		}
	})
	return td
}

func eachSpan(td ptrace.Traces, fn func(ptrace.Span)) {
	pdataview.EachSpan(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) { fn(s) })
}
