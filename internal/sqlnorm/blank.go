package sqlnorm

// blankLiterals writes raw into buf with its literal values blanked: a number
// becomes 0 and a quoted string an empty one. Statements that differ only in
// their values (an ORM that writes them inline, as GORM's tracing records them)
// then share one cache entry, and only the first is lexed. It returns false
// when raw holds no literal (raw is its own key) or something this scan does
// not read for certain — a backslash in a string, a dollar quote, a number
// glued to a name —, where raw is the key too. Placeholders, names, quoted
// names and comments are copied as they are.
func blankLiterals(raw string, d Dialect, buf []byte) ([]byte, bool) {
	out := buf[:0]
	changed := false
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
			j := i + 1
			for ; j < len(raw); j++ {
				if raw[j] == '\\' {
					return nil, false // an escape in MySQL, a character in PostgreSQL
				}
				if raw[j] == '\'' {
					if j+1 < len(raw) && raw[j+1] == '\'' { // '' inside a string
						j++
						continue
					}
					break
				}
			}
			if j >= len(raw) {
				return nil, false // unterminated
			}
			out = append(out, '\'', '\'')
			changed = changed || j > i+1
			i = j + 1
		case c == '$':
			j := i + 1
			for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' {
				j++
			}
			if j == i+1 {
				return nil, false // $$ or $tag$: a dollar-quoted string
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
				return nil, false // 008: lexers split leading zeros their own way
			}
			j := scanNumber(raw, i)
			if j < len(raw) && isNameByte(raw[j]) {
				return nil, false // 0x1F, 1e, 2nd
			}
			out = append(out, '0')
			changed = changed || j > i+1 || c != '0'
			i = j
		default:
			out = append(out, c)
			i++
		}
	}
	return out, changed
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

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '@' || c == ':' || c == '#' || c == '$' || c >= 0x80
}
