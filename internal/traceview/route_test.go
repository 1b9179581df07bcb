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

// Hono records no route; Better Auth, called in-process for the session of
// every request, records its own (/get-session) on a span below: that route
// does not fit the request's path, so the request has no route rather than
// another's. A framework span whose route fits the path is still read.
func TestRouteBelowMustFitThePath(t *testing.T) {
	request := func(path, below string) *Trace {
		v, _ := New(TraceID{1}, []Span{
			{ID: SpanID{1}, Name: "GET", Kind: KindServer, Service: "api", Path: path, Start: 1, End: 10},
			{ID: SpanID{2}, ParentID: SpanID{1}, Name: "getSession", Service: "api", Route: "/get-session", Start: 2, End: 3},
			{ID: SpanID{3}, ParentID: SpanID{1}, Name: "handler", Service: "api", Route: below, Start: 4, End: 9},
		})
		return v
	}
	for _, c := range []struct{ path, below, want string }{
		{"/api/task/tasks/0f8e2c", "", ""},
		{"/api/task/tasks/0f8e2c", "/task/tasks/:id", "/task/tasks/:id"}, // mounted under /api
		{"/api/websites/ab12/events", "/api/websites/[websiteId]/events", "/api/websites/[websiteId]/events"},
		{"/api/get-session", "", "/get-session"},
		{"", "", "/get-session"}, // no path recorded: the nearest route, as before
	} {
		if got := request(c.path, c.below).RouteOf(0); got != c.want {
			t.Errorf("path %q, route below %q: RouteOf = %q, want %q", c.path, c.below, got, c.want)
		}
	}
}

func TestRouteFitsPath(t *testing.T) {
	for _, c := range []struct {
		route, path string
		fits        bool
	}{
		{"/users/:id", "/users/42", true},
		{"/users/:id", "/users/42?expand=1", true},
		{"/users/:id", "/users/42/posts", false},
		{"/users/{id}/posts", "/v1/users/42/posts", true},
		{"/<int:pk>/", "/17/", true},
		{"/flights/:from-:to", "/flights/LHR-JFK", true},
		{"/docs/[...slug]", "/docs/a/b/c", true},
		{"/docs/[...slug]", "/blog/a", false},
		{"/files/*", "/static/files/x/y", true},
		{"/get-session", "/api/tasks/1", false},
		{"/", "/", true},
		{"/", "/tasks", false},
		{"/Tasks", "/tasks", true},
		{"/tasks", "", true},
	} {
		if got := RouteFitsPath(c.route, c.path); got != c.fits {
			t.Errorf("RouteFitsPath(%q, %q) = %v, want %v", c.route, c.path, got, c.fits)
		}
	}
}
