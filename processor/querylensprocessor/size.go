package querylensprocessor

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// What decoded spans take in memory besides their strings and bytes, per
// object: pdata's structs and slice slots, and the encoded request they were
// decoded from, which their strings point into (TestSizeEstimate measures
// it). The estimate walks the attributes once and reads lengths only: cheap
// beside decoding them, and within some tens of percent of the heap they take.
const (
	spanOverhead      = 160
	attributeOverhead = 20
	eventOverhead     = 64
	linkOverhead      = 80
	resourceOverhead  = 96
)

// tracesBytes estimates the memory td takes once decoded.
func tracesBytes(td ptrace.Traces) int64 {
	n, _ := tracesBytesAndRoots(td, false)
	return n
}

// tracesBytesAndRoots is tracesBytes and, when asked for, the ids of the
// local roots among the spans of td (localRootsIn), in one walk.
func tracesBytesAndRoots(td ptrace.Traces, wantRoots bool) (n int64, roots []pcommon.SpanID) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		n += resourceOverhead + attributesBytes(rs.Resource().Attributes())
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			n += resourceOverhead + int64(len(ss.Scope().Name())+len(ss.Scope().Version())) + attributesBytes(ss.Scope().Attributes())
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				n += spanBytes(span)
				if wantRoots && isLocalRoot(span) {
					roots = append(roots, span.SpanID())
				}
			}
		}
	}
	return n, roots
}

// spanBytes estimates the memory one span takes once decoded.
func spanBytes(s ptrace.Span) int64 {
	n := spanOverhead + int64(len(s.Name())+len(s.TraceState().AsRaw())+len(s.Status().Message()))
	n += attributesBytes(s.Attributes())
	events := s.Events()
	for i := 0; i < events.Len(); i++ {
		e := events.At(i)
		n += eventOverhead + int64(len(e.Name())) + attributesBytes(e.Attributes())
	}
	links := s.Links()
	for i := 0; i < links.Len(); i++ {
		l := links.At(i)
		n += linkOverhead + int64(len(l.TraceState().AsRaw())) + attributesBytes(l.Attributes())
	}
	return n
}

func attributesBytes(m pcommon.Map) int64 {
	var n int64
	for k, v := range m.All() {
		n += attributeOverhead + int64(len(k)) + valueBytes(v)
	}
	return n
}

func valueBytes(v pcommon.Value) int64 {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return int64(len(v.Str()))
	case pcommon.ValueTypeBytes:
		return int64(v.Bytes().Len())
	case pcommon.ValueTypeMap:
		return attributesBytes(v.Map())
	case pcommon.ValueTypeSlice:
		var n int64
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			n += attributeOverhead + valueBytes(s.At(i))
		}
		return n
	}
	return 0
}
