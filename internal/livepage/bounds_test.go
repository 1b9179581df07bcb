package livepage

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/testsupport/hostile"
)

func TestStoreIsBoundedInBytes(t *testing.T) {
	const budget = 200_000
	store := NewStore(1000, budget)
	big := Request{TraceID: "t", Statements: make([]Statement, 100)}
	for i := range big.Statements {
		big.Statements[i] = Statement{Fingerprint: "0123456789abcdef", Text: strings.Repeat("x", 1000)}
	}
	for i := 0; i < 50; i++ {
		r := big
		r.SpanID = strconv.Itoa(i)
		store.Record([]Request{r})
		if store.Bytes() > budget {
			t.Fatalf("after %d requests the store holds %d bytes, bound %d", i+1, store.Bytes(), budget)
		}
	}
	recent := store.Recent()
	if len(recent) == 0 || len(recent) >= 50 || recent[0].SpanID != "49" {
		t.Fatalf("%d requests kept, newest %q: the oldest must leave for the newest", len(recent), recent[0].SpanID)
	}
	store.Record([]Request{{TraceID: "huge", Statements: make([]Statement, 5000)}})
	if store.Recent()[0].TraceID == "huge" {
		t.Error("a request larger than the whole store was kept")
	}
}

// hostileTrace is one request whose names are as large and hostile as a
// span may make them: a 100 KB service name, a root with no route named by
// raw SQL with canaries, 2,500 statements of 20 KB.
func hostileTrace(canary hostile.Canary) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", strings.Repeat("shop-", 20_000)+"'"+canary.Text+"'")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	root := spans.AppendEmpty()
	root.SetTraceID([16]byte{1})
	root.SetSpanID([8]byte{1})
	root.SetKind(ptrace.SpanKindServer)
	root.SetName("SELECT * FROM users WHERE email = '" + canary.Text + "' AND id = " + strconv.FormatUint(canary.Number, 10))
	root.SetStartTimestamp(1)
	root.SetEndTimestamp(1_000_000)
	for i := 0; i < maxStatements+500; i++ {
		s := spans.AppendEmpty()
		s.SetTraceID([16]byte{1})
		s.SetSpanID([8]byte{2, byte(i), byte(i >> 8)})
		s.SetParentSpanID([8]byte{1})
		s.SetKind(ptrace.SpanKindClient)
		s.SetName("query")
		s.SetStartTimestamp(2)
		s.SetEndTimestamp(3)
		s.Attributes().PutStr("db.system.name", "postgresql'"+canary.Text+"'")
		s.Attributes().PutStr("db.query.text", "SELECT "+strings.Repeat("col_a, ", 3000)+"id FROM books WHERE title = '"+canary.Text+"'")
		s.Attributes().PutStr("code.function.name", "load'"+canary.Text+"'")
	}
	return td
}

func TestRequestStringsAreCapped(t *testing.T) {
	view, res := analyzer(t, 100)(hostileTrace(hostile.Default))
	reqs := FromAnalysis(view, res, time.Unix(0, 0))
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if len(r.Service) > sqlnorm.MaxNameBytes || len(r.Route) > sqlnorm.MaxNameBytes {
		t.Errorf("service of %d bytes, route of %d", len(r.Service), len(r.Route))
	}
	if len(r.Statements) != maxStatements || r.Truncated != 500 {
		t.Errorf("%d statements kept, %d counted beyond; want %d and 500", len(r.Statements), r.Truncated, maxStatements)
	}
	if len(r.Spans) != maxSpans || r.SpansTruncated != 501 {
		t.Errorf("%d spans kept on the waterfall, %d counted beyond; want %d and 501", len(r.Spans), r.SpansTruncated, maxSpans)
	}
	for _, s := range r.Spans {
		if len(s.Label) > maxStatementBytes {
			t.Fatalf("a span label of %d bytes", len(s.Label))
		}
	}
	for _, st := range r.Statements {
		if len(st.Text) > maxStatementBytes || len(st.System) > sqlnorm.MaxNameBytes {
			t.Fatalf("a statement of %d bytes, a system of %d", len(st.Text), len(st.System))
		}
	}
	t.Logf("one request of %d spans holds %d bytes", len(r.Spans), r.size())
	// Each string once: the statement a loop repeats is held once.
	if size := r.size(); size > requestBytes+maxStatements*statementBytes+maxSpans*spanBytes+16<<10 {
		t.Errorf("one request holds %d bytes", size)
	}
	// Nothing of the canary on the page or in the API.
	store := NewStore(10, 64<<20)
	store.Record(reqs)
	h := NewHandler(store, Settings{Concurrent: 4, Live: 4})
	for _, path := range []string{"/", "/requests/" + r.TraceID, "/problems", "/routes", "/fingerprints", "/api/requests", "/api/findings", "/api/problems"} {
		_, body := get(t, h, path)
		if leak, ok := hostile.Default.Leaks(body, 5); ok {
			t.Errorf("%s: %q of the canary at %d: %.200s", path, leak.Piece, leak.At, body[max(leak.At-80, 0):])
		}
	}
}

func TestTooManyAtATime(t *testing.T) {
	store, _ := testStore(t, 1000)
	h := NewHandler(store, Settings{Concurrent: 2, Live: 4})
	h.slots <- struct{}{} // two answers being written
	h.slots <- struct{}{}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/requests", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("a third request at once: %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	<-h.slots
	if code, _ := get(t, h, "/api/requests"); code != 200 {
		t.Fatalf("with a slot free: %d", code)
	}
}

func TestAPIPages(t *testing.T) {
	store, _ := testStore(t, 1000)
	all := store.Recent()
	h := NewHandler(store, Settings{Concurrent: 4, Live: 4})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/requests", nil))
	var first []Request
	if err := json.Unmarshal(rec.Body.Bytes(), &first); err != nil {
		t.Fatal(err)
	}
	if len(first) != min(len(all), defaultAPIPage) || rec.Header().Get("X-Total-Count") != strconv.Itoa(len(all)) {
		t.Fatalf("first page: %d requests, X-Total-Count %s; want %d of %d", len(first), rec.Header().Get("X-Total-Count"),
			min(len(all), defaultAPIPage), len(all))
	}
	if len(all) > defaultAPIPage && !strings.Contains(rec.Header().Get("Link"), "offset=100") {
		t.Errorf("no link to the next page: %q", rec.Header().Get("Link"))
	}
	var page []Request
	_, body := get(t, h, "/api/requests?limit=7&offset=3")
	if err := json.Unmarshal([]byte(body), &page); err != nil || len(page) != 7 || page[0].SpanID != all[3].SpanID {
		t.Fatalf("limit=7&offset=3: %d requests, %v", len(page), err)
	}
	_, body = get(t, h, "/api/requests?limit=999999")
	if err := json.Unmarshal([]byte(body), &page); err != nil || len(page) > maxPage {
		t.Fatalf("a limit past the bound: %d requests, %v", len(page), err)
	}
	var findings []apiFinding
	_, body = get(t, h, "/api/findings?limit=2")
	if err := json.Unmarshal([]byte(body), &findings); err != nil || len(findings) != 2 {
		t.Fatalf("findings limit=2: %d, %v", len(findings), err)
	}
}
