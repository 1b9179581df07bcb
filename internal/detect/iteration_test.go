package detect

import (
	"slices"
	"testing"
)

// When no sequence comes back more often than another, the loop's own
// statements (those that run most) make the iteration, not the queries
// around it that a cut happens to pair with them.
func TestCommonIterationPrefersTheLoopOnATie(t *testing.T) {
	// Cuts [7 8 1 2 9] and [1 2], once each: 1 and 2 run twice, the others once.
	if got := commonIteration([]int{7, 8, 1, 2, 9, 1, 2}, 10); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("common iteration %v, want [1 2]", got)
	}
	// Cuts [0 1 2], [1 2] and [1 2 5], once each: [1 2] holds only the
	// statements that run three times.
	if got := commonIteration([]int{0, 1, 2, 1, 2, 1, 2, 5}, 6); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("common iteration %v, want [1 2]", got)
	}
	// Equal counts and weights: the earliest.
	if got := commonIteration([]int{1, 2, 3, 4}, 5); !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("common iteration %v, want [1 2 3 4]", got)
	}
}
