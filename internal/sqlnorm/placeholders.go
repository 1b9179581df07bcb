package sqlnorm

import (
	"strings"

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
				b.WriteString(text)
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
