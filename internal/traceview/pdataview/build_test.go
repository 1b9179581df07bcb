package pdataview

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

type plainNormalizer struct{}

func (plainNormalizer) Normalize(system, raw string) *sqlnorm.Statement {
	return sqlnorm.Normalize(system, raw)
}

func (plainNormalizer) Coarse(summary, operation, collection string) *sqlnorm.Statement {
	c, _ := sqlnorm.NewCache(10, 100)
	return c.Coarse(summary, operation, collection)
}

func TestBuildReadsBothConventions(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop")
	rs.Resource().Attributes().PutStr("telemetry.sdk.language", "python")
	rs.Resource().Attributes().PutStr("process.runtime.name", "cpython")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("opentelemetry.instrumentation.psycopg2")
	add := func(id byte, start int, attrs map[string]any) {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1})
		s.SetSpanID(pcommon.SpanID{id})
		s.SetParentSpanID(pcommon.SpanID{9})
		s.SetStartTimestamp(pcommon.Timestamp(start))
		s.SetEndTimestamp(pcommon.Timestamp(start + 10))
		_ = s.Attributes().FromRaw(attrs)
	}
	// Arrival order is not start order.
	add(3, 300, map[string]any{"db.system": "postgresql", "db.statement": "SELECT * FROM old WHERE id = %s",
		"code.function": "views.index", "code.filepath": "shop/views.py", "code.lineno": int64(42)})
	add(1, 100, map[string]any{"db.system.name": "postgresql", "db.query.text": "SELECT * FROM current WHERE id = $1",
		"db.query.parameter.id": "7", "db.query.parameter.@__p_0": "5000"})
	add(2, 200, map[string]any{"db.system.name": "mysql", "db.system": "other_sql",
		"db.query.text": "SELECT * FROM both_new", "db.statement": "SELECT * FROM both_old"})
	add(4, 400, map[string]any{"db.system": "postgresql", "db.statement": int64(5)})
	add(5, 500, map[string]any{"http.request.method": "GET"})

	view, handles := Build(td, plainNormalizer{})
	if len(view.Spans) != 5 || len(handles) != 5 {
		t.Fatalf("%d spans, %d handles", len(view.Spans), len(handles))
	}
	for i, s := range view.Spans {
		if s.ID != (traceview.SpanID{byte(i + 1)}) || traceview.SpanID(handles[i].SpanID()) != s.ID {
			t.Fatalf("span %d is %v (handle %v): not in start order", i, s.ID, handles[i].SpanID())
		}
		if s.Service != "shop" || s.Language != "python" || s.Runtime != "cpython" || s.Scope != "opentelemetry.instrumentation.psycopg2" {
			t.Errorf("span %d identity: %+v", i, s)
		}
	}
	cases := []struct {
		i      int
		system string
		text   string
		params int
	}{
		{0, "postgresql", "SELECT * FROM current WHERE id = ?", 2},
		{1, "mysql", "SELECT * FROM both_new", 0},
		{2, "postgresql", "SELECT * FROM old WHERE id = ?", 0},
	}
	// .NET's instrumentations name parameters with their sigil.
	if v := view.Spans[0].DB.Values; v["id"] != "7" || v["__p_0"] != "5000" {
		t.Errorf("parameter values by name: %v", v)
	}
	for _, c := range cases {
		db := view.Spans[c.i].DB
		if db == nil || db.System != c.system || db.Statement == nil || db.Statement.Text != c.text || db.NumParams != c.params {
			t.Errorf("span %d: %+v", c.i, db)
		}
	}
	if db := view.Spans[3].DB; db == nil || db.Statement != nil {
		t.Errorf("a statement of the wrong type, and nothing to summarize, must leave a DB span without statement: %+v", db)
	}
	if view.Spans[4].DB != nil {
		t.Error("an HTTP span was taken for a DB span")
	}
	if c := view.Spans[2].Code; c.Function != "views.index" || c.File != "shop/views.py" || c.Line != 42 {
		t.Errorf("code location %+v", c)
	}
	if kids := view.Children(traceview.SpanID{9}); len(kids) != 5 {
		t.Errorf("children of the missing parent: %v", kids)
	}
	if _, ok := view.Lookup(traceview.SpanID{9}); ok {
		t.Error("a missing parent was found")
	}
}

// TestBuildReadsValuesRecordedApart: instrumentation-pg's
// db.postgresql.values (an array, or its JSON text) and db.mysql.values are
// the values of the positional placeholders, as db.query.parameter.<n>.
func TestBuildReadsValuesRecordedApart(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	add := func(id byte, attrs map[string]any) {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1})
		s.SetSpanID(pcommon.SpanID{id})
		s.SetStartTimestamp(pcommon.Timestamp(id))
		_ = s.Attributes().FromRaw(attrs)
	}
	add(1, map[string]any{"db.system.name": "postgresql", "db.query.text": "SELECT id FROM books ORDER BY id LIMIT $1 OFFSET $2",
		"db.postgresql.values": []any{"20", "5000"}})
	add(2, map[string]any{"db.system": "mysql", "db.statement": "SELECT id FROM books LIMIT ? OFFSET ?",
		"db.mysql.values": `[20, 5000]`})
	add(3, map[string]any{"db.system": "mysql", "db.statement": "SELECT id FROM books LIMIT ? OFFSET ?",
		"db.mysql.values": `[20, 40]`})
	view, _ := Build(td, plainNormalizer{})
	for i, want := range []string{"5000", "5000", "40"} {
		db := view.Spans[i].DB
		if db.Values["1"] != want || db.NumParams != 2 {
			t.Errorf("span %d: values %v, %d params", i, db.Values, db.NumParams)
		}
	}
	if view.Spans[1].DB.Params == view.Spans[2].DB.Params {
		t.Error("different values, the same parameter hash")
	}
}

func TestBlank(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, " \t\n\r\v\f": true, "\u00a0\u2003 ": true,
		"SELECT 1": false, "  select": false, "\u00a0x": false, " é": false,
	} {
		if got := blank(s); got != want {
			t.Errorf("blank(%q) = %v, want %v", s, got, want)
		}
	}
}

// Structure makes the view without reading attributes or events; Read then
// reads those of the spans asked for, and only those.
func TestStructureThenReadSome(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop")
	ss := rs.ScopeSpans().AppendEmpty()
	for id := byte(1); id <= 4; id++ {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1})
		s.SetSpanID(pcommon.SpanID{id})
		s.SetStartTimestamp(pcommon.Timestamp(100 * int(id)))
		s.SetEndTimestamp(pcommon.Timestamp(100*int(id) + 10))
		s.Attributes().PutStr("db.system.name", "postgresql")
		s.Attributes().PutStr("db.query.text", "SELECT * FROM t WHERE id = $1")
		s.Attributes().PutStr("http.route", "/t/{id}")
		s.Events().AppendEmpty().SetName("exception")
		s.Events().At(0).Attributes().PutStr("exception.type", "E")
	}
	var s Scratch
	view, handles := s.Structure(td)
	if len(view.Spans) != 4 || len(handles) != 4 {
		t.Fatalf("%d spans, %d handles", len(view.Spans), len(handles))
	}
	for i, sp := range view.Spans {
		if sp.ID != (traceview.SpanID{byte(i + 1)}) || sp.Service != "shop" {
			t.Errorf("span %d: %+v", i, sp)
		}
		if sp.DB != nil || sp.Route != "" || len(sp.Exceptions) > 0 {
			t.Errorf("span %d read by Structure: %+v", i, sp)
		}
	}
	s.Read(plainNormalizer{}, []int{1, 3})
	for i, sp := range view.Spans {
		read := i == 1 || i == 3
		if got := sp.DB != nil && sp.DB.Statement != nil && sp.Route == "/t/{id}" && len(sp.Exceptions) == 1; got != read {
			t.Errorf("span %d read %v, want %v: %+v", i, got, read, sp)
		}
	}
	s.Release()
	// Read of every span, on the next view, is Build.
	view, _ = s.Structure(td)
	s.Read(plainNormalizer{}, nil)
	for i, sp := range view.Spans {
		if sp.DB == nil || sp.DB.Statement == nil || sp.DB.Statement.Text != "SELECT * FROM t WHERE id = ?" {
			t.Errorf("span %d not read: %+v", i, sp.DB)
		}
	}
}

// A server span's path is read from url.path, else from http.target without
// its query, for the route below it to be checked against.
func TestReadPath(t *testing.T) {
	for _, c := range []struct {
		attrs map[string]string
		want  string
	}{
		{map[string]string{"url.path": "/tasks/7"}, "/tasks/7"},
		{map[string]string{"http.target": "/tasks/7?x=1"}, "/tasks/7?x=1"},
		{map[string]string{"http.target": "/old", "url.path": "/new"}, "/new"},
	} {
		td := ptrace.NewTraces()
		s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1})
		s.SetSpanID(pcommon.SpanID{1})
		s.SetKind(ptrace.SpanKindServer)
		for k, v := range c.attrs {
			s.Attributes().PutStr(k, v)
		}
		var sc Scratch
		view, _ := sc.Structure(td)
		sc.Read(plainNormalizer{}, nil)
		if got := view.Spans[0].Path; got != c.want {
			t.Errorf("%v: Path %q, want %q", c.attrs, got, c.want)
		}
		sc.Release()
	}
}
