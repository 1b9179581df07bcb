// Package traceview is a read-only index of the spans of one trace: spans by id,
// each parent's children in start order, and what each span is (a database call,
// with its normalized statement). Detectors read it as plain Go; pdataview builds
// it from the collector's spans.
package traceview

import (
	"cmp"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/querylens/querylens/internal/reuse"
	"github.com/querylens/querylens/internal/routenorm"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// SpanID is an 8-byte span id; the zero value means "none".
type SpanID [8]byte

// IsEmpty reports whether the id is all zeros.
func (id SpanID) IsEmpty() bool { return id == SpanID{} }

func (id SpanID) String() string { return hex.EncodeToString(id[:]) }

// TraceID is a 16-byte trace id.
type TraceID [16]byte

func (id TraceID) String() string { return hex.EncodeToString(id[:]) }

// Kind is the span kind, as in OTLP.
type Kind int8

const (
	KindUnspecified Kind = iota
	KindInternal
	KindServer
	KindClient
	KindProducer
	KindConsumer
)

// Span is what the detectors know of one span.
type Span struct {
	ID       SpanID
	ParentID SpanID // zero for a root
	Name     string
	Kind     Kind
	Start    int64 // unix nanoseconds
	End      int64
	Service  string // resource service.name
	Language string // resource telemetry.sdk.language
	// Runtime is the resource's process.runtime.name (go's "gc", "nodejs",
	// "cpython", "OpenJDK Runtime Environment"...): the language when the
	// SDK does not report one.
	Runtime string
	Scope   string // instrumentation scope name
	DB      *DBCall
	HTTP    *HTTPCall
	Code    CodeLocation
	// Route is the span's http.route, when it records one.
	Route string
	// Path is the span's url.path (or http.target, query and all), when it
	// records one. It holds values (ids, slugs): it is read to tell which
	// route below a server span is its own (RouteFitsPath), never written
	// anywhere.
	Path string
	// Exceptions are the span's "exception" events, in order.
	Exceptions []Exception
	// Annotated is true when the span already carries querylens annotations
	// (it passed through querylens before): they are replaced, not added to.
	Annotated bool
}

// Duration is End-Start, never negative.
func (s *Span) Duration() time.Duration {
	if s.End <= s.Start {
		return 0
	}
	return time.Duration(s.End - s.Start)
}

// DBCall is the database side of a span that has db.system.name or db.system.
type DBCall struct {
	System string
	// Statement is the normalized statement, nil when the span records none.
	Statement *sqlnorm.Statement
	// Raw is the statement as recorded. It holds literal values: read it to tell
	// repeats apart, never write it anywhere.
	Raw string
	// Params is an order-independent hash of the db.query.parameter.* values,
	// NumParams their number and Values the values by key (without the
	// prefix); nil when there are none. Values are read, never written.
	Params    uint64
	NumParams int
	Values    map[string]string
	// ReturnedRows is db.response.returned_rows, or -1 when not recorded;
	// RowsAffected is the db.rows_affected some instrumentations (GORM's)
	// record instead, or -1.
	ReturnedRows int64
	RowsAffected int64
}

// HTTPCall is the client side of an HTTP request: a CLIENT span with
// http.request.method or http.method.
type HTTPCall struct {
	Method string
	// route is the method, host and path with ids and query values replaced
	// (internal/routenorm): the same for every call of a loop over items.
	// Made on first use (Route) from url.template, url.full or http.url, and
	// server.address or net.peer.name: most calls are never grouped with
	// others, and their routes never asked for.
	route               string
	template, url, host string
	pending             bool
}

// NewHTTPCall is a call whose route is made, when asked for, from its
// attributes (routenorm.Route).
func NewHTTPCall(method, template, url, host string) HTTPCall {
	return HTTPCall{Method: method, template: template, url: url, host: host, pending: true}
}

// HTTPCallTo is a call whose route is known.
func HTTPCallTo(method, route string) HTTPCall { return HTTPCall{Method: method, route: route} }

// Route is the call's route. A view is read by one goroutine at a time: the
// route is made without a lock.
func (h *HTTPCall) Route() string {
	if h.pending {
		h.route, h.pending = routenorm.Route(h.Method, h.template, h.url, h.host), false
		h.template, h.url, h.host = "", "", ""
	}
	return h.route
}

// Exception is one "exception" event of a span, as the instrumentations
// record an error: exception.type and exception.message.
type Exception struct {
	Type string
	// Message may hold literal values (an id, a name): read it to tell what
	// failed, never write it anywhere.
	Message string
}

// CodeLocation is where the span was started, from the code.* attributes.
type CodeLocation struct {
	Function string
	File     string
	Line     int64
}

// ChildGroup is the spans that share one parent id, in start order. The parent
// itself may be missing from the trace.
type ChildGroup struct {
	Parent   SpanID
	Children []int // indexes into Trace.Spans
}

// maxAncestors bounds walks up the parent chain, which may hold a cycle.
const maxAncestors = 64

// Trace is the index of one trace. Spans are in a canonical order (start time,
// then span id, end, name, service), so that the same spans give the same view
// whatever order and batching they arrived in.
type Trace struct {
	ID     TraceID
	Spans  []Span
	Groups []ChildGroup // one per distinct parent id, ordered by their first child
	// ids holds, per span id and parent id, the span's index and the
	// group's: one map for both, as most parents are spans of the trace.
	ids map[SpanID]idEntry
	// parent is each span's Parent, -1 for none: looked up once, as walks
	// up the tree ask for it again and again.
	parent []int32
}

// idEntry is what an id names in a trace: a span (the first in canonical
// order with that id) and the group of its children; -1 when none.
type idEntry struct{ span, group int32 }

// Lookup returns the index of the span with this id. With duplicate ids, the
// first in canonical order wins.
func (t *Trace) Lookup(id SpanID) (int, bool) {
	if id.IsEmpty() {
		return -1, false
	}
	e, ok := t.ids[id]
	if !ok || e.span < 0 {
		return -1, false
	}
	return int(e.span), true
}

// Parent returns the index of span i's parent, or false when it is a root, its
// parent never arrived, or it names itself as its parent.
func (t *Trace) Parent(i int) (int, bool) {
	p := t.parent[i]
	return int(p), p >= 0
}

// lookupParent is Parent read from the index of ids.
func (t *Trace) lookupParent(i int) int32 {
	s := &t.Spans[i]
	if s.ParentID == s.ID {
		return -1
	}
	p, ok := t.Lookup(s.ParentID)
	if !ok || p == i {
		return -1
	}
	return int32(p)
}

// Children returns the indexes of the spans whose parent id is id, in order.
func (t *Trace) Children(id SpanID) []int {
	if e, ok := t.ids[id]; ok && e.group >= 0 {
		return t.Groups[e.group].Children
	}
	return nil
}

// LocalRoot returns the first span of span i's service in its part of the
// trace: the nearest SERVER or CONSUMER span above it (or itself) whose parent
// is missing or of another service; else the root of the trace. Parent cycles
// end the walk.
func (t *Trace) LocalRoot(i int) int {
	service := t.Spans[i].Service
	top := i
	inService := true
	for hops, j := 0, i; hops < maxAncestors; hops++ {
		s := &t.Spans[j]
		p, ok := t.Parent(j)
		if inService && (s.Kind == KindServer || s.Kind == KindConsumer) &&
			(!ok || p == i || t.Spans[p].Service != service) {
			return j
		}
		top = j
		if !ok || p == i {
			break
		}
		inService = inService && t.Spans[p].Service == service
		j = p
	}
	return top
}

// RouteOf is the route of a request root: its http.route, else the path in a
// server span named "GET /books" as the HTTP conventions name them, else the
// http.route of the nearest span below it in its service (a framework's own
// span under the HTTP server span: Next.js's under Node's "GET"), else "".
func (t *Trace) RouteOf(root int) string {
	s := &t.Spans[root]
	if r := Route(s.Kind, s.Name, s.Route); r != "" {
		return r
	}
	return t.routeBelow(root)
}

// routeBelow is the http.route of the nearest span under root, breadth
// first, in root's service and within a few levels: where frameworks put it.
// When root records its path, only a route that fits it counts: a library
// that handles a route of its own in-process (an auth library's session
// check under every request) records that route below requests of others.
func (t *Trace) routeBelow(root int) string {
	const levels, most = 4, 256 // a bounded look: a request may hold thousands of spans
	level, seen := []int{root}, 0
	for depth := 0; depth < levels && len(level) > 0; depth++ {
		var next []int
		for _, i := range level {
			for _, c := range t.Children(t.Spans[i].ID) {
				if seen++; seen > most {
					return ""
				}
				if c == root || t.Spans[c].Service != t.Spans[root].Service {
					continue
				}
				if r := t.Spans[c].Route; r != "" && RouteFitsPath(r, t.Spans[root].Path) {
					return sqlnorm.SafeName(r)
				}
				next = append(next, c)
			}
		}
		level = next
	}
	return ""
}

// Route is a span's route: its http.route, else the path in a server span
// named "GET /books" as the HTTP conventions name them, else "".
func Route(kind Kind, name, httpRoute string) string {
	if httpRoute != "" {
		return sqlnorm.SafeName(httpRoute)
	}
	if kind == KindServer {
		if method, path, ok := strings.Cut(name, " "); ok && method == strings.ToUpper(method) && strings.HasPrefix(path, "/") {
			return sqlnorm.SafeName(path)
		}
	}
	return ""
}

// New indexes spans of one trace. It sorts them into canonical order and
// returns, with the view, where each came from: Spans[i] is spans[order[i]].
func New(id TraceID, spans []Span) (t *Trace, order []int) {
	return Index(id, slices.Clone(spans))
}

// Index is New on spans the view may keep and reorder: it sorts them in
// place (the caller gives them up) instead of copying them.
func Index(id TraceID, spans []Span) (t *Trace, order []int) {
	return new(Indexer).Index(id, spans)
}

// Indexer indexes traces one after the other in the same memory: the view
// and order an Index returns are valid until the next Index or Release.
type Indexer struct {
	t       Trace
	order   []int
	groupOf []int32
	sizes   []int32
	backing []int
	parent  []int32
	done    []bool
	// mapHint is the entries the map was made for: it is made again, once,
	// for a trace with more (not grown entry by entry, which allocates at
	// every step), and for one far smaller after a large one (a map cleared
	// costs its size).
	mapHint int
}

// Index is the package's Index, in x's memory.
func (x *Indexer) Index(id TraceID, spans []Span) (t *Trace, order []int) {
	n := len(spans)
	order = reuse.Slice(x.order, n)
	for i := range order {
		order[i] = i
	}
	// Spans already in order (a builder that ordered them, a subtree of a
	// view) are neither sorted again nor moved.
	if !inOrder(spans) {
		slices.SortStableFunc(order, func(a, b int) int { return compareSpans(&spans[a], &spans[b]) })
		x.done = reuse.Slice(x.done, n)
		permute(spans, order, x.done)
	}
	ids := x.t.ids
	// An entry per span id and per parent id not among them: n and a few.
	if need := n + n/8 + 8; ids == nil || need > x.mapHint || x.mapHint > 4096 && x.mapHint > 8*need {
		ids, x.mapHint = make(map[SpanID]idEntry, need), need
	} else {
		clear(ids)
	}
	x.t = Trace{ID: id, Spans: spans, Groups: x.t.Groups[:0], ids: ids}
	t = &x.t
	// Each span's group, then the groups' children in one backing array.
	groupOf := reuse.Slice(x.groupOf, n)
	sizes := x.sizes[:0]
	for i := range spans {
		s := &spans[i]
		if !s.ID.IsEmpty() {
			e, ok := t.ids[s.ID]
			if !ok {
				t.ids[s.ID] = idEntry{span: int32(i), group: -1}
			} else if e.span < 0 {
				e.span = int32(i)
				t.ids[s.ID] = e
			}
		}
		e, ok := t.ids[s.ParentID]
		if !ok {
			e = idEntry{span: -1, group: -1}
		}
		if e.group < 0 {
			e.group = int32(len(t.Groups))
			t.ids[s.ParentID] = e
			t.Groups = append(t.Groups, ChildGroup{Parent: s.ParentID})
			sizes = append(sizes, 0)
		}
		groupOf[i] = e.group
		sizes[e.group]++
	}
	backing := reuse.Slice(x.backing, n)
	start := int32(0)
	for g, size := range sizes {
		t.Groups[g].Children = backing[start : start : start+size]
		start += size
	}
	for i, g := range groupOf {
		t.Groups[g].Children = append(t.Groups[g].Children, i)
	}
	parent := reuse.Slice(x.parent, n)
	t.parent = parent
	for i := range parent {
		parent[i] = t.lookupParent(i)
	}
	x.order, x.groupOf, x.sizes, x.backing, x.parent = order, groupOf, sizes, backing, parent
	return t, order
}

// Release ends the use of the last view, keeping the memory for the next.
func (x *Indexer) Release() {
	x.t = Trace{Groups: x.t.Groups[:0], ids: x.t.ids}
}

// inOrder reports whether spans are in canonical order already.
func inOrder(spans []Span) bool {
	for i := 1; i < len(spans); i++ {
		if compareSpans(&spans[i-1], &spans[i]) > 0 {
			return false
		}
	}
	return true
}

// permute reorders spans in place so that spans[i] is the old spans[order[i]];
// done is scratch of len(spans).
func permute(spans []Span, order []int, done []bool) {
	clear(done)
	for i := range spans {
		if done[i] || order[i] == i {
			continue
		}
		tmp := spans[i]
		j := i
		for {
			done[j] = true
			k := order[j]
			if k == i {
				spans[j] = tmp
				break
			}
			spans[j] = spans[k]
			j = k
		}
	}
}

func compareSpans(a, b *Span) int {
	return CompareOrder(&OrderKey{a.Start, a.End, a.ID, a.Name, a.Service}, &OrderKey{b.Start, b.End, b.ID, b.Name, b.Service})
}

// OrderKey is what puts a span in canonical order: a builder can order spans
// by it before making them, and hand New spans already in order.
type OrderKey struct {
	Start, End    int64
	ID            SpanID
	Name, Service string
}

// CompareOrder compares spans in canonical order: start time, then span id,
// end, name, service.
func CompareOrder(a, b *OrderKey) int {
	if c := cmp.Compare(a.Start, b.Start); c != 0 {
		return c
	}
	if c := slices.Compare(a.ID[:], b.ID[:]); c != 0 {
		return c
	}
	if c := cmp.Compare(a.End, b.End); c != 0 {
		return c
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Service, b.Service)
}
