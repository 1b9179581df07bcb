// Package reuse holds what code that analyzes trace after trace in the same
// memory shares: a slice made to a length in the array it already has.
package reuse

// Slice returns s with length n, in its array when that is large enough, in a
// new one otherwise. The elements are not cleared.
func Slice[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
