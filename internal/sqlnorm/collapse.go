package sqlnorm

import "strings"

// collapse finishes what go-sqllexer's normalization leaves: it already turns
// IN (1, 2, 3) into IN (?), but keeps every row of a multi-row VALUES, turns a
// Python "IN %s" (after rewriting) into "IN ?", and spaces "books.*" apart.
func collapse(s string) string {
	s = collapseValuesRows(s)
	if strings.Contains(s, "IN ?") {
		s = strings.ReplaceAll(s, "IN ?", "IN (?)")
	}
	if strings.Contains(s, ". *") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, " . *", ".*"), ". *", ".*")
	}
	return s
}

// collapseValuesRows keeps the first of identical consecutive rows after VALUES,
// so an insert of one row and of five hundred share a fingerprint.
func collapseValuesRows(s string) string {
	const kw = "VALUES "
	var b strings.Builder
	written := 0
	for from := 0; ; {
		k := strings.Index(s[from:], kw)
		if k < 0 {
			break
		}
		start := from + k + len(kw)
		end := matchParen(s, start)
		if end < 0 {
			break
		}
		row := s[start:end]
		next := end
		for {
			rest := strings.TrimLeft(s[next:], " ")
			if !strings.HasPrefix(rest, ",") {
				break
			}
			rest = strings.TrimLeft(rest[1:], " ")
			if !strings.HasPrefix(rest, row) {
				break
			}
			next = len(s) - len(rest) + len(row)
		}
		if next > end {
			b.WriteString(s[written:end])
			written = next
		}
		from = next
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

// matchParen returns the index after the parenthesis that closes the one at
// s[i], or -1 when s[i] is not '(' or it is never closed.
func matchParen(s string, i int) int {
	if i >= len(s) || s[i] != '(' {
		return -1
	}
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return -1
}
