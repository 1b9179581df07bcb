package querylensprocessor

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/querylens/querylens/internal/annotate"
	"github.com/querylens/querylens/internal/traceview"
	"github.com/querylens/querylens/internal/traceview/pdataview"
)

// release analyzes and annotates the traces the buffer handed over and sends
// what is due downstream in one batch. In local_subtree, a trace handed over
// because a local root settled releases the subtrees whose root settled; its
// other spans go back to the buffer.
func (p *querylensProcessor) release(traces []*pendingTrace) {
	out := batch{td: ptrace.NewTraces()}
	var arrivals []time.Time
	for len(traces) > 0 {
		t := traces[0]
		traces = traces[1:]
		spans, bytes, back := p.releaseTrace(t, out.td, &arrivals)
		out.spans += spans
		out.bytes += bytes
		traces = append(traces, back...)
	}
	// A request has left when it goes downstream, its batch analyzed.
	now := time.Now()
	for _, at := range arrivals {
		p.tel.releaseDelay.Record(context.Background(), now.Sub(at).Seconds())
	}
	if out.td.ResourceSpans().Len() > 0 {
		p.delivery.deliver(out)
	}
}

// releaseTrace moves the spans of t that are due, analyzed, into out, notes
// in arrivals when each request released had its local root arrive (its trace
// its first span, in whole_trace), and returns the spans and bytes moved and
// the traces the buffer handed back to release (the rest of t when its wait
// ended meanwhile, an oldest trace when it was full).
func (p *querylensProcessor) releaseTrace(t *pendingTrace, out ptrace.Traces, arrivals *[]time.Time) (spans int, bytes int64, back []*pendingTrace) {
	p.buffer.begin(t)
	now := time.Now()
	var keep map[ptrace.Span]struct{}
	if p.subtrees {
		keep = p.analyzeSubtrees(t, now, arrivals)
	} else {
		p.analyze(t.td)
		*arrivals = append(*arrivals, t.deadline.Add(-p.wait))
	}
	if len(keep) == 0 {
		t.td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
		spans, bytes = t.spans, t.bytes
		return spans, bytes, p.buffer.finish(t, nil, now)
	}
	rest := &pendingTrace{id: t.id, td: ptrace.NewTraces(), deadline: t.deadline}
	moveSpans(t.td, rest.td, func(s ptrace.Span) bool { _, ok := keep[s]; return ok })
	rest.spans, rest.bytes = len(keep), min(tracesBytes(rest.td), t.bytes)
	for _, r := range t.roots {
		if r.settled.After(now) {
			rest.roots = append(rest.roots, r)
		}
	}
	t.td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	// Counted before finish, which adds to rest the spans that came meanwhile.
	spans, bytes = t.spans-rest.spans, t.bytes-rest.bytes
	return spans, bytes, p.buffer.finish(t, rest, now)
}

// analyzeSubtrees analyzes each local subtree of t that is due — all of them
// when t is released whole, else those whose local root settled — and returns
// the spans of the others, which stay. A failure of the analysis releases the
// spans unannotated.
func (p *querylensProcessor) analyzeSubtrees(t *pendingTrace, now time.Time, arrivals *[]time.Time) (keep map[ptrace.Span]struct{}) {
	defer func() {
		if r := recover(); r != nil {
			keep = nil
			p.logger.Error("analysis failed; spans released unannotated", zap.String("panic", fmt.Sprint(r)),
				zap.Int("spans", t.spans), zap.Stack("stack"))
		}
	}()
	start := time.Now()
	scratch := scratches.Get().(*analysisScratch)
	defer scratch.release()
	// The spans' attributes are read once they are known to be analyzed now:
	// those of a request whose local root has not settled wait for a later
	// release, which reads them then.
	view, handles := scratch.build.Structure(t.td)
	subtrees := localSubtrees(view, handles, &scratch.subtrees)
	ctx := context.Background()
	var left []pcommon.SpanID // the local roots of the requests released
	allDue := true
	for k := range subtrees {
		st := &subtrees[k]
		st.due = t.fullyDue()
		if st.complete {
			var settled bool
			st.arrived, settled = rootArrival(t.roots, view.Spans[st.root].ID, now)
			st.due = st.due || settled
		}
		allDue = allDue && st.due
	}
	// Every subtree due (the common case): the view is analyzed whole, as
	// whole_trace analyzes it, which finds the same (no finding spans two
	// requests: TestBothModesAnnotateAlike), without a view per subtree.
	if allDue {
		scratch.build.Read(p.norm, nil)
		p.analyzeView(view, handles, start)
	} else {
		scratch.due = scratch.due[:0]
		for _, st := range subtrees {
			if st.due {
				scratch.due = append(scratch.due, st.spans...)
			}
		}
		scratch.build.Read(p.norm, scratch.due)
	}
	for _, st := range subtrees {
		if !st.due {
			if keep == nil {
				keep = map[ptrace.Span]struct{}{}
			}
			for _, i := range st.spans {
				keep[handles[i]] = struct{}{}
			}
			continue
		}
		if !allDue {
			sub, subHandles := scratch.sub.Subview(view, handles, st.spans)
			p.analyzeView(sub, subHandles, start)
			scratch.sub.Release()
		}
		switch {
		case !st.complete:
			p.tel.spansIncomplete.Add(ctx, int64(len(st.spans)), incompleteReason(t.reason))
		case !st.arrived.IsZero():
			*arrivals = append(*arrivals, st.arrived)
		}
		if st.complete {
			left = append(left, pcommon.SpanID(view.Spans[st.root].ID))
		}
	}
	p.buffer.requestsLeft(t.id, left)
	return keep
}

// rootArrival finds the local root id among roots: when it arrived, and
// whether it settled by now. A root not found counts as settled.
func rootArrival(roots []localRoot, id traceview.SpanID, now time.Time) (arrived time.Time, settled bool) {
	for _, r := range roots {
		if traceview.SpanID(r.id) == id {
			return r.arrived, !r.settled.After(now)
		}
	}
	return time.Time{}, true
}

// analysisScratch is the memory of the views of one trace, reused for the
// next: a view per trace is most of what analysis allocates.
type analysisScratch struct {
	build, sub pdataview.Scratch
	subtrees   subtreeScratch
	due        []int // the view indexes of the spans of due subtrees
}

var scratches = sync.Pool{New: func() any { return new(analysisScratch) }}

// release puts s back in the pool, holding nothing of the trace.
func (s *analysisScratch) release() {
	s.build.Release()
	s.sub.Release()
	scratches.Put(s)
}

// analyze finds the traps in one trace and writes them into its spans. A bug in
// analysis must not cost the spans: it is logged and the spans go on.
func (p *querylensProcessor) analyze(td ptrace.Traces) {
	defer func() {
		if r := recover(); r != nil {
			p.logger.Error("analysis failed; spans released unannotated", zap.String("panic", fmt.Sprint(r)),
				zap.Int("spans", td.SpanCount()), zap.Stack("stack"))
		}
	}()
	start := time.Now()
	scratch := scratches.Get().(*analysisScratch)
	defer scratch.release()
	view, spans := scratch.build.Build(td, p.norm)
	p.analyzeView(view, spans, start)
}

// analyzeView runs the engine on a view, writes the results into its pdata
// spans, records them on the findings page and counts and logs the findings.
func (p *querylensProcessor) analyzeView(view *traceview.Trace, spans []ptrace.Span, start time.Time) {
	res := p.engine.Analyze(view)
	annotate.Write(view, spans, res)
	if p.page != nil {
		p.page.RecordTrace(view, res, start)
	}
	ctx := context.Background()
	p.tel.analysisTime.Record(ctx, time.Since(start).Seconds())
	for i := range res.Findings {
		f := &res.Findings[i]
		p.tel.findings.Add(ctx, 1, findingType(f.Type))
		p.findingLines.write(view, f)
	}
	p.gapLines.add(res.Gaps)
}

// moveSpans moves the spans of from for which take is true into to, with
// their resource and scope; a scope whose spans all move moves whole, and so
// does a resource.
func moveSpans(from, to ptrace.Traces, take func(ptrace.Span) bool) {
	rss := from.ResourceSpans()
	var emptied []bool // per resource of from: every scope moved
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		var dst ptrace.ResourceSpans
		sss := rs.ScopeSpans()
		moved := make([]bool, sss.Len())
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			taken := make([]bool, spans.Len())
			n := 0
			for k := range taken {
				if taken[k] = take(spans.At(k)); taken[k] {
					n++
				}
			}
			if n == 0 {
				continue
			}
			if dst == (ptrace.ResourceSpans{}) {
				dst = to.ResourceSpans().AppendEmpty()
				rs.Resource().CopyTo(dst.Resource())
				dst.SetSchemaUrl(rs.SchemaUrl())
			}
			if n == spans.Len() {
				ss.MoveTo(dst.ScopeSpans().AppendEmpty())
				moved[j] = true
				continue
			}
			dss := dst.ScopeSpans().AppendEmpty()
			ss.Scope().CopyTo(dss.Scope())
			dss.SetSchemaUrl(ss.SchemaUrl())
			for k, t := range taken {
				if t {
					spans.At(k).MoveTo(dss.Spans().AppendEmpty())
				}
			}
			removeWhere(spans.RemoveIf, taken)
		}
		removeWhere(sss.RemoveIf, moved)
		emptied = append(emptied, sss.Len() == 0 && len(moved) > 0)
	}
	removeWhere(rss.RemoveIf, emptied)
}

// removeWhere removes the elements of a pdata slice whose index is marked.
func removeWhere[T any](removeIf func(func(T) bool), marked []bool) {
	i := 0
	removeIf(func(T) bool {
		i++
		return marked[i-1]
	})
}
