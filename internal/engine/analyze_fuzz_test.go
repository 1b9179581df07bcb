package engine_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

// fuzzBytes hands out the fuzzer's bytes as small decisions; past the end
// every decision is 0.
type fuzzBytes struct {
	data []byte
	pos  int
}

func (r *fuzzBytes) more() bool { return r.pos < len(r.data) }

func (r *fuzzBytes) byte() byte {
	if r.pos >= len(r.data) {
		return 0
	}
	b := r.data[r.pos]
	r.pos++
	return b
}

func (r *fuzzBytes) intn(n int) int { return int(r.byte()) % n }

// str takes up to max bytes as a string (any bytes, valid UTF-8 or not).
func (r *fuzzBytes) str(max int) string {
	n := min(r.intn(max+1), len(r.data)-r.pos)
	if n <= 0 {
		return ""
	}
	s := string(r.data[r.pos : r.pos+n])
	r.pos += n
	return s
}

// dbTemplate is a real ORM statement; {v} is an inline value, and params
// values are recorded as db.query.parameter.0, .1, ...
type dbTemplate struct {
	system, text string
	params       int
}

var dbTemplates = []dbTemplate{
	{"postgresql", `SELECT * FROM "authors" WHERE "authors"."id" = {v} AND "authors"."deleted_at" IS NULL ORDER BY "authors"."id" LIMIT 1`, 0},
	{"postgresql", `SELECT "bookshop_author"."id", "bookshop_author"."name" FROM "bookshop_author" WHERE "bookshop_author"."id" = %s LIMIT 21`, 1},
	{"postgresql", `SELECT "tags"."name" FROM "tags" INNER JOIN "book_tags" ON "book_tags"."tag_id" = "tags"."id" WHERE "book_tags"."book_id" = {v}`, 0},
	{"postgresql", `SELECT COUNT(*) AS "__count" FROM "books" WHERE "books"."pages" > %s`, 1},
	{"postgresql", `SELECT "books"."id", "books"."title" FROM "books" WHERE "books"."pages" > %s ORDER BY "books"."id" LIMIT 20 OFFSET {v}000`, 1},
	{"postgresql", `select * from "books" where "pages" > ? order by "id" asc limit ? offset ?`, 3},
	{"postgresql", `INSERT INTO "books" ("title","author_id") VALUES ('t{v}',{v}) RETURNING "id"`, 0},
	{"postgresql", `BEGIN`, 0},
	{"postgresql", `COMMIT`, 0},
	{"postgresql", `SELECT books.id AS books_id FROM books WHERE %(param_1)s = books.author_id`, 1},
	{"mysql", "SELECT * FROM `authors` WHERE `authors`.`id` = {v} ORDER BY `authors`.`id` LIMIT 1", 0},
	{"sqlite", `SELECT count(*) FROM books WHERE pages > {v}`, 0},
	{"sqlite", `SELECT id, title FROM books WHERE pages > {v} ORDER BY id LIMIT 10 OFFSET 5000`, 0},
	{"mssql", `SELECT [b].[Id], [b].[Title] FROM [Books] AS [b] WHERE [b].[AuthorId] = @__authorId_0`, 1},
	{"redis", `GET user:{v}`, 0},
	{"mongodb", `{"find":"users","filter":{"_id":{v}}}`, 0},
	{"", `SELECT * FROM report_rows`, 0},
	{"postgresql", `SELECT "authors"."id", "books"."title" FROM "authors" LEFT OUTER JOIN "books" ON "books"."author_id" = "authors"."id" ORDER BY "authors"."id" LIMIT {v}`, 0},
}

var (
	spanNames    = []string{"GET /books", "SELECT", "query", "serialize book", "Book#save!", "render", "GET", ""}
	services     = []string{"shop", "gateway", "pricing"}
	languages    = []string{"python", "go", "nodejs", "java", "ruby", ""}
	scopes       = []string{"opentelemetry.instrumentation.django", "gorm.io/plugin/opentelemetry", "@opentelemetry/instrumentation-pg", "io.opentelemetry.jdbc", ""}
	httpRoutes   = []string{"GET pricing/books/{id}", "GET pricing/authors/{id}", "POST pricing/quotes", "GET pricing/books?page=?"}
	serverRoutes = []string{"/books", "books/", "/authors/{id}", ""}
	functions    = []string{"views.book_list", "main.listBooks", ""}
)

// spanGen writes a random trace from the fuzzer's bytes: loops of database
// and HTTP calls, as an ORM makes them, under random parents (roots, missing
// parents, self-parents, cycles, parents that arrive later), with duplicate
// and zero span ids, any kind, service and timestamps.
type spanGen struct {
	r     *fuzzBytes
	spans []traceview.Span
	next  uint16
	clock int64
	norm  *sqlnorm.Cache
}

func spanID(n uint16) traceview.SpanID {
	return traceview.SpanID{0xa0, 0, 0, 0, 0, 0, byte(n >> 8), byte(n)}
}

func (g *spanGen) freshID() traceview.SpanID {
	g.next++
	return spanID(g.next)
}

// parent picks a parent id: none, one that never arrives, one of the spans
// so far, or one that arrives later (which makes cycles possible).
func (g *spanGen) parent() traceview.SpanID {
	switch g.r.intn(8) {
	case 0:
		return traceview.SpanID{}
	case 1:
		return traceview.SpanID{0xee, 0, 0, 0, 0, 0, 0, g.r.byte()}
	case 2:
		return spanID(g.next + 1 + uint16(g.r.intn(4)))
	}
	if len(g.spans) == 0 {
		return traceview.SpanID{}
	}
	return g.spans[g.r.intn(len(g.spans))].ID
}

// span adds one span; kind -1 lets the bytes choose.
func (g *spanGen) span(parent traceview.SpanID, kind traceview.Kind, service string) *traceview.Span {
	g.clock += int64(g.r.intn(4)) * 1000 // 0: the same start as the span before
	s := traceview.Span{
		ID:       g.freshID(),
		ParentID: parent,
		Name:     spanNames[g.r.intn(len(spanNames))],
		Kind:     kind,
		Start:    g.clock,
		End:      g.clock + int64(g.r.intn(5))*400 - 400, // may end before it starts
		Service:  service,
		Language: languages[g.r.intn(len(languages))],
		Scope:    scopes[g.r.intn(len(scopes))],
	}
	if kind < 0 {
		s.Kind = traceview.Kind(g.r.intn(6))
	}
	switch g.r.intn(8) {
	case 0:
		s.ParentID = s.ID // its own parent
	case 1:
		s.Code = traceview.CodeLocation{Function: functions[g.r.intn(len(functions))], File: "app/views.py", Line: int64(g.r.intn(100))}
	}
	if s.Kind == traceview.KindServer && g.r.intn(2) == 0 {
		s.Route = serverRoutes[g.r.intn(len(serverRoutes))]
	}
	g.spans = append(g.spans, s)
	return &g.spans[len(g.spans)-1]
}

// db makes s a database call of template tmpl with inline value v.
func (g *spanGen) db(s *traceview.Span, tmpl int, v string) {
	t := dbTemplates[tmpl%len(dbTemplates)]
	raw := strings.ReplaceAll(t.text, "{v}", v)
	if g.r.intn(16) == 0 {
		raw = g.r.str(40) // anything at all
	}
	db := &traceview.DBCall{System: t.system, Raw: raw, ReturnedRows: -1, RowsAffected: -1}
	if g.r.intn(3) == 0 {
		db.ReturnedRows = int64(g.r.intn(4)) * 700
	}
	if g.r.intn(4) != 0 { // else the placeholder values are not recorded
		for k := 0; k < t.params; k++ {
			value := v
			if k > 0 {
				value = strconv.Itoa(g.r.intn(3) * 20)
			}
			addParam(db, strconv.Itoa(k), value)
		}
	}
	if strings.TrimSpace(raw) != "" && g.r.intn(32) != 0 {
		db.Statement = g.norm.Normalize(t.system, raw)
	}
	s.DB = db
}

// addParam records db.query.parameter.<key> as pdataview.Build does.
func addParam(db *traceview.DBCall, key, value string) {
	if db.Values == nil {
		db.Values = map[string]string{}
	}
	db.Params += xxhash.Sum64String("db.query.parameter."+key) ^ xxhash.Sum64String(value)
	db.NumParams++
	db.Values[key] = value
}

func (g *spanGen) http(s *traceview.Span, route int) {
	r := httpRoutes[route%len(httpRoutes)]
	method, _, _ := strings.Cut(r, " ")
	s.HTTP = new(traceview.HTTPCallTo(method, r))
}

// value is an inline value of a loop's iteration it: the same for every
// iteration, different for each, or a few values at random.
func (g *spanGen) value(mode, it int) string {
	switch mode {
	case 0:
		return strconv.Itoa(it + 1)
	case 1:
		return "7"
	}
	return strconv.Itoa(g.r.intn(3))
}

const maxFuzzSpans = 300

// generate writes the trace.
func (g *spanGen) generate() []traceview.Span {
	for g.r.more() && len(g.spans) < maxFuzzSpans {
		service := services[g.r.intn(len(services))]
		switch op := g.r.intn(8); {
		case op < 3: // one span, maybe a call
			s := g.span(g.parent(), -1, service)
			switch g.r.intn(3) {
			case 0:
				g.db(s, g.r.intn(len(dbTemplates)), strconv.Itoa(g.r.intn(50)))
			case 1:
				g.http(s, g.r.intn(len(httpRoutes)))
			}
		case op < 6: // a loop: the same calls per item, maybe each in a wrapper span
			parent := g.parent()
			iterations := 2 + g.r.intn(12)
			type call struct{ http, tmpl, mode int }
			body := make([]call, 1+g.r.intn(3))
			for k := range body {
				body[k] = call{g.r.intn(4), g.r.intn(len(dbTemplates)), g.r.intn(3)}
			}
			wrap, skip := g.r.intn(3) == 0, g.r.intn(4)
			for it := 0; it < iterations && len(g.spans) < maxFuzzSpans; it++ {
				p := parent
				if wrap {
					p = g.span(parent, traceview.KindInternal, service).ID
				}
				for k, c := range body {
					if k == 1 && it == skip { // an item whose second call is skipped
						continue
					}
					s := g.span(p, traceview.KindClient, service)
					if c.http == 0 {
						g.http(s, c.tmpl)
					} else {
						g.db(s, c.tmpl, g.value(c.mode, it))
					}
				}
			}
		case op == 6: // a span sent again: the same, or with its id at another time
			if len(g.spans) > 0 {
				dup := g.spans[g.r.intn(len(g.spans))]
				if g.r.intn(2) == 0 {
					dup.Start += int64(1 + g.r.intn(5))
				}
				g.spans = append(g.spans, dup)
			}
		default: // a span reparented: cycles, self-parents, missing parents
			if len(g.spans) > 0 {
				g.spans[g.r.intn(len(g.spans))].ParentID = g.parent()
			}
		}
	}
	return g.spans
}

// configFrom is the default configuration or, when the first byte says so,
// one with other thresholds and detectors turned off.
func configFrom(r *fuzzBytes) detect.Config {
	cfg := detect.DefaultConfig()
	if r.intn(2) == 0 {
		return cfg
	}
	flags := r.byte()
	cfg.NPlusOne.Enabled, cfg.MNPlusOne.Enabled = flags&1 == 0, flags&2 == 0
	cfg.DuplicateQuery.Enabled, cfg.NPlusOneAPI.Enabled = flags&4 == 0, flags&8 == 0
	cfg.OverFetch.Enabled, cfg.DeepOffset.Enabled = flags&16 == 0, flags&32 == 0
	cfg.PaginationCount.Enabled, cfg.OverFetch.SelectAll = flags&64 == 0, flags&128 == 0
	cfg.NPlusOne.MinRepeats = 2 + r.intn(6)
	cfg.MNPlusOne.MinIterations = 2 + r.intn(6)
	cfg.DuplicateQuery.MinRepeats = 2 + r.intn(4)
	cfg.NPlusOneAPI.MinRepeats = 2 + r.intn(6)
	cfg.NPlusOne.MinTotalDuration = time.Duration(r.intn(3)) * time.Microsecond
	cfg.OverFetch.MaxReturnedRows = int64(r.intn(3)) * 500
	cfg.DeepOffset.MinOffset = 1 + int64(r.intn(3))*1000
	return cfg
}

var hex16 = regexp.MustCompile(`^[0-9a-f]{16}$`)

// checkFindings asserts what holds of the findings of any trace: they name
// spans of the trace, a span is a member of at most one group finding, counts
// match members, and what is written into telemetry is clean.
func checkFindings(t *testing.T, tr *traceview.Trace, findings []detect.Finding) {
	t.Helper()
	n := len(tr.Spans)
	owner := map[int]string{}
	ids := map[string]bool{}
	for k := range findings {
		f := &findings[k]
		where := fmt.Sprintf("finding %d (%s, count %d, anchor %d, members %v)", k, f.Type, f.Count, f.Anchor, f.Members)
		if f.Anchor < 0 || f.Anchor >= n {
			t.Fatalf("%s: the anchor is not a span of the trace of %d spans", where, n)
		}
		for j, m := range f.Members {
			if m < 0 || m >= n {
				t.Fatalf("%s: member %d is not a span of the trace of %d spans", where, m, n)
			}
			if j > 0 && m <= f.Members[j-1] {
				t.Fatalf("%s: members are not distinct, in canonical order", where)
			}
			if other, ok := owner[m]; ok {
				t.Fatalf("%s: span %d is a member of %s too", where, m, other)
			}
			owner[m] = fmt.Sprintf("finding %d (%s)", k, f.Type)
		}
		if !hex16.MatchString(f.ID) || !hex16.MatchString(f.Fingerprint) {
			t.Fatalf("%s: id %q or fingerprint %q is not 16 hex digits", where, f.ID, f.Fingerprint)
		}
		if ids[f.ID] {
			t.Fatalf("%s: id %s is not unique in the trace", where, f.ID)
		}
		ids[f.ID] = true
		if !utf8.ValidString(f.Statement) || strings.IndexFunc(f.Statement, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
			t.Fatalf("%s: statement %q is not clean UTF-8", where, f.Statement)
		}
		var total time.Duration
		for _, m := range f.Members {
			total += tr.Spans[m].Duration()
		}
		if len(f.Members) == 0 {
			total = tr.Spans[f.Anchor].Duration()
		}
		if f.TotalDuration != total {
			t.Fatalf("%s: total duration %v, the spans' %v", where, f.TotalDuration, total)
		}
		if f.ParentMissing && (len(f.Members) == 0 || f.Anchor != f.Members[0]) {
			t.Fatalf("%s: parent missing, but not anchored on its first member", where)
		}
		dbMembers := func() {
			for _, m := range f.Members {
				db := tr.Spans[m].DB
				if db == nil || db.Statement == nil || db.Statement.Control {
					t.Fatalf("%s: member %d is not a data statement", where, m)
				}
			}
		}
		switch f.Type {
		case detect.TypeNPlusOne, detect.TypeDuplicateQuery:
			dbMembers()
			if f.Count != len(f.Members) || f.Count < 2 {
				t.Fatalf("%s: count is not the number of members", where)
			}
			for _, m := range f.Members {
				if fp := tr.Spans[m].DB.Statement.Fingerprint; fp != f.Fingerprint {
					t.Fatalf("%s: member %d has fingerprint %s", where, m, fp)
				}
			}
		case detect.TypeNPlusOneAPI:
			if f.Count != len(f.Members) || f.Count < 2 {
				t.Fatalf("%s: count is not the number of members", where)
			}
			for _, m := range f.Members {
				if h := tr.Spans[m].HTTP; h == nil || h.Route() != f.Statement {
					t.Fatalf("%s: member %d is not a call of %q", where, m, f.Statement)
				}
			}
		case detect.TypeMNPlusOne:
			dbMembers()
			if f.Count < 2 || f.Count > len(f.Members) || len(f.Statements) < 2 || f.Statement != strings.Join(f.Statements, "; ") {
				t.Fatalf("%s: %d statements %q", where, len(f.Statements), f.Statements)
			}
		case detect.TypePaginationCount:
			dbMembers()
			if f.Count != 2 || len(f.Members) != 2 {
				t.Fatalf("%s: not a count and a page", where)
			}
		case detect.TypeLazyLoadOutOfScope:
			switch f.Reason {
			case detect.ReasonException:
				found := false
				for _, e := range tr.Spans[f.Anchor].Exceptions {
					found = found || e.Type != "" || e.Message != ""
				}
				if !found || f.Count != 1 || len(f.Members) != 0 || f.Exception == "" {
					t.Fatalf("%s: not on a span that recorded an exception", where)
				}
			case detect.ReasonTemplate, detect.ReasonAfterParentEnded:
				dbMembers()
				if f.Count != len(f.Members) || f.Count < 1 {
					t.Fatalf("%s: count is not the number of members", where)
				}
			default:
				t.Fatalf("%s: reason %q", where, f.Reason)
			}
		default: // over_fetch, deep_offset and the other findings on one span
			if !slices.Contains(detect.Types, f.Type) {
				t.Fatalf("%s: unknown type", where)
			}
			db := tr.Spans[f.Anchor].DB
			if len(f.Members) == 0 && (f.Count != 1 || db == nil || db.Statement == nil || db.Statement.Fingerprint != f.Fingerprint) {
				t.Fatalf("%s: not a finding on one database span", where)
			}
		}
	}
}

// signature is what must not depend on the order spans arrived in: each
// finding's type, id, count, statement, anchor and members, by span id.
func signature(tr *traceview.Trace, findings []detect.Finding) string {
	var b strings.Builder
	for _, f := range findings {
		fmt.Fprintf(&b, "%s %s x%d %s %q on %s:", f.Type, f.ID, f.Count, f.Fingerprint, f.Statement, tr.Spans[f.Anchor].ID)
		for _, m := range f.Members {
			b.WriteString(" " + tr.Spans[m].ID.String())
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// ambiguous reports whether two different spans have the same place in the
// canonical order (start, id, end, name, service): only then may their order
// of arrival show in the view.
func ambiguous(spans []traceview.Span) bool {
	type key struct {
		start, end    int64
		id            traceview.SpanID
		name, service string
	}
	seen := map[key]int{}
	for i := range spans {
		s := &spans[i]
		k := key{s.Start, s.End, s.ID, s.Name, s.Service}
		if j, ok := seen[k]; ok && !reflect.DeepEqual(spans[j], *s) {
			return true
		}
		seen[k] = i
	}
	return false
}

func checkRequests(t *testing.T, tr *traceview.Trace, res engine.Result) {
	t.Helper()
	queries := 0
	for k, r := range res.Requests {
		if r.Span < 0 || r.Span >= len(tr.Spans) || k > 0 && r.Span <= res.Requests[k-1].Span || r.DBQueries < 0 {
			t.Fatalf("request %d of %v: not a distinct span of the trace", k, res.Requests)
		}
		// Overlapping queries count once in the wall time, never more.
		if r.DBWallDuration < 0 || r.DBWallDuration > r.DBDuration || r.DBQueries == 0 && r.DBWallDuration != 0 {
			t.Fatalf("request %d: %d queries, summed %s, wall %s", k, r.DBQueries, r.DBDuration, r.DBWallDuration)
		}
		queries += r.DBQueries
	}
	for _, g := range res.Gaps {
		if g.Queries <= 0 {
			t.Fatalf("gap %+v", g)
		}
		queries += g.Queries
	}
	want := 0 // the database spans that record a query (a pool's connect does not)
	for _, i := range detect.NewInput(tr).DBSpans {
		if tr.Spans[i].DB.Statement != nil {
			want++
		}
	}
	if queries != want {
		t.Fatalf("requests and gaps count %d queries, the trace has %d", queries, want)
	}
}

func fuzzSeeds(f *testing.F) {
	// A few hand-written programs: an N+1 under a request, an N+1 API, two
	// statements per item in wrappers, spans sent twice, a reparenting.
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 3, 10, 1, 0, 1, 0})
	f.Add([]byte{0, 3, 5, 9, 0, 1, 0, 3, 1, 0, 9, 3, 0, 1, 2, 0, 0, 2, 0})
	f.Add([]byte{1, 0xff, 3, 3, 3, 3, 3, 0, 1, 0, 0, 4, 6, 8, 0, 1, 1, 0, 2, 1, 0, 3, 0})
	f.Add([]byte{0, 0, 0, 2, 0, 0, 0, 0, 1, 5, 2, 0, 1, 4, 2, 1, 5, 1, 2, 6, 1, 0, 7, 3, 7, 2, 6})
	f.Add([]byte("querylens: n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1 n+1"))
	for seed := uint64(1); seed <= 16; seed++ {
		data := make([]byte, 64*seed)
		rng := rand.New(rand.NewPCG(seed, 8))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		f.Add(data)
	}
}

// FuzzAnalyze runs the detectors and the engine over random span trees and
// checks that every finding names spans of the trace (anchor and distinct
// members), that a span is a member of one group finding at most, that
// counts match members, and that the same spans in another order give the
// same findings, ids included.
func FuzzAnalyze(f *testing.F) {
	fuzzSeeds(f)
	norm, _ := sqlnorm.NewCache(1000, 4096)
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &fuzzBytes{data: data}
		cfg := configFrom(r)
		g := &spanGen{r: r, norm: norm}
		spans := g.generate()

		tr, order := traceview.New(traceview.TraceID{1}, spans)
		if len(order) != len(spans) || len(tr.Spans) != len(spans) {
			t.Fatalf("%d spans in, %d in the view, order of %d", len(spans), len(tr.Spans), len(order))
		}
		findings := detect.Run(detect.New(cfg), detect.NewInput(tr))
		checkFindings(t, tr, findings)
		want := signature(tr, findings)

		e, err := engine.New(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		res := e.Analyze(tr)
		checkFindings(t, tr, res.Findings)
		checkRequests(t, tr, res)
		if got := signature(tr, res.Findings); got != want {
			t.Fatalf("the engine finds\n%s\nthe detectors\n%s", got, want)
		}
		for _, f := range res.Findings {
			if f.Suggestion == "" {
				t.Fatalf("%s %s has no suggestion", f.Type, f.ID)
			}
		}

		if ambiguous(spans) {
			return
		}
		shuffled := slices.Clone(spans)
		rng := rand.New(rand.NewPCG(xxhash.Sum64(data), uint64(len(data))))
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		tr2, _ := traceview.New(traceview.TraceID{1}, shuffled)
		if got := signature(tr2, detect.Run(detect.New(cfg), detect.NewInput(tr2))); got != want {
			t.Fatalf("the same spans in another order give other findings:\n%s\ninstead of\n%s", got, want)
		}
	})
}
