package hostile

import (
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Trace is one request of a case: its database calls repeat the case's
// statement (an N+1, so that a finding carries it), and the canary is also
// in the service name, the root's name (no http.route, so the page shows the
// name: the statement itself, or a path with the canary's number), a code
// location and a call that records only a summary.
func Trace(c Case, canary Canary, id byte) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop-"+c.System+" '"+canary.Text+"' #"+canary.Text)
	rs.Resource().Attributes().PutStr("telemetry.sdk.language", "go")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("hostile")
	spans := ss.Spans()
	trace := pcommon.TraceID{0x40, id, 1}
	root := spans.AppendEmpty()
	root.SetTraceID(trace)
	root.SetSpanID(pcommon.SpanID{0x40, id, 1})
	root.SetKind(ptrace.SpanKindServer)
	root.SetName(c.Statement)
	if c.Bare { // a bare word is a value in its system's syntax only, not in a name
		root.SetName("GET /hostile/" + strconv.FormatUint(canary.Number, 10))
	}
	const ms = 1_000_000
	start := pcommon.Timestamp(1_800_000_000_000_000_000)
	root.SetStartTimestamp(start)
	root.SetEndTimestamp(start + 90*ms)
	for i := 0; i < 6; i++ {
		s := spans.AppendEmpty()
		s.SetTraceID(trace)
		s.SetSpanID(pcommon.SpanID{0x40, id, 2, byte(i)})
		s.SetParentSpanID(root.SpanID())
		s.SetKind(ptrace.SpanKindClient)
		s.SetName("query")
		s.SetStartTimestamp(start + pcommon.Timestamp(2+i)*ms)
		s.SetEndTimestamp(start + pcommon.Timestamp(2+i)*ms + ms/2)
		s.Attributes().PutStr("db.system.name", c.System)
		s.Attributes().PutStr("db.query.text", c.Statement)
		s.Attributes().PutStr("code.function.name", "load '"+canary.Text+"'")
		s.Attributes().PutStr("code.file.path", "/app/db.go")
	}
	summary := spans.AppendEmpty() // a call that records no statement
	summary.SetTraceID(trace)
	summary.SetSpanID(pcommon.SpanID{0x40, id, 3})
	summary.SetParentSpanID(root.SpanID())
	summary.SetKind(ptrace.SpanKindClient)
	summary.SetName("summary")
	summary.SetStartTimestamp(start + 60*ms)
	summary.SetEndTimestamp(start + 61*ms)
	summary.Attributes().PutStr("db.system.name", c.System)
	summary.Attributes().PutStr("db.query.summary", "SELECT books WHERE '"+canary.Text+"'")
	return td
}
