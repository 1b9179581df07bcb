package traceview

import "testing"

func TestParentGuards(t *testing.T) {
	view, _ := New(TraceID{1}, []Span{
		{ID: SpanID{1}, ParentID: SpanID{1}, Start: 1}, // its own parent
		{ID: SpanID{2}, ParentID: SpanID{3}, Start: 2}, // a cycle 2 -> 3 -> 2
		{ID: SpanID{3}, ParentID: SpanID{2}, Start: 3},
		{ID: SpanID{4}, ParentID: SpanID{2}, Start: 4, End: 1}, // ends before it starts
		{ID: SpanID{4}, ParentID: SpanID{2}, Start: 5},         // duplicate id
	})
	if _, ok := view.Parent(0); ok {
		t.Error("a span that is its own parent has a parent")
	}
	if p, ok := view.Parent(1); !ok || p != 2 {
		t.Errorf("parent of 2: %d %v", p, ok)
	}
	if i, _ := view.Lookup(SpanID{4}); i != 3 {
		t.Errorf("a duplicate id resolves to %d, want the first in order", i)
	}
	if d := view.Spans[3].Duration(); d != 0 {
		t.Errorf("negative duration %v", d)
	}
}
