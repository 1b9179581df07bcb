package sqlnorm

import "strings"

// EqualityValues returns the "column = value" predicates of a statement whose
// value is a literal written into it (bun, GORM's dry run, hand-written
// SQL): the column (the last part of its name, unquoted, lower case) and the
// literal's text. It is read to tell which column's value changes from one
// run of a statement to the next, never written anywhere: the values are
// literals. nil when the statement is no SQL or holds none.
func EqualityValues(system, raw string) (out [][2]string) {
	d := DialectOf(system)
	if !d.IsSQL() || isJSONDocument(raw) {
		return nil
	}
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	r := read(raw, d)
	defer r.done()
	var prev, prevprev *piece
	for i := range r.pieces {
		p := &r.pieces[i]
		if p.kind == kSpace || p.kind == kComment {
			continue
		}
		if p.kind == kValue && prev != nil && prevprev != nil && prev.kind == kOperator && r.text[prev.start:prev.end] == "=" &&
			(prevprev.kind == kWord || prevprev.kind == kQuotedName) {
			column := unquote(lastSegment(r.text[prevprev.start:prevprev.end]))
			out = append(out, [2]string{strings.ToLower(column), r.text[p.start:p.end]})
		}
		prevprev, prev = prev, p
	}
	return out
}
