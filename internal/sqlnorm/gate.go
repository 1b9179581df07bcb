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
// dialect d. Text with none of the characters any token but a name,
// keyword, operator or placeholder starts with (quotes, $, comment openers,
// backslashes, digits that start a word, brackets, bytes beyond ASCII) is
// read so by the lexer of any dialect, without reading it; other text is
// read by the reader, and what it finds replaced.
func gateStatement(text string, d Dialect) string {
	if d.IsSQL() && literalFree(text) {
		return text
	}
	r := read(text, d)
	defer r.done()
	clean := true
	for _, p := range r.pieces {
		if p.kind == kValue || p.kind == kComment || p.kind == kOther {
			clean = false
			break
		}
	}
	if clean {
		return text
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
	return strings.Join(strings.Fields(b.String()), " ")
}

// literalFree: no token of text can be anything but a name, keyword,
// operator or placeholder, in any dialect's reading. A conservative check
// of the lexer's choice of token by its first character.
func literalFree(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ' ':
		case c >= '0' && c <= '9':
			if i == 0 {
				return false
			}
			if p := s[i-1]; !(p >= 'a' && p <= 'z' || p >= 'A' && p <= 'Z' || p == '_' || p >= '0' && p <= '9') {
				return false // a number of its own, or after a sign or a dot
			}
		case c == '-' || c == '/':
			if i+1 < len(s) && (s[i+1] == '-' || s[i+1] == '*' || s[i+1] == '/' || s[i+1] == '.') {
				return false // a comment, or -.5
			}
		case c == '+':
			if i+1 < len(s) && s[i+1] == '.' {
				return false
			}
		case c == ',' || c == '(' || c == ')' || c == '.' || c == '=' || c == '<' || c == '>' || c == '!' ||
			c == '?' || c == '*' || c == '%' || c == '|' || c == '&' || c == ':' || c == ';' || c == '^' ||
			c == '~' || c == '@' || c == '{' || c == '}':
		default: // quotes, $, #, \, [, ], control bytes, beyond ASCII
			return false
		}
	}
	return true
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
		s = Clean(gateName(s)) // the reader first: a line comment ends at its newline
	}
	if cut {
		s += "…"
	}
	return s
}

// plainName: nothing in s can be a literal form, quoted, commented or a
// number of its own. Most names pass here without the lexer.
func plainName(s string) bool {
	word, checked := false, false // in a word that starts with a letter
	for i := 0; i < len(s); i++ {
		switch nameClass[s[i]] {
		case classLetter:
			word = true
		case classDigit:
			if !word {
				return false // a word that starts with a digit: 1e5, 0x1F, 42
			}
		case classInWord: // svc-2, v1.2
			if s[i] == '-' && i+1 < len(s) && s[i+1] == '-' {
				return false
			}
		case classSeparator:
			if s[i] == '/' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '/') {
				return false
			}
			word = false
		case classHigh:
			if !checked && !utf8.ValidString(s) {
				return false
			}
			checked, word = true, true
		default: // quotes, #, $, ;, \, control characters
			return false
		}
	}
	return true
}

// The classes of the bytes of a name, for plainName.
const (
	classOther uint8 = iota
	classLetter
	classDigit
	classInWord
	classSeparator
	classHigh
)

var nameClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = classLetter, classLetter
	}
	t['_'] = classLetter
	for c := '0'; c <= '9'; c++ {
		t[c] = classDigit
	}
	t['-'], t['.'] = classInWord, classInWord
	for _, c := range " /:{}(),=<>*[]@+|&~!^%?" {
		t[c] = classSeparator
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = classHigh
	}
	return t
}()

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
