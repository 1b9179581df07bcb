package querylensprocessor

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// fragment is the part of one incoming batch that belongs to one trace.
type fragment struct {
	id    pcommon.TraceID
	td    ptrace.Traces
	spans int
	// bytes estimates the memory it takes (tracesBytes); roots are the ids
	// of its local roots (local_subtree).
	bytes int64
	roots []pcommon.SpanID

	// where the last span was moved to, so that spans of one incoming scope
	// land in one destination scope
	fromRS, fromSS int
	toSpans        ptrace.SpanSlice
}

// splitByTrace moves the spans of td into one fragment per trace, in order of
// first appearance, and returns resources that hold no span at all apart (nil
// when there are none); td is left empty. Spans, and whole scopes or resources when
// they hold a single trace, are moved, never copied: only a resource or scope
// shared by several traces is copied, once per trace.
func splitByTrace(td ptrace.Traces) (frags []*fragment, empty *ptrace.Traces) {
	if id, n, single := singleTrace(td); single {
		out := ptrace.NewTraces()
		td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
		if n == 0 {
			if out.ResourceSpans().Len() == 0 {
				return nil, nil
			}
			return nil, &out
		}
		return []*fragment{{id: id, td: out, spans: n}}, nil
	}
	index := map[pcommon.TraceID]*fragment{}
	get := func(id pcommon.TraceID) *fragment {
		f, ok := index[id]
		if !ok {
			f = &fragment{id: id, td: ptrace.NewTraces(), fromRS: -1, fromSS: -1}
			index[id] = f
			frags = append(frags, f)
		}
		return f
	}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		if id, n, single := singleTraceResource(rs); single {
			if n == 0 {
				if empty == nil {
					e := ptrace.NewTraces()
					empty = &e
				}
				rs.MoveTo(empty.ResourceSpans().AppendEmpty())
				continue
			}
			f := get(id)
			f.spans += n
			f.fromRS = -1
			rs.MoveTo(f.td.ResourceSpans().AppendEmpty())
			continue
		}
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				f := get(span.TraceID())
				if f.fromRS != i || f.fromSS != j {
					if f.fromRS != i {
						dst := f.td.ResourceSpans().AppendEmpty()
						rs.Resource().CopyTo(dst.Resource())
						dst.SetSchemaUrl(rs.SchemaUrl())
					}
					rsDst := f.td.ResourceSpans().At(f.td.ResourceSpans().Len() - 1)
					ssDst := rsDst.ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(ssDst.Scope())
					ssDst.SetSchemaUrl(ss.SchemaUrl())
					f.fromRS, f.fromSS, f.toSpans = i, j, ssDst.Spans()
				}
				span.MoveTo(f.toSpans.AppendEmpty())
				f.spans++
			}
		}
	}
	rss.RemoveIf(func(ptrace.ResourceSpans) bool { return true })
	return frags, empty
}

// singleTrace reports whether every span of td has one trace id.
func singleTrace(td ptrace.Traces) (pcommon.TraceID, int, bool) {
	var (
		first pcommon.TraceID
		n     int
	)
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		id, m, single := singleTraceResource(rss.At(i))
		if !single || m > 0 && n > 0 && id != first {
			return first, 0, false
		}
		if m > 0 && n == 0 {
			first = id
		}
		n += m
	}
	return first, n, true
}

func singleTraceResource(rs ptrace.ResourceSpans) (pcommon.TraceID, int, bool) {
	var (
		first pcommon.TraceID
		n     int
	)
	sss := rs.ScopeSpans()
	for j := 0; j < sss.Len(); j++ {
		spans := sss.At(j).Spans()
		for k := 0; k < spans.Len(); k++ {
			id := spans.At(k).TraceID()
			if n > 0 && id != first {
				return first, 0, false
			}
			first = id
			n++
		}
	}
	return first, n, true
}
