package querylensprocessor

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// benchRequest is one request of a busy service: a server span and dbSpans
// database spans over ten statements with placeholders (ten N+1s), each with
// the attributes a current instrumentation records.
func benchRequest(trace int, dbSpans int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop")
	rs.Resource().Attributes().PutStr("telemetry.sdk.language", "go")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("gorm.io/plugin/opentelemetry")
	root := ss.Spans().AppendEmpty()
	root.SetTraceID(pcommon.TraceID{0xbe, byte(trace >> 24), byte(trace >> 16), byte(trace >> 8), byte(trace)})
	root.SetSpanID(pcommon.SpanID{0xff})
	root.SetName("GET /books")
	root.SetKind(ptrace.SpanKindServer)
	root.SetStartTimestamp(1)
	root.SetEndTimestamp(pcommon.Timestamp(dbSpans*1000 + 10))
	root.Attributes().PutStr("http.route", "/books")
	for i := 0; i < dbSpans; i++ {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(root.TraceID())
		s.SetSpanID(pcommon.SpanID{byte(i >> 8), byte(i), 1})
		s.SetParentSpanID(root.SpanID())
		s.SetName("select table")
		s.SetKind(ptrace.SpanKindClient)
		s.SetStartTimestamp(pcommon.Timestamp(i*1000 + 2))
		s.SetEndTimestamp(pcommon.Timestamp(i*1000 + 500))
		a := s.Attributes()
		a.PutStr("db.system.name", "postgresql")
		a.PutStr("db.query.text", fmt.Sprintf(`SELECT "t%d"."id", "t%d"."name" FROM "t%d" WHERE "t%d"."parent_id" = $1`, i%10, i%10, i%10, i%10))
		a.PutStr("db.operation.name", "SELECT")
		a.PutStr("db.collection.name", fmt.Sprintf("t%d", i%10))
		a.PutStr("server.address", "db.internal")
	}
	return td
}

// BenchmarkAnalyze measures the engine on the hot path: index a trace, detect
// and annotate it, on a warm statement cache. ns/op and allocs/op are per
// database span.
func BenchmarkAnalyze(b *testing.B) {
	const dbSpans = 200
	p := newTestProcessor(b, nil, new(consumertest.TracesSink))
	p.analyze(benchRequest(0, dbSpans)) // warm the statement cache
	const batch = 64
	traces := make([]ptrace.Traces, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		b.StopTimer()
		for k := range traces {
			traces[k] = benchRequest(k, dbSpans)
		}
		b.StartTimer()
		for k := 0; k < batch && i+k < b.N; k++ {
			p.analyze(traces[k])
		}
	}
	b.StopTimer()
	perSpan := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / dbSpans
	b.ReportMetric(perSpan, "ns/dbspan")
	b.ReportMetric(1e9/perSpan, "dbspans/s")
}

// BenchmarkConsumeTraces measures the processor as the collector runs it:
// requests of spans of many traces in, split by trace, buffered, released
// when full, analyzed, annotated and passed on.
func BenchmarkConsumeTraces(b *testing.B) {
	p := newTestProcessor(b, func(c *Config) { c.NumTraces = 256 }, nil)
	p.delivery.next = consumertest.NewNop()
	ctx := context.Background()
	const batch = 64
	reqs := make([]ptrace.Traces, batch)
	spans := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		b.StopTimer()
		for k := range reqs {
			reqs[k] = benchRequest(i+k, 50)
		}
		b.StartTimer()
		for k := 0; k < batch && i+k < b.N; k++ {
			spans += reqs[k].SpanCount()
			_ = p.ConsumeTraces(ctx, reqs[k])
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(spans), "ns/span")
	_ = p.Shutdown(ctx)
}

// BenchmarkAnalyzeClean is the hot path of healthy traffic: 200 database
// spans of 200 different statements (warm in the cache), no finding. Two
// allocations per span are pdata's, one per attribute value the contract
// writes on every database span (querylens.fingerprint and its source); the
// rest, about 0.7 per span, is the engine's per-trace bookkeeping.
func BenchmarkAnalyzeClean(b *testing.B) {
	const dbSpans = 200
	clean := func(trace int) ptrace.Traces {
		td := benchRequest(trace, dbSpans)
		spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		for i := 1; i < spans.Len(); i++ {
			spans.At(i).Attributes().PutStr("db.query.text", fmt.Sprintf(`SELECT "t%d"."id", "t%d"."name" FROM "t%d" WHERE "t%d"."parent_id" = $1`, i, i, i, i))
		}
		return td
	}
	p := newTestProcessor(b, nil, new(consumertest.TracesSink))
	p.analyze(clean(0))
	const batch = 64
	traces := make([]ptrace.Traces, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		b.StopTimer()
		for k := range traces {
			traces[k] = clean(k)
		}
		b.StartTimer()
		for k := 0; k < batch && i+k < b.N; k++ {
			p.analyze(traces[k])
		}
	}
	b.StopTimer()
	perSpan := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / dbSpans
	b.ReportMetric(perSpan, "ns/dbspan")
	b.ReportMetric(1e9/perSpan, "dbspans/s")
}
