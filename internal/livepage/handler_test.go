package livepage

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func traceOf(s fixtures.Scenario) string {
	return s.Requests[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String()
}

func TestPagesOverTheTestdata(t *testing.T) {
	store, scenarios := testStore(t, 1000)
	h := NewHandler(store, Settings{TraceURL: "http://localhost:16686/trace/{trace_id}", Concurrent: 4, Live: 4})
	code, index := get(t, h, "/")
	if code != 200 || strings.Count(index, `<tr class="request">`) != len(store.Recent()) {
		t.Fatalf("index: %d, %d rows of %d", code, strings.Count(index, `<tr class="request">`), len(store.Recent()))
	}
	if !strings.Contains(index, `href="http://localhost:16686/trace/`) {
		t.Error("no link to the trace store")
	}
	// The statements listed are the request's queries: a call recorded by two
	// spans (an ORM's and its driver's) is listed once.
	for _, r := range store.Recent() {
		if len(r.Statements) != r.DBQueries {
			t.Errorf("%s %s: %d statements listed for %d queries", r.Service, r.Route, len(r.Statements), r.DBQueries)
		}
	}
	for _, s := range scenarios {
		id := traceOf(s)
		code, page := get(t, h, "/requests/"+id)
		if !fixtures.HasRequest(s.Requests...) { // queries with no parent only: no request
			if code != 404 {
				t.Errorf("%s/%s: a trace of queries in no request is shown as a request (%d)", s.Source, s.Name, code)
			}
			continue
		}
		if code != 200 {
			t.Fatalf("%s/%s: %d", s.Source, s.Name, code)
		}
		for _, f := range s.Expected.Findings {
			if !findingShown(page, f.Type, f.Count) {
				t.Errorf("%s/%s: %s of %d queries not shown", s.Source, s.Name, f.Type, f.Count)
			}
		}
		if len(s.Expected.Findings) == 0 && !strings.Contains(page, "No finding.") {
			t.Errorf("%s/%s: a fixed form shows findings", s.Source, s.Name)
		}
		// Goroutines' queries overlap: the page gives the wall time, and the
		// larger sum beside it.
		if s.Source == "gorm-postgres" && s.Name == "parallel_n_plus_one" && !strings.Contains(page, "ms summed: some ran at the same time") {
			t.Errorf("%s/%s: parallel queries' summed time not shown beside the wall time", s.Source, s.Name)
		}
	}
	// Filters and sorting.
	_, nplus := get(t, h, "/?type=n_plus_one")
	rows := strings.Count(nplus, `<tr class="request">`)
	want := 0
	for _, r := range store.Recent() {
		if hasType(r, "n_plus_one") {
			want++
		}
	}
	if rows != want || rows == 0 {
		t.Errorf("type filter: %d rows, want %d", rows, want)
	}
	var api []Request
	_, body := get(t, h, "/api/requests?sort=queries&service=bookshop-django")
	if err := json.Unmarshal([]byte(body), &api); err != nil || len(api) == 0 {
		t.Fatalf("api/requests: %v", err)
	}
	for i := range api {
		if api[i].Service != "bookshop-django" || i > 0 && api[i].DBQueries > api[i-1].DBQueries {
			t.Fatalf("api/requests not filtered or sorted: %+v", api[i])
		}
	}
	wantMN := 0
	for _, s := range scenarios {
		for _, f := range s.Expected.Findings {
			if f.Type == "mn_plus_one" {
				wantMN++
			}
		}
	}
	var findings []apiFinding
	_, body = get(t, h, "/api/findings?type=mn_plus_one")
	if err := json.Unmarshal([]byte(body), &findings); err != nil || len(findings) != wantMN || wantMN == 0 {
		t.Fatalf("api/findings: %d, want %d, %v", len(findings), wantMN, err)
	}
	code, fps := get(t, h, "/fingerprints")
	if code != 200 || !strings.Contains(fps, `<tr class="fingerprint">`) {
		t.Error("fingerprints page empty")
	}
	if code, _ := get(t, h, "/requests/00000000000000000000000000000000"); code != 404 {
		t.Errorf("unknown trace: %d", code)
	}
}

// findingShown: the request page lists a finding of the type and count.
func findingShown(page, typ string, count int) bool {
	return regexp.MustCompile(`<tr class="finding" data-f="[0-9a-f]+"><td><span class="f t-` + typ + `">` + typ +
		`</span><br>` + plural(count, "query", "queries") + `,`).MatchString(page)
}

func TestDuplicatesAndSimilarStatements(t *testing.T) {
	r := Request{Statements: []Statement{
		{Fingerprint: "a", Text: "SELECT ? ", Values: 1}, {Fingerprint: "a", Values: 1}, {Fingerprint: "a", Values: 2},
		{Fingerprint: "b", Values: 3}, {Fingerprint: "a", Values: 0}, {Fingerprint: "a", Values: 0},
	}}
	g := r.Groups()
	if len(g) != 2 || g[0].Fingerprint != "a" || g[0].Count != 5 || g[0].Duplicates != 1 || g[1].Count != 1 || g[1].Duplicates != 0 {
		t.Errorf("groups %+v", g)
	}
}

func TestEveryValueIsEscaped(t *testing.T) {
	store := NewStore(10, 64<<20)
	evil := `<script>alert("x")</script>`
	store.Record([]Request{{TraceID: "abc", Service: evil, Route: evil, Findings: []Finding{{Type: "n_plus_one", Count: 5, Statement: evil, Suggestion: evil}},
		Statements: []Statement{{Fingerprint: "f", Text: evil}}}})
	h := NewHandler(store, Settings{Concurrent: 4, Live: 4})
	for _, path := range []string{"/", "/requests/abc", "/fingerprints"} {
		_, page := get(t, h, path)
		if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;") {
			t.Errorf("%s does not escape %s", path, evil)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		t.Error("no content security policy")
	}
}

func TestStoreIsBounded(t *testing.T) {
	store, _ := testStore(t, 25)
	recent := store.Recent()
	if len(recent) != 25 {
		t.Fatalf("%d requests kept, bound 25", len(recent))
	}
	for i := 1; i < len(recent); i++ {
		if recent[i].Time.After(recent[i-1].Time) {
			t.Fatal("not newest first")
		}
	}
}
