package livepage

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// readEvent reads the next server-sent event's data, skipping comments.
func readEvent(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	data := ""
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("the event stream ended: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && data != "":
			return data
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func openEvents(t *testing.T, url string) (*http.Response, *bufio.Reader) {
	t.Helper()
	resp, err := http.Get(url + "/events")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp, bufio.NewReader(resp.Body)
}

// An open page hears of each change: the store's version when it connects,
// then the new one when a trace is recorded.
func TestEventsSayWhenTheStoreChanges(t *testing.T) {
	store := NewStore(10, 64<<20)
	h := NewHandler(store, Settings{Concurrent: 1, Live: 2})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Close()
	resp, events := openEvents(t, srv.URL)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if v := readEvent(t, events); v != "0" {
		t.Fatalf("first event %q, want the version 0", v)
	}
	// A live connection takes no answer's slot: the one slot still serves.
	if code, _ := get(t, h, "/"); code != 200 {
		t.Fatalf("with a page live, the index answers %d", code)
	}
	store.Record([]Request{{TraceID: "a", Time: time.Now()}})
	if v := readEvent(t, events); v != "1" {
		t.Fatalf("after a trace, event %q, want 1", v)
	}
	store.RecordGaps(nil, time.Now()) // nothing: no change
	store.Record([]Request{{TraceID: "b"}})
	store.Record([]Request{{TraceID: "c"}})
	if v := readEvent(t, events); v != "3" {
		t.Fatalf("after two more, event %q, want 3 (one event for both, at most one a second)", v)
	}
}

// Live connections are bounded apart from the answers: past the bound, 503;
// Close ends them, so that the server can shut down.
func TestLiveConnectionsAreBounded(t *testing.T) {
	store := NewStore(10, 64<<20)
	h := NewHandler(store, Settings{Concurrent: 4, Live: 2})
	srv := httptest.NewServer(h)
	defer srv.Close()
	var streams []*bufio.Reader
	for i := 0; i < 2; i++ {
		_, events := openEvents(t, srv.URL)
		readEvent(t, events)
		streams = append(streams, events)
	}
	resp, err := http.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a third live page: %d, want 503 with Retry-After", resp.StatusCode)
	}
	h.Close()
	for _, events := range streams {
		done := make(chan error, 1)
		go func() { _, err := events.ReadString('\n'); done <- err }()
		select {
		case err := <-done:
			if err == nil {
				t.Error("a live connection wrote after Close")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a live connection still open 5s after Close")
		}
	}
	// Live updates off: no connection at all.
	off := NewHandler(store, Settings{Concurrent: 4, Live: 0})
	rec := httptest.NewRecorder()
	off.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/events", nil))
	_, page := get(t, off, "/")
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(page, "page.js") {
		t.Errorf("live off: /events %d, script on the page %v", rec.Code, strings.Contains(page, "page.js"))
	}
}

// A request page's rev changes when its trace does, not when others arrive:
// an open request page is not redrawn for other traffic.
func TestRequestPageRev(t *testing.T) {
	store := NewStore(10, 64<<20)
	h := NewHandler(store, Settings{Concurrent: 4, Live: 1})
	rev := func(path string) string {
		_, page := get(t, h, path)
		i := strings.Index(page, `data-rev="`)
		return page[i+10 : i+10+strings.Index(page[i+10:], `"`)]
	}
	code, _ := get(t, h, "/requests/aa")
	before := rev("/requests/aa")
	if code != http.StatusNotFound || before != "" {
		t.Fatalf("an unknown trace: %d, rev %q", code, before)
	}
	store.Record([]Request{{TraceID: "aa", SpanID: "01", Time: time.Unix(1, 0)}})
	first := rev("/requests/aa")
	store.Record([]Request{{TraceID: "bb", SpanID: "02", Time: time.Unix(2, 0)}})
	if first == "" || rev("/requests/aa") != first {
		t.Error("the request page's rev changed with another trace")
	}
	store.Record([]Request{{TraceID: "aa", SpanID: "03", Time: time.Unix(3, 0)}})
	if rev("/requests/aa") == first {
		t.Error("the request page's rev did not change with its trace")
	}
	if rev("/") == rev("/requests/aa") || rev("/") != "3" {
		t.Errorf("the index's rev %q: want the store's version", rev("/"))
	}
}

// The page's own files: served whatever the load, revalidated by ETag.
func TestAssets(t *testing.T) {
	h := NewHandler(NewStore(10, 64<<20), Settings{Concurrent: 1, Live: 1})
	h.slots <- struct{}{} // every answer's slot taken
	for path, typ := range map[string]string{"/assets/page.js": "text/javascript", "/assets/page.css": "text/css", "/assets/icon.svg": "image/svg+xml"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), typ) || rec.Body.Len() == 0 {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d", path, rec.Code)
		}
	}
}
