package hostile

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// depthOf counts the arrays nested in the request's one attribute value.
func depthOf(t *testing.T, td ptrace.Traces) int {
	t.Helper()
	v, ok := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("nested")
	if !ok {
		t.Fatal("no nested attribute")
	}
	depth := 0
	for v.Type() == pcommon.ValueTypeSlice {
		depth++
		v = v.Slice().At(0)
	}
	if v.Str() != "x" {
		t.Fatalf("innermost value %v", v.AsRaw())
	}
	return depth
}

func TestNestedRequestsDecode(t *testing.T) {
	for _, depth := range []int{0, 1, 200, 20_000} {
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(NestedProto(depth))
		if err != nil || depthOf(t, td) != depth {
			t.Fatalf("protobuf of depth %d: %v", depth, err)
		}
		td, err = (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(NestedJSON(depth))
		if err != nil || depthOf(t, td) != depth {
			t.Fatalf("JSON of depth %d: %v", depth, err)
		}
	}
	if n := len(NestedProto(1_000_000)); n < 9_000_000 || n > 10_000_000 {
		t.Errorf("a million levels take %d bytes", n)
	}
}
