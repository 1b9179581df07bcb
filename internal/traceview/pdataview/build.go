// Package pdataview builds the trace view (internal/traceview) from the spans
// of one trace in pdata: the one place where the detectors' plain Go meets the
// collector's data.
package pdataview

import (
	"encoding/json"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/reuse"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

// Normalizer gives the normalized form of a statement, and the coarse one of
// a span that records no statement; *sqlnorm.Cache is one.
type Normalizer interface {
	Normalize(system, raw string) *sqlnorm.Statement
	Coarse(summary, operation, collection string) *sqlnorm.Statement
}

const dbParameterPrefix = "db.query.parameter."

// Build indexes the spans of td, which should hold one trace, and returns with
// the view the pdata spans in the same order as its Spans, for annotation.
func Build(td ptrace.Traces, norm Normalizer) (*traceview.Trace, []ptrace.Span) {
	return new(Scratch).Build(td, norm)
}

// Scratch builds views one after the other in the same memory, so that a
// stream of traces does not allocate a view per trace: what Build returns is
// valid until the next Build or Release.
type Scratch struct {
	spans           []traceview.Span
	handles, sorted []ptrace.Span
	keys            []traceview.OrderKey
	from            []origin
	ids             []identity
	order           []int
	packed          []uint64
	calls           callStore
	index           traceview.Indexer
	view            *traceview.Trace // the last Structure's
}

// sortByStart returns the indexes of keys in their order (CompareOrder, then
// the index: the order is total, and an unstable sort gives the stable one).
// Most comparisons end at the start: the starts, less the first, are sorted
// as numbers with the index in their low bits (a sort without a function
// call per comparison), then each run of equal starts by the whole key.
func (s *Scratch) sortByStart(keys []traceview.OrderKey) []int {
	byKey := func(i, j int) int {
		if c := traceview.CompareOrder(&keys[i], &keys[j]); c != 0 {
			return c
		}
		return i - j
	}
	order := s.order[:0]
	packed, ok := s.packStarts(keys)
	if !ok { // starts days apart: sorted by the whole key
		for i := range keys {
			order = append(order, i)
		}
		slices.SortFunc(order, byKey)
		return order
	}
	slices.Sort(packed)
	mask := uint64(1)<<bits.Len(uint(len(keys))) - 1
	for from := 0; from < len(packed); {
		to := from + 1
		for to < len(packed) && packed[to]&^mask == packed[from]&^mask {
			to++
		}
		if to-from > 1 {
			slices.SortFunc(packed[from:to], func(a, b uint64) int { return byKey(int(a&mask), int(b&mask)) })
		}
		from = to
	}
	for _, p := range packed {
		order = append(order, int(p&mask))
	}
	s.packed = packed
	return order
}

// packStarts is each key's start less the first, shifted above its index;
// false when a difference does not fit beside the index's bits.
func (s *Scratch) packStarts(keys []traceview.OrderKey) ([]uint64, bool) {
	if len(keys) == 0 {
		return nil, true
	}
	first := keys[0].Start
	for i := range keys {
		first = min(first, keys[i].Start)
	}
	shift := bits.Len(uint(len(keys)))
	packed := s.packed[:0]
	for i := range keys {
		d := uint64(keys[i].Start) - uint64(first)
		if d>>(64-shift) != 0 {
			return nil, false
		}
		packed = append(packed, d<<shift|uint64(i))
	}
	return packed, true
}

// origin is where a span is in its ptrace.Traces: its resource and scope.
type origin struct{ resource, scope int32 }

// Build is the package's Build, in s's memory: Structure, then Read of
// every span.
func (s *Scratch) Build(td ptrace.Traces, norm Normalizer) (*traceview.Trace, []ptrace.Span) {
	t, sorted := s.Structure(td)
	s.Read(norm, nil)
	return t, sorted
}

// Structure is Build without reading the spans' attributes and events: the
// view's spans have their ids, parents, kinds, times, names and resources,
// all that indexing them and finding their local subtrees needs. Read reads
// the rest of the spans to be analyzed, so that a span that waits for a
// later release is read once, not at every release of its trace.
func (s *Scratch) Structure(td ptrace.Traces) (*traceview.Trace, []ptrace.Span) {
	// The spans are put in canonical order first, by their keys, and made
	// in that order: the view then neither sorts nor moves them.
	n := td.SpanCount()
	handles, keys, from := s.handles[:0], s.keys[:0], s.from[:0]
	ids := s.ids[:0]
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		ids = append(ids, resourceIdentity(rs.Resource().Attributes()))
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			ps := ss.Spans()
			for k := 0; k < ps.Len(); k++ {
				p := ps.At(k)
				handles = append(handles, p)
				keys = append(keys, traceview.OrderKey{Start: int64(p.StartTimestamp()), End: int64(p.EndTimestamp()),
					ID: traceview.SpanID(p.SpanID()), Name: p.Name(), Service: ids[len(ids)-1].service})
				from = append(from, origin{resource: int32(i), scope: int32(j)})
			}
		}
	}
	order := s.sortByStart(keys)

	spans := s.spans[:0]
	if cap(spans) < n {
		spans = make([]traceview.Span, 0, n)
	}
	sorted := s.sorted[:0]
	var traceID traceview.TraceID
	if len(handles) > 0 {
		traceID = traceview.TraceID(handles[0].TraceID())
	}
	for _, i := range order {
		p, k, o := handles[i], &keys[i], from[i]
		id := &ids[o.resource]
		spans = append(spans, traceview.Span{
			ID:       k.ID,
			ParentID: traceview.SpanID(p.ParentSpanID()),
			Name:     k.Name,
			Kind:     traceview.Kind(p.Kind()),
			Start:    k.Start,
			End:      k.End,
			Service:  id.service,
			Language: id.language,
			Runtime:  id.runtime,
			Scope:    rss.At(int(o.resource)).ScopeSpans().At(int(o.scope)).Scope().Name(),
		})
		sorted = append(sorted, p)
	}
	t, _ := s.index.Index(traceID, spans)
	s.view = t
	s.spans, s.handles, s.sorted, s.keys, s.from, s.ids, s.order = spans, handles, sorted, keys, from, ids, order
	return t, sorted
}

// Read reads the attributes and events of the spans at indexes of the view
// Structure made (every span when indexes is nil): their database and HTTP
// calls, route, code location, exceptions and earlier annotations. Call it
// once per view: the calls it reads live in one store per view, which a
// second call would empty.
func (s *Scratch) Read(norm Normalizer, indexes []int) {
	spans := s.view.Spans
	// The database and HTTP sides of the spans live in two slices of the
	// trace, not in an allocation per span; spans point into them once all
	// are read (appending may move the slices before).
	calls := &s.calls
	calls.reset(len(spans))
	read := func(i int) {
		p := s.sorted[i]
		sp := &spans[i]
		calls.read(i, p.Attributes(), sp, norm)
		if p.Events().Len() > 0 {
			readEvents(p.Events(), sp)
		}
	}
	if indexes == nil {
		for i := range spans {
			read(i)
		}
	} else {
		for _, i := range indexes {
			read(i)
		}
	}
	calls.link(spans)
}

// Subview is the view of some spans of view (indexes in its order), with
// their pdata spans, in s's memory.
func (s *Scratch) Subview(view *traceview.Trace, handles []ptrace.Span, spans []int) (*traceview.Trace, []ptrace.Span) {
	in, hs := s.spans[:0], s.handles[:0]
	for _, i := range spans {
		in, hs = append(in, view.Spans[i]), append(hs, handles[i])
	}
	sub, order := s.index.Index(view.ID, in)
	sorted := s.sorted[:0]
	for _, from := range order {
		sorted = append(sorted, hs[from])
	}
	s.spans, s.handles, s.sorted = in, hs, sorted
	return sub, sorted
}

// Release ends the use of the last view, keeping the memory for the next.
// What it read of its trace is not cleared (clearing pointers costs the
// garbage collector's write barrier as much as writing them): it stays
// reachable until the next Build writes over it, one trace per Scratch.
func (s *Scratch) Release() {
	s.spans, s.handles, s.sorted = s.spans[:0], s.handles[:0], s.sorted[:0]
	s.keys, s.from, s.ids = s.keys[:0], s.from[:0], s.ids[:0]
	s.calls.dbs, s.calls.https = s.calls.dbs[:0], s.calls.https[:0]
	s.view = nil
	s.index.Release()
}

// identity is what a resource says of the service behind its spans.
type identity struct{ service, language, runtime string }

func resourceIdentity(attrs pcommon.Map) identity {
	var id identity
	if v, ok := attrs.Get("service.name"); ok {
		id.service = sqlnorm.SafeName(v.AsString()) // shown on the page, in logs and labels
	}
	if v, ok := attrs.Get("telemetry.sdk.language"); ok {
		id.language = v.AsString()
	}
	if v, ok := attrs.Get("process.runtime.name"); ok {
		id.runtime = v.AsString()
	}
	return id
}

// callStore holds the database and HTTP sides of a trace's spans.
type callStore struct {
	dbs   []traceview.DBCall
	https []traceview.HTTPCall
	// per span, the index of its traceview.DBCall and traceview.HTTPCall, or
	// -1 (none, or not read)
	db, http []int32
}

// reset empties the store for a trace of n spans.
func (c *callStore) reset(n int) {
	c.dbs, c.https = c.dbs[:0], c.https[:0]
	c.db, c.http = reuse.Slice(c.db, n), reuse.Slice(c.http, n)
	for i := range n {
		c.db[i], c.http[i] = -1, -1
	}
}

// link points each span at its database and HTTP sides.
func (c *callStore) link(spans []traceview.Span) {
	for i := range spans {
		if k := c.db[i]; k >= 0 {
			spans[i].DB = &c.dbs[k]
		}
		if k := c.http[i]; k >= 0 {
			spans[i].HTTP = &c.https[k]
		}
	}
}

// read reads in one pass what the detectors need of the attributes of span i: the
// database system, statement and parameters (current and older semantic
// conventions, the current one winning when a span has both), the HTTP call,
// the route and the code location.
func (c *callStore) read(i int, attrs pcommon.Map, s *traceview.Span, norm Normalizer) {
	var (
		system, oldSystem string
		text, oldText     string
		hasText           bool
		params            uint64
		numParams         int
		values            map[string]string
		returned          int64 = -1
		affected          int64 = -1
		http              httpAttributes
		summary           string
		operation, oldOp  string
		collection        string
	)
	for k, v := range attrs.All() {
		switch k {
		case "http.route":
			s.Route = sqlnorm.SafeName(v.AsString())
		case "url.path":
			s.Path = v.AsString()
		case "http.target": // before url.path; it holds the query too
			if s.Path == "" {
				s.Path = v.AsString()
			}
		case "db.query.summary":
			summary = v.AsString()
		case "db.operation.name":
			operation = v.AsString()
		case "db.operation":
			oldOp = v.AsString()
		case "db.collection.name", "db.sql.table":
			if collection == "" || k == "db.collection.name" {
				collection = v.AsString()
			}
		case contract.AttrFindingType, contract.AttrFindingID, contract.AttrRequestDBQueries, contract.AttrGapDBQueries:
			s.Annotated = true
		case "db.response.returned_rows":
			returned = intValue(v)
		case "db.rows_affected":
			affected = intValue(v)
		case "http.request.method", "http.method":
			if http.method == "" || k == "http.request.method" {
				http.method = v.AsString()
			}
		case "url.template":
			http.template = v.AsString()
		case "url.full", "http.url":
			if http.url == "" || k == "url.full" {
				http.url = v.AsString()
			}
		case "server.address", "net.peer.name":
			if http.host == "" || k == "server.address" {
				http.host = v.AsString()
			}
		case "db.system.name":
			system = v.AsString()
		case "db.system":
			oldSystem = v.AsString()
		case "db.query.text":
			if v.Type() == pcommon.ValueTypeStr {
				text, hasText = v.Str(), true
			}
		case "db.statement":
			if v.Type() == pcommon.ValueTypeStr {
				oldText = v.Str()
			}
		case "code.function.name", "code.function":
			if s.Code.Function == "" || k == "code.function.name" {
				s.Code.Function = sqlnorm.SafeName(v.AsString())
			}
		case "code.file.path", "code.filepath":
			if s.Code.File == "" || k == "code.file.path" {
				s.Code.File = sqlnorm.SafeName(v.AsString())
			}
		case "db.postgresql.values", "db.mysql.values":
			// The values of a statement's positional placeholders, recorded apart
			// (instrumentation-pg's enhancedDatabaseReporting): keyed by their
			// 0-based position, as db.query.parameter.<n> would be.
			for n, value := range positionalValues(v) {
				key := strconv.Itoa(n)
				params += xxhash.Sum64String(key) ^ xxhash.Sum64String(value)
				numParams++
				if values == nil {
					values = map[string]string{}
				}
				values[key] = value
			}
		case "code.line.number", "code.lineno":
			if v.Type() == pcommon.ValueTypeInt {
				s.Code.Line = v.Int()
			}
		default:
			if strings.HasPrefix(k, dbParameterPrefix) {
				// Summed, so the order the attributes were written in does not matter.
				params += xxhash.Sum64String(k) ^ xxhash.Sum64String(v.AsString())
				numParams++
				if values == nil {
					values = map[string]string{}
				}
				// By the name the statement uses, without its sigil: .NET's
				// instrumentations record db.query.parameter.@__p_0.
				values[strings.TrimLeft(k[len(dbParameterPrefix):], "@:")] = v.AsString()
			}
		}
	}
	if http.method != "" && s.Kind == traceview.KindClient {
		c.http[i] = int32(len(c.https))
		c.https = append(c.https, traceview.NewHTTPCall(http.method, http.template, http.url, http.host))
	}
	if system == "" {
		system = oldSystem
	}
	if system == "" {
		return
	}
	if !hasText {
		text = oldText
	}
	db := traceview.DBCall{System: system, Raw: text, Params: params, NumParams: numParams, Values: values,
		ReturnedRows: returned, RowsAffected: affected}
	if !blank(text) {
		db.Statement = norm.Normalize(system, text)
	} else {
		if operation == "" {
			operation = oldOp
		}
		db.Statement = norm.Coarse(summary, operation, collection)
	}
	c.db[i] = int32(len(c.dbs))
	c.dbs = append(c.dbs, db)
}

type httpAttributes struct{ method, template, url, host string }

func intValue(v pcommon.Value) int64 {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		return int64(v.Double())
	case pcommon.ValueTypeStr:
		if n, err := strconv.ParseInt(v.Str(), 10, 64); err == nil {
			return n
		}
	}
	return -1
}

// readEvents reads what the detectors need of a span's events: whether
// querylens annotated it before (a finding event), and the exceptions it
// recorded.
func readEvents(events ptrace.SpanEventSlice, s *traceview.Span) {
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		switch ev.Name() {
		case contract.EventFinding:
			s.Annotated = true
		case "exception":
			var e traceview.Exception
			if v, ok := ev.Attributes().Get("exception.type"); ok {
				e.Type = v.AsString()
			}
			if v, ok := ev.Attributes().Get("exception.message"); ok {
				e.Message = v.AsString()
			}
			if e.Type != "" || e.Message != "" {
				s.Exceptions = append(s.Exceptions, e)
			}
		}
	}
}

// positionalValues reads a list of values recorded apart from the statement:
// an array attribute, or its JSON text.
func positionalValues(v pcommon.Value) []string {
	switch v.Type() {
	case pcommon.ValueTypeSlice:
		out := make([]string, v.Slice().Len())
		for i := range out {
			out[i] = v.Slice().At(i).AsString()
		}
		return out
	case pcommon.ValueTypeStr:
		var list []any
		if json.Unmarshal([]byte(v.Str()), &list) != nil {
			return nil
		}
		out := make([]string, len(list))
		for i, x := range list {
			switch x := x.(type) {
			case string:
				out[i] = x
			case nil:
				out[i] = "null"
			default:
				b, _ := json.Marshal(x)
				out[i] = string(b)
			}
		}
		return out
	}
	return nil
}

// blank reports whether s holds only white space: read from its start, which
// ends at the first byte of nearly every statement (strings.TrimSpace reads
// from both ends).
func blank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\v', '\f':
		default:
			return s[i] >= utf8.RuneSelf && strings.TrimSpace(s[i:]) == "" // Unicode's spaces
		}
	}
	return true
}
