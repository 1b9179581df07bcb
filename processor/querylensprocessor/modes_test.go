package querylensprocessor

import (
	"context"
	"sort"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// TestBothModesAnnotateAlike passes every testdata trace, as its SDK exported
// it, through the processor in each release mode: local_subtree analyzes each
// request apart as soon as it is complete, whole_trace the trace at once, and
// every span must come out with the same annotations, to the finding id, the
// request counts and the suggestion.
func TestBothModesAnnotateAlike(t *testing.T) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, mode := range releaseModes {
		var in []ptrace.Traces
		for _, s := range scenarios {
			in = append(in, s.Fresh()...)
		}
		sink := new(consumertest.TracesSink)
		p := newTestProcessor(t, inMode(mode), sink)
		if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, td := range in {
			total += td.SpanCount()
			if err := p.ConsumeTraces(context.Background(), td); err != nil {
				t.Fatal(err)
			}
		}
		if mode == ReleaseLocalSubtree {
			// Each request leaves once its local root settled; only those
			// whose root is missing from the testdata wait for the stop.
			waitFor(t, func() bool { return settledAll(p) })
			t.Logf("%s: %d of %d spans released before the stop", mode, sink.SpanCount(), total)
		}
		if err := p.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		got[mode] = annotations(sink.AllTraces())
	}
	subtree, whole := got[ReleaseLocalSubtree], got[ReleaseWholeTrace]
	if len(subtree) != len(whole) {
		t.Fatalf("%d spans out in %s, %d in %s", len(subtree), ReleaseLocalSubtree, len(whole), ReleaseWholeTrace)
	}
	differ, findings := 0, 0
	for i := range whole {
		findings += strings.Count(whole[i], "event ")
		if subtree[i] != whole[i] {
			differ++
			if differ <= 5 {
				t.Errorf("span annotated differently:\n  %s: %s\n  %s: %s", ReleaseLocalSubtree, subtree[i], ReleaseWholeTrace, whole[i])
			}
		}
	}
	if findings == 0 {
		t.Fatal("no finding to compare")
	}
	t.Logf("%d scenarios, %d spans, %d findings; %d spans annotated differently", len(scenarios), len(whole), findings, differ)
}

// settledAll reports whether every local root held has settled and been
// released, and nothing is being analyzed or delivered.
func settledAll(p *querylensProcessor) bool {
	b := p.buffer
	b.mu.Lock()
	defer b.mu.Unlock()
	var buffered int64
	for _, t := range b.traces.Values() {
		buffered += t.bytes
		if len(t.roots) > 0 {
			return false
		}
	}
	return b.head == len(b.settling) && b.held.Load() == buffered
}

// annotations describes what querylens wrote on each span of tds, one line
// per span, sorted: its querylens attributes and finding events.
func annotations(tds []ptrace.Traces) []string {
	var out []string
	fixtures.EachSpan(tds, func(_ pcommon.Resource, s ptrace.Span) {
		var parts []string
		for k, v := range s.Attributes().All() {
			if strings.HasPrefix(k, "querylens.") {
				parts = append(parts, k+"="+v.AsString())
			}
		}
		sort.Strings(parts)
		for i := 0; i < s.Events().Len(); i++ {
			e := s.Events().At(i)
			var attrs []string
			for k, v := range e.Attributes().All() {
				attrs = append(attrs, k+"="+v.AsString())
			}
			sort.Strings(attrs)
			parts = append(parts, "event "+e.Name()+" {"+strings.Join(attrs, " ")+"}")
		}
		out = append(out, s.TraceID().String()+"/"+s.SpanID().String()+" "+s.Name()+": "+strings.Join(parts, " "))
	})
	sort.Strings(out)
	return out
}
