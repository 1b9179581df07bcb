package reuse

import "testing"

func TestSlice(t *testing.T) {
	s := make([]int, 2, 8)
	s[0] = 7
	if r := Slice(s, 5); len(r) != 5 || &r[0] != &s[0] || r[0] != 7 {
		t.Errorf("within capacity: len %d, same array %v, first %d", len(r), &r[0] == &s[0], r[0])
	}
	if r := Slice(s, 9); len(r) != 9 || &r[0] == &s[0] {
		t.Errorf("beyond capacity: len %d, same array %v", len(r), &r[0] == &s[0])
	}
	if r := Slice[int](nil, 0); len(r) != 0 {
		t.Errorf("nil to 0: len %d", len(r))
	}
}
