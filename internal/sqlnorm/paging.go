package sqlnorm

import (
	"strconv"
	"strings"

	"github.com/DataDog/go-sqllexer"
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

// boundSlots says which literal values of a statement are its LIMIT and
// OFFSET: their ordinals among the lexed literals (-1: none), so that the
// cache can read them from another statement of the same shape. rownumStrict
// is Oracle's ROWNUM < n, whose limit is n-1.
type boundSlots struct {
	limit, offset int32
	rownumStrict  bool
}

// pagingBounds reads the LIMIT and OFFSET of the top-level query:
// LIMIT/OFFSET, MySQL's "LIMIT offset, count", "OFFSET n ROWS FETCH NEXT m
// ROWS ONLY" (SQL Server, Oracle 12c+, PostgreSQL), SQL Server's TOP (n) and
// Oracle's ROWNUM <= n. Values are read, never kept beyond the numbers.
func (r *reader) pagingBounds() (limit, offset Bound, slots boundSlots) {
	slots = boundSlots{limit: -1, offset: -1}
	depth, npos, lexed := 0, 0, 0
	ps := r.pieces
	// bound reads a number or a placeholder at piece i, counting what it takes.
	bound := func(i int) (Bound, int, int32) {
		i = r.nextSignificant(i - 1)
		if i < 0 {
			return Bound{Present: true}, len(ps), -1
		}
		p := ps[i]
		text := r.text[p.start:p.end]
		switch p.kind {
		case kValue:
			if p.flag&fLexed == 0 || p.tt != sqllexer.NUMBER {
				return Bound{Present: true}, i + 1, -1
			}
			slot := int32(lexed)
			lexed++
			if !allDigits(text) {
				return Bound{Present: true}, i + 1, -1
			}
			v, err := strconv.ParseInt(text, 10, 64)
			return Bound{Present: true, Value: v, Literal: err == nil}, i + 1, slot
		case kPlaceholder:
			return placeholderBound(text, &npos), i + 1, -1
		}
		// ALL, a function call, an expression: present, value unknown
		return Bound{Present: true}, i, -1
	}
	for i := 0; i < len(ps); {
		p := ps[i]
		text := r.text[p.start:p.end]
		switch p.kind {
		case kPunct:
			switch text {
			case "(":
				depth++
			case ")":
				depth--
			}
			i++
			continue
		case kValue:
			if p.flag&fLexed != 0 {
				lexed++
			}
			i++
			continue
		case kPlaceholder:
			if positional(text) {
				npos++
			}
			i++
			continue
		case kWord:
		default:
			i++
			continue
		}
		i++
		if depth != 0 {
			continue
		}
		var slot int32
		switch word := strings.ToUpper(text); word {
		case "TOP": // SQL Server: SELECT TOP (n) / TOP n
			k := r.nextSignificant(i - 1)
			if k >= 0 && r.text[ps[k].start:ps[k].end] == "(" {
				k++
			} else {
				k = i
			}
			limit, i, slot = bound(k)
			slots.limit = slot
		case "ROWNUM": // Oracle: WHERE ROWNUM <= n
			k := r.nextSignificant(i - 1)
			if k < 0 || ps[k].kind != kOperator {
				continue
			}
			op := r.text[ps[k].start:ps[k].end]
			if op != "<" && op != "<=" && op != "=" {
				continue
			}
			if b, next, s := bound(k + 1); b.Present {
				slots.rownumStrict = op == "<"
				if op == "<" && b.Literal {
					b.Value--
				}
				limit, i, slots.limit = b, next, s
			}
		case "LIMIT", "OFFSET", "FETCH":
			if word == "FETCH" { // FETCH FIRST|NEXT n ROWS ONLY
				k := r.nextSignificant(i - 1)
				if k < 0 || !r.isWord(k, "FIRST", "NEXT") {
					continue
				}
				i = k + 1
			}
			b, next, s := bound(i)
			i = next
			if word == "OFFSET" {
				offset, slots.offset = b, s
				continue
			}
			limit, slots.limit = b, s
			// MySQL: LIMIT offset, count
			if k := r.nextSignificant(i - 1); k >= 0 && r.text[ps[k].start:ps[k].end] == "," && b.Present {
				count, next, s2 := bound(k + 1)
				offset, limit, i = b, count, next
				slots.offset, slots.limit = s, s2
			}
		}
	}
	return limit, offset, slots
}

// placeholderBound is the bound of a placeholder: its name, or its position.
func placeholderBound(text string, npos *int) Bound {
	switch {
	case positional(text):
		*npos++
		return Bound{Present: true, Param: strconv.Itoa(*npos - 1)}
	case strings.HasPrefix(text, "%("):
		return Bound{Present: true, Param: strings.TrimSuffix(text[2:], ")s")}
	case text[0] == '$':
		n, err := strconv.Atoi(text[1:])
		if err != nil {
			return Bound{Present: true}
		}
		return Bound{Present: true, Param: strconv.Itoa(n - 1)}
	case text[0] == ':' || text[0] == '@':
		name := text[1:]
		if n, err := strconv.Atoi(name); err == nil { // Oracle :1
			name = strconv.Itoa(n - 1)
		}
		return Bound{Present: true, Param: name}
	}
	return Bound{Present: true}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
