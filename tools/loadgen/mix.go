package loadgen

import (
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// DefaultORMShare is the share of traces, by count, that Mix takes from the
// testdata (ORM traps and their fixed twins); the rest is clean traffic.
const DefaultORMShare = 0.3

// Mix interleaves testdata traces (Generator) with clean traffic
// (CleanGenerator).
type Mix struct {
	orm      *Generator
	clean    *CleanGenerator
	rng      *rand.Rand
	ormShare float64

	// Counts of what Next handed out.
	ORMTraces, ORMSpans, CleanTraces, CleanSpans int
}

// NewMix returns a mix of testdata traces, ormShare of the traces, and clean
// traces.
func NewMix(seed uint64, ormShare float64) (*Mix, error) {
	orm, err := New(seed)
	if err != nil {
		return nil, err
	}
	return &Mix{
		orm:      orm,
		clean:    NewClean(seed + 1),
		rng:      rand.New(rand.NewPCG(seed^0xa0761d6478bd642f, seed+0xe7037ed1a0b428db)),
		ormShare: ormShare,
	}, nil
}

// Next returns the next trace, with fresh ids, starting at now.
func (m *Mix) Next(now time.Time) ptrace.Traces {
	if m.rng.Float64() < m.ormShare {
		td := m.orm.Next(now)
		m.ORMTraces++
		m.ORMSpans += td.SpanCount()
		return td
	}
	td := m.clean.Next(now)
	m.CleanTraces++
	m.CleanSpans += td.SpanCount()
	return td
}
