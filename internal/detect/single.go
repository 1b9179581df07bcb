package detect

import "github.com/querylens/querylens/internal/traceview"

// singleFinding is a finding on one offending span: it carries the event
// itself, and count is 1.
func singleFinding(t *traceview.Trace, typ string, span int) Finding {
	st := t.Spans[span].DB.Statement
	f := Finding{
		Type:          typ,
		Fingerprint:   st.Fingerprint,
		Statement:     st.Text,
		Count:         1,
		Anchor:        span,
		TotalDuration: t.Spans[span].Duration(),
	}
	if len(st.Tables) > 0 {
		f.Table = st.Tables[0]
	}
	f.ID = findingID(t, typ, f.Fingerprint, span, nil)
	return f
}

// oncePerStatement reports the first span of each fingerprint that offends,
// so that a trap repeated by an N+1 is one finding, not thirty.
func oncePerStatement(in *Input, typ string, offends func(*traceview.Span) (bool, string)) []Finding {
	t := in.Trace
	seen := map[string]bool{}
	var findings []Finding
	for _, c := range in.Calls {
		s := &t.Spans[c.Span]
		fp := s.DB.Statement.Fingerprint
		if seen[fp] || s.DB.Statement.Control || s.DB.Statement.IsCoarse() { // these read the text
			continue
		}
		if ok, reason := offends(s); ok {
			seen[fp] = true
			f := singleFinding(t, typ, c.Span)
			f.Reason = reason
			findings = append(findings, f)
		}
	}
	return findings
}
