package querylensprocessor

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// synthTrace builds a request span with n lookups of one author each under it,
// as a GORM handler with an N+1 sends them: trace id t, span ids t.1, t.2, ...
func synthTrace(t byte, n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "bookshop")
	rs.Resource().Attributes().PutStr("telemetry.sdk.language", "go")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("gorm.io/plugin/opentelemetry")
	root := ss.Spans().AppendEmpty()
	root.SetTraceID(traceID(t))
	root.SetSpanID(spanID(t, 0))
	root.SetName("GET /books")
	root.SetKind(ptrace.SpanKindServer)
	root.SetStartTimestamp(1_000_000)
	root.SetEndTimestamp(2_000_000)
	for i := 1; i <= n; i++ {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(traceID(t))
		s.SetSpanID(spanID(t, i))
		s.SetParentSpanID(spanID(t, 0))
		s.SetName("select authors")
		s.SetKind(ptrace.SpanKindClient)
		s.SetStartTimestamp(pcommon.Timestamp(1_000_000 + i*1000))
		s.SetEndTimestamp(pcommon.Timestamp(1_000_000 + i*1000 + 500))
		s.Attributes().PutStr("db.system.name", "postgresql")
		s.Attributes().PutStr("db.query.text", fmt.Sprintf(`SELECT "authors"."id", "authors"."name" FROM "authors" WHERE "authors"."id" = %d LIMIT 1`, i))
	}
	return td
}

func traceID(t byte) pcommon.TraceID { return pcommon.TraceID{15: t, 0: 0xab} }

func spanID(t byte, i int) pcommon.SpanID {
	return pcommon.SpanID{0: t, 5: byte(i >> 16), 6: byte(i >> 8), 7: byte(i)}
}

// spanOf takes the i-th span of a synthTrace out into a ptrace.Traces of its own.
func spanOf(td ptrace.Traces, i int) ptrace.Traces {
	out := ptrace.NewTraces()
	rs := out.ResourceSpans().AppendEmpty()
	td.ResourceSpans().At(0).Resource().CopyTo(rs.Resource())
	ss := rs.ScopeSpans().AppendEmpty()
	td.ResourceSpans().At(0).ScopeSpans().At(0).Scope().CopyTo(ss.Scope())
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(i).CopyTo(ss.Spans().AppendEmpty())
	return out
}
