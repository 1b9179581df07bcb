// Package routenorm turns an HTTP client call into its route: the method, the
// host and the path with ids and query values replaced, so that the calls of
// a loop over items share one route.
package routenorm

import (
	"net/url"
	"strings"
)

// Route returns "METHOD host/path?key=?" for a call. template is url.template
// when the instrumentation records it; rawURL is url.full or http.url; host is
// server.address or net.peer.name, used when the URL has none.
func Route(method, template, rawURL, host string) string {
	method = strings.ToUpper(method)
	if template != "" {
		return method + " " + host + ensureSlash(template)
	}
	u, err := url.Parse(rawURL)
	if err != nil || rawURL == "" {
		return method + " " + host
	}
	if u.Host != "" {
		host = u.Host
	}
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte(' ')
	b.WriteString(host)
	segments := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	for _, seg := range segments {
		if seg == "" {
			continue
		}
		b.WriteByte('/')
		if isID(seg) {
			b.WriteString("{id}")
		} else {
			b.WriteString(seg)
		}
	}
	if u.RawQuery != "" {
		for i, kv := range strings.Split(u.RawQuery, "&") {
			if i == 0 {
				b.WriteByte('?')
			} else {
				b.WriteByte('&')
			}
			key, _, _ := strings.Cut(kv, "=")
			b.WriteString(key)
			b.WriteString("=?")
		}
	}
	return b.String()
}

func ensureSlash(s string) string {
	if strings.HasPrefix(s, "/") {
		return s
	}
	return "/" + s
}

// isID reports whether a path segment is an identifier rather than a name:
// a number, a UUID, a hex string of 8 or more, or a long token with digits.
func isID(seg string) bool {
	digits, hex, other := 0, 0, 0
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			hex++
		case c == '-' || c == '_':
		default:
			other++
		}
	}
	switch {
	case digits == len(seg):
		return true
	case other == 0 && digits > 0 && len(seg) >= 8: // hex ids, UUIDs
		return true
	case digits > 0 && len(seg) >= 16: // opaque tokens
		return true
	}
	return false
}
