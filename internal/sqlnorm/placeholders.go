package sqlnorm

import (
	"strings"
	"sync"

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
	for i := range r.pieces {
		p := &r.pieces[i]
		text := s[p.start:p.end]
		switch p.kind {
		case kComment:
			b.WriteByte(' ')
		case kValue:
			writeValue(&b, p, text)
		case kPlaceholder:
			count++
			if text == "?" {
				b.WriteByte('?')
			} else {
				writeSpaced(&b, "?")
			}
		case kQuotedName:
			if p.flag&fRequote == 0 {
				if bare, ok := unquoted(text, i+1 < len(r.pieces) && s[r.pieces[i+1].start] == '('); ok {
					b.WriteString(bare)
				} else {
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

// unquoted is a quoted name ("books"."id", `books`, [b].[Id]) without its
// quotes, when the normalizer would write it so (it strips the quotes of a
// name that needs none): each part a plain name and no keyword, and no call
// after it. The normalizer then reads a name where it would have read a
// quoted one and stripped it, for less work.
func unquoted(text string, called bool) (string, bool) {
	if called {
		return "", false
	}
	var b [64]byte
	out := b[:0]
	for i := 0; i < len(text); {
		open := text[i]
		closing := open
		switch open {
		case '"', '`':
		case '[':
			closing = ']'
		default:
			return "", false
		}
		j := i + 1
		for j < len(text) && (text[j] == '_' || text[j] >= 'a' && text[j] <= 'z' || text[j] >= 'A' && text[j] <= 'Z' ||
			j > i+1 && text[j] >= '0' && text[j] <= '9') {
			j++
		}
		if j == i+1 || j >= len(text) || text[j] != closing || isKeyword(text[i+1:j]) {
			return "", false
		}
		out = append(out, text[i+1:j]...)
		i = j + 1
		if i < len(text) {
			if text[i] != '.' || i+1 >= len(text) {
				return "", false
			}
			out = append(out, '.')
			i++
		}
	}
	return string(out), true
}

var keywords = struct {
	sync.RWMutex
	m map[string]bool
}{m: map[string]bool{}}

// isKeyword: the lexer reads word as anything but a name (a keyword, a
// command, TRUE, NULL ...). Asked of the lexer once per word, up to a
// bound.
func isKeyword(word string) bool {
	keywords.RLock()
	k, ok := keywords.m[word]
	keywords.RUnlock()
	if ok {
		return k
	}
	k = sqllexer.New(word).Scan().Type != sqllexer.IDENT
	keywords.Lock()
	if len(keywords.m) < 4096 {
		keywords.m[strings.Clone(word)] = k
	}
	keywords.Unlock()
	return k
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
