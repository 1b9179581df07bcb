package routenorm

import "testing"

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
