// Package annotate writes findings into the spans they were found in, with the
// names of the querylens contract (internal/contract, docs/CONTRACT.md).
package annotate

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/traceview"
)

// Write annotates the pdata spans of a trace, given in the order of the view's
// spans (as pdataview.Build returns them): the fingerprint and normalized
// statement on every database span with a statement, one event per finding on
// its anchor, the finding's type and id on every member span, the query
// count of every request root, and that of every query with no parent (a gap).
func Write(t *traceview.Trace, spans []ptrace.Span, res engine.Result) {
	for i := range t.Spans {
		if t.Spans[i].Annotated {
			erase(spans[i])
		}
	}
	for i := range t.Spans {
		if db := t.Spans[i].DB; db != nil && db.Statement != nil {
			attrs := spans[i].Attributes()
			attrs.EnsureCapacity(attrs.Len() + 3) // one allocation, not a doubling
			attrs.PutStr(contract.AttrFingerprint, db.Statement.Fingerprint)
			attrs.PutStr(contract.AttrFingerprintSource, db.Statement.Source)
			attrs.PutStr(contract.AttrStatement, db.Statement.Text)
		}
	}
	for _, r := range res.Requests {
		attrs := spans[r.Span].Attributes()
		attrs.EnsureCapacity(attrs.Len() + 3)
		attrs.PutInt(contract.AttrRequestDBQueries, int64(r.DBQueries))
		attrs.PutDouble(contract.AttrRequestDBDuration, milliseconds(r.DBDuration))
		attrs.PutDouble(contract.AttrRequestDBWallDuration, milliseconds(r.DBWallDuration))
		if root := &t.Spans[r.Span]; r.Route != "" && traceview.Route(root.Kind, root.Name, root.Route) == "" {
			attrs.PutStr(contract.AttrRequestRoute, r.Route) // read from a span below the root
		}
	}
	for _, g := range res.Gaps {
		spans[g.Span].Attributes().PutInt(contract.AttrGapDBQueries, int64(g.Queries))
	}
	findings := res.Findings
	for i := range findings {
		f := &findings[i]
		writeEvent(t, spans[f.Anchor], f)
		for _, m := range f.Members {
			attrs := spans[m].Attributes()
			attrs.PutStr(contract.AttrFindingType, f.Type)
			attrs.PutStr(contract.AttrFindingID, f.ID)
		}
	}
}

func writeEvent(t *traceview.Trace, anchor ptrace.Span, f *detect.Finding) {
	ev := anchor.Events().AppendEmpty()
	ev.SetName(contract.EventFinding)
	ev.SetTimestamp(pcommon.Timestamp(eventTime(t, f)))
	attrs := ev.Attributes()
	attrs.EnsureCapacity(12)
	attrs.PutStr(contract.AttrFindingType, f.Type)
	attrs.PutStr(contract.AttrFindingID, f.ID)
	if f.Problem != "" {
		attrs.PutStr(contract.AttrProblemID, f.Problem)
	}
	attrs.PutStr(contract.AttrFingerprint, f.Fingerprint)
	attrs.PutStr(contract.AttrStatement, f.Statement)
	attrs.PutInt(contract.AttrCount, int64(f.Count))
	attrs.PutDouble(contract.AttrTotalDuration, milliseconds(f.TotalDuration))
	attrs.PutInt(contract.AttrWastedQueries, int64(f.WastedQueries()))
	attrs.PutDouble(contract.AttrWastedDuration, milliseconds(f.WastedDuration))
	attrs.PutStr(contract.AttrSuggestion, f.Suggestion)
	if f.Source != "" {
		attrs.PutStr(contract.AttrFingerprintSource, f.Source)
	}
	if f.ORM != "" {
		attrs.PutStr(contract.AttrORM, f.ORM)
	}
	if f.Route != "" {
		attrs.PutStr(contract.AttrRoute, f.Route)
	}
	if f.ParentMissing {
		attrs.PutBool(contract.AttrParentMissing, true)
	}
	if f.Exception != "" {
		attrs.PutStr(contract.AttrExceptionType, f.Exception)
	}
	if f.Code.Function != "" {
		attrs.PutStr(contract.AttrCodeFunction, f.Code.Function)
	}
	if f.Code.File != "" {
		attrs.PutStr(contract.AttrCodeFile, f.Code.File)
	}
	if f.Code.Line > 0 {
		attrs.PutInt(contract.AttrCodeLine, f.Code.Line)
	}
}

// eventTime is when the trap began: the start of its first member, or of the
// offending span.
func eventTime(t *traceview.Trace, f *detect.Finding) int64 {
	if len(f.Members) > 0 {
		return t.Spans[f.Members[0]].Start
	}
	return t.Spans[f.Anchor].Start
}

func milliseconds(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// erase removes what an earlier pass of querylens wrote into a span, so that a
// trace analyzed twice (two collectors, or `querylens analyze` of annotated
// traces) carries one set of findings.
func erase(s ptrace.Span) {
	s.Events().RemoveIf(func(e ptrace.SpanEvent) bool { return e.Name() == contract.EventFinding })
	attrs := s.Attributes()
	for _, k := range []string{contract.AttrFindingType, contract.AttrFindingID, contract.AttrRequestDBQueries, contract.AttrRequestDBDuration, contract.AttrRequestDBWallDuration, contract.AttrRequestRoute,
		contract.AttrGapDBQueries} {
		attrs.Remove(k)
	}
}
