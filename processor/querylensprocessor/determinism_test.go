package querylensprocessor

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// TestFindingsDoNotDependOnArrival shuffles every span of the testdata, splits
// them into random batches, and checks that the findings and their ids are the
// same as when the spans arrive as the SDKs exported them: in whole_trace
// within the wait, in local_subtree within the settle (here longer than the
// test: a root that arrives before its children is held until they come).
func TestFindingsDoNotDependOnArrival(t *testing.T) {
	for _, mode := range releaseModes {
		t.Run(mode, func(t *testing.T) {
			testFindingsDoNotDependOnArrival(t, func(c *Config) {
				c.Release, c.WaitDuration, c.SettleDuration = mode, time.Hour, time.Minute
			})
		})
	}
}

func testFindingsDoNotDependOnArrival(t *testing.T, cfg func(*Config)) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	var original []ptrace.Traces
	for _, s := range scenarios {
		original = append(original, s.Fresh()...)
	}
	sink := new(consumertest.TracesSink)
	want := fixtures.Observe(runAll(t, newTestProcessor(t, cfg, sink), sink, original)...)
	if len(want) == 0 {
		t.Fatal("the testdata gave no findings to compare")
	}
	for seed := uint64(1); seed <= 5; seed++ {
		rng := rand.New(rand.NewPCG(seed, seed))
		var spans []ptrace.Traces
		for _, s := range scenarios {
			for _, td := range s.Fresh() {
				spans = append(spans, oneTracesPerSpan(td)...)
			}
		}
		rng.Shuffle(len(spans), func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })
		var batches []ptrace.Traces
		for len(spans) > 0 {
			n := min(1+rng.IntN(40), len(spans))
			batch := ptrace.NewTraces()
			for _, td := range spans[:n] {
				td.ResourceSpans().MoveAndAppendTo(batch.ResourceSpans())
			}
			batches = append(batches, batch)
			spans = spans[n:]
		}
		sink := new(consumertest.TracesSink)
		got := fixtures.Observe(runAll(t, newTestProcessor(t, cfg, sink), sink, batches)...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: findings differ from in-order arrival:\n got %d findings\nwant %d findings", seed, len(got), len(want))
		}
	}
}

// oneTracesPerSpan copies each span of td, with its resource and scope, into
// a ptrace.Traces of its own.
func oneTracesPerSpan(td ptrace.Traces) []ptrace.Traces {
	var out []ptrace.Traces
	fixtures.EachSpanWithScope([]ptrace.Traces{td}, func(r pcommon.Resource, scope pcommon.InstrumentationScope, s ptrace.Span) {
		one := ptrace.NewTraces()
		rs := one.ResourceSpans().AppendEmpty()
		r.CopyTo(rs.Resource())
		ss := rs.ScopeSpans().AppendEmpty()
		scope.CopyTo(ss.Scope())
		s.CopyTo(ss.Spans().AppendEmpty())
		out = append(out, one)
	})
	return out
}
