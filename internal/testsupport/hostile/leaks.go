package hostile

import (
	"strconv"
	"strings"
)

// Leak says what of a canary was found in a text.
type Leak struct {
	Piece string // the piece of the canary found
	At    int    // its offset in the text
}

// Pieces are the strings whose presence in what querylens writes means a
// canary leaked: every run of min bytes of its text, and of its number in
// decimal, hexadecimal, octal and binary (min+3 for those, which are
// shorter of alphabet), taken from the canary as written in the forms.
func (c Canary) Pieces(min int) []string {
	var out []string
	add := func(s string, n int) {
		for i := 0; i+n <= len(s); i++ {
			out = append(out, strings.ToLower(s[i:i+n]))
		}
	}
	add(c.Text, min)
	n := c.Number
	add(strconv.FormatUint(n, 10), min)
	add(strconv.FormatUint(n, 16), min+1)
	add(strconv.FormatUint(n, 8), min+1)
	add(strconv.FormatUint(n, 2), min+12)
	return out
}

// Leaks reports the first piece of the canary (Pieces(min)) in text, case
// aside.
func (c Canary) Leaks(text string, min int) (Leak, bool) {
	lower := strings.ToLower(text)
	for _, p := range c.Pieces(min) {
		if i := strings.Index(lower, p); i >= 0 {
			return Leak{Piece: p, At: i}, true
		}
	}
	return Leak{}, false
}
