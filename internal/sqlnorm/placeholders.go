package sqlnorm

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/DataDog/go-sqllexer"
)

// lexerText is the statement as go-sqllexer's normalizer gets it: every value
// an empty string, every comment a space, every placeholder ? (the styles it
// keeps as they are, %s, %(name)s and :name, included), the names the reader
// settled from double quotes requoted with backticks. Nothing of a literal is
// left in it, whatever the normalizer then does. It also counts the
// placeholders of every style.
func (r *reader) lexerText() (string, int) {
	var b strings.Builder
	b.Grow(len(r.text) + 8)
	count := 0
	s := r.text
	marks := r.mixedLists()
	for i := range r.pieces {
		p := &r.pieces[i]
		text := s[p.start:p.end]
		if marks[i] {
			if p.kind == kPlaceholder {
				count++
			}
			writeSpaced(&b, firstValueMark)
			continue
		}
		switch p.kind {
		case kComment:
			b.WriteByte(' ')
		case kValue:
			writeValue(&b, p, text)
		case kPlaceholder:
			count++
			if text == "?" {
				if n := b.Len(); n > 0 && strings.IndexByte("|&", b.String()[n-1]) >= 0 {
					b.WriteByte(' ') // ||? and &&? would lex as one operator
				}
				b.WriteByte('?')
			} else {
				writeSpaced(&b, "?")
			}
		case kQuotedName:
			if p.flag&fRequote == 0 {
				// not before a call or a glued .name, which the normalizer
				// spaces apart after a quoted name ("User" . id)
				next := byte(0)
				if i+1 < len(r.pieces) && r.pieces[i+1].start == p.end {
					next = s[p.end]
				}
				if next == '(' || next == '.' || !writeUnquoted(&b, text) {
					b.WriteString(text)
				}
				continue
			}
			b.WriteByte('`')
			b.WriteString(strings.ReplaceAll(strings.ReplaceAll(text[1:len(text)-1], `""`, `"`), "`", "``"))
			b.WriteByte('`')
		case kOperator:
			if p.flag&fPercent != 0 {
				b.WriteByte('%')
				continue
			}
			b.WriteString(text)
		case kOther:
			// a stray backtick or backslash: the normalizer would keep it; it
			// holds nothing, so it goes
			b.WriteByte(' ')
		default:
			b.WriteString(text)
		}
	}
	return b.String(), count
}

// writeUnquoted writes a quoted name ("books"."id", `books`, [b].[Id])
// without its quotes, when the normalizer would write it so (it strips the
// quotes of a name that needs none): each part a plain name and no keyword.
// The normalizer then reads a name where it would have read a quoted one and
// stripped it, for less work. It returns false, writing nothing, otherwise.
func writeUnquoted(b *strings.Builder, text string) bool {
	parts := 0
	for pass := 0; pass < 2; pass++ { // check, then write
		for i := 0; i < len(text); {
			open := text[i]
			closing := open
			switch open {
			case '"', '`':
			case '[':
				closing = ']'
			default:
				return false
			}
			j := i + 1
			for j < len(text) && (text[j] == '_' || text[j] >= 'a' && text[j] <= 'z' || text[j] >= 'A' && text[j] <= 'Z' ||
				j > i+1 && text[j] >= '0' && text[j] <= '9') {
				j++
			}
			if pass == 0 && (j == i+1 || j >= len(text) || text[j] != closing || isKeyword(text[i+1:j])) {
				return false
			}
			if pass == 1 {
				if parts > 0 {
					b.WriteByte('.')
				}
				b.WriteString(text[i+1 : j])
				parts++
			}
			i = j + 1
			if i < len(text) {
				if pass == 0 && (text[i] != '.' || i+1 >= len(text)) {
					return false
				}
				i++
			}
		}
	}
	return true
}

// keywords caches isKeyword: read without a lock, copied on each new word,
// up to a bound.
var (
	keywords   atomic.Pointer[map[string]bool]
	keywordsMu sync.Mutex
)

// isKeyword: the lexer reads word as anything but a name (a keyword, a
// command, TRUE, NULL ...). Asked of the lexer once per word.
func isKeyword(word string) bool {
	// The lexer's keywords are letters, STRAIGHT_JOIN aside: a name with a
	// digit or an underscore is none.
	if strings.IndexAny(word, "0123456789_") >= 0 && !strings.EqualFold(word, "STRAIGHT_JOIN") {
		return false
	}
	if m := keywords.Load(); m != nil {
		if k, ok := (*m)[word]; ok {
			return k
		}
	}
	k := sqllexer.New(word).Scan().Type != sqllexer.IDENT
	keywordsMu.Lock()
	defer keywordsMu.Unlock()
	old := keywords.Load()
	if old == nil || len(*old) < 4096 {
		m := make(map[string]bool, 1+len(ptrMap(old)))
		for w, v := range ptrMap(old) {
			m[w] = v
		}
		m[strings.Clone(word)] = k
		keywords.Store(&m)
	}
	return k
}

func ptrMap(m *map[string]bool) map[string]bool {
	if m == nil {
		return nil
	}
	return *m
}

// writeValue writes a value as a literal the normalizer replaces: a number
// as a number (with its sign, which the lexer reads as part of it), anything
// else as an empty string, apart from what is around it.
func writeValue(b *strings.Builder, p *piece, text string) {
	if p.flag&fLexed != 0 && p.tt == sqllexer.NUMBER {
		if text[0] == '-' || text[0] == '+' {
			b.WriteByte(text[0])
		}
		b.WriteByte('0')
		return
	}
	if p.flag&fLexed != 0 {
		b.WriteString("''")
		return
	}
	writeSpaced(b, "''")
}

// writeSpaced writes s apart from a name or quote just written, so that the
// lexer cannot read the two as one token.
func writeSpaced(b *strings.Builder, s string) {
	if n := b.Len(); n > 0 {
		switch last := b.String()[n-1]; {
		case isIdentByte(last), last == '\'', last == '"', last == '`', last == ']', last == '.':
			b.WriteByte(' ')
		}
	}
	b.WriteString(s)
	b.WriteByte(' ')
}

// positional reports whether a placeholder piece takes the next position:
// ?, %s (not $1, :name, @p1, which name their own, nor $?, a $n whose n
// was obfuscated).
func positional(text string) bool {
	return text == "?" || text == "%s" || len(text) > 1 && text[0] == '?'
}
