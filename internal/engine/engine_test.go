package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/suggest"
	"github.com/querylens/querylens/internal/traceview"
)

// bookshop is a Django request with an N+1 on authors called from
// views.book_list, and a SELECT * from a reporting service.
func bookshop() *traceview.Trace {
	spans := []traceview.Span{{ID: traceview.SpanID{1}, Name: "GET books/", Kind: traceview.KindServer, Start: 1, End: 100,
		Service: "shop", Language: "python", Scope: "opentelemetry.instrumentation.django"}}
	for i := 0; i < 6; i++ {
		raw := `SELECT "authors"."id", "authors"."name" FROM "authors" WHERE "authors"."id" = %s LIMIT 21`
		spans = append(spans, traceview.Span{ID: traceview.SpanID{byte(10 + i)}, ParentID: traceview.SpanID{1}, Name: "SELECT",
			Kind: traceview.KindClient, Start: int64(10 + i), End: int64(11 + i), Service: "shop", Language: "python",
			Scope: "opentelemetry.instrumentation.psycopg2",
			DB:    &traceview.DBCall{System: "postgresql", Raw: raw, Statement: sqlnorm.Normalize("postgresql", raw)},
			Code:  traceview.CodeLocation{Function: "views.book_list", File: "shop/views.py", Line: 42}})
	}
	raw := `SELECT * FROM "report_rows"`
	spans = append(spans, traceview.Span{ID: traceview.SpanID{30}, ParentID: traceview.SpanID{1}, Name: "SELECT", Kind: traceview.KindClient,
		Start: 50, End: 60, Service: "reports", Language: "go",
		DB: &traceview.DBCall{System: "postgresql", Raw: raw, Statement: sqlnorm.Normalize("postgresql", raw),
			ReturnedRows: 5000}})
	t, _ := traceview.New(traceview.TraceID{1}, spans)
	return t
}

func TestAnalyzeWordsFixesAndCodeLocation(t *testing.T) {
	e, err := New(detect.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	findings := e.Analyze(bookshop()).Findings
	if len(findings) != 2 {
		t.Fatalf("%d findings: %+v", len(findings), findings)
	}
	n := findings[0]
	if n.Type != detect.TypeNPlusOne || n.ORM != "Django" || !strings.Contains(n.Suggestion, `select_related("<field to authors>")`) ||
		!strings.HasSuffix(n.Suggestion, "Called from views.book_list (shop/views.py:42).") || n.Code.Line != 42 {
		t.Errorf("n_plus_one: %+v", n)
	}
	o := findings[1]
	if o.Type != detect.TypeOverFetch || o.ORM != "" || !strings.Contains(o.Suggestion, "more rows than a request can use") {
		t.Errorf("over_fetch: %+v", o)
	}
}

// TestRuntimeTellsTheLanguage: a service whose SDK reports no language is
// told by its process.runtime.name, and gets its own language's ORM; with
// neither, the fix is generic.
func TestRuntimeTellsTheLanguage(t *testing.T) {
	e, _ := New(detect.DefaultConfig(), nil)
	for _, runtime := range []string{"cpython", ""} {
		spans := []traceview.Span{{ID: traceview.SpanID{1}, Name: "GET books/", Kind: traceview.KindServer, Start: 1, End: 100, Service: "shop", Runtime: runtime}}
		raw := `SELECT "bookshop_author"."id" FROM "bookshop_author" WHERE "bookshop_author"."id" = %s LIMIT 21`
		for i := 0; i < 6; i++ {
			spans = append(spans, traceview.Span{ID: traceview.SpanID{byte(10 + i)}, ParentID: traceview.SpanID{1}, Name: "SELECT",
				Kind: traceview.KindClient, Start: int64(10 + i), End: int64(11 + i), Service: "shop", Runtime: runtime,
				DB: &traceview.DBCall{System: "postgresql", Raw: raw, Statement: sqlnorm.Normalize("postgresql", raw)}})
		}
		tr, _ := traceview.New(traceview.TraceID{1}, spans)
		findings := e.Analyze(tr).Findings
		want := map[string]string{"cpython": "Django", "": ""}[runtime]
		if len(findings) != 1 || findings[0].ORM != want {
			t.Errorf("runtime %q: %+v, want ORM %q", runtime, findings, want)
		}
	}
}

func TestRequests(t *testing.T) {
	e, _ := New(detect.DefaultConfig(), nil)
	tr := bookshop()
	tr.Spans[0].Route = "books/"
	reqs := e.Analyze(tr).Requests
	// The reports service has no server span of its own: its query counts in
	// the request at the root of the trace.
	if len(reqs) != 1 || reqs[0].Span != 0 || reqs[0].DBQueries != 7 || reqs[0].Route != "books/" || reqs[0].DBDuration != 16 {
		t.Fatalf("requests %+v", reqs)
	}
	for _, f := range e.Analyze(tr).Findings {
		if f.Route != "books/" {
			t.Errorf("%s has route %q", f.Type, f.Route)
		}
	}
}

// TestGaps: a query with no parent (GORM without db.WithContext) is no
// request: it and the queries under it are its service's gap, with the
// advice on how the ORM gets the request's context.
func TestGaps(t *testing.T) {
	e, _ := New(detect.DefaultConfig(), nil)
	query := func(id, parent byte, raw string) traceview.Span {
		return traceview.Span{ID: traceview.SpanID{id}, ParentID: traceview.SpanID{parent}, Name: "select users", Kind: traceview.KindClient,
			Start: int64(id), End: int64(id) + 1, Service: "auth", Language: "go", Scope: "gorm.io/plugin/opentelemetry",
			DB: &traceview.DBCall{System: "postgresql", Raw: raw, Statement: sqlnorm.Normalize("postgresql", raw)}}
	}
	spans := []traceview.Span{
		query(1, 0, `SELECT * FROM users WHERE id = 1`),
		query(2, 1, `SELECT * FROM user_groups WHERE user_id IN (1)`), // a preload under it
		query(3, 9, `SELECT * FROM users WHERE id = 2`),               // its parent has not arrived: in a request still
	}
	tr, _ := traceview.New(traceview.TraceID{1}, spans)
	res := e.Analyze(tr)
	if len(res.Gaps) != 1 || res.Gaps[0].Service != "auth" || res.Gaps[0].Queries != 2 {
		t.Fatalf("gaps %+v", res.Gaps)
	}
	if len(res.Requests) != 1 || tr.Spans[res.Requests[0].Span].ID != (traceview.SpanID{3}) {
		t.Errorf("requests %+v", res.Requests)
	}
	if advice := suggest.ContextAdvice(res.Gaps[0].Context); !strings.Contains(advice, "db.WithContext(ctx)") {
		t.Errorf("advice for GORM: %s", advice)
	}
}

func TestRequestsAcrossServices(t *testing.T) {
	// gateway (server) -> client -> shop (server) -> 3 queries; gateway also queries once
	span := func(id, parent byte, service string, kind traceview.Kind, db bool) traceview.Span {
		s := traceview.Span{ID: traceview.SpanID{id}, ParentID: traceview.SpanID{parent}, Service: service, Kind: kind,
			Start: int64(id), End: int64(id) + 1, Name: "GET /x"}
		if db {
			s.DB = &traceview.DBCall{System: "postgresql", Raw: "SELECT 1", Statement: sqlnorm.Normalize("postgresql", "SELECT 1")}
		}
		return s
	}
	tr, _ := traceview.New(traceview.TraceID{2}, []traceview.Span{
		span(1, 0, "gateway", traceview.KindServer, false),
		span(2, 1, "gateway", traceview.KindClient, false),
		span(3, 2, "shop", traceview.KindServer, false),
		span(4, 3, "shop", traceview.KindClient, true),
		span(5, 3, "shop", traceview.KindClient, true),
		span(6, 3, "shop", traceview.KindClient, true),
		span(7, 1, "gateway", traceview.KindClient, true),
	})
	e, _ := New(detect.DefaultConfig(), nil)
	reqs := e.Analyze(tr).Requests
	if len(reqs) != 2 || reqs[0].Span != 0 || reqs[0].DBQueries != 1 || reqs[1].Span != 2 || reqs[1].DBQueries != 3 || reqs[1].Route != "/x" {
		t.Fatalf("requests %+v", reqs)
	}
}

func TestIgnoreRules(t *testing.T) {
	cases := []struct {
		rule IgnoreRule
		left []string // types still reported
	}{
		{IgnoreRule{Fingerprint: sqlnorm.Normalize("postgresql", `SELECT * FROM "report_rows"`).Fingerprint}, []string{"n_plus_one"}},
		{IgnoreRule{Statement: `FROM authors`}, []string{"over_fetch"}},
		{IgnoreRule{Service: "reports"}, []string{"n_plus_one"}},
		{IgnoreRule{Service: "shop"}, []string{"over_fetch"}}, // the anchor of the N+1 is shop's request span
		{IgnoreRule{CodeFunction: `^views\.book_`}, []string{"over_fetch"}},
		{IgnoreRule{CodeFunction: `^views\.book_`, Types: []string{"over_fetch"}}, []string{"n_plus_one", "over_fetch"}},
		{IgnoreRule{Statement: `.`, Types: []string{"over_fetch"}}, []string{"n_plus_one"}},
		{IgnoreRule{Service: "shop", Statement: "report_rows"}, []string{"n_plus_one", "over_fetch"}}, // both must match
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%+v", c.rule), func(t *testing.T) {
			e, err := New(detect.DefaultConfig(), []IgnoreRule{c.rule})
			if err != nil {
				t.Fatal(err)
			}
			var left []string
			for _, f := range e.Analyze(bookshop()).Findings {
				left = append(left, f.Type)
			}
			if fmt.Sprint(left) != fmt.Sprint(c.left) {
				t.Errorf("left %v, want %v", left, c.left)
			}
		})
	}
}

func TestIgnoreRuleValidation(t *testing.T) {
	cases := map[string]IgnoreRule{
		"give at least one of problem, fingerprint, statement, service, code_function":                 {Types: []string{"n_plus_one"}},
		`problem must be a querylens.problem.id, 16 lowercase hex characters, got "N+1 in /books"`:     {Problem: "N+1 in /books"},
		`expires must be a date, YYYY-MM-DD (e.g. 2026-03-31), got "31/03/2026"`:                       {Service: "x", Expires: "31/03/2026"},
		"statement is not a regular expression":                                                        {Statement: "("},
		"code_function is not a regular expression":                                                    {CodeFunction: "[z-a]"},
		`types: "n_plus_two" is not a finding type; allowed: mn_plus_one, duplicate_query, n_plus_one`: {Service: "x", Types: []string{"n_plus_two"}},
	}
	for want, rule := range cases {
		err := rule.Validate()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: error %v, want it to say %q", rule, err, want)
		}
		if _, err := New(detect.DefaultConfig(), []IgnoreRule{rule}); err == nil || !strings.Contains(err.Error(), "ignore[0]") {
			t.Errorf("New accepted %+v: %v", rule, err)
		}
	}
}

func TestIgnoreRulesCountWhatTheySuppress(t *testing.T) {
	e, err := New(detect.DefaultConfig(), []IgnoreRule{
		{Name: "reports", Service: "reports"},
		{Statement: "FROM never_seen"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		e.Analyze(bookshop())
	}
	got := e.Suppressed()
	if len(got) != 2 || got[0] != (Suppressed{Rule: "reports", Count: 3}) || got[1] != (Suppressed{Rule: "1", Count: 0}) {
		t.Errorf("suppressed %+v", got)
	}
}

// TestIgnoreRuleByProblemWithReasonAndExpiry: a rule can name a problem (its
// signature) with the reason it is acknowledged; it suppresses that
// problem's findings, and no other's, until the end of its expiry date, and
// says when it has expired.
func TestIgnoreRuleByProblemWithReasonAndExpiry(t *testing.T) {
	all, _ := New(detect.DefaultConfig(), nil)
	findings := all.Analyze(bookshop()).Findings
	if len(findings) != 2 {
		t.Fatalf("%d findings in the bookshop trace", len(findings))
	}
	acknowledged := findings[0]
	for _, c := range []struct {
		expires string
		left    int
		expired bool
	}{
		{"", 1, false},
		{"2999-12-31", 1, false},
		{"2000-01-01", 2, true},
	} {
		e, err := New(detect.DefaultConfig(), []IgnoreRule{{Name: "known", Problem: acknowledged.Problem, Reason: "JIRA-12: paged next sprint", Expires: c.expires}})
		if err != nil {
			t.Fatal(err)
		}
		got := e.Analyze(bookshop()).Findings
		for _, f := range got {
			if c.left == 1 && f.Problem == acknowledged.Problem {
				t.Errorf("expires %q: the acknowledged problem is reported", c.expires)
			}
		}
		s := e.Suppressed()[0]
		if len(got) != c.left || s.Expired != c.expired || s.Reason != "JIRA-12: paged next sprint" || s.Expires != c.expires {
			t.Errorf("expires %q: %d findings left, rule %+v", c.expires, len(got), s)
		}
	}
}

// TestRequestWallDuration: queries that overlap count once in the wall
// duration, and not at all in another request's.
func TestRequestWallDuration(t *testing.T) {
	query := func(id, parent byte, service string, start, end int64) traceview.Span {
		return traceview.Span{ID: traceview.SpanID{id}, ParentID: traceview.SpanID{parent}, Service: service,
			Kind: traceview.KindClient, Start: start, End: end, Name: "SELECT",
			DB: &traceview.DBCall{System: "postgresql", Raw: "SELECT 1", Statement: sqlnorm.Normalize("postgresql", "SELECT 1")}}
	}
	server := func(id, parent byte, service string, start, end int64) traceview.Span {
		return traceview.Span{ID: traceview.SpanID{id}, ParentID: traceview.SpanID{parent}, Service: service,
			Kind: traceview.KindServer, Start: start, End: end, Name: "GET /x"}
	}
	tr, _ := traceview.New(traceview.TraceID{3}, []traceview.Span{
		server(1, 0, "api", 0, 1000),
		// Promise.all: three queries at once, 100-200, 110-250, 120-180 -> 150.
		query(2, 1, "api", 100, 200), query(3, 1, "api", 110, 250), query(4, 1, "api", 120, 180),
		// then two in sequence, touching: 300-400, 400-450 -> 150.
		query(5, 1, "api", 300, 400), query(6, 1, "api", 400, 450),
		// a zero-length query adds nothing.
		query(7, 1, "api", 500, 500),
		// another service's request, at the same time: its own.
		server(8, 1, "stock", 100, 900), query(9, 8, "stock", 150, 350), query(10, 8, "stock", 200, 300),
	})
	e, _ := New(detect.DefaultConfig(), nil)
	reqs := e.Analyze(tr).Requests
	if len(reqs) != 2 {
		t.Fatalf("requests %+v", reqs)
	}
	api, stock := reqs[0], reqs[1]
	if api.DBQueries != 6 || api.DBDuration != 100+140+60+100+50 || api.DBWallDuration != 300 {
		t.Errorf("api: %d queries, summed %d, wall %d; want 6, 450, 300", api.DBQueries, api.DBDuration, api.DBWallDuration)
	}
	if stock.DBQueries != 2 || stock.DBDuration != 300 || stock.DBWallDuration != 200 {
		t.Errorf("stock: %d queries, summed %d, wall %d; want 2, 300, 200", stock.DBQueries, stock.DBDuration, stock.DBWallDuration)
	}
}

// A loop that looks up each status's bookmark by the viewer's account and
// the status (bun writes the values into the statement) is batched on the
// column whose value changes, status_id, not on the first one, account_id,
// the same in every run. The values are compared, never written.
func TestFixBatchesOnTheColumnThatVaries(t *testing.T) {
	spans := []traceview.Span{{ID: traceview.SpanID{1}, Name: "GET /api/v1/timelines/home", Kind: traceview.KindServer, Start: 1, End: 100,
		Service: "gts", Language: "go"}}
	for i := 0; i < 6; i++ {
		raw := fmt.Sprintf(`SELECT "status_bookmark"."id" FROM "status_bookmarks" AS "status_bookmark" WHERE ("status_bookmark"."account_id" = '01VIEWER') AND ("status_bookmark"."status_id" = '01STATUS%d')`, i)
		spans = append(spans, traceview.Span{ID: traceview.SpanID{byte(10 + i)}, ParentID: traceview.SpanID{1}, Name: "SELECT",
			Kind: traceview.KindClient, Start: int64(10 + i), End: int64(11 + i), Service: "gts", Language: "go",
			DB: &traceview.DBCall{System: "sqlite", Raw: raw, Statement: sqlnorm.Normalize("sqlite", raw), ReturnedRows: -1, RowsAffected: -1}})
	}
	tr, _ := traceview.New(traceview.TraceID{1}, spans)
	e, _ := New(detect.DefaultConfig(), nil)
	findings := e.Analyze(tr).Findings
	if len(findings) != 1 || findings[0].Type != detect.TypeNPlusOne {
		t.Fatalf("findings: %+v", findings)
	}
	fix := findings[0].Suggestion
	if !strings.Contains(fix, "status_id IN") || strings.Contains(fix, "account_id IN") || strings.Contains(fix, "01") {
		t.Errorf("fix %q", fix)
	}
}

// The repeats of a read with writes of their service between them, one for
// every other repeat or more, are a loop that writes the items it reads; a
// write before the first, after the last or of another service is not.
func TestLoopWrites(t *testing.T) {
	span := func(id byte, start int64, service, raw string) traceview.Span {
		return traceview.Span{ID: traceview.SpanID{id}, ParentID: traceview.SpanID{1}, Name: "SELECT", Kind: traceview.KindClient,
			Start: start, End: start + 1, Service: service,
			DB: &traceview.DBCall{System: "mysql", Raw: raw, Statement: sqlnorm.Normalize("mysql", raw), ReturnedRows: -1, RowsAffected: -1}}
	}
	const read, write = "SELECT `id` FROM `product` WHERE `id` = ?", "INSERT INTO `stock_level` (`id`) VALUES (?)"
	cases := []struct {
		name   string
		writes map[int64]string // start -> service
		want   bool
	}{
		{"a write after every other read", map[int64]string{15: "shop", 35: "shop"}, true},
		{"one write among five reads", map[int64]string{15: "shop"}, false},
		{"writes before and after", map[int64]string{5: "shop", 6: "shop", 55: "shop"}, false},
		{"writes of another service", map[int64]string{15: "worker", 25: "worker", 35: "worker"}, false},
	}
	for _, c := range cases {
		spans := []traceview.Span{{ID: traceview.SpanID{1}, Name: "POST /admin-api", Kind: traceview.KindServer, Start: 1, End: 100, Service: "shop"}}
		var members []int
		for i := int64(0); i < 5; i++ {
			members = append(members, len(spans))
			spans = append(spans, span(byte(10+i), 10+10*i, "shop", read))
		}
		id := byte(40)
		for start, service := range c.writes {
			spans = append(spans, span(id, start, service, write))
			id++
		}
		tr, _ := traceview.New(traceview.TraceID{1}, spans)
		// the view orders spans by start: find the reads again by id
		members = members[:0]
		for i := range tr.Spans {
			if tr.Spans[i].DB != nil && tr.Spans[i].DB.Statement.Command == "SELECT" {
				members = append(members, i)
			}
		}
		if got := loopWrites(tr, members); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// A span in the resolver of a GraphQL mutation's own field walks the
// mutation's input; one in a nested field's resolver, or in a query, loads
// the relations of what is returned.
func TestInMutationBody(t *testing.T) {
	span := func(id, parent byte, name string) traceview.Span {
		return traceview.Span{ID: traceview.SpanID{id}, ParentID: traceview.SpanID{parent}, Name: name, Kind: traceview.KindInternal,
			Start: int64(id), End: 100, Service: "shop"}
	}
	spans := []traceview.Span{
		{ID: traceview.SpanID{1}, Name: "POST /admin-api", Kind: traceview.KindServer, Start: 1, End: 100, Service: "shop"},
		span(2, 1, "mutation"), span(3, 2, "graphql.resolve updateProducts"), span(4, 3, "select product"),
		span(5, 3, "graphql.resolve updateProducts.0.featuredAsset"), span(6, 5, "select asset"),
		span(7, 1, "query UpdatedProducts"), span(8, 7, "graphql.resolve products"), span(9, 8, "select product"),
		span(10, 1, "mutation AssignToChannel"), span(11, 10, "select channel"),
	}
	tr, _ := traceview.New(traceview.TraceID{1}, spans)
	want := map[byte]bool{4: true, 6: false, 9: false, 11: true, 1: false}
	for i := range tr.Spans {
		if w, ok := want[tr.Spans[i].ID[0]]; ok {
			if got := inMutationBody(tr, i); got != w {
				t.Errorf("%s: %v, want %v", tr.Spans[i].Name, got, w)
			}
		}
	}
}

// An unordered deep page's fix pages by the key another statement of the
// trace reads its table by; with none, the key is left for the user.
func TestUnorderedPageKeyFromTheTrace(t *testing.T) {
	build := func(byID bool) string {
		spans := []traceview.Span{{ID: traceview.SpanID{1}, Name: "GET /customers", Kind: traceview.KindServer, Start: 1, End: 100,
			Service: "gva", Language: "go", Scope: "gorm.io/plugin/opentelemetry"}}
		db := func(id byte, raw string) traceview.Span {
			return traceview.Span{ID: traceview.SpanID{id}, ParentID: traceview.SpanID{1}, Name: "SELECT", Kind: traceview.KindClient,
				Start: int64(id), End: int64(id) + 1, Service: "gva", Language: "go", Scope: "gorm.io/plugin/opentelemetry",
				DB: &traceview.DBCall{System: "postgresql", Raw: raw, Statement: sqlnorm.Normalize("postgresql", raw), ReturnedRows: -1, RowsAffected: -1}}
		}
		spans = append(spans, db(10, `SELECT * FROM "exa_customers" WHERE "exa_customers"."deleted_at" IS NULL LIMIT 10 OFFSET 1000`))
		if byID {
			spans = append(spans, db(11, `SELECT * FROM "exa_customers" WHERE id = 7 AND "exa_customers"."deleted_at" IS NULL ORDER BY "exa_customers"."id" LIMIT 1`))
		}
		tr, _ := traceview.New(traceview.TraceID{1}, spans)
		e, _ := New(detect.DefaultConfig(), nil)
		for _, f := range e.Analyze(tr).Findings {
			if f.Type == detect.TypeDeepOffset {
				return f.Suggestion
			}
		}
		t.Fatalf("no deep_offset")
		return ""
	}
	if fix := build(true); !strings.Contains(fix, `db.Where("id > ?", lastKey).Order("id")`) {
		t.Errorf("with the table read by id: %s", fix)
	}
	if fix := build(false); !strings.Contains(fix, `db.Where("<key> > ?", lastKey).Order("<key>")`) {
		t.Errorf("with no key in the trace: %s", fix)
	}
}
