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
	// Value is the literal, when Literal is true.
	Value int64
	// Param is the db.query.parameter key of a placeholder: its name (%(n)s,
	// :n, @n) or, for positional ones (?, %s, $1), its 0-based index.
	Param            string
	Present, Literal bool
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
// Oracle's ROWNUM <= n. When the top-level query has none but selects from a
// derived table that pages (Sequelize's subQuery: FROM (SELECT ... LIMIT 10
// OFFSET 1000) AS "Book" LEFT OUTER JOIN ...), the derived table's are the
// query's. Values are read, never kept beyond the numbers.
func (r *reader) pagingBounds() (limit, offset Bound, slots boundSlots) {
	// paging of the top-level query [0] and of the derived table it selects
	// from [1]
	var found [2]struct {
		limit, offset Bound
		slots         boundSlots
	}
	for k := range found {
		found[k].slots = boundSlots{limit: -1, offset: -1}
	}
	depth, npos, lexed := 0, 0, 0
	// derived: 0 before the top-level FROM, 1 when FROM is followed by "(",
	// 2 inside that derived table, 3 past it.
	derived := 0
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
				if derived == 1 && depth == 1 {
					derived = 2
				}
			case ")":
				depth--
				if derived == 2 && depth == 0 {
					derived = 3
				}
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
		level := 0
		switch {
		case depth == 0:
		case depth == 1 && derived == 2:
			level = 1
		default:
			continue
		}
		f := &found[level]
		var slot int32
		switch word := strings.ToUpper(text); word {
		case "FROM":
			if level == 0 && derived == 0 {
				derived = 3
				if k := r.nextSignificant(i - 1); k >= 0 && r.text[ps[k].start:ps[k].end] == "(" {
					derived = 1
				}
			}
		case "TOP": // SQL Server: SELECT TOP (n) / TOP n
			k := r.nextSignificant(i - 1)
			if k >= 0 && r.text[ps[k].start:ps[k].end] == "(" {
				k++
			} else {
				k = i
			}
			f.limit, i, slot = bound(k)
			f.slots.limit = slot
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
				f.slots.rownumStrict = op == "<"
				if op == "<" && b.Literal {
					b.Value--
				}
				f.limit, i, f.slots.limit = b, next, s
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
				f.offset, f.slots.offset = b, s
				continue
			}
			f.limit, f.slots.limit = b, s
			// MySQL: LIMIT offset, count
			if k := r.nextSignificant(i - 1); k >= 0 && r.text[ps[k].start:ps[k].end] == "," && b.Present {
				count, next, s2 := bound(k + 1)
				f.offset, f.limit, i = b, count, next
				f.slots.offset, f.slots.limit = s, s2
			}
		}
	}
	top := found[0]
	if !top.limit.Present && !top.offset.Present {
		top = found[1]
	}
	return top.limit, top.offset, top.slots
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
