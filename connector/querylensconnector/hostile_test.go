package querylensconnector

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/contract"
)

// TestLabelsFromHostileSpans: spans that did not pass this collector's
// querylens (a finding event with no attribute at all, a fingerprint that
// is none, names with quoted values) neither stop the connector nor put a
// literal into a label.
func TestLabelsFromHostileSpans(t *testing.T) {
	c, sink, _ := newTestConnector(t, nil)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(contract.AttrServiceName, "shop 'Qzx8canary' #Qzx8canary")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	s := spans.AppendEmpty()
	s.SetTraceID(pcommon.TraceID{1})
	s.SetSpanID(pcommon.SpanID{1})
	s.Attributes().PutStr(contract.AttrFingerprint, "'Qzx8canary'")
	s.Attributes().PutStr("db.system.name", "postgresql /* Qzx8canary */")
	s.Attributes().PutInt(contract.AttrRequestDBQueries, 1)
	s.Attributes().PutStr("http.route", "/books/'Qzx8canary'")
	s.Events().AppendEmpty().SetName(contract.EventFinding) // no attribute at all
	ev := s.Events().AppendEmpty()
	ev.SetName(contract.EventFinding)
	ev.Attributes().PutStr(contract.AttrFindingType, "n_plus_one 'Qzx8canary'")
	ev.Attributes().PutStr(contract.AttrStatement, "SELECT * FROM t WHERE a = 'Qzx8canary'")
	ev.Attributes().PutStr(contract.AttrFingerprint, "0123456789abcdef")
	ctx := context.Background()
	if err := c.ConsumeTraces(ctx, td); err != nil {
		t.Fatal(err)
	}
	_ = c.Shutdown(ctx)
	labels := fmt.Sprint(points(sink.AllMetrics()[0]))
	if strings.Contains(labels, "Qzx8canary") {
		t.Fatalf("a literal in the labels: %s", labels)
	}
	if !strings.Contains(labels, "0123456789abcdef") || !strings.Contains(labels, "n_plus_one") {
		t.Errorf("the finding is not counted: %s", labels)
	}
}
