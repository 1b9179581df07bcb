package routenorm

import (
	"net/url"
	"testing"
)

func TestRoute(t *testing.T) {
	cases := []struct{ method, template, url, host, want string }{
		{"GET", "", "http://inventory:8080/stock/42", "", "GET inventory:8080/stock/{id}"},
		{"get", "", "http://inventory:8080/stock/42?fields=qty&lang=en", "", "GET inventory:8080/stock/{id}?fields=?&lang=?"},
		{"GET", "", "https://api.example.com/v2/users/6f1c1a8e-3c1f-4c8e-9b0a-2d8f4f1d7c11/orders/507f1f77bcf86cd799439011", "",
			"GET api.example.com/v2/users/{id}/orders/{id}"},
		{"POST", "", "/stock/42", "inventory", "POST inventory/stock/{id}"},
		{"GET", "/stock/{id}", "http://inventory/stock/42", "inventory", "GET inventory/stock/{id}"},
		{"GET", "", "http://inventory/books/catalogue", "", "GET inventory/books/catalogue"},
		{"GET", "", "http://inventory/stock?ids=1,2,3", "", "GET inventory/stock?ids=?"},
		{"GET", "", "://bad url", "inventory", "GET inventory"},
		{"GET", "", "http://api/v2/users/alice.canary@example.com/orders", "", "GET api/v2/users/{id}/orders"},
		{"GET", "", "http://api/orders/ord_8f3KzQ2/items/order-items", "", "GET api/orders/{id}/items/order-items"},
		{"GET", "", "http://api/search?q=alice%40example.com&token=s3cr3t", "", "GET api/search?q=?&token=?"},
		// found by FuzzAnnotate: attributes are written into the route as they are
		{"GET", "000000\xf3", "", "127.0.0.1", "GET 127.0.0.1/?\uFFFD"},
		{"GET\n", "/stock/{id}\x1b[0m", "", "inventory\x00", "? inventory/stock/{id} [?"},
		// what is not a name goes through the gate
		{"GET", "/books/'Qzx'", "", "inv'Qzx'", "GET inv?/books/?"},
		{"GET", "", "http://api/search?k'Qzx'=1", "", "GET api/search?k?=?"},
		// the query's pieces, empty ones too, and the path's segments, empty ones not
		{"GET", "", "http://h//a///b/?x=1&&y", "", "GET h/a/b?x=?&=?&y=?"},
		{"GET", "", "http://h/a?", "", "GET h/a"},
		{"GET", "", "https://h:8443", "", "GET h:8443"},
		{"GET", "", "http://h:1:2/a", "inventory", "GET inventory"},
	}
	for _, c := range cases {
		if got := Route(c.method, c.template, c.url, c.host); got != c.want {
			t.Errorf("Route(%q, %q, %q, %q) = %q, want %q", c.method, c.template, c.url, c.host, got, c.want)
		}
	}
	if Route("GET", "", "http://h/stock/1", "") != Route("GET", "", "http://h/stock/9999", "") {
		t.Error("two ids gave two routes")
	}
}

// splitURLCases are URLs of every form splitURL reads and of some it leaves
// to url.Parse.
var splitURLCases = []string{
	"", "/", "//", "///x", "http://", "http:///x", "http://h", "http://h/", "https://h:8443/a/b",
	"http://h:/x", "http://:80/x", "http://h:8o/x", "http://h:1:2/x", "http://h/a?b", "http://h/a?", "http://h?q=1",
	"http://h/a?x=1&&y=2&z", "http://h/a?x=1?y=2", "/stock/42", "/a:b/c", "a:b", "stock/42", "HTTP://h/x",
	"http://u@h/x", "http://h/a%2Fb", "http://h/a#f", "http://[::1]:80/x", "http://h/a b", "http://h/caf\xc3\xa9",
	"ftp://h/x", "http:h/x", "http://h_1.example-2.com/x~y/z;p,q+r=s", "http://h/x//y///", "?q=1", "http://h/a:b?c:d",
}

// TestSplitURLAsParse: what splitURL reads, it reads as url.Parse does; the
// route is then the same through either.
func TestSplitURLAsParse(t *testing.T) {
	read := 0
	for _, raw := range splitURLCases {
		if checkSplitURL(t, raw) {
			read++
		}
	}
	if read < len(splitURLCases)/2 {
		t.Errorf("splitURL read %d of %d cases: the fast path is not taken", read, len(splitURLCases))
	}
}

func FuzzSplitURL(f *testing.F) {
	for _, raw := range splitURLCases {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) { checkSplitURL(t, raw) })
}

// checkSplitURL fails t when splitURL reads raw otherwise than url.Parse,
// and reports whether splitURL read it.
func checkSplitURL(t *testing.T, raw string) bool {
	t.Helper()
	host, path, query, ok := splitURL(raw)
	if !ok {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Errorf("splitURL(%q) read what url.Parse refuses: %v", raw, err)
		return true
	}
	if host != u.Host || path != u.EscapedPath() || query != u.RawQuery {
		t.Errorf("splitURL(%q) = %q, %q, %q; url.Parse: %q, %q, %q", raw, host, path, query, u.Host, u.EscapedPath(), u.RawQuery)
	}
	return true
}
