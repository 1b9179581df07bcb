package querylensprocessor

import (
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// TestBadInputPassesThrough feeds malformed spans: each must come out, none
// may panic, and what can be annotated is.
func TestBadInputPassesThrough(t *testing.T) {
	cases := []struct {
		name   string
		build  func() ptrace.Traces
		verify func(t *testing.T, out []ptrace.Traces)
	}{
		{"empty statement", func() ptrace.Traces {
			return withStatement(synthTrace(1, 6), 3, pcommon.NewValueStr(""))
		}, expectFinding(5)},
		{"1 MB statement", func() ptrace.Traces {
			return withStatement(synthTrace(1, 6), 3, pcommon.NewValueStr("SELECT id FROM authors WHERE id IN ("+strings.Repeat("12345, ", 150_000)+"1)"))
		}, expectFinding(5)},
		{"binary garbage", func() ptrace.Traces {
			return withStatement(synthTrace(1, 6), 3, pcommon.NewValueStr("\x00\x01\xff\xfe\x80 SELECT \x00 ' ((( "))
		}, expectFinding(5)},
		{"invalid UTF-8 in every statement", func() ptrace.Traces {
			td := synthTrace(1, 6)
			for i := 1; i <= 6; i++ {
				td = withStatement(td, i, pcommon.NewValueStr(fmt.Sprintf("SELECT title FROM b\xc3\x28ooks WHERE name = '\xff\xfe%d'", i)))
			}
			return td
		}, func(t *testing.T, out []ptrace.Traces) {
			found := fixtures.Observe(out...)
			if len(found) != 1 || !isValidUTF8(found[0].Statement) {
				t.Errorf("findings %+v", found)
			}
		}},
		{"statement of the wrong type", func() ptrace.Traces {
			td := synthTrace(1, 7)
			v := pcommon.NewValueInt(42)
			td = withStatement(td, 2, v)
			m := pcommon.NewValueMap()
			m.Map().PutStr("sql", "SELECT 1")
			return withStatement(td, 3, m)
		}, expectFinding(5)},
		{"span that is its own parent", func() ptrace.Traces {
			td := synthTrace(1, 6)
			root := spanAt(td, 0)
			root.SetParentSpanID(root.SpanID())
			return td
		}, expectFinding(6)},
		{"parent cycle", func() ptrace.Traces {
			td := synthTrace(1, 6)
			// root's parent is the first lookup, whose parent is root
			spanAt(td, 0).SetParentSpanID(spanAt(td, 1).SpanID())
			return td
		}, func(t *testing.T, out []ptrace.Traces) {}},
		{"zero span and trace ids", func() ptrace.Traces {
			td := synthTrace(0, 6)
			for i := 0; i <= 6; i++ {
				spanAt(td, i).SetSpanID(pcommon.SpanID{})
				spanAt(td, i).SetTraceID(pcommon.TraceID{})
			}
			return td
		}, func(t *testing.T, out []ptrace.Traces) {}},
		{"duplicate span ids", func() ptrace.Traces {
			td := synthTrace(1, 6)
			for i := 1; i <= 6; i++ {
				spanAt(td, i).SetSpanID(spanID(1, 1))
			}
			return td
		}, expectFinding(6)},
		{"empty resources and scopes", func() ptrace.Traces {
			td := synthTrace(1, 5)
			td.ResourceSpans().AppendEmpty()
			td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
			td.ResourceSpans().At(0).Resource().Attributes().Clear()
			return td
		}, func(t *testing.T, out []ptrace.Traces) {
			resources := 0
			for _, td := range out {
				resources += td.ResourceSpans().Len()
			}
			if resources < 3 {
				t.Errorf("empty resources were dropped: %d resources out", resources)
			}
			expectFinding(5)(t, out)
		}},
		{"no spans at all", func() ptrace.Traces { return ptrace.NewTraces() }, func(t *testing.T, out []ptrace.Traces) {}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.build()
			want := fixtures.SpanIDs(in)
			sink := new(consumertest.TracesSink)
			out := runAll(t, newTestProcessor(t, nil, sink), sink, []ptrace.Traces{in})
			if got := fixtures.SpanIDs(out...); !equal(got, want) {
				t.Fatalf("%d spans out, want %d", len(got), len(want))
			}
			c.verify(t, out)
		})
	}
}

func expectFinding(count int) func(*testing.T, []ptrace.Traces) {
	return func(t *testing.T, out []ptrace.Traces) {
		t.Helper()
		found := fixtures.Observe(out...)
		if len(found) != 1 || found[0].Count != count {
			t.Errorf("want one n_plus_one of %d, got %+v", count, found)
		}
		fixtures.EachSpan(out, func(_ pcommon.Resource, s ptrace.Span) {
			if fp, ok := s.Attributes().Get(contract.AttrFingerprint); ok && len(fp.Str()) != 16 {
				t.Errorf("fingerprint %q", fp.Str())
			}
		})
	}
}

func spanAt(td ptrace.Traces, i int) ptrace.Span {
	return td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(i)
}

func withStatement(td ptrace.Traces, i int, v pcommon.Value) ptrace.Traces {
	v.CopyTo(spanAt(td, i).Attributes().PutEmpty("db.query.text"))
	return td
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "") == s }
