package sqlnorm

import (
	"slices"
	"strings"

	"github.com/DataDog/go-sqllexer"
)

// The forms go-sqllexer cannot read, read here; the reader restarts the lexer
// after each. Every one is read so that it covers at least what the database
// would read as a literal or a comment:
//   - Oracle's q-quotes, q'[it's]' (any dialect: elsewhere q followed by a
//     string is no name either);
//   - nested block comments, /* a /* b */ c */ (PostgreSQL, SQL Server, Db2,
//     Snowflake, and systems not known);
//   - number forms: 0b101, 0o17, 1_000, 0x_FF, 1.5f (the lexer stops after
//     the 0 or the 1), and unquoted UUIDs (Cassandra);
//   - BigQuery's triple-quoted strings;
//   - a string whose reading depends on backslash escapes the server may or
//     may not apply (MySQL's NO_BACKSLASH_ESCAPES, PostgreSQL's
//     standard_conforming_strings, SQLite, systems not known): both readings
//     are made, and every stretch that either reads as a literal or comment
//     is one value (hullAmbiguous);
//   - JavaScript regular expressions, /re/i, in MongoDB shell and Flux text.

// nestedCommentEnd returns the end of the block comment at s[i], counting
// nested /* */ pairs; len(s) when it never closes.
func nestedCommentEnd(s string, i int) int {
	depth := 0
	for j := i; j+1 < len(s); j++ {
		switch {
		case s[j] == '/' && s[j+1] == '*':
			depth++
			j++
		case s[j] == '*' && s[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(s)
}

// dollarTagEnd returns the end of the tag of a PostgreSQL dollar quote at
// s[i] ($$ or $tag$, the tag a name that does not start with a digit), or -1
// when none starts there.
func dollarTagEnd(s string, i int) int {
	j := i + 1
	if j < len(s) && isIdentStart(s[j]) {
		for j < len(s) && isIdentByte(s[j]) && s[j] != '$' {
			j++
		}
	}
	if j < len(s) && s[j] == '$' {
		return j + 1
	}
	return -1
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '$'
}

// isQPrefix: the word before a quote makes it an Oracle q-quote.
func isQPrefix(w string) bool {
	return len(w) == 1 && (w[0] == 'q' || w[0] == 'Q') ||
		len(w) == 2 && (w[0] == 'n' || w[0] == 'N') && (w[1] == 'q' || w[1] == 'Q')
}

// qQuotedEnd returns the end of the q-quote whose quote is at s[i]:
// q'<delim>...<closing>' with [ ] { } ( ) < > paired, any other delimiter
// closing itself; len(s) when it never closes.
func qQuotedEnd(s string, i int) int {
	if i+1 >= len(s) {
		return len(s)
	}
	closing := s[i+1]
	switch closing {
	case '[':
		closing = ']'
	case '{':
		closing = '}'
	case '(':
		closing = ')'
	case '<':
		closing = '>'
	}
	for j := i + 2; j+1 < len(s); j++ {
		if s[j] == closing && s[j+1] == '\'' {
			return j + 2
		}
	}
	return len(s)
}

// uuidEnd returns the end of an unquoted UUID at s[i]
// (8-4-4-4-12 hex digits, not glued to a name), or 0.
func uuidEnd(s string, i int) int {
	const n = 36
	if i+n > len(s) || s[i+8] != '-' || i > 0 && isIdentByte(s[i-1]) {
		return 0
	}
	for k := 0; k < n; k++ {
		c := s[i+k]
		switch k {
		case 8, 13, 18, 23:
			if c != '-' {
				return 0
			}
		default:
			if !isHex(c) {
				return 0
			}
		}
	}
	if i+n < len(s) && isIdentByte(s[i+n]) {
		return 0
	}
	return i + n
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// isMySQLNumber: MySQL reads a name that starts with a digit unless it is a
// number (123, 1.5e3, 0x1F, 0b101).
func isMySQLNumber(w string) bool {
	if len(w) > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'b') {
		for i := 2; i < len(w); i++ {
			if w[1] == 'x' && !isHex(w[i]) || w[1] == 'b' && w[i] != '0' && w[i] != '1' {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(isDigit(c) || c == '.' || c == 'e' || c == 'E' || (c == '+' || c == '-') && i > 0 && (w[i-1] == 'e' || w[i-1] == 'E')) {
			return false
		}
	}
	return true
}

// tripleQuotedEnd returns the end of a BigQuery ”'...”' or """...""" string
// at s[i] (backslash escapes), len(s) when it never closes, or 0 when none
// starts there.
func tripleQuotedEnd(s string, i int) int {
	if i+3 > len(s) || (s[i] != '\'' && s[i] != '"') || s[i+1] != s[i] || s[i+2] != s[i] {
		return 0
	}
	q := s[i]
	for j := i + 3; j < len(s); j++ {
		switch {
		case s[j] == '\\':
			j++
		case s[j] == q && j+2 < len(s) && s[j+1] == q && s[j+2] == q:
			return j + 3
		}
	}
	return len(s)
}

// regexEnd returns the end of a regular expression literal /.../flags at
// s[i], len(s) when the text ends inside it (cut short), or 0 when the line
// ends first: no regex.
func regexEnd(s string, i int) int {
	class := false
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '\n' || c == '\r':
			return 0
		case c == '\\':
			j++
		case c == '[':
			class = true
		case c == ']':
			class = false
		case c == '/' && !class:
			if j == i+1 {
				return 0 // an empty regex is a comment
			}
			j++
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z') {
				j++
			}
			return j
		}
	}
	return len(s)
}

// hullAmbiguous reads a statement whose strings hold backslashes both ways:
// with the escapes and without (the lexer of another dialect, or the text
// with its backslashes blanked, which keeps every offset). Where the two
// readings disagree, every stretch that either reads as a literal or a
// comment, merged with those it overlaps, becomes one empty string: what
// is left is code in both readings.
func hullAmbiguous(raw string, dbms sqllexer.DBMSType) string {
	a := literalSpans(raw, dbms, nil)
	var b []span
	switch dbms {
	case sqllexer.DBMSPostgres: // escapes only in E'...': read as a system with escapes
		b = literalSpans(raw, "", nil)
	default: // escapes: read without, by blanking them
		b = literalSpans(strings.ReplaceAll(raw, `\`, "_"), dbms, nil)
	}
	if slices.Equal(a, b) {
		return raw
	}
	hull := mergeSpans(a, b)
	out := []byte(raw)
	ia, ib := 0, 0
	for _, h := range hull {
		if agreed(h, a, &ia) && agreed(h, b, &ib) {
			continue // both readings read this very literal: left to the lexer
		}
		fill := byte(' ')
		if h.value {
			out[h.start], out[h.start+1] = '\'', '\''
			h.start += 2
		}
		for k := h.start; k < h.end; k++ {
			out[k] = fill
		}
	}
	return string(out)
}

type span struct {
	start, end int
	value      bool // a literal, not only a comment
}

// literalSpans lists the literals and comments of the lexer's reading.
func literalSpans(s string, dbms sqllexer.DBMSType, out []span) []span {
	lx := sqllexer.New(s, sqllexer.WithDBMS(dbms))
	pos := 0
	for {
		tok := lx.Scan()
		if tok.Type == sqllexer.EOF {
			return out
		}
		start := pos
		pos += consumed(s, tok.Value, pos)
		switch tok.Type {
		case sqllexer.STRING, sqllexer.INCOMPLETE_STRING, sqllexer.DOLLAR_QUOTED_STRING, sqllexer.DOLLAR_QUOTED_FUNCTION, sqllexer.ERROR:
			out = append(out, span{start, pos, true})
		case sqllexer.COMMENT, sqllexer.MULTILINE_COMMENT:
			out = append(out, span{start, pos, false})
		case sqllexer.QUOTED_IDENT:
			// a name in both readings when the two agree; when they do not,
			// its text is as suspect as a string's
			out = append(out, span{start, pos, false})
		default:
			// The lexer reads on through " ? / ! # @ inside a word; where the
			// reader cuts the word (oddInName), a string that may run to the
			// end, or a comment, starts: read again from there.
			if k := oddInName(s[start:pos], dbms); k > 0 {
				pos = start + k
				lx = sqllexer.New(s[pos:], sqllexer.WithDBMS(dbms))
			}
		}
	}
}

// agreed: h is exactly one of the sorted spans, looked for from *from on
// (hulls come in order).
func agreed(h span, spans []span, from *int) bool {
	for *from < len(spans) && spans[*from].start < h.start {
		*from++
	}
	return *from < len(spans) && spans[*from].start == h.start && spans[*from].end == h.end
}

// mergeSpans merges two sorted lists of spans, and the spans that overlap;
// a merge that holds a literal is a literal, and only literals are kept (a
// comment alone is left to the lexer).
func mergeSpans(a, b []span) []span {
	var out []span
	for len(a) > 0 || len(b) > 0 {
		var s span
		if len(b) == 0 || len(a) > 0 && a[0].start <= b[0].start {
			s, a = a[0], a[1:]
		} else {
			s, b = b[0], b[1:]
		}
		if n := len(out); n > 0 && s.start < out[n-1].end {
			if s.end > out[n-1].end {
				out[n-1].end = s.end
			}
			out[n-1].value = out[n-1].value || s.value
			continue
		}
		out = append(out, s)
	}
	kept := out[:0]
	for _, s := range out {
		if s.value && s.end-s.start >= 2 {
			kept = append(kept, s)
		}
	}
	return kept
}
