//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// TestCollectorFindsLoopsWithoutStatements sends every testdata trace with
// its statements taken out and a db.query.summary in their place, as a
// service whose instrumentation records no statement text (.NET SqlClient's
// default) sends them. Through the real collector, the loops of ten
// iterations or more (coarse_min_repeats) are still found, on fingerprints of
// the summary, and the HTTP loops and the ORMs' lazy-load exceptions as
// before; nothing else is: the findings that read the SQL, and the loops of
// fewer repeats, are left alone.
func TestCollectorFindsLoopsWithoutStatements(t *testing.T) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	want := map[string][]fixtures.ExpectedFinding{} // trace id -> findings
	// spans with a summary that names a target: ours, and those recorded with one
	summarized := 0
	for _, s := range scenarios {
		for _, td := range s.Fresh() {
			summarize(td)
			fixtures.EachSpan([]ptrace.Traces{td}, func(_ pcommon.Resource, s ptrace.Span) {
				if v, ok := s.Attributes().Get("db.query.summary"); ok && len(strings.Fields(v.Str())) > 1 {
					summarized++
				}
			})
			line, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, line)
		}
		var loops []fixtures.ExpectedFinding
		for _, f := range s.Expected.Findings {
			if (f.Type == "n_plus_one" || f.Type == "mn_plus_one") && f.Count >= 10 || f.Type == "n_plus_one_api" ||
				f.Type == "lazy_load_out_of_scope" {
				loops = append(loops, f)
			}
		}
		for _, id := range traceIDs(s.Requests) {
			want[id] = loops
		}
	}
	received := throughCollector(t, lines)

	bySource := map[string]int{}
	fixtures.EachSpan(received, func(_ pcommon.Resource, s ptrace.Span) {
		if v, ok := s.Attributes().Get(contract.AttrFingerprintSource); ok {
			bySource[v.Str()]++
		}
	})
	t.Logf("database spans summarized: %d; fingerprints by source: %v", summarized, bySource)
	// Spans that record an operation and a collection but nothing a summary
	// could be made of (a driver's connect, an ORM's save) get the rest.
	if bySource[sqlnorm.SourceSummary] != summarized || bySource[sqlnorm.SourceText] != 0 {
		t.Errorf("fingerprint sources %v, want %d from summary and none from text", bySource, summarized)
	}
	byTrace := map[string][]fixtures.Observed{}
	found := 0
	for _, o := range fixtures.Observe(received...) {
		byTrace[o.TraceID] = append(byTrace[o.TraceID], o)
		found++
		if o.Type == "n_plus_one_api" || o.Type == "lazy_load_out_of_scope" { // no statement read
			continue
		}
		if o.FingerprintSource != sqlnorm.SourceSummary {
			t.Errorf("%s in %s: fingerprint source %q on its event, want summary", o.Type, o.TraceID, o.FingerprintSource)
		}
		if !strings.Contains(o.Suggestion, "record no statement") {
			t.Errorf("%s in %s: the fix does not say the statements are missing: %s", o.Type, o.TraceID, o.Suggestion)
		}
	}
	t.Logf("findings on summaries: %d", found)
	if found == 0 {
		t.Fatal("no finding on summarized traces")
	}
	for id, loops := range want {
		if err := fixtures.Match(loops, byTrace[id]); err != nil {
			t.Errorf("trace %s: %v", id, err)
		}
	}
}

// summarize takes the statement out of every database span of td and puts
// its summary in, the operation and the tables ("SELECT books authors") as
// the semantic conventions define it.
func summarize(td ptrace.Traces) {
	fixtures.EachSpan([]ptrace.Traces{td}, func(_ pcommon.Resource, s ptrace.Span) {
		a := s.Attributes()
		system := ""
		for _, k := range []string{"db.system.name", "db.system"} {
			if v, ok := a.Get(k); ok {
				system = v.Str()
			}
		}
		raw := ""
		for _, k := range []string{"db.query.text", "db.statement"} {
			if v, ok := a.Get(k); ok {
				raw = v.AsString()
				a.Remove(k)
			}
		}
		if system == "" || raw == "" {
			return
		}
		a.RemoveIf(func(k string, _ pcommon.Value) bool { return strings.HasPrefix(k, "db.query.parameter.") })
		st := sqlnorm.Normalize(system, raw)
		if st.Command == "" || len(st.Tables) == 0 || st.Control {
			return
		}
		a.PutStr("db.query.summary", st.Command+" "+strings.Join(st.Tables, " "))
	})
}
