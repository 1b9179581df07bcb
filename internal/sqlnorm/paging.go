package sqlnorm

import (
	"strconv"
	"strings"
)

// Bound is a LIMIT or an OFFSET of the top-level query, as the raw statement
// writes it: a literal, or a placeholder whose value may be recorded in the
// span's db.query.parameter.<Param>.
type Bound struct {
	Present bool
	// Value is the literal, when Literal is true.
	Value   int64
	Literal bool
	// Param is the db.query.parameter key of a placeholder: its name (%(n)s,
	// :n, @n) or, for positional ones (?, %s, $1), its 0-based index.
	Param string
}

// pagingBounds reads the LIMIT and OFFSET of the top-level query from the raw
// statement: LIMIT/OFFSET, MySQL's "LIMIT offset, count", "OFFSET n ROWS
// FETCH NEXT m ROWS ONLY" (SQL Server, Oracle 12c+, PostgreSQL), SQL Server's
// TOP (n) and Oracle's ROWNUM <= n. Values are read, never kept beyond the
// numbers.
func pagingBounds(s string, d Dialect) (limit, offset Bound) {
	depth, positional := 0, 0
	for i := 0; i < len(s); {
		c := s[i]
		if mayStartNonCode(c) { // strings, quoted names, comments
			if j := skipNonCode(s, i, d); j > i {
				i = j
				continue
			}
		}
		switch {
		case c == '(':
			depth++
			i++
		case c == ')':
			depth--
			i++
		case c == '?' || c == '%' && i+1 < len(s) && s[i+1] == 's':
			positional++
			i++
		case isIdentByte(c) && (i == 0 || !isIdentByte(s[i-1])):
			j := scanIdentifier(s, i)
			word := strings.ToUpper(s[i:j])
			i = j
			if depth != 0 {
				continue
			}
			switch word {
			case "TOP": // SQL Server: SELECT TOP (n) / TOP n
				k := skipSpace(s, i)
				if k < len(s) && s[k] == '(' {
					k = skipSpace(s, k+1)
				}
				limit, i = readBound(s, k, &positional)
				continue
			case "ROWNUM": // Oracle: WHERE ROWNUM <= n
				k := skipSpace(s, i)
				strict := k < len(s) && s[k] == '<' && (k+1 >= len(s) || s[k+1] != '=')
				for k < len(s) && (s[k] == '<' || s[k] == '=') {
					k++
				}
				if b, next := readBound(s, skipSpace(s, k), &positional); b.Present {
					if strict && b.Literal {
						b.Value--
					}
					limit, i = b, next
				}
				continue
			case "LIMIT", "OFFSET", "FETCH":
			default:
				continue
			}
			if word == "FETCH" { // FETCH FIRST|NEXT n ROWS ONLY
				k := skipSpace(s, i)
				k2 := scanIdentifier(s, k)
				if w := strings.ToUpper(s[k:k2]); w != "FIRST" && w != "NEXT" {
					continue
				}
				i = k2
			}
			b, next := readBound(s, skipSpace(s, i), &positional)
			i = next
			switch word {
			case "OFFSET":
				offset = b
			default:
				limit = b
				// MySQL: LIMIT offset, count
				if k := skipSpace(s, i); k < len(s) && s[k] == ',' && b.Present {
					count, next := readBound(s, skipSpace(s, k+1), &positional)
					offset, limit, i = b, count, next
				}
			}
		default:
			i++
		}
	}
	return limit, offset
}

// readBound reads a number or a placeholder at s[i].
func readBound(s string, i int, positional *int) (Bound, int) {
	if i >= len(s) {
		return Bound{}, i
	}
	switch c := s[i]; {
	case c >= '0' && c <= '9':
		j := scanDigits(s, i)
		v, err := strconv.ParseInt(s[i:j], 10, 64)
		return Bound{Present: true, Value: v, Literal: err == nil}, j
	case c == '?':
		*positional++
		return Bound{Present: true, Param: strconv.Itoa(*positional - 1)}, i + 1
	case c == '%' && i+1 < len(s) && s[i+1] == 's':
		*positional++
		return Bound{Present: true, Param: strconv.Itoa(*positional - 1)}, i + 2
	case c == '%' && i+1 < len(s) && s[i+1] == '(':
		if j := strings.Index(s[i:], ")s"); j > 0 {
			return Bound{Present: true, Param: s[i+2 : i+j]}, i + j + 2
		}
	case c == '$':
		if j := scanDigits(s, i+1); j > i+1 {
			n, _ := strconv.Atoi(s[i+1 : j])
			return Bound{Present: true, Param: strconv.Itoa(n - 1)}, j
		}
		return Bound{Present: true}, i + 1
	case c == ':' || c == '@':
		j := scanIdentifier(s, i+1)
		if j > i+1 {
			name := s[i+1 : j]
			if n, err := strconv.Atoi(name); err == nil { // Oracle :1
				name = strconv.Itoa(n - 1)
			}
			return Bound{Present: true, Param: name}, j
		}
	}
	// ALL, a function call, an expression: present, value unknown
	return Bound{Present: true}, i
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}
