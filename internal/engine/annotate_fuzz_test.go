package engine_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/annotate"
	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/report"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/internal/traceview"
	"github.com/querylens/querylens/internal/traceview/pdataview"
)

// toPdata writes generated spans as one OTLP request: a resource per service,
// a scope per instrumentation, the attributes of either semantic convention.
func toPdata(spans []traceview.Span, r *fuzzBytes) ptrace.Traces {
	td := ptrace.NewTraces()
	resources := map[string]ptrace.ResourceSpans{}
	scopes := map[string]ptrace.ScopeSpans{}
	for i := range spans {
		s := &spans[i]
		rs, ok := resources[s.Service]
		if !ok {
			rs = td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", s.Service)
			rs.Resource().Attributes().PutStr("telemetry.sdk.language", s.Language)
			resources[s.Service] = rs
		}
		ss, ok := scopes[s.Service+"\x00"+s.Scope]
		if !ok {
			ss = rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName(s.Scope)
			scopes[s.Service+"\x00"+s.Scope] = ss
		}
		p := ss.Spans().AppendEmpty()
		p.SetTraceID(pcommon.TraceID{1})
		p.SetSpanID(pcommon.SpanID(s.ID))
		p.SetParentSpanID(pcommon.SpanID(s.ParentID))
		p.SetName(s.Name)
		p.SetKind(ptrace.SpanKind(s.Kind))
		p.SetStartTimestamp(pcommon.Timestamp(s.Start))
		p.SetEndTimestamp(pcommon.Timestamp(s.End))
		a := p.Attributes()
		if s.Route != "" {
			a.PutStr("http.route", s.Route)
		}
		if s.Code.Function != "" {
			a.PutStr("code.function.name", s.Code.Function)
			a.PutStr("code.filepath", s.Code.File)
			a.PutInt("code.lineno", s.Code.Line)
		}
		if db := s.DB; db != nil {
			if r.intn(2) == 0 {
				a.PutStr("db.system.name", db.System)
				a.PutStr("db.query.text", db.Raw)
			} else {
				a.PutStr("db.system", db.System)
				a.PutStr("db.statement", db.Raw)
			}
			for k, v := range db.Values {
				a.PutStr("db.query.parameter."+k, v)
			}
			if db.ReturnedRows >= 0 {
				a.PutInt("db.response.returned_rows", db.ReturnedRows)
			}
		}
		if h := s.HTTP; h != nil {
			a.PutStr("http.request.method", h.Method)
			a.PutStr("url.full", "http://pricing:8080/books/"+strconv.Itoa(r.intn(20))+"?page="+strconv.Itoa(r.intn(3)))
		}
	}
	return td
}

// mutate changes a real trace the way a lossy pipeline or an odd SDK could:
// spans reparented (to themselves, to a missing or a later span), sent twice,
// dropped, renumbered, retimed; statements, kinds and HTTP calls rewritten;
// stale querylens annotations; attributes of unexpected types.
func mutate(td ptrace.Traces, r *fuzzBytes) {
	var spans []ptrace.Span
	var owners []ptrace.SpanSlice
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ps := sss.At(j).Spans()
			for k := 0; k < ps.Len(); k++ {
				spans = append(spans, ps.At(k))
				owners = append(owners, ps)
			}
		}
	}
	if len(spans) == 0 {
		return
	}
	pick := func() int { return int(r.byte())<<8 | int(r.byte()) }
	anyID := func() pcommon.SpanID {
		switch r.intn(4) {
		case 0:
			return pcommon.SpanID{}
		case 1:
			return pcommon.SpanID{0xee, r.byte()}
		}
		return spans[pick()%len(spans)].SpanID()
	}
	drop := false
	for ops := 0; r.more() && ops < 64; ops++ {
		i := pick() % len(spans)
		s := spans[i]
		a := s.Attributes()
		switch r.intn(12) {
		case 0:
			s.SetParentSpanID(anyID())
		case 1:
			s.SetParentSpanID(s.SpanID())
		case 2: // sent twice
			dup := owners[i].AppendEmpty()
			s.CopyTo(dup)
			if r.intn(2) == 0 {
				dup.SetStartTimestamp(s.StartTimestamp() + pcommon.Timestamp(r.intn(3)))
			}
		case 3:
			a.PutBool("fuzz.drop", true)
			drop = true
		case 4: // a statement of its own
			tmpl := dbTemplates[r.intn(len(dbTemplates))]
			a.PutStr("db.system.name", tmpl.system)
			switch r.intn(6) {
			case 0:
				a.PutStr("db.query.text", r.str(64))
			case 1: // no statement, a summary or an operation on a collection
				a.Remove("db.query.text")
				a.Remove("db.statement")
				a.PutStr([]string{"db.query.summary", "db.operation.name", "db.collection.name"}[r.intn(3)],
					[]string{"SELECT books", "SELECT", "books", r.str(16)}[r.intn(4)])
			default:
				a.PutStr("db.query.text", replaceValue(tmpl.text, strconv.Itoa(r.intn(10))))
			}
		case 5:
			switch r.intn(3) {
			case 0:
				s.SetStartTimestamp(spans[pick()%len(spans)].StartTimestamp())
			case 1:
				s.SetEndTimestamp(s.StartTimestamp() - pcommon.Timestamp(r.intn(2)))
			default:
				s.SetStartTimestamp(s.StartTimestamp() + pcommon.Timestamp(r.intn(256))*1000)
			}
		case 6:
			s.SetKind(ptrace.SpanKind(r.intn(7)))
		case 7: // annotations of an earlier pass
			a.PutStr(contract.AttrFindingID, "stale")
			a.PutStr(contract.AttrFindingType, detect.TypeNPlusOne)
			ev := s.Events().AppendEmpty()
			ev.SetName(contract.EventFinding)
			ev.Attributes().PutStr(contract.AttrFindingID, "stale")
		case 8: // an HTTP call to any URL
			s.SetKind(ptrace.SpanKind(traceview.KindClient))
			a.PutStr("http.request.method", []string{"GET", "post", ""}[r.intn(3)])
			a.PutStr([]string{"url.full", "http.url", "url.template"}[r.intn(3)], r.str(48))
		case 9:
			s.SetSpanID(anyID())
		case 10: // values of unexpected types
			k := []string{"db.response.returned_rows", "db.rows_affected", "db.query.parameter.0", "code.line.number",
				"db.query.text", "db.statement", "db.system.name", "http.route", "server.address", "db.query.summary",
				"db.operation.name", "db.collection.name"}[r.intn(12)]
			switch r.intn(4) {
			case 0:
				a.PutInt(k, int64(pick())*int64(pick())-1000)
			case 1:
				a.PutDouble(k, float64(pick())/3)
			case 2:
				a.PutStr(k, r.str(16))
			default:
				a.PutEmptySlice(k).AppendEmpty().SetStr(r.str(8))
			}
		default:
			a.PutStr("db.query.parameter."+strconv.Itoa(r.intn(3)), strconv.Itoa(r.intn(4)))
		}
	}
	if drop {
		for _, owner := range owners {
			owner.RemoveIf(func(s ptrace.Span) bool { _, ok := s.Attributes().Get("fuzz.drop"); return ok })
		}
	}
}

func replaceValue(text, v string) string {
	out := []byte{}
	for i := 0; i < len(text); i++ {
		if i+3 <= len(text) && text[i:i+3] == "{v}" {
			out = append(out, v...)
			i += 2
			continue
		}
		out = append(out, text[i])
	}
	return string(out)
}

// checkAnnotations asserts that what Write wrote into the spans is what the
// engine found: one event per finding on its anchor, the finding's id on
// exactly its members, the fingerprint on every statement, the query count on
// every request root, and nothing of an earlier pass.
func checkAnnotations(t *testing.T, view *traceview.Trace, spans []ptrace.Span, td ptrace.Traces, res engine.Result) {
	t.Helper()
	byID := map[string]*detect.Finding{}
	for k := range res.Findings {
		byID[res.Findings[k].ID] = &res.Findings[k]
	}
	events, members := 0, map[string]int{}
	fixtures.EachSpan([]ptrace.Traces{td}, func(r pcommon.Resource, s ptrace.Span) {
		for e := 0; e < s.Events().Len(); e++ {
			ev := s.Events().At(e)
			if ev.Name() != contract.EventFinding {
				continue
			}
			events++
			id, _ := ev.Attributes().Get(contract.AttrFindingID)
			f := byID[id.Str()]
			if f == nil {
				t.Fatalf("span %s carries a finding event %q that the engine did not find", s.SpanID(), id.Str())
			}
			// The signature is of the type, the anchor's service, the route
			// and the fingerprint the event carries.
			str := func(m pcommon.Map, k string) string {
				if v, ok := m.Get(k); ok {
					return v.AsString()
				}
				return ""
			}
			want := detect.ProblemID(f.Type, str(r.Attributes(), "service.name"), str(ev.Attributes(), contract.AttrRoute), f.Fingerprint)
			if got := str(ev.Attributes(), contract.AttrProblemID); got != want || f.Problem != want {
				t.Fatalf("%s %s: problem id %q on the event, %q found, want %q", f.Type, f.ID, got, f.Problem, want)
			}
		}
		if id, ok := s.Attributes().Get(contract.AttrFindingID); ok {
			if byID[id.Str()] == nil {
				t.Fatalf("span %s is a member of %q, which the engine did not find", s.SpanID(), id.Str())
			}
			members[id.Str()]++
		}
	})
	if events != len(res.Findings) {
		t.Fatalf("%d finding events for %d findings", events, len(res.Findings))
	}
	for _, f := range res.Findings {
		if members[f.ID] != len(f.Members) {
			t.Fatalf("%s %s: %d spans carry its id, it has %d members", f.Type, f.ID, members[f.ID], len(f.Members))
		}
		found := false
		evs := spans[f.Anchor].Events()
		for e := 0; e < evs.Len(); e++ {
			if id, ok := evs.At(e).Attributes().Get(contract.AttrFindingID); ok && id.Str() == f.ID {
				found = true
			}
		}
		if !found {
			t.Fatalf("%s %s: not on its anchor %s", f.Type, f.ID, view.Spans[f.Anchor].ID)
		}
	}
	for i := range view.Spans {
		if db := view.Spans[i].DB; db != nil && db.Statement != nil {
			if fp, ok := spans[i].Attributes().Get(contract.AttrFingerprint); !ok || fp.Str() != db.Statement.Fingerprint {
				t.Fatalf("span %d (%s) has fingerprint %v, its statement %s", i, view.Spans[i].ID, fp.AsRaw(), db.Statement.Fingerprint)
			}
		}
	}
	for _, r := range res.Requests {
		if n, ok := spans[r.Span].Attributes().Get(contract.AttrRequestDBQueries); !ok || n.Int() != int64(r.DBQueries) {
			t.Fatalf("request root %d has %v queries, the engine counted %d", r.Span, n.AsRaw(), r.DBQueries)
		}
	}
	if read := report.Read(td); len(read) != len(res.Findings) {
		t.Fatalf("report reads %d findings back, the engine found %d", len(read), len(res.Findings))
	}
}

// FuzzAnnotate runs the whole path of a trace through the processor — pdata
// to view (pdataview.Build), engine, annotations (annotate.Write) — on the
// testdata's real traces, mutated, and on random span trees. The findings
// obey what FuzzAnalyze checks; the annotations are exactly the findings;
// and the annotated trace analyzed again gives the same findings and one set
// of annotations.
func FuzzAnnotate(f *testing.F) {
	scenarios, err := fixtures.All()
	if err != nil {
		f.Fatal(err)
	}
	for i := range scenarios {
		f.Add(uint16(i), []byte{})
		data := make([]byte, 48)
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		for k := range data {
			data[k] = byte(rng.Uint32())
		}
		f.Add(uint16(i), data)
	}
	f.Add(uint16(0xffff), []byte{0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 3, 10, 1, 0, 1, 0})
	f.Add(uint16(0xfffe), []byte("querylens: n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1"))
	norm, _ := sqlnorm.NewCache(1000, 4096)
	e, _ := engine.New(detect.DefaultConfig(), nil)
	f.Fuzz(func(t *testing.T, scenario uint16, data []byte) {
		r := &fuzzBytes{data: data}
		var td ptrace.Traces
		if scenario < 0x8000 { // a real trace, mutated; else a random span tree
			td = ptrace.NewTraces()
			for _, req := range scenarios[int(scenario)%len(scenarios)].Fresh() {
				req.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
			}
			mutate(td, r)
		} else {
			g := &spanGen{r: r, norm: norm}
			td = toPdata(g.generate(), r)
		}

		view, spans := pdataview.Build(td, norm)
		if len(spans) != td.SpanCount() || len(view.Spans) != len(spans) {
			t.Fatalf("%d spans, a view of %d, %d handles", td.SpanCount(), len(view.Spans), len(spans))
		}
		res := e.Analyze(view)
		checkFindings(t, view, res.Findings)
		checkRequests(t, view, res)
		annotate.Write(view, spans, res)
		checkAnnotations(t, view, spans, td, res)

		again, spans2 := pdataview.Build(td, norm)
		res2 := e.Analyze(again)
		if got, want := signature(again, res2.Findings), signature(view, res.Findings); got != want {
			t.Fatalf("the annotated trace analyzed again gives\n%s\ninstead of\n%s", got, want)
		}
		annotate.Write(again, spans2, res2)
		checkAnnotations(t, again, spans2, td, res2)
	})
}
