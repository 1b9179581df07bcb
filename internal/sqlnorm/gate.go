package sqlnorm

import (
	"strings"
	"unicode/utf8"

	"github.com/DataDog/go-sqllexer"
)

// The last gate: everything querylens writes that comes from a span's text
// (normalized statements, routes, service and span names, code locations) is
// read once more, as the lexer reads it, before it is written. Text the
// reading finds anything in but names, keywords, operators and placeholders
// is written with each other piece replaced by ? (values) or dropped
// (comments): the span still gets its text, never a literal form.

// gateStatement returns normalized text as it may be written, read in
// dialect d, and the reader of what it returns (for its structure); release
// the reader with done.
func gateStatement(text string, d Dialect) (string, *reader) {
	r := read(text, d)
	clean := true
	for _, p := range r.pieces {
		if p.kind == kValue || p.kind == kComment || p.kind == kOther {
			clean = false
			break
		}
	}
	if clean {
		return text, r
	}
	var b strings.Builder
	for _, p := range r.pieces {
		switch p.kind {
		case kValue, kOther:
			writeSpaced(&b, "?")
		case kComment:
			b.WriteByte(' ')
		default:
			b.WriteString(r.text[p.start:p.end])
		}
	}
	r.done()
	out := strings.Join(strings.Fields(b.String()), " ")
	return out, read(out, d)
}

// MaxNameBytes bounds every name querylens writes: service, route, span
// name, code location, database system.
const MaxNameBytes = 256

// SafeName returns a name as querylens may write it: at most MaxNameBytes
// (cut short with …), valid UTF-8 without control characters, and read as
// the lexer reads SQL in its most careful reading (quotes of either kind
// hold strings, a comment of any system is one) with every literal form
// replaced by ?: quoted text, comments, numbers that stand alone
// (/books/42 → /books/?). Words stay words, whatever they hold: a name is a
// name (svc-2, v1.2, api_v3 are kept).
func SafeName(s string) string { return SafeText(s, MaxNameBytes) }

// SafeText is SafeName for text of at most max bytes (a statement read back
// from a finding event, for a metric label).
func SafeText(s string, limit int) string {
	if len(s) <= limit && plainName(s) {
		return s
	}
	cut := false
	if len(s) > limit {
		s, cut = truncate(s, max(limit-len("…"), 0)), true
	}
	if !plainName(s) {
		s = clean(gateName(s)) // the reader first: a line comment ends at its newline
	}
	if cut {
		s += "…"
	}
	return s
}

// plainName: nothing in s can be a literal form, quoted, commented or a
// number of its own. Most names pass here without the lexer.
func plainName(s string) bool {
	letter, digit := false, false // of the current word
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
			letter = true
		case c >= '0' && c <= '9':
			if !letter {
				return false // a word that starts with a digit: 1e5, 0x1F, 42
			}
			digit = true
		case c == '-' || c == '.':
			// inside a word: svc-2, v1.2
		case c == ' ' || c == '/' || c == ':' || c == '{' || c == '}' || c == '(' || c == ')' || c == ',' ||
			c == '=' || c == '<' || c == '>' || c == '*' || c == '[' || c == ']' || c == '@' || c == '+' ||
			c == '|' || c == '&' || c == '~' || c == '!' || c == '^' || c == '%' || c == '?':
			if digit && !letter {
				return false
			}
			letter, digit = false, false
		case c >= 0x80:
			if !utf8.ValidString(s) {
				return false
			}
			letter = true
		default: // quotes, #, $, ;, \, control characters
			return false
		}
		if c == '-' && i+1 < len(s) && s[i+1] == '-' || c == '/' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '/') {
			return false
		}
	}
	return !(digit && !letter)
}

// gateName reads a name that is not plain.
func gateName(s string) string {
	r := read(s, dialectNames)
	defer r.done()
	ps := r.pieces
	// a number glued to a word is part of it: svc-2, build42x
	for i := range ps {
		if ps[i].kind != kValue || ps[i].tt != sqllexer.NUMBER {
			continue
		}
		if i > 0 && ps[i-1].end == ps[i].start && ps[i-1].kind == kWord ||
			i+1 < len(ps) && ps[i+1].start == ps[i].end && ps[i+1].kind == kWord {
			ps[i].kind = kWord
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, p := range ps {
		text := r.text[p.start:p.end]
		switch {
		case p.kind == kValue:
			b.WriteByte('?')
		case p.kind == kComment:
			b.WriteByte(' ')
		case p.kind == kPlaceholder && len(text) > 1 && allDigits(text[1:]):
			// $1, :1, ?1: numbered, and SQL Server's money $12.50 reads so
			b.WriteByte('?')
		default:
			b.WriteString(text)
		}
	}
	return strings.TrimSpace(b.String())
}

// CutText cuts normalized text to at most n bytes at a piece boundary, with
// … when cut: never inside a quoted name, whose rest a reader would take for
// whatever followed.
func CutText(text string, n int) string {
	if len(text) <= n {
		return text
	}
	limit := n - len("…")
	r := read(truncate(text, max(limit, 0)), DialectPostgres)
	defer r.done()
	end := 0
	for _, p := range r.pieces {
		if p.kind == kValue || p.kind == kOther || p.kind == kComment {
			break
		}
		end = int(p.end)
	}
	return strings.TrimSpace(text[:end]) + "…"
}

// token is a piece of normalized SQL for the structure of a SELECT: a word
// (keyword, identifier, a.b, a.*), a quoted identifier, or one punctuation
// or operator character.
type token struct {
	text  string
	depth int // parenthesis depth at the token
}

// tokens turns the pieces of gated text, from byte from, into tokens.
func (r *reader) tokens(from int) []token {
	out := make([]token, 0, len(r.pieces))
	depth := 0
	s := r.text
	for i := 0; i < len(r.pieces); i++ {
		p := r.pieces[i]
		if int(p.start) < from || p.kind == kSpace || p.kind == kComment {
			continue
		}
		switch p.kind {
		case kWord, kQuotedName:
			end := p.end
			// books.* and t.[Col]: one name
			for i+1 < len(r.pieces) && r.pieces[i+1].start == end && s[end-1] == '.' &&
				(r.pieces[i+1].kind == kQuotedName || s[r.pieces[i+1].start] == '*') {
				i++
				end = r.pieces[i].end
			}
			out = append(out, token{s[p.start:end], depth})
		default:
			for k := p.start; k < p.end; k++ {
				c := s[k]
				if c == ')' {
					depth--
				}
				out = append(out, token{s[k : k+1], depth})
				if c == '(' {
					depth++
				}
			}
		}
	}
	return out
}
