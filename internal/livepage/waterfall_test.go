package livepage

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/tools/loadgen"
)

// The waterfall of Hibernate's N+1: every span of the request, the root
// first, each child after its parent and deeper, on one axis; the 12 queries
// of the loop marked as members of the n_plus_one, in start order.
func TestWaterfallOfAnNPlusOne(t *testing.T) {
	td := scenario(t, "hibernate/forward_fk_loop")
	view, res := analyzed(t, td)
	reqs := FromAnalysis(view, res, time.Now())
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if len(r.Spans) != td.SpanCount() || r.SpansTruncated != 0 {
		t.Fatalf("%d spans on the waterfall, %d beyond; the trace has %d", len(r.Spans), r.SpansTruncated, td.SpanCount())
	}
	if r.Spans[0].Depth != 0 || r.Spans[0].Label != "GET /books" || r.Spans[0].Kind != SpanOther {
		t.Errorf("first span %+v: want the root", r.Spans[0])
	}
	members, last := 0, int64(-1)
	for i, s := range r.Spans {
		if i > 0 && (s.Depth == 0 || s.Depth > r.Spans[i-1].Depth+1) {
			t.Errorf("span %d at depth %d after depth %d: not in tree order", i, s.Depth, r.Spans[i-1].Depth)
		}
		if s.Start < 0 || s.Start+s.Duration > r.Spans[0].Start+r.Spans[0].Duration {
			t.Errorf("span %d from %d for %d: outside its request", i, s.Start, s.Duration)
		}
		if s.Finding == 0 {
			continue
		}
		members++
		f := r.Findings[s.Finding-1]
		if f.Type != detect.TypeNPlusOne || s.Kind != SpanDB || !strings.Contains(s.Label, " FROM authors ") {
			t.Errorf("member %d: %+v of %s", i, s, f.Type)
		}
		if s.Start < last {
			t.Errorf("member %d starts before the one before it", i)
		}
		last = s.Start
	}
	if members != 12 {
		t.Errorf("%d members marked, want the 12 queries of the loop", members)
	}

	store := NewStore(10, 64<<20)
	store.Record(reqs)
	h := NewHandler(store, Settings{Concurrent: 4})
	_, page := get(t, h, "/requests/"+r.TraceID)
	rows := regexp.MustCompile(`<li class="([^"]*)" tabindex="0"`).FindAllStringSubmatch(page, -1)
	if len(rows) != len(r.Spans) {
		t.Fatalf("%d rows on the page for %d spans", len(rows), len(r.Spans))
	}
	highlighted := 0
	for _, m := range rows {
		if m[1] == "s db m t-n_plus_one" {
			highlighted++
		}
	}
	if highlighted != 12 || !strings.Contains(page, `<rect class="db m t-n_plus_one" data-f="`+r.Findings[0].ID+`"`) {
		t.Errorf("%d rows highlighted as the n_plus_one's, want 12; and its stripes on the overview", highlighted)
	}
	// Without JavaScript, ?finding= highlights one finding's spans.
	_, focused := get(t, h, "/requests/"+r.TraceID+"?finding="+r.Findings[0].ID)
	if strings.Count(focused, `class="s db m t-n_plus_one hl"`) != 12 || !strings.Contains(focused, `<section class="wf focus"`) {
		t.Error("?finding= does not highlight the finding's spans")
	}
}

// A request's waterfall holds its own part of the trace: an HTTP call to
// another service is marked, and what that service did is its own request.
func TestWaterfallOfEachRequest(t *testing.T) {
	td := scenario(t, "sqlalchemy/api_loop")
	view, res := analyzed(t, td)
	reqs := FromAnalysis(view, res, time.Now())
	if len(reqs) < 2 {
		t.Fatalf("%d requests: want the caller's and the callee's", len(reqs))
	}
	spans, calls := 0, 0
	for _, r := range reqs {
		spans += len(r.Spans)
		for _, s := range r.Spans {
			if s.Kind == SpanHTTP {
				calls++
				if !strings.HasPrefix(s.Label, "GET ") {
					t.Errorf("an HTTP call labelled %q: want its method and route", s.Label)
				}
			}
		}
	}
	if spans != td.SpanCount() {
		t.Errorf("the requests' waterfalls hold %d spans, the trace %d: each span on exactly one", spans, td.SpanCount())
	}
	if calls != 8 {
		t.Errorf("%d HTTP calls marked, want 8", calls)
	}
}

// A request of 1,000 spans: every span on its waterfall, the loop's 497
// queries marked, and what the store counts for it.
func TestWaterfallOf1000Spans(t *testing.T) {
	view, res := analyzed(t, loadgen.LoopRequest(time.Now(), 1000, 1))
	reqs := FromAnalysis(view, res, time.Now())
	if len(reqs) != 1 || len(reqs[0].Spans) != 1000 {
		t.Fatalf("%d requests, %d spans", len(reqs), len(reqs[0].Spans))
	}
	r := reqs[0]
	members := 0
	for _, s := range r.Spans {
		if s.Finding > 0 && r.Findings[s.Finding-1].Type == detect.TypeNPlusOne {
			members++
		}
	}
	if members != 497 {
		t.Errorf("%d members of the n_plus_one, want 497", members)
	}
	size := r.size()
	t.Logf("a request of 1,000 spans holds %d bytes as the store counts it", size)
	if size > requestBytes+1000*(spanBytes+statementBytes)+16<<10 {
		t.Errorf("a request of 1,000 spans holds %d bytes: the loop's statement must be held once", size)
	}
	store := NewStore(10, 64<<20)
	store.Record(reqs)
	_, page := get(t, NewHandler(store, Settings{Concurrent: 4}), "/requests/"+r.TraceID)
	if n := strings.Count(page, `tabindex="0"`); n != 1000 {
		t.Errorf("%d rows on the page", n)
	}
}
