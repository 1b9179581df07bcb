package sqlnorm

import "strings"

// rewritePlaceholders turns the placeholder styles go-sqllexer keeps as they are
// (Python DB-API %s and %(name)s, named :name) into ?, and counts the
// placeholders of every style (?, $1, $?, %s, %(name)s, :name, :1, @p1). Quoted text
// and comments are skipped, so a '%s' inside a string literal is not a
// placeholder. The input itself is returned when nothing needs rewriting.
func rewritePlaceholders(s string, d Dialect) (string, int) {
	var (
		b       strings.Builder
		written int // bytes of s already copied to b
		count   int
	)
	replace := func(from, to int, with string) {
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[written:from])
		b.WriteString(with)
		written = to
	}
	for i := 0; i < len(s); {
		c := s[i]
		if mayStartNonCode(c) { // strings, quoted names, comments
			if j := skipNonCode(s, i, d); j > i {
				i = j
				continue
			}
		}
		switch {
		case c == '?':
			count++
			i++
		case c == '$':
			if j := scanDigits(s, i+1); j > i+1 {
				count++
				i = j
			} else if i+1 < len(s) && s[i+1] == '?' {
				// "$?": a $1 whose digits an obfuscating instrumentation
				// (opentelemetry-ruby's pg) already replaced
				count++
				replace(i, i+2, "?")
				i += 2
			} else {
				i = skipDollarQuoted(s, i)
			}
		case c == '%' && i+1 < len(s):
			switch s[i+1] {
			case 's':
				count++
				replace(i, i+2, "?")
				i += 2
			case '(':
				if j := strings.Index(s[i:], ")s"); j > 0 && isIdentifier(s[i+2:i+j]) {
					count++
					replace(i, i+j+2, "?")
					i += j + 2
				} else {
					i++
				}
			case '%':
				replace(i, i+2, "%")
				i += 2
			default:
				i++
			}
		case c == ':':
			if i+1 < len(s) && s[i+1] == ':' { // PostgreSQL cast
				i += 2
				continue
			}
			j := scanIdentifier(s, i+1)
			if j == i+1 || (i > 0 && (isIdentByte(s[i-1]) || s[i-1] == ']' || s[i-1] == ')')) {
				i++ // a label, a slice bound or a JSON path, not a placeholder
				continue
			}
			count++
			replace(i, j, "?")
			i = j
		case c == '@' && d != DialectMySQL:
			if j := scanIdentifier(s, i+1); j > i+1 {
				count++
				i = j
			} else {
				i++
			}
		default:
			i++
		}
	}
	if written == 0 {
		return s, count
	}
	b.WriteString(s[written:])
	return b.String(), count
}

// skipQuoted returns the index after the quote that closes the one at s[i].
// A doubled closing quote is an escaped quote; backslash escapes where allowed.
// mayStartNonCode reports whether c may begin a quoted string, quoted name or
// comment; small enough to inline, so that most bytes cost no call.
func mayStartNonCode(c byte) bool {
	return c == '\'' || c == '"' || c == '`' || c == '[' || c == '-' || c == '/'
}

// skipNonCode returns the end of the quoted string, quoted name or comment
// that starts at s[i] in dialect d, or i when none starts there.
func skipNonCode(s string, i int, d Dialect) int {
	switch c := s[i]; {
	case c == '\'':
		return skipQuoted(s, i, '\'', d == DialectMySQL || d == DialectGuess)
	case c == '"':
		return skipQuoted(s, i, '"', d == DialectMySQL)
	case c == '`':
		return skipQuoted(s, i, '`', false)
	case c == '[' && d == DialectSQLServer:
		return skipQuoted(s, i, ']', false)
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		return skipLine(s, i)
	case c == '/' && i+1 < len(s) && s[i+1] == '*':
		return skipBlockComment(s, i)
	}
	return i
}

func skipQuoted(s string, i int, closing byte, backslash bool) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if backslash {
				j++
			}
		case closing:
			if j+1 < len(s) && s[j+1] == closing {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

func skipLine(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

func skipBlockComment(s string, i int) int {
	if j := strings.Index(s[i+2:], "*/"); j >= 0 {
		return i + 2 + j + 2
	}
	return len(s)
}

// skipDollarQuoted skips a PostgreSQL $tag$...$tag$ string starting at s[i].
func skipDollarQuoted(s string, i int) int {
	j := scanIdentifier(s, i+1)
	if j >= len(s) || s[j] != '$' {
		return i + 1
	}
	tag := s[i : j+1]
	if k := strings.Index(s[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag)
	}
	return len(s)
}

func scanDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func scanIdentifier(s string, i int) int {
	for i < len(s) && isIdentByte(s[i]) {
		i++
	}
	return i
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isIdentifier(s string) bool {
	return s != "" && scanIdentifier(s, 0) == len(s)
}
