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

// oncePerStatement reports the first span of each fingerprint that offends
// in each request (local root), so that a trap repeated by an N+1 is one
// finding, not thirty.
func oncePerStatement(in *Input, typ string, offends func(s *traceview.Span, i int) (bool, string)) []Finding {
	t := in.Trace
	type key struct {
		root        int
		fingerprint string
	}
	seen := map[key]bool{}
	var findings []Finding
	for _, c := range in.Calls {
		s := &t.Spans[c.Span]
		st := s.DB.Statement
		if st.Control || st.IsCoarse() { // these read the text
			continue
		}
		ok, reason := offends(s, c.Span)
		if !ok {
			continue
		}
		k := key{t.LocalRoot(c.Span), st.Fingerprint}
		if seen[k] {
			continue
		}
		seen[k] = true
		f := singleFinding(t, typ, c.Span)
		f.Reason = reason
		findings = append(findings, f)
	}
	return findings
}
