package loadgen

import (
	"encoding/binary"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// LoopRequest is one large request of a GORM service with an N+1 in it, of
// exactly spans spans (at least 8): a server span, a handler span, the query
// of a list, then, for each item, a rendering span with the query of its
// author under it (the loop), and at the end an HTTP call to another service
// and a commit. It is the page's heavy case: a request of 1,000 spans holds
// a loop of about 500 queries. seed picks the trace and span ids.
func LoopRequest(now time.Time, spans int, seed uint64) ptrace.Traces {
	spans = max(spans, 8)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	res := rs.Resource().Attributes()
	res.PutStr("service.name", "bookshop-gorm-loop")
	res.PutStr("telemetry.sdk.language", "go")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("gorm.io/plugin/opentelemetry/tracing")
	var traceID pcommon.TraceID
	binary.BigEndian.PutUint64(traceID[:8], seed^0x6c6f6f7072657131)
	binary.BigEndian.PutUint64(traceID[8:], seed+1)
	next := uint64(0)
	at := pcommon.NewTimestampFromTime(now)
	add := func(parent pcommon.SpanID, name string, kind ptrace.SpanKind, start, dur time.Duration) ptrace.Span {
		s := ss.Spans().AppendEmpty()
		next++
		var id pcommon.SpanID
		binary.BigEndian.PutUint64(id[:], seed<<20^next|1<<63)
		s.SetTraceID(traceID)
		s.SetSpanID(id)
		s.SetParentSpanID(parent)
		s.SetName(name)
		s.SetKind(kind)
		s.SetStartTimestamp(at + pcommon.Timestamp(start))
		s.SetEndTimestamp(at + pcommon.Timestamp(start+dur))
		return s
	}
	query := func(parent pcommon.SpanID, table, text string, start, dur time.Duration) {
		s := add(parent, "SELECT "+table, ptrace.SpanKindClient, start, dur)
		s.Attributes().PutStr("db.system.name", "postgresql")
		s.Attributes().PutStr("db.query.text", text)
	}
	items := (spans - 6) / 2
	// 40 µs between steps, 120 µs a query: the loop takes most of the time.
	step, q := 40*time.Microsecond, 120*time.Microsecond
	root := add(pcommon.NewSpanIDEmpty(), "GET /books", ptrace.SpanKindServer, 0, 0) // ends below
	root.Attributes().PutStr("http.route", "/books")
	root.Attributes().PutStr("http.request.method", "GET")
	handler := add(root.SpanID(), "handlers.ListBooks", ptrace.SpanKindInternal, step, 0)
	t := 2 * step
	query(handler.SpanID(), "books", "SELECT * FROM books ORDER BY id LIMIT $1", t, 2*q)
	t += 2*q + step
	for i := 0; i < items; i++ {
		item := add(handler.SpanID(), "render book", ptrace.SpanKindInternal, t, q+2*step)
		query(item.SpanID(), "authors", "SELECT * FROM authors WHERE authors.id = $1", t+step, q)
		t += q + 3*step
	}
	// What is left of spans: HTTP calls, then the commit.
	for ss.Spans().Len() < spans-1 {
		call := add(handler.SpanID(), "GET", ptrace.SpanKindClient, t, 2*q)
		call.Attributes().PutStr("http.request.method", "GET")
		call.Attributes().PutStr("url.full", "http://inventory:8080/stock")
		t += 2*q + step
	}
	add(handler.SpanID(), "commit", ptrace.SpanKindInternal, t, step)
	handler.SetEndTimestamp(at + pcommon.Timestamp(t+2*step))
	root.SetEndTimestamp(at + pcommon.Timestamp(t+3*step))
	return td
}
