package livepage

import (
	"embed"
	"net/http"
	"path"
	"strconv"

	"github.com/cespare/xxhash/v2"
)

// The page's style, its small script (live updates, the pause, highlighting
// a finding's spans) and its icon: served by the page itself, no external
// asset, no build step. The page reads well without the script.
//
//go:embed assets/page.css assets/page.js assets/icon.svg
var assetFiles embed.FS

// asset is one constant file of the page.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

var assets = func() map[string]asset {
	types := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
	out := map[string]asset{}
	for _, name := range []string{"page.css", "page.js", "icon.svg"} {
		body, err := assetFiles.ReadFile("assets/" + name)
		if err != nil {
			panic(err) // embedded at build time: cannot fail
		}
		out["/assets/"+name] = asset{body: body, contentType: types[path.Ext(name)],
			etag: `"` + strconv.FormatUint(xxhash.Sum64(body), 36) + `"`}
	}
	return out
}()

func serveAsset(w http.ResponseWriter, r *http.Request, a asset) {
	w.Header().Set("ETag", a.etag)
	w.Header().Set("Cache-Control", "no-cache") // revalidated: a new collector may serve a new script
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
	_, _ = w.Write(a.body)
}
