// Package report reads the findings back out of annotated traces and writes
// them as a table, JSON or SARIF, for the command-line tool and the tests.
package report

import (
	"sort"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/annotate"
	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// Finding is one finding as the processor wrote it into a trace.
type Finding struct {
	TraceID string `json:"trace_id"`
	SpanID  string `json:"span_id"`
	Type    string `json:"type"`
	ID      string `json:"id"`
	// Problem is the signature of the problem the finding is one occurrence
	// of (querylens.problem.id).
	Problem       string  `json:"problem_id"`
	Service       string  `json:"service"`
	Route         string  `json:"route,omitempty"`
	Anchor        string  `json:"anchor_span"`
	Count         int     `json:"count"`
	WastedQueries int     `json:"wasted_queries"`
	DurationMs    float64 `json:"total_duration_ms"`
	// WastedMs is the time a fix saves: the duration of the repeats it removes.
	WastedMs    float64 `json:"wasted_ms"`
	Fingerprint string  `json:"fingerprint"`
	// FingerprintSource is "summary" or "operation" when the spans record no
	// statement and the fingerprint is of their summary.
	FingerprintSource string `json:"fingerprint_source,omitempty"`
	Statement         string `json:"statement"`
	Suggestion        string `json:"suggestion"`
	ORM               string `json:"orm,omitempty"`
	// Exception is the class of the ORM exception a lazy_load_out_of_scope
	// rests on.
	Exception     string `json:"exception_type,omitempty"`
	ParentMissing bool   `json:"parent_missing,omitempty"`
	Code          *Code  `json:"code,omitempty"`
	// Time is when the trap began: the event's time, the start of its first
	// repeat or of the offending span.
	Time time.Time `json:"time"`
}

// Code is where in the code a finding is.
type Code struct {
	Function string `json:"function,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int64  `json:"line,omitempty"`
}

// maxStatement bounds a statement read back from a finding event. What
// querylens wrote went through the last gate already; a trace annotated
// elsewhere goes through it here, before it is printed.
const maxStatement = 16 << 10

// Read returns the findings written into td, in the order of their spans.
func Read(td ptrace.Traces) []Finding {
	var out []Finding
	eachSpan(td, func(service string, s ptrace.Span) {
		for e := 0; e < s.Events().Len(); e++ {
			if ev := s.Events().At(e); ev.Name() == contract.EventFinding {
				f := fromEvent(service, s, ev.Attributes())
				if ts := ev.Timestamp(); ts != 0 {
					f.Time = ts.AsTime().UTC()
				}
				out = append(out, f)
			}
		}
	})
	return out
}

// eachSpan calls f with every span of td and its resource's service.name.
func eachSpan(td ptrace.Traces, f func(service string, s ptrace.Span)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		service := ""
		if v, ok := rs.Resource().Attributes().Get("service.name"); ok {
			service = sqlnorm.SafeName(v.AsString())
		}
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			spans := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				f(service, spans.At(k))
			}
		}
	}
}

func fromEvent(service string, s ptrace.Span, a pcommon.Map) Finding {
	f := Finding{
		TraceID:           s.TraceID().String(),
		SpanID:            s.SpanID().String(),
		Service:           service,
		Anchor:            sqlnorm.SafeName(s.Name()),
		Type:              str(a, contract.AttrFindingType),
		ID:                str(a, contract.AttrFindingID),
		Route:             sqlnorm.SafeName(str(a, contract.AttrRoute)),
		Fingerprint:       sqlnorm.SafeFingerprint(str(a, contract.AttrFingerprint)),
		Statement:         sqlnorm.SafeText(str(a, contract.AttrStatement), maxStatement),
		FingerprintSource: str(a, contract.AttrFingerprintSource),
		Suggestion:        str(a, contract.AttrSuggestion),
		ORM:               str(a, contract.AttrORM),
		Exception:         str(a, contract.AttrExceptionType),
		Count:             int(num(a, contract.AttrCount)),
		DurationMs:        num(a, contract.AttrTotalDuration),
	}
	f.Problem = str(a, contract.AttrProblemID)
	if f.Problem == "" { // annotated before querylens wrote it
		f.Problem = detect.ProblemID(f.Type, f.Service, f.Route, f.Fingerprint)
	}
	f.WastedQueries = int(num(a, contract.AttrWastedQueries))
	if v, ok := a.Get(contract.AttrWastedDuration); ok {
		f.WastedMs = v.Double()
	} else if f.Count > 0 { // annotated before querylens wrote it: an estimate
		f.WastedMs = f.DurationMs * float64(f.WastedQueries) / float64(f.Count)
	}
	if v, ok := a.Get(contract.AttrParentMissing); ok {
		f.ParentMissing = v.Bool()
	}
	if fn, file, line := sqlnorm.SafeName(str(a, contract.AttrCodeFunction)), sqlnorm.SafeName(str(a, contract.AttrCodeFile)),
		int64(num(a, contract.AttrCodeLine)); fn != "" || file != "" {
		f.Code = &Code{Function: fn, File: file, Line: line}
	}
	return f
}

func str(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok {
		return v.AsString()
	}
	return ""
}

func num(m pcommon.Map, k string) float64 {
	if v, ok := m.Get(k); ok {
		n, _ := annotate.Number(v)
		return n
	}
	return 0
}

// Sort orders findings by trace, then type in precedence order (the group
// findings first), then span.
func Sort(findings []Finding) {
	rank := map[string]int{}
	for i, t := range detect.Types {
		rank[t] = i
	}
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if a.TraceID != b.TraceID {
			return a.TraceID < b.TraceID
		}
		if rank[a.Type] != rank[b.Type] {
			return rank[a.Type] < rank[b.Type]
		}
		return a.SpanID < b.SpanID
	})
}
