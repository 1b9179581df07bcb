package sqlnorm

// blankLiterals writes raw into buf with its plainest literal values blanked,
// for the cache's key: a number becomes 0 and a quoted string an empty one,
// so that statements that differ only in their values (an ORM that writes
// them inline, as GORM's tracing records them) share one cache entry, and
// only the first is read. It appends to slots the offsets (start, end) of
// each value it blanked. It returns false when raw holds anything whose
// reading could depend on a value: a backslash or NUL in a string, a dollar quote,
// a number glued to a name or a sign, a q'...' quote, a string cut short.
//
// The key is a hint, trusted for nothing: an entry made under it serves
// other statements only when the reader (read.go), reading the first, read
// exactly these slots as its literal strings and numbers (normalize,
// literalsAre). A slot is then a '...' string without backslash or a plain
// decimal number, which the lexer reads as one token whatever its digits or
// characters, so every statement of the key is read alike.
func blankLiterals(raw string, d Dialect, buf []byte, slots []int32) ([]byte, []int32, bool) {
	out := buf[:0]
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\'' && mayStartNonCode(c) { // a quoted name or a comment, copied
			if j := skipNonCode(raw, i, d); j > i {
				out = append(out, raw[i:j]...)
				i = j
				continue
			}
		}
		switch {
		case c == '\'':
			if i > 0 && (raw[i-1] == 'q' || raw[i-1] == 'Q') {
				return nil, slots, false // Oracle's q'[...]'
			}
			j := i + 1
			for ; j < len(raw); j++ {
				if raw[j] == '\\' {
					return nil, slots, false // an escape in MySQL, a character in PostgreSQL
				}
				if raw[j] == 0 {
					return nil, slots, false // the lexer reads a NUL byte as the end of the text
				}
				if raw[j] == '\'' {
					if j+1 < len(raw) && raw[j+1] == '\'' { // '' inside a string
						if d.tripleQuotes() {
							return nil, slots, false // ''' opens a triple-quoted string
						}
						j++
						continue
					}
					break
				}
			}
			if j >= len(raw) {
				return nil, slots, false // unterminated
			}
			out = append(out, '\'', '\'')
			slots = append(slots, int32(i), int32(j+1))
			i = j + 1
		case c == '$':
			j := i + 1
			for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' {
				j++
			}
			if j == i+1 {
				return nil, slots, false // $$ or $tag$: a dollar-quoted string
			}
			out = append(out, raw[i:j]...)
			i = j
		case c >= '0' && c <= '9':
			if i > 0 && (isNameByte(raw[i-1]) || raw[i-1] == '.' || raw[i-1] == '"' || raw[i-1] == '`' || raw[i-1] == ']') {
				out = append(out, c) // t1, events_2024, @p1, :1, a name part after a dot
				i++
				continue
			}
			if c == '0' && i+1 < len(raw) && raw[i+1] >= '0' && raw[i+1] <= '9' {
				return nil, slots, false // 008: lexers split leading zeros their own way
			}
			j := scanNumber(raw, i)
			if j < len(raw) && (isNameByte(raw[j]) || raw[j] == '-' || raw[j] == '.') || i > 0 && (raw[i-1] == '-' || raw[i-1] == '+') {
				return nil, slots, false // 0x1F, 1e, 2nd, a sign, a UUID, 1.
			}
			out = append(out, '0')
			slots = append(slots, int32(i), int32(j))
			i = j
		default:
			out = append(out, c)
			i++
		}
	}
	return out, slots, true
}

// scanNumber returns the end of the number at s[i]: digits, a fraction and
// an exponent.
func scanNumber(s string, i int) int {
	i = scanDigits(s, i)
	if i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
		i = scanDigits(s, i+1)
	}
	if i+1 < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			i = scanDigits(s, j)
		}
	}
	return i
}

func scanDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '@' || c == ':' || c == '#' || c == '$' || c >= 0x80
}

// mayStartNonCode reports whether c may begin a quoted string, quoted name or
// comment; small enough to inline, so that most bytes cost no call.
func mayStartNonCode(c byte) bool {
	return c == '\'' || c == '"' || c == '`' || c == '[' || c == '-' || c == '/'
}

// skipNonCode returns the end of the quoted name or comment that starts at
// s[i], or i when none starts there. What it copies goes into the key as it
// is: reading it wrong costs a cache entry, never a value.
func skipNonCode(s string, i int, d Dialect) int {
	switch c := s[i]; {
	case c == '"':
		return skipQuoted(s, i, '"')
	case c == '`':
		return skipQuoted(s, i, '`')
	case c == '[' && d == DialectSQLServer:
		return skipQuoted(s, i, ']')
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		return lineEnd(s, i)
	case c == '/' && i+1 < len(s) && s[i+1] == '*':
		return nestedCommentEnd(s, i)
	}
	return i
}

func skipQuoted(s string, i int, closing byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == closing {
			if j+1 < len(s) && s[j+1] == closing {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}
