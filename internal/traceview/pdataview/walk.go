package pdataview

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// EachSpan calls fn with every span of td, in order, with its resource and
// its instrumentation scope.
func EachSpan(td ptrace.Traces, fn func(res pcommon.Resource, scope pcommon.InstrumentationScope, s ptrace.Span)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				fn(rs.Resource(), ss.Scope(), spans.At(k))
			}
		}
	}
}
