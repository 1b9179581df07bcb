package traceview

import "testing"

// Node's HTTP server span is named "GET" and records no route; Next.js's own
// server span below it does: the request is grouped by that route, never by
// a span of another service.
func TestRouteOfReadsTheFrameworkSpanBelow(t *testing.T) {
	view, _ := New(TraceID{1}, []Span{
		{ID: SpanID{1}, Name: "GET", Kind: KindServer, Service: "umami", Start: 1, End: 10},
		{ID: SpanID{2}, ParentID: SpanID{1}, Name: "GET /api/teams", Kind: KindServer, Service: "umami", Route: "/api/teams", Start: 2, End: 9},
		{ID: SpanID{3}, ParentID: SpanID{2}, Name: "prisma:client:db_query", Service: "umami", Start: 3, End: 4},
	})
	if r := view.RouteOf(0); r != "/api/teams" {
		t.Errorf("route %q, want the framework span's", r)
	}
	other, _ := New(TraceID{2}, []Span{
		{ID: SpanID{1}, Name: "GET", Kind: KindServer, Service: "front", Start: 1, End: 10},
		{ID: SpanID{2}, ParentID: SpanID{1}, Name: "GET /users", Kind: KindServer, Service: "users", Route: "/users", Start: 2, End: 9},
	})
	if r := other.RouteOf(0); r != "" {
		t.Errorf("route %q read from another service", r)
	}
}
