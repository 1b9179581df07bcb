package sqlnorm

import (
	"strings"
	"sync"

	"github.com/DataDog/go-sqllexer"
)

// Structure is what the detectors need to know of a SELECT beyond its text,
// read from the normalized statement (and, for LIMIT/OFFSET values, the raw one).
type Structure struct {
	// SelectsAll: the top-level select list has * or table.* over a table (not
	// COUNT(*), not EXISTS (SELECT * ...), not * over a subquery or CTE that
	// lists its columns): whole rows are read.
	SelectsAll bool
	// Count: the select list is a single COUNT(...), with no GROUP BY.
	Count bool
	// GroupBy: the top-level query groups.
	GroupBy bool
	// GroupsByKey: it groups by the key of its base table first (GROUP BY
	// users.id, or by an ordinal over a select list that starts with it, as
	// GROUP BY 1 normalizes to GROUP BY ?): one row per base row still, each
	// with aggregates of what it joins.
	GroupsByKey bool
	// Distinct: the top-level query is SELECT DISTINCT.
	Distinct bool
	// JoinsToMany: the top-level query joins a table by a column that is not
	// its key to the key of its FROM table (FROM authors JOIN books ON
	// books.author_id = authors.id), and no other condition pins the joined
	// table to one row: each parent row comes back once per child.
	JoinsToMany bool
	// Limit and Offset of the top-level query, or of the derived table it
	// selects from when it has none.
	Limit, Offset Bound
	// Aggregate is the first aggregate function the top-level select list
	// calls, lower case (count, sum, avg, min, max, array_agg, ...), not a
	// subquery's and not a window function (OVER); "" when none.
	Aggregate string
	// ToMany is the joined table that makes JoinsToMany true (books).
	ToMany string
	// OrderBy is the top-level ORDER BY, normalized, its items separated by
	// ", " ("email DESC, id"); when the top level has none and pages a
	// derived table (FROM (SELECT ... ORDER BY ... LIMIT n) AS sub), the
	// derived table's. "" if none.
	OrderBy string
	// Base is the table the top-level query reads rows of: its first FROM
	// table, or that of the derived table it selects from (Sequelize pages
	// its parents in FROM (SELECT ... LIMIT n) AS "Book"); unquoted, lower
	// case, "" when unknown.
	Base string
	// Where is the WHERE clause of the top-level query, or of the derived
	// table it selects from when it has none, normalized: the qualifiers
	// that name the base table or its alias are dropped, so that a count
	// and its page compare equal whatever they join (books.pages > ? and
	// pages > ? are one filter). "" if none.
	Where string
}

// token is a piece of normalized SQL for the structure of a SELECT: a word
// (keyword, identifier, a.b, a.*), a quoted identifier, or one punctuation
// or operator character.
type token struct {
	text  string
	depth int // parenthesis depth at the token
}

// structureTokens splits normalized text, from byte from, into tokens. The
// text has passed the last gate: it holds names, keywords, operators and
// placeholders only, so that a split on spaces and punctuation is what the
// reader would read, at a fifth of its cost (quoted names are kept whole:
// "x", and [x] in SQL Server's text, `x` in MySQL's).
func structureTokens(s string, from int, dbms sqllexer.DBMSType, out []token) []token {
	out = out[:0]
	depth := 0
	for i := from; i < len(s); {
		c := s[i]
		switch {
		case c == ' ':
			i++
		case c == '"' && dbms != sqllexer.DBMSMySQL || c == '`' && dbms == sqllexer.DBMSMySQL || c == '[' && dbms == sqllexer.DBMSSQLServer:
			closing := c
			if c == '[' {
				closing = ']'
			}
			j := skipQuoted(s, i, closing)
			out = append(out, token{s[i:j], depth})
			i = j
		case isIdentByte(c):
			j := i
			for j < len(s) && (isIdentByte(s[j]) || s[j] == '.' || s[j] == '*' && s[j-1] == '.' || s[j] == '"' && s[j-1] == '.') {
				if s[j] == '"' { // a."b"
					j = skipQuoted(s, j, '"')
					continue
				}
				j++
			}
			out = append(out, token{s[i:j], depth})
			i = j
		case c == '(':
			out = append(out, token{"(", depth})
			depth++
			i++
		case c == ')':
			depth--
			out = append(out, token{")", depth})
			i++
		default:
			out = append(out, token{s[i : i+1], depth})
			i++
		}
	}
	return out
}

// clauseEnd lists the keywords that end a FROM or WHERE clause.
var clauseEnd = map[string]bool{
	"WHERE": true, "GROUP": true, "HAVING": true, "ORDER": true, "LIMIT": true, "OFFSET": true,
	"FETCH": true, "UNION": true, "INTERSECT": true, "EXCEPT": true, "WINDOW": true, "FOR": true,
	"RETURNING": true,
}

var joinWords = map[string]bool{
	"JOIN": true, "INNER": true, "LEFT": true, "RIGHT": true, "FULL": true, "OUTER": true,
	"CROSS": true, "NATURAL": true, "LATERAL": true, "STRAIGHT_JOIN": true,
}

// tokenBuffers hold the tokens of one statement while its structure is read.
var tokenBuffers = sync.Pool{New: func() any { b := make([]token, 0, 64); return &b }}

// structureOf reads the structure of normalized text from byte from.
func structureOf(text string, from int, dbms sqllexer.DBMSType) Structure {
	bp := tokenBuffers.Get().(*[]token)
	toks := structureTokens(text, from, dbms, *bp)
	st := analyze(toks)
	if cap(toks) <= 4096 {
		*bp = toks
		tokenBuffers.Put(bp)
	}
	return st
}

// analyze reads the structure of a normalized SELECT from its tokens.
func analyze(toks []token) Structure {
	var st Structure
	q := topQuery(toks)
	if q == nil {
		return st
	}
	st.SelectsAll = selectsAll(q, toks)
	st.Distinct = len(q) > 1 && strings.EqualFold(q[1].text, "DISTINCT")
	list, rest := selectList(q)
	d := q[0].depth
	var sources []source
	if len(rest) > 0 {
		sources = fromSources(rest, d)
	}
	st.Aggregate = aggregateOf(list)
	st.Count = len(list) >= 3 && strings.EqualFold(list[0].text, "COUNT") && list[1].text == "(" &&
		closesAt(list, 1) == len(list)-1 || isCountWithAlias(list)
	var where []token
	groupFirst := ""
	for i := 0; i < len(rest); i++ {
		if rest[i].depth != d {
			continue
		}
		switch strings.ToUpper(rest[i].text) {
		case "GROUP":
			st.GroupBy = true
			if i+2 < len(rest) && strings.EqualFold(rest[i+1].text, "BY") {
				groupFirst = rest[i+2].text
			}
		case "WHERE":
			where = clause(rest, i, d)
		}
	}
	if st.GroupBy {
		st.Count = false
	}
	st.ToMany = toManyJoin(sources, where)
	st.JoinsToMany = st.ToMany != ""
	if len(rest) > 0 {
		st.OrderBy = orderBy(rest, d)
	}
	if st.OrderBy == "" && len(sources) > 0 && sources[0].subquery != nil {
		if sub := topQuery(sources[0].subquery); sub != nil {
			if _, subRest := selectList(sub); len(subRest) > 0 {
				st.OrderBy = orderBy(subRest, sub[0].depth)
			}
		}
	}
	base := baseOf(sources)
	if where == nil {
		where = derivedWhere(sources)
	}
	st.Base = strings.ToLower(lastSegment(base.name))
	st.Where = canonicalWhere(where, base)
	if groupFirst == "?" && len(list) > 0 { // an ordinal, GROUP BY 1, normalized as a value
		groupFirst = list[0].text
	}
	st.GroupsByKey = st.GroupBy && base.name != "" && isKeyColumn(groupFirst, base)
	return st
}

// isKeyColumn: tok names the key of the table, qualified by it or not.
func isKeyColumn(tok string, table source) bool {
	if q, col, ok := column(tok); ok {
		return table.is(q) && isKeyOf(col, table)
	}
	return isKeyOf(unquote(tok), table)
}

// clause is the tokens of the clause whose keyword is at toks[i], up to the
// keyword that ends it at depth d.
func clause(toks []token, i, d int) []token {
	j := i + 1
	for j < len(toks) && toks[j].depth >= d && !(toks[j].depth == d && clauseEnd[strings.ToUpper(toks[j].text)]) {
		j++
	}
	return toks[i+1 : j]
}

// baseOf is the table whose rows a query reads: its first FROM table, or,
// when it selects from a derived table, that table's own base, under the
// derived table's alias.
func baseOf(sources []source) source {
	if len(sources) == 0 {
		return source{}
	}
	first := sources[0]
	if first.subquery == nil {
		return first
	}
	sub := topQuery(first.subquery)
	if sub == nil {
		return source{}
	}
	_, rest := selectList(sub)
	if len(rest) == 0 {
		return source{}
	}
	inner := baseOf(fromSources(rest, sub[0].depth))
	inner.alias = first.alias // the outer query names it by the derived table's alias
	return inner
}

// derivedWhere is the WHERE of the derived table a query selects from:
// Prisma counts with SELECT COUNT(*) FROM (SELECT id FROM books WHERE ...
// OFFSET $2) AS sub, Sequelize pages its parents in FROM (SELECT ... WHERE
// ... LIMIT n) AS "Book".
func derivedWhere(sources []source) []token {
	if len(sources) == 0 || sources[0].subquery == nil {
		return nil
	}
	sub := topQuery(sources[0].subquery)
	if sub == nil {
		return nil
	}
	_, rest := selectList(sub)
	for i := range rest {
		if rest[i].depth == sub[0].depth && strings.EqualFold(rest[i].text, "WHERE") {
			return clause(rest, i, sub[0].depth)
		}
	}
	return nil
}

// canonicalWhere joins a WHERE clause's tokens, without the quotes of
// quoted names and without the qualifiers that name the base table.
func canonicalWhere(where []token, base source) string {
	// Aliases a subquery of the filter declares (EXISTS (SELECT ... FROM
	// team_user AS t1 ...)) stand for their table: an ORM numbers them per
	// statement (Prisma's t0 in the count, t1 in the page).
	aliases := map[string]string{}
	for i := 0; i+3 < len(where); i++ {
		if k := strings.ToUpper(where[i].text); (k == "FROM" || k == "JOIN") && strings.EqualFold(where[i+2].text, "AS") {
			aliases[strings.ToLower(unquote(where[i+3].text))] = lastSegment(unquote(where[i+1].text))
		}
	}
	parts := make([]string, 0, len(where))
	for i := 0; i < len(where); i++ {
		text := where[i].text
		if q, col, ok := column(text); ok && base.is(q) {
			text = col
		} else if ok {
			if table, aliased := aliases[strings.ToLower(q)]; aliased {
				q = table
			}
			text = q + "." + col
		} else if strings.EqualFold(text, "AS") && i+1 < len(where) && aliases[strings.ToLower(unquote(where[i+1].text))] != "" {
			i++ // "team_user AS t1": the table alone
			continue
		} else {
			text = unquote(text)
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, " ")
}

// topQuery returns the tokens of the main SELECT, past a WITH list.
func topQuery(toks []token) []token {
	i := 0
	for i < len(toks) && toks[i].text == "(" {
		i++
	}
	if i < len(toks) && strings.EqualFold(toks[i].text, "WITH") {
		d := toks[i].depth
		for i++; i < len(toks); i++ {
			if toks[i].depth == d && strings.EqualFold(toks[i].text, "SELECT") {
				break
			}
		}
	}
	if i >= len(toks) || !strings.EqualFold(toks[i].text, "SELECT") {
		return nil
	}
	return toks[i:]
}

// selectList splits a query into its select list (depth of SELECT, up to FROM)
// and what follows.
func selectList(q []token) (list, rest []token) {
	d := q[0].depth
	i := 1
	if i < len(q) && (strings.EqualFold(q[i].text, "DISTINCT") || strings.EqualFold(q[i].text, "ALL")) {
		i++
	}
	start := i
	for i < len(q) && !(q[i].depth == d && strings.EqualFold(q[i].text, "FROM")) {
		i++
	}
	return q[start:i], q[i:]
}

func selectsAll(q []token, all []token) bool {
	d := q[0].depth
	list, rest := selectList(q)
	var stars []string // "" for a bare *, else the qualifier
	for _, t := range list {
		if t.depth != d {
			continue
		}
		if t.text == "*" {
			stars = append(stars, "")
		} else if strings.HasSuffix(t.text, ".*") {
			stars = append(stars, unquote(strings.TrimSuffix(t.text, ".*")))
		}
	}
	if len(stars) == 0 || len(rest) == 0 {
		return false
	}
	sources := fromSources(rest, d)
	ctes := cteNames(all)
	for _, qualifier := range stars {
		for _, src := range sources {
			if qualifier != "" && !strings.EqualFold(qualifier, src.alias) && !strings.EqualFold(qualifier, src.name) &&
				!strings.EqualFold(qualifier, lastSegment(src.name)) {
				continue
			}
			switch {
			case src.subquery != nil:
				if sub := topQuery(src.subquery); sub != nil && selectsAll(sub, all) {
					return true
				}
			case ctes[strings.ToLower(src.name)]:
				// a CTE: it lists what it reads
			default:
				return true
			}
		}
	}
	return false
}

type source struct {
	name, alias string
	subquery    []token
	on          []token // the join condition, for a joined source
}

// fromSources lists the tables and subqueries of a FROM clause at depth d.
func fromSources(rest []token, d int) []source {
	var out []source
	i := 1 // past FROM
	for i < len(rest) {
		t := rest[i]
		if t.depth < d || t.depth == d && clauseEnd[strings.ToUpper(t.text)] {
			break
		}
		if t.depth > d || t.text == "," || joinWords[strings.ToUpper(t.text)] {
			i++
			continue
		}
		var src source
		if t.text == "(" {
			end := closesAt(rest, i)
			src.subquery = rest[i+1 : end]
			i = end + 1
		} else if strings.EqualFold(t.text, "ON") || strings.EqualFold(t.text, "USING") {
			// the join condition runs to the next join or comma; it belongs
			// to the source before it
			start := i + 1
			for i++; i < len(rest); i++ {
				u := strings.ToUpper(rest[i].text)
				if rest[i].depth == d && (joinWords[u] || u == "," || clauseEnd[u]) || rest[i].depth < d {
					break
				}
			}
			if len(out) > 0 && strings.EqualFold(t.text, "ON") {
				out[len(out)-1].on = rest[start:i]
			}
			continue
		} else {
			src.name = unquote(t.text)
			i++
		}
		if i < len(rest) && rest[i].depth == d && strings.EqualFold(rest[i].text, "AS") {
			i++
		}
		if i < len(rest) && rest[i].depth == d && isAliasToken(rest[i].text) {
			src.alias = unquote(rest[i].text)
			i++
		}
		out = append(out, src)
	}
	return out
}

func isAliasToken(s string) bool {
	u := strings.ToUpper(s)
	if joinWords[u] || clauseEnd[u] || u == "ON" || u == "USING" || u == "," || u == "(" || u == ")" {
		return false
	}
	return s != "" && (isIdentByte(s[0]) || s[0] == '"' || s[0] == '`' || s[0] == '[')
}

// cteNames are the names a WITH list defines, lowercased.
func cteNames(toks []token) map[string]bool {
	names := map[string]bool{}
	i := 0
	for i < len(toks) && toks[i].text == "(" {
		i++
	}
	if i >= len(toks) || !strings.EqualFold(toks[i].text, "WITH") {
		return names
	}
	d := toks[i].depth
	for i++; i+1 < len(toks); i++ {
		if toks[i].depth != d {
			continue
		}
		if strings.EqualFold(toks[i].text, "SELECT") {
			break
		}
		if strings.EqualFold(toks[i+1].text, "AS") && !strings.EqualFold(toks[i].text, "RECURSIVE") {
			names[strings.ToLower(unquote(toks[i].text))] = true
		}
	}
	return names
}

// closesAt returns the index of the parenthesis closing toks[open].
func closesAt(toks []token, open int) int {
	for j := open + 1; j < len(toks); j++ {
		if toks[j].text == ")" && toks[j].depth == toks[open].depth {
			return j
		}
	}
	return len(toks) - 1
}

// aggregates are the aggregate functions of the SQL dialects: each folds
// the rows of a group into one value.
var aggregates = []string{
	"count", "sum", "avg", "min", "max", "array_agg", "string_agg", "group_concat", "listagg",
	"json_agg", "jsonb_agg", "json_group_array", "bool_and", "bool_or", "every", "stddev", "variance",
}

// AggregateName is the aggregate function a name calls, as aggregates
// spells it (count, sum, array_agg, ...), or "".
func AggregateName(name string) string {
	for _, a := range aggregates {
		if strings.EqualFold(name, a) {
			return a
		}
	}
	return ""
}

// aggregateOf is the first aggregate function a select list calls, in any
// expression of it (CAST(count(x) AS INTEGER)) but not in a subquery, nor
// as a window function (count(*) OVER (...) keeps the rows). SQLite's
// min(a, b) and max(a, b) of several arguments are scalar.
func aggregateOf(list []token) string {
	for i := 0; i+1 < len(list); i++ {
		if list[i].text == "(" && i+1 < len(list) && (strings.EqualFold(list[i+1].text, "SELECT") || strings.EqualFold(list[i+1].text, "WITH")) {
			i = closesAt(list, i) // a subquery: its aggregates are its own
			continue
		}
		if list[i+1].text != "(" {
			continue
		}
		name := AggregateName(list[i].text)
		if name == "" {
			continue
		}
		end := closesAt(list, i+1)
		if (name == "min" || name == "max") && hasTopComma(list[i+2:end], list[i+1].depth+1) {
			continue
		}
		next := end + 1
		if next < len(list) && strings.EqualFold(list[next].text, "FILTER") && next+1 < len(list) && list[next+1].text == "(" {
			next = closesAt(list, next+1) + 1
		}
		if next < len(list) && strings.EqualFold(list[next].text, "OVER") {
			i = end
			continue
		}
		return name
	}
	return ""
}

// hasTopComma: the tokens, the arguments of a call, hold a comma at depth d
// (more than one argument).
func hasTopComma(args []token, d int) bool {
	for _, t := range args {
		if t.text == "," && t.depth == d {
			return true
		}
	}
	return false
}

// isCountWithAlias: COUNT(...) AS name, or COUNT(...) name.
func isCountWithAlias(list []token) bool {
	if len(list) < 3 || !strings.EqualFold(list[0].text, "COUNT") || list[1].text != "(" {
		return false
	}
	end := closesAt(list, 1)
	tail := list[end+1:]
	if len(tail) > 0 && strings.EqualFold(tail[0].text, "AS") {
		tail = tail[1:]
	}
	return len(tail) == 1 && isAliasToken(tail[0].text)
}

func join(toks []token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.text
	}
	return strings.Join(parts, " ")
}

func lastSegment(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '`' || s[0] == '[') {
		return s[1 : len(s)-1]
	}
	return s
}

// orderBy is the ORDER BY clause of the query at depth d, its items
// separated by ", ".
func orderBy(rest []token, d int) string {
	for i := 0; i+1 < len(rest); i++ {
		if rest[i].depth != d || !strings.EqualFold(rest[i].text, "ORDER") || !strings.EqualFold(rest[i+1].text, "BY") {
			continue
		}
		var items []string
		start := i + 2
		for j := start; j <= len(rest); j++ {
			end := j == len(rest) || rest[j].depth < d ||
				rest[j].depth == d && (clauseEnd[strings.ToUpper(rest[j].text)] || rest[j].text == ",")
			if !end {
				continue
			}
			if j > start {
				items = append(items, join(rest[start:j]))
			}
			if j == len(rest) || rest[j].text != "," {
				break
			}
			start = j + 1
		}
		return strings.Join(items, ", ")
	}
	return ""
}

// toManyJoin returns the joined table that multiplies the rows of the
// query, or "": none when the WHERE pins the FROM table's key (one parent
// row: Django's get(pk=...) with select_related of a reverse one-to-one,
// whose LIMIT 21 guards a lookup and pages nothing); else a joined table U whose ON condition equates a column of U that is not its
// key to the key of a table joined before it (books.author_id = authors.id,
// comments.article = articles.id), with no other condition that pins U to one
// row (a second key of a composite key: AND article_tags.tag_id = ?, in the
// ON or the WHERE). The statement decides, not the names of the columns:
// the key is the column id (or <table>_id in the table of that name), the
// convention of every ORM. It says nothing when it cannot tell: a subquery
// in FROM, a condition that is not an equality of columns.
func toManyJoin(sources []source, where []token) string {
	if len(sources) < 2 || sources[0].subquery != nil || sources[0].name == "" || keyPinned(sources[0], where) {
		return ""
	}
	for k := 1; k < len(sources); k++ {
		child := sources[k]
		if child.subquery != nil || child.name == "" || isEagerAlias(child) {
			continue
		}
		on := child.on
		for i := 0; i+2 < len(on); i++ {
			if on[i+1].text != "=" {
				continue
			}
			aq, acol, aok := column(on[i].text)
			bq, bcol, bok := column(on[i+2].text)
			if !aok || !bok {
				continue
			}
			if child.is(bq) {
				aq, acol, bq, bcol = bq, bcol, aq, acol
			}
			if !child.is(aq) || isKeyOf(acol, child) {
				continue
			}
			// Only a child of the FROM table, whose rows the page counts: a
			// child of a table joined to one row (bookmarks -> their owner ->
			// the owner's profile) is as often a one-to-one extension of it,
			// which SQL cannot tell from a collection.
			if parent := sources[0]; parent.is(bq) && isKeyOf(bcol, parent) &&
				!pinned(child, acol, on) && !pinned(child, acol, where) {
				return child.name
			}
		}
	}
	return ""
}

// isEagerAlias reports whether a joined table goes by SQLAlchemy's alias of
// a joined eager load, <table>_<n> (notifier_options AS notifier_options_1).
// SQLAlchemy joins an eager-loaded collection outside a derived table that
// holds the page (FROM (SELECT ... LIMIT ?) AS anon_1 LEFT OUTER JOIN ...);
// one it joins beside the LIMIT is a many-to-one or a one-to-one, whose
// foreign key may sit in the joined table all the same: it adds no rows.
func isEagerAlias(s source) bool {
	table := strings.ToLower(lastSegment(s.name))
	rest, ok := strings.CutPrefix(strings.ToLower(s.alias), table+"_")
	if !ok || rest == "" {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if !isDigit(rest[i]) {
			return false
		}
	}
	return true
}

// pinned reports whether a condition equates a column of the joined table
// other than its join column to a value: child.col = ? (either way round).
func pinned(child source, joinColumn string, cond []token) bool {
	for i := 0; i+2 < len(cond); i++ {
		if cond[i+1].text != "=" {
			continue
		}
		name, value := cond[i].text, cond[i+2].text
		if isValueToken(name) {
			name, value = value, name
		}
		if q, col, ok := column(name); ok && isValueToken(value) && child.is(q) && !strings.EqualFold(col, joinColumn) {
			return true
		}
	}
	return false
}

// keyPinned reports whether the top level of a WHERE, with no OR beside,
// equates the table's key, qualified by the table, to a value (authors.id =
// ?): the query reads one row of it at most.
func keyPinned(table source, where []token) bool {
	for len(where) > 1 && where[0].text == "(" && closesAt(where, 0) == len(where)-1 {
		where = where[1 : len(where)-1] // Django's WHERE (a AND b)
	}
	if len(where) == 0 {
		return false
	}
	d := where[0].depth
	for _, t := range where {
		if t.depth == d && strings.EqualFold(t.text, "OR") {
			return false
		}
	}
	for i := 0; i+2 < len(where); i++ {
		if where[i].depth != d || where[i+1].text != "=" {
			continue
		}
		name, value := where[i].text, where[i+2].text
		if isValueToken(name) {
			name, value = value, name
		}
		if q, col, ok := column(name); ok && isValueToken(value) && table.is(q) && strings.EqualFold(col, "id") {
			return true
		}
	}
	return false
}

// isValueToken: a placeholder or literal of the normalized text.
func isValueToken(s string) bool {
	return s == "?" || s != "" && (isDigit(s[0]) || s[0] == '\'')
}

// is reports whether a qualifier names the source, by alias or table.
func (s source) is(qualifier string) bool {
	return qualifier != "" && (strings.EqualFold(qualifier, s.alias) || strings.EqualFold(qualifier, s.name) ||
		strings.EqualFold(qualifier, lastSegment(s.name)))
}

// column splits "books.author_id" into its qualifier and column.
func column(tok string) (qualifier, col string, ok bool) {
	i := strings.LastIndexByte(tok, '.')
	if i <= 0 || i == len(tok)-1 {
		return "", "", false
	}
	return unquote(tok[:i]), unquote(tok[i+1:]), true
}

// entityNames are the names a table's rows go by: books, book; for Django's
// <app>_<model> tables, the model too.
func entityNames(table string) []string {
	t := strings.ToLower(lastSegment(table))
	names := []string{t, Singular(t)}
	if i := strings.LastIndexByte(t, '_'); i > 0 {
		names = append(names, t[i+1:], Singular(t[i+1:]))
	}
	return names
}

// pointsAt: col is named as a foreign key to the table (author_id, authorId).
func pointsAt(col string, to source) bool {
	c := strings.ToLower(col)
	for _, e := range entityNames(to.name) {
		if c == e+"_id" || c == e+"id" {
			return true
		}
	}
	return false
}

// isKeyOf: col is named as the table's key (id, author_id).
func isKeyOf(col string, table source) bool {
	return strings.EqualFold(col, "id") || pointsAt(col, table)
}

// Singular is a table name's singular as ORMs derive it (books → book,
// categories → category, addresses → address).
func Singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 3:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss"):
		return s[:len(s)-1]
	}
	return s
}
