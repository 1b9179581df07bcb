package livepage

import (
	"encoding/json"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
)

// The problems of the testdata: one per signature, counting every finding
// once; each links to exactly the requests that hold it; the index shows the
// most wasteful first, above the requests.
func TestProblemsOverTheTestdata(t *testing.T) {
	store, _ := testStore(t, 1000)
	all := store.Recent()
	want := map[string]int{} // problem -> findings
	findings := 0
	for _, r := range all {
		for _, f := range r.Findings {
			if f.Problem != detect.ProblemID(f.Type, r.Service, routeOf(f, r), f.Fingerprint) {
				t.Fatalf("%s %s: problem %s is not the signature of its finding", r.Service, f.Type, f.Problem)
			}
			want[f.Problem]++
			findings++
		}
	}
	rows := problems(all, time.Now())
	if len(rows) != len(want) || len(rows) == 0 {
		t.Fatalf("%d problems, want %d", len(rows), len(want))
	}
	sum := 0
	for i, p := range rows {
		sum += p.Occurrences
		if p.Occurrences != want[p.ID] {
			t.Errorf("problem %s: %d occurrences, want %d", p.ID, p.Occurrences, want[p.ID])
		}
		if i > 0 && p.Wasted > rows[i-1].Wasted {
			t.Errorf("problems not by wasted queries: %d after %d", p.Wasted, rows[i-1].Wasted)
		}
	}
	if sum != findings {
		t.Errorf("the problems hold %d findings of %d", sum, findings)
	}

	h := NewHandler(store, Settings{Concurrent: 4})
	_, index := get(t, h, "/")
	if strings.Index(index, `<tr class="problem"`) > strings.Index(index, `<tr class="request"`) {
		t.Error("the index does not show the problems first")
	}
	if n := strings.Count(index, `<tr class="problem"`); n != min(indexProblems, len(rows)) {
		t.Errorf("%d problems on the index", n)
	}
	_, page := get(t, h, "/problems")
	links := regexp.MustCompile(`<a class="reqs" href="/\?problem=([0-9a-f]{16})" title="its requests">(\d+)</a>`).FindAllStringSubmatch(page, -1)
	if len(links) != len(rows) {
		t.Fatalf("%d problems link to their requests, of %d", len(links), len(rows))
	}
	for _, l := range links[:min(len(links), 20)] {
		_, list := get(t, h, "/?problem="+l[1])
		if n := strings.Count(list, `<tr class="request">`); itoa(int64(n)) != l[2] || n == 0 {
			t.Errorf("problem %s: %d requests listed, %s counted", l[1], n, l[2])
		}
	}
	var api []ProblemRow
	_, body := get(t, h, "/api/problems?limit=5")
	if err := json.Unmarshal([]byte(body), &api); err != nil || len(api) != min(5, len(rows)) || api[0].ID != rows[0].ID {
		t.Errorf("api/problems: %d rows, %v", len(api), err)
	}
}

// routeOf is the route a finding's signature has: its request's, unless the
// request had none and shows its root's name.
func routeOf(f Finding, r Request) string {
	if detect.ProblemID(f.Type, r.Service, "", f.Fingerprint) == f.Problem {
		return ""
	}
	return r.Route
}

// A problem's sparkline counts its findings per minute; minutes before the
// window are shaded.
func TestProblemSparkline(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 30, 0, time.UTC)
	at := func(minutesAgo int) Request {
		return Request{Time: now.Add(-time.Duration(minutesAgo) * time.Minute), Service: "s", Route: "/r", TraceID: "t",
			Findings: []Finding{{Type: "n_plus_one", Problem: "p1", Wasted: 3}}}
	}
	reqs := []Request{at(0), at(0), at(2), at(14), at(20)} // newest first
	rows := problems(reqs, now)
	want := make([]int, sparkMinutes)
	want[sparkMinutes-1], want[sparkMinutes-3], want[0] = 2, 1, 1
	if len(rows) != 1 || rows[0].Occurrences != 5 || rows[0].Requests != 5 || rows[0].Wasted != 15 || !slices.Equal(rows[0].Spark, want) {
		t.Fatalf("%+v, spark want %v", rows, want)
	}
	svg := string(sparkline(rows[0].Spark, now, now.Add(-5*time.Minute)))
	if !strings.Contains(svg, `<rect class="gone" x="0" y="0" width="36"`) || strings.Count(svg, "<rect") != 4 {
		t.Errorf("sparkline %s: want the 9 minutes before the window shaded and 3 bars", svg)
	}
}

// Each fingerprint leads to the requests that ran it.
func TestFingerprintsLinkToTheirRequests(t *testing.T) {
	store, _ := testStore(t, 1000)
	h := NewHandler(store, Settings{Concurrent: 4})
	_, page := get(t, h, "/fingerprints")
	links := regexp.MustCompile(`<a class="reqs" href="/\?fingerprint=([0-9a-f]+)&amp;service=([^"]+)">`).FindAllStringSubmatch(page, -1)
	if len(links) < 50 {
		t.Fatalf("%d fingerprints link to their requests", len(links))
	}
	for _, l := range links[:40] {
		service, _ := url.QueryUnescape(l[2])
		_, list := get(t, h, "/?fingerprint="+l[1]+"&service="+l[2])
		want := 0
		for _, r := range store.Recent() {
			if r.Service == service && ranFingerprint(r, l[1]) {
				want++
			}
		}
		if n := strings.Count(list, `<tr class="request">`); n != want || n == 0 {
			t.Errorf("fingerprint %s of %s: %d requests listed, %d ran it", l[1], service, n, want)
		}
	}
}

// Badges are coloured by type and combined: over_fetch ×3, not three badges.
func TestBadgesCombineByType(t *testing.T) {
	store := NewStore(10, 64<<20)
	store.Record([]Request{{TraceID: "abc", Service: "s", Route: "/r", Time: time.Date(2026, 5, 1, 9, 8, 7, 0, time.Local), DBQueries: 20, Findings: []Finding{
		{Type: "over_fetch", Count: 1}, {Type: "n_plus_one", Count: 12, Wasted: 11}, {Type: "over_fetch", Count: 1}, {Type: "over_fetch", Count: 1}}}})
	_, index := get(t, NewHandler(store, Settings{Concurrent: 4}), "/")
	row := index[strings.Index(index, `<tr class="request">`):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, `<span class="f t-over_fetch" title="1 query; 1 query; 1 query">over_fetch ×3</span>`) ||
		!strings.Contains(row, `<span class="f t-n_plus_one" title="12 queries, 11 wasted">n_plus_one</span>`) || strings.Count(row, `class="f `) != 2 {
		t.Errorf("badges not combined by type: %s", row)
	}
	if !strings.Contains(row, ">2026-05-01 09:08:07</time>") {
		t.Errorf("no date: %s", row)
	}
}

// The route's and the service's queries over the recent window are on each
// request's page.
func TestLoadsOfTheWindow(t *testing.T) {
	now := time.Now()
	store := NewStore(10, 64<<20)
	store.Record([]Request{
		{TraceID: "a", Service: "shop", Route: "/books", DBQueries: 13, Time: now},
		{TraceID: "b", Service: "shop", Route: "/books", DBQueries: 3, Time: now},
		{TraceID: "c", Service: "shop", Route: "/authors", DBQueries: 4, Time: now},
		{TraceID: "d", Service: "other", Route: "/books", DBQueries: 100, Time: now},
	})
	_, page := get(t, NewHandler(store, Settings{Concurrent: 4}), "/requests/a")
	if !strings.Contains(page, "ran 16 queries in 2 requests (8.0 a request, at most 13), and") ||
		!strings.Contains(page, ">shop</a> 20 queries in 3 requests (6.7 a request)") {
		t.Errorf("the window's loads are not on the request's page: %s", page[strings.Index(page, `<p class="load">`):][:400])
	}
	_, routes := get(t, NewHandler(store, Settings{Concurrent: 4}), "/routes")
	if strings.Count(routes, `<tr class="route">`) != 3 || strings.Count(routes, `<tr class="service">`) != 2 {
		t.Errorf("routes page: %d routes, %d services", strings.Count(routes, `<tr class="route">`), strings.Count(routes, `<tr class="service">`))
	}
}

// Queries in no request: a banner per service, with how its ORM gets the
// request's context; bounded in services.
func TestGapsBanner(t *testing.T) {
	store := NewStore(10, 64<<20)
	now := time.Now()
	store.RecordGaps([]engine.Gap{{Service: "gorm-app", Queries: 3}, {Service: "gorm-app", Queries: 2}}, now)
	store.RecordGaps([]engine.Gap{{Service: "gorm-app", Queries: 4}, {Service: "<script>x</script>", Queries: 1}}, now)
	gaps := store.Gaps()
	if len(gaps) != 2 || gaps[0].Service != "gorm-app" || gaps[0].Queries != 9 || gaps[0].Traces != 2 || gaps[0].Advice == "" {
		t.Fatalf("gaps %+v", gaps)
	}
	_, page := get(t, NewHandler(store, Settings{Concurrent: 4}), "/")
	if !strings.Contains(page, "<b>gorm-app</b>: 9 database queries in 2 traces since") || strings.Contains(page, "<script>x") ||
		!strings.Contains(page, "&lt;script&gt;x") || !strings.Contains(page, template.HTMLEscapeString(gaps[0].Advice[:40])) {
		t.Error("no banner of the gaps, or not escaped")
	}
	for i := 0; i < 3*maxGapServices; i++ {
		store.RecordGaps([]engine.Gap{{Service: "svc-" + itoa(int64(i)), Queries: 1}}, now)
	}
	if n := len(store.Gaps()); n != maxGapServices+1 {
		t.Errorf("%d services kept, want %d and the others summed", n, maxGapServices+1)
	}
}
