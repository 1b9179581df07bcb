package livepage

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// How a live connection behaves: at most one event a second (each makes the
// open page fetch itself again), a comment now and then so that proxies
// keep it open, and an end after a while (the browser reconnects), so that
// a forgotten tab holds no connection for ever.
const (
	liveEvery     = time.Second
	liveHeartbeat = 20 * time.Second
	liveLifetime  = 10 * time.Minute
	liveWrite     = 10 * time.Second // the write deadline of each event
)

// events is /events, server-sent events: "change" with the store's version
// each time it changes. It holds one of the live connections, apart from
// the answers being written (the fetches it causes take those).
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	select {
	case h.live <- struct{}{}:
		defer func() { <-h.live }()
	default:
		w.Header().Set("Retry-After", "10")
		http.Error(w, "querylens: too many live pages at a time", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	rc := http.NewResponseController(w)
	send := func(event string) bool {
		// The server's write_timeout would end the stream: each event
		// gets its own deadline (where the writer lets it be set).
		_ = rc.SetWriteDeadline(time.Now().Add(liveWrite))
		if _, err := io.WriteString(w, event); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	version, changed := h.store.Changed()
	if !send("retry: 3000\nevent: change\ndata: " + strconv.FormatUint(version, 10) + "\n\n") {
		return
	}
	heartbeat := time.NewTicker(liveHeartbeat)
	defer heartbeat.Stop()
	end := time.NewTimer(liveLifetime)
	defer end.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-h.done:
			return
		case <-end.C:
			return
		case <-heartbeat.C:
			if !send(": keep-alive\n\n") {
				return
			}
		case <-changed:
			version, changed = h.store.Changed()
			if !send("event: change\ndata: " + strconv.FormatUint(version, 10) + "\n\n") {
				return
			}
			select { // at most one a second, whatever the traffic
			case <-time.After(liveEvery):
			case <-r.Context().Done():
				return
			case <-h.done:
				return
			}
		}
	}
}
