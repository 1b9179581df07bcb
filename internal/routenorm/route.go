// Package routenorm turns an HTTP client call into its route: the method, the
// host and the path with ids and query values replaced, so that the calls of
// a loop over items share one route.
package routenorm

import (
	"net/url"
	"strings"

	"github.com/querylens/querylens/internal/sqlnorm"
)

// Route returns "METHOD host/path?key=?" for a call. template is url.template
// when the instrumentation records it; rawURL is url.full or http.url; host is
// server.address or net.peer.name, used when the URL has none. The route is
// written into telemetry: it is valid UTF-8 without control characters, and
// what the attributes hold beyond names (a quoted value, a comment, a number
// of its own) goes through the last gate (sqlnorm.SafeName) as ?, whatever
// they hold.
func Route(method, template, rawURL, host string) string {
	return sqlnorm.Clean(route(method, template, rawURL, host))
}

// safeMethod is an HTTP method, or ? when the attribute holds something else.
func safeMethod(m string) string {
	m = strings.ToUpper(m)
	for i := 0; i < len(m); i++ {
		if c := m[i]; !(c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return "?"
		}
	}
	return m
}

// safeHost is a host name, address and port, as they are; anything else
// through the gate.
func safeHost(h string) string {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' ||
			c == '_' || c == ':' || c == '[' || c == ']') {
			return sqlnorm.SafeName(h)
		}
	}
	if len(h) > sqlnorm.MaxNameBytes {
		return sqlnorm.SafeName(h)
	}
	return h
}

func route(method, template, rawURL, host string) string {
	method, host = safeMethod(method), safeHost(host)
	if template != "" {
		return method + " " + host + sqlnorm.SafeName(ensureSlash(template))
	}
	urlHost, path, query, ok := splitURL(rawURL)
	if !ok {
		u, err := url.Parse(rawURL)
		if err != nil || rawURL == "" {
			return method + " " + host
		}
		urlHost, path, query = u.Host, u.EscapedPath(), u.RawQuery
	}
	if urlHost != "" {
		host = safeHost(urlHost)
	}
	var b strings.Builder
	b.Grow(len(method) + 1 + len(host) + len(path) + 2*len(query))
	b.WriteString(method)
	b.WriteByte(' ')
	b.WriteString(host)
	for rest := strings.Trim(path, "/"); ; {
		seg, after, more := strings.Cut(rest, "/")
		if seg != "" {
			b.WriteByte('/')
			if isID(seg) {
				b.WriteString("{id}")
			} else {
				b.WriteString(seg)
			}
		}
		if !more {
			break
		}
		rest = after
	}
	if query != "" {
		b.WriteByte('?')
		for rest := query; ; {
			kv, after, more := strings.Cut(rest, "&")
			key, _, _ := strings.Cut(kv, "=")
			b.WriteString(sqlnorm.SafeName(key))
			b.WriteString("=?")
			if !more {
				break
			}
			b.WriteByte('&')
			rest = after
		}
	}
	return b.String()
}

// splitURL splits the URLs instrumentations record most, an absolute
// http(s) URL or a path, of plain characters only, as url.Parse would, without
// its allocations: the host, the escaped path and the raw query. ok is false
// for anything else (an escape, user info, a fragment, an IPv6 host, a port
// that is no number...), which url.Parse reads (TestSplitURLAsParse).
func splitURL(raw string) (host, path, query string, ok bool) {
	for i := 0; i < len(raw); i++ {
		if !plainURLByte[raw[i]] {
			return "", "", "", false
		}
	}
	rest, query, _ := strings.Cut(raw, "?")
	switch {
	case strings.HasPrefix(rest, "http://"):
		rest = rest[len("http://"):]
	case strings.HasPrefix(rest, "https://"):
		rest = rest[len("https://"):]
	case strings.HasPrefix(rest, "/") && !strings.HasPrefix(rest, "//"):
		return "", rest, query, true
	default:
		return "", "", "", false
	}
	host, path = rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	_, port, _ := strings.Cut(host, ":")
	for i := 0; i < len(port); i++ {
		if c := port[i]; c < '0' || c > '9' {
			return "", "", "", false // a second colon too
		}
	}
	return host, path, query, true
}

// plainURLByte are the bytes splitURL reads: letters, digits and the
// punctuation that url.Parse keeps as it is in a host, a path and a query.
var plainURLByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~/:?&=,+;" {
		t[c] = true
	}
	return t
}()

func ensureSlash(s string) string {
	if strings.HasPrefix(s, "/") {
		return s
	}
	return "/" + s
}

// isID reports whether a path segment is a value rather than a name. A name
// is a word: letters, with - or _, and at most two digits at its end ("v2",
// "order-items"); anything else — a number, a UUID, a hex or opaque token, an
// e-mail address, a slug with digits — is a value and must not reach a
// finding.
func isID(seg string) bool {
	if len(seg) == 0 || len(seg) > 32 {
		return len(seg) > 32
	}
	i := 0
	if c := seg[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return true
	}
	for i < len(seg) && (seg[i] >= 'a' && seg[i] <= 'z' || seg[i] >= 'A' && seg[i] <= 'Z' || seg[i] == '-' || seg[i] == '_') {
		i++
	}
	digits := 0
	for i < len(seg) && seg[i] >= '0' && seg[i] <= '9' {
		i++
		digits++
	}
	return i < len(seg) || digits > 2
}
