package livepage

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/internal/traceview"
	"github.com/querylens/querylens/internal/traceview/pdataview"
)

// analyzer analyzes traces as the processor does before it hands them to the
// page, with one normalizer cache of cacheEntries kept between the traces.
func analyzer(tb testing.TB, cacheEntries int) func(ptrace.Traces) (*traceview.Trace, engine.Result) {
	tb.Helper()
	norm, _ := sqlnorm.NewCache(cacheEntries, 16<<10)
	e, err := engine.New(detect.DefaultConfig(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return func(td ptrace.Traces) (*traceview.Trace, engine.Result) {
		view, _ := pdataview.Build(td, norm)
		return view, e.Analyze(view)
	}
}

// analyzed is one trace as the processor hands it to the page.
func analyzed(tb testing.TB, td ptrace.Traces) (*traceview.Trace, engine.Result) {
	tb.Helper()
	return analyzer(tb, 1000)(td)
}

// freshTrace is a scenario's requests, with fresh ids, in one ptrace.Traces.
func freshTrace(s fixtures.Scenario) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, r := range s.Fresh() {
		r.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
	return td
}

// scenario is the testdata trace named source/name, with fresh ids.
func scenario(t *testing.T, name string) ptrace.Traces {
	t.Helper()
	all, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Source+"/"+s.Name == name {
			return freshTrace(s)
		}
	}
	t.Fatalf("no scenario %s", name)
	return ptrace.Traces{}
}

// testdataRequests are the requests of every testdata trace, analyzed as the
// processor would, the i-th trace's at now + i seconds.
func testdataRequests(tb testing.TB, now time.Time) ([][]Request, []fixtures.Scenario) {
	tb.Helper()
	scenarios, err := fixtures.All()
	if err != nil {
		tb.Fatal(err)
	}
	analyze := analyzer(tb, 1000)
	var out [][]Request
	for i, s := range scenarios {
		view, res := analyze(freshTrace(s))
		out = append(out, FromAnalysis(view, res, now.Add(time.Duration(i)*time.Second)))
	}
	return out, scenarios
}

// testStore records every testdata trace.
func testStore(t *testing.T, max int) (*Store, []fixtures.Scenario) {
	t.Helper()
	records, scenarios := testdataRequests(t, time.Unix(1_800_000_000, 0))
	store := NewStore(max, 64<<20)
	for _, r := range records {
		store.Record(r)
	}
	return store, scenarios
}
