package sqlnorm

// carriesBatch reports whether the statement carries several items in one
// call: an IN list of two or more values, a VALUES of two or more rows, or
// arrays unnested into rows (PostgreSQL's bulk insert by Django and psycopg 3:
// INSERT ... SELECT * FROM UNNEST(%s::text[], ...)). Repeats of such a
// statement are batched work (an ORM's bulk write in batches, a chunked
// prefetch), not one query per item. A list of one, or a list the driver
// expands from one placeholder (Python's IN %s), says nothing.
func (r *reader) carriesBatch() bool {
	type paren struct {
		list  bool // an IN (...) of values, not a subquery
		items int  // its commas at its own depth
	}
	var open []paren
	valuesAt, rows := -1, 0 // the depth of a VALUES clause's rows, and how many
	for i := range r.pieces {
		p := r.pieces[i]
		switch p.kind {
		case kWord:
			switch {
			case r.isWord(i, "UNNEST"):
				return true
			case r.isWord(i, "VALUES"):
				valuesAt, rows = len(open), 0
			case valuesAt == len(open):
				valuesAt = -1 // ON CONFLICT, RETURNING, AS ...: the rows are over
			}
		case kPunct:
			switch r.text[p.start] {
			case '(':
				if valuesAt == len(open) {
					if rows++; rows >= 2 {
						return true
					}
				}
				prev, next := r.prevSignificant(i), r.nextSignificant(i)
				list := prev >= 0 && r.isWord(prev, "IN") && !(next >= 0 && r.isWord(next, "SELECT", "WITH"))
				open = append(open, paren{list: list})
			case ')':
				if n := len(open); n > 0 {
					if open[n-1].list && open[n-1].items > 0 {
						return true
					}
					open = open[:n-1]
				}
			case ',':
				if n := len(open); n > 0 {
					open[n-1].items++
				}
			}
		}
	}
	return false
}
