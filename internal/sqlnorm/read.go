package sqlnorm

import (
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/DataDog/go-sqllexer"
)

// kind is what a piece of a statement is, as querylens reads it.
type kind uint8

const (
	kSpace       kind = iota
	kComment          // dropped
	kValue            // a literal value of any form: it never leaves
	kWord             // identifier, keyword, function name, TRUE/NULL
	kQuotedName       // a quoted identifier
	kPlaceholder      // ?, $1, %s, %(name)s, :name, @p1, :1
	kOperator         // operators, * and JSON operators
	kPunct            // ( ) , ; . [ ] { }
	kOther            // what the lexer does not classify: a stray backtick, a backslash
)

// piece flags
const (
	// fLexed: the value is exactly one STRING or NUMBER token of the lexer
	// (the cache's literal slots are checked against these).
	fLexed uint8 = 1 << iota
	// fRequote: a MySQL double-quoted "name" in a position where only a name
	// can be (AS "alias", "t"."c", FROM "t"): written back with backticks.
	fRequote
	// fPercent: %% of a pyformat statement, which is one %.
	fPercent
)

// piece is one piece of a statement: bytes [start, end) of the text read.
type piece struct {
	start, end int32
	kind       kind
	flag       uint8
	tt         sqllexer.TokenType
}

// reader reads a statement into pieces on go-sqllexer's token stream. The
// lexer does the reading; the reader restarts it after the forms it cannot
// read (forms.go) and classifies what it yields by dialect: which quotes hold
// values, which tokens are placeholders, where a value glued to a name is one
// literal.
type reader struct {
	text    string // the statement as read (raw, or raw with ambiguous literals hulled)
	d       Dialect
	dbms    sqllexer.DBMSType
	pieces  []piece
	copying int // COPY ... FROM STDIN: 1 after COPY, 2 after FROM STDIN
}

var readers = sync.Pool{New: func() any { return &reader{pieces: make([]piece, 0, 64)} }}

// read reads raw in dialect d. Release the reader with done.
func read(raw string, d Dialect) *reader {
	r := readers.Get().(*reader)
	r.pieces = r.pieces[:0]
	r.copying = 0
	r.d = d
	r.text = raw
	r.dbms = d.lexerDBMS(raw)
	if d.backslashAmbiguous() && strings.IndexByte(raw, '\\') >= 0 {
		r.text = hullAmbiguous(raw, r.dbms)
	}
	r.lex(0)
	if d.isDocument() {
		r.documentValues()
	} else {
		r.namesAndValues()
	}
	return r
}

func (r *reader) done() {
	if cap(r.pieces) > 4096 {
		r.pieces = make([]piece, 0, 64)
	}
	r.text = ""
	readers.Put(r)
}

// lex reads the text from pos to its end, restarting the lexer after each
// form it cannot read.
func (r *reader) lex(pos int) {
	for pos < len(r.text) {
		sub := r.text[pos:]
		lx := sqllexer.New(sub, sqllexer.WithDBMS(r.dbms))
		next := pos
		restart := -1
		for restart < 0 {
			tok := lx.Scan()
			if tok.Type == sqllexer.EOF {
				return
			}
			start, end := next, next+consumed(sub, tok.Value, next-pos)
			if whole := runeEnd(r.text, end); whole != end {
				// The lexer cut a character in two (an @name of SQL Server
				// ends at the first byte it does not know): the token takes
				// the whole character, and the lexer restarts after it.
				if restart = r.take(tok.Type, start, whole); restart < 0 {
					restart = whole
				}
				break
			}
			next = end
			restart = r.take(tok.Type, start, end)
		}
		pos = restart
	}
}

// runeEnd is i, or, when i is inside a UTF-8 character, where it ends.
func runeEnd(s string, i int) int {
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}

// consumed is how many bytes of sub, from off, the token v took: its length,
// or, when the lexer joined a MySQL name spelled with spaces ("a . b"), the
// bytes it joined.
func consumed(sub, v string, off int) int {
	if len(v) == 0 {
		return 0
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(v)))
	base := uintptr(unsafe.Pointer(unsafe.StringData(sub)))
	if p >= base && p+uintptr(len(v)) <= base+uintptr(len(sub)) {
		return len(v)
	}
	// the joined value is sub[off:] without spaces outside backticks
	i, quoted := off, false
	for k := 0; k < len(v) && i < len(sub); i++ {
		c := sub[i]
		if c == '`' {
			quoted = !quoted
		}
		if !quoted && c != '`' && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			continue
		}
		k++
	}
	return i - off
}

func (r *reader) add(k kind, tt sqllexer.TokenType, start, end int, flag uint8) {
	r.pieces = append(r.pieces, piece{start: int32(start), end: int32(end), kind: k, tt: tt, flag: flag})
}

// last returns the last piece, nil when there is none.
func (r *reader) last() *piece {
	if len(r.pieces) == 0 {
		return nil
	}
	return &r.pieces[len(r.pieces)-1]
}

// glued reports whether the last piece ends where start begins.
func (r *reader) glued(start int) *piece {
	if p := r.last(); p != nil && int(p.end) == start {
		return p
	}
	return nil
}

// take classifies one token at [start, end). It returns where the lexer must
// restart, or -1 to go on.
func (r *reader) take(tt sqllexer.TokenType, start, end int) int {
	s := r.text
	if r.copying == 3 { // the data of COPY ... FROM STDIN
		r.add(kValue, tt, start, len(s), 0)
		return len(s)
	}
	switch tt {
	case sqllexer.SPACE:
		if r.copying == 2 && strings.IndexByte(s[start:end], '\n') >= 0 {
			r.copying = 3
		}
		r.add(kSpace, tt, start, end, 0)
	case sqllexer.COMMENT:
		r.add(kComment, tt, start, end, 0)
	case sqllexer.MULTILINE_COMMENT:
		if r.d.nestsComments() && strings.Contains(s[start+2:end-2], "/*") {
			e := nestedCommentEnd(s, start)
			r.add(kComment, tt, start, e, 0)
			return e
		}
		r.add(kComment, tt, start, end, 0)
	case sqllexer.ERROR:
		return r.takeError(tt, start, end)
	case sqllexer.DOLLAR_QUOTED_STRING, sqllexer.DOLLAR_QUOTED_FUNCTION:
		if dollarTagEnd(s, start) < 0 || r.d.isDocument() {
			return r.takeDollar(start)
		}
		r.add(kValue, tt, start, end, 0)
	case sqllexer.STRING:
		if r.d.tripleQuotes() {
			if e := tripleQuotedEnd(s, start); e > end {
				r.add(kValue, tt, start, e, 0)
				return e
			}
		}
		r.add(kValue, tt, start, end, fLexed)
	case sqllexer.INCOMPLETE_STRING:
		r.add(kValue, tt, start, len(s), 0)
		return len(s)
	case sqllexer.NUMBER:
		return r.takeNumber(tt, start, end)
	case sqllexer.IDENT, sqllexer.FUNCTION:
		return r.takeWord(tt, start, end)
	case sqllexer.KEYWORD, sqllexer.COMMAND, sqllexer.ALIAS_INDICATOR, sqllexer.CTE_INDICATOR,
		sqllexer.PROC_INDICATOR, sqllexer.SYSTEM_VARIABLE, sqllexer.BOOLEAN, sqllexer.NULL:
		return r.takeWord(tt, start, end)
	case sqllexer.QUOTED_IDENT:
		if r.d.isDocument() && r.d != DialectGraph { // a JavaScript template string
			r.add(kValue, tt, start, end, 0)
		} else {
			r.add(kQuotedName, tt, start, end, 0)
		}
	case sqllexer.OPERATOR:
		return r.takeOperator(tt, start, end)
	case sqllexer.JSON_OP:
		// PostgreSQL's ?| and ?& before a second | or &: a ? placeholder
		// (JDBC's, or a literal the Java agent hid) and || or && (the Java
		// agent's like (?||?)), read again from there.
		if end-start == 2 && s[start] == '?' && end < len(s) && s[end] == s[start+1] {
			r.add(kPlaceholder, sqllexer.OPERATOR, start, start+1, 0)
			return start + 1
		}
		r.add(kOperator, tt, start, end, 0)
	case sqllexer.WILDCARD:
		r.add(kOperator, tt, start, end, 0)
	case sqllexer.PUNCTUATION:
		if r.copying == 2 && s[start] == ';' {
			r.copying = 3
		}
		r.add(kPunct, tt, start, end, 0)
	case sqllexer.POSITIONAL_PARAMETER:
		if r.d.dollarPlaceholders() {
			r.add(kPlaceholder, tt, start, end, 0)
		} else { // SQL Server's money $12.50, or a name part elsewhere: a value either way
			r.add(kValue, tt, start, end, 0)
		}
	case sqllexer.BIND_PARAMETER:
		if r.dbms == sqllexer.DBMSMySQL && !r.d.isDocument() { // @name: a user variable
			r.add(kWord, tt, start, end, 0)
		} else {
			r.add(kPlaceholder, tt, start, end, 0)
		}
	default: // UNKNOWN
		r.add(kOther, tt, start, end, 0)
	}
	return -1
}

// takeError: the lexer gives up on an unterminated comment, quoted name or
// dollar quote, or an @@ without a name.
func (r *reader) takeError(tt sqllexer.TokenType, start, end int) int {
	s := r.text
	switch s[start] {
	case '/':
		r.add(kComment, tt, start, len(s), 0)
		return len(s)
	case '$':
		return r.takeDollar(start)
	case '@':
		r.add(kOperator, tt, start, end, 0)
		return -1
	}
	// a quoted name cut short: what follows its quote may be anything
	r.add(kValue, tt, start, len(s), 0)
	return len(s)
}

// takeDollar reads what starts with a $ the lexer took for a dollar quote: a
// dollar quote it could not close (a value to the end), $? (a $1 an
// instrumentation obfuscated), or a lone $.
func (r *reader) takeDollar(start int) int {
	s := r.text
	if r.d.isDocument() && start+1 < len(s) && isIdentStart(s[start+1]) {
		// $gt, $set (MongoDB operators), $name (a Cypher parameter)
		e := start + 2
		for e < len(s) && isIdentByte(s[e]) {
			e++
		}
		if r.d == DialectGraph {
			r.add(kPlaceholder, sqllexer.BIND_PARAMETER, start, e, 0)
		} else {
			r.add(kWord, sqllexer.IDENT, start, e, 0)
		}
		return e
	}
	if e := dollarTagEnd(s, start); e >= 0 { // a valid tag never closed
		r.add(kValue, sqllexer.DOLLAR_QUOTED_STRING, start, len(s), 0)
		return len(s)
	}
	if start+1 < len(s) && s[start+1] == '?' {
		r.add(kPlaceholder, sqllexer.POSITIONAL_PARAMETER, start, start+2, 0)
		return start + 2
	}
	if start+1 < len(s) && isIdentStart(s[start+1]) { // $name: a named placeholder (pg-promise, DuckDB)
		e := start + 2
		for e < len(s) && isIdentByte(s[e]) && s[e] != '$' {
			e++
		}
		r.add(kPlaceholder, sqllexer.BIND_PARAMETER, start, e, 0)
		return e
	}
	r.add(kOther, sqllexer.UNKNOWN, start, start+1, 0)
	return start + 1
}

func (r *reader) takeNumber(tt sqllexer.TokenType, start, end int) int {
	s := r.text
	if e := uuidEnd(s, start); e > 0 {
		r.add(kValue, tt, start, e, 0)
		return e
	}
	if p := r.glued(start); p != nil {
		switch {
		case p.kind == kPlaceholder && s[p.start] == '?': // SQLite's ?1
			p.end = int32(end)
			return -1
		case p.kind == kValue: // 1.2.3, $12.50
			p.end, p.flag = int32(end), 0
			return -1
		case p.kind == kOperator && !r.d.isDocument() && isDigit(s[start]) && strings.HasSuffix(s[p.start:p.end], ":") &&
			!strings.HasSuffix(s[p.start:p.end], "::"):
			if r.placeholderColon(p) { // :1
				p.kind, p.end = kPlaceholder, int32(end)
				return -1
			}
		}
	}
	r.add(kValue, tt, start, end, fLexed)
	return -1
}

// takeWord reads an identifier, keyword or function name.
func (r *reader) takeWord(tt sqllexer.TokenType, start, end int) int {
	s := r.text
	w := s[start:end]
	// The lexer reads on through " ? / ! # @ inside a name: a value or a
	// comment may start there.
	if k := oddInName(w, r.dbms); k > 0 {
		end = start + k
		if e := r.takeWord(tt, start, end); e >= 0 {
			return e
		}
		return end
	}
	if end < len(s) && s[end] == '\'' && isQPrefix(w) { // Oracle q'[...]'
		e := qQuotedEnd(s, end)
		r.add(kValue, sqllexer.STRING, start, e, 0)
		return e
	}
	if e := uuidEnd(s, start); e > 0 {
		r.add(kValue, sqllexer.NUMBER, start, e, 0)
		return e
	}
	if p := r.glued(start); p != nil {
		switch {
		case p.kind == kValue && p.tt == sqllexer.NUMBER: // 0b101, 0o17, 1_000, 1.5f
			if r.d == DialectMySQL && !isMySQLNumber(s[p.start:end]) {
				p.kind, p.flag, p.end = kWord, 0, int32(end) // MySQL: 2024_events is a name
				return -1
			}
			p.end, p.flag = int32(end), 0
			return -1
		case p.kind == kOperator && s[p.start:p.end] == "%" && w == "s":
			p.kind, p.end = kPlaceholder, int32(end)
			return -1
		case p.kind == kPunct && s[p.start] == ')' && w == "s":
			if r.pyformatNamed() {
				p := r.last()
				p.end = int32(end)
				return -1
			}
		case p.kind == kOperator && !r.d.isDocument() && strings.HasSuffix(s[p.start:p.end], ":") &&
			!strings.HasSuffix(s[p.start:p.end], "::"):
			if r.placeholderColon(p) { // :name
				p.kind, p.end = kPlaceholder, int32(end)
				return -1
			}
		}
	}
	r.copyState(w)
	r.add(kWord, tt, start, end, 0)
	return -1
}

// copyState follows COPY ... FROM STDIN: the data that follows it, to the
// end, is values.
func (r *reader) copyState(w string) {
	if len(w) != 4 && len(w) != 5 {
		return
	}
	switch {
	case r.copying == 0 && strings.EqualFold(w, "COPY") && r.firstWord():
		r.copying = 1
	case r.copying == 1 && strings.EqualFold(w, "STDIN") && r.prevWordIs("FROM"):
		r.copying = 2
	}
}

// firstWord reports whether no word came before in this statement.
func (r *reader) firstWord() bool {
	for i := len(r.pieces) - 1; i >= 0; i-- {
		switch r.pieces[i].kind {
		case kWord, kQuotedName, kValue, kPlaceholder:
			return false
		case kPunct:
			if r.text[r.pieces[i].start] == ';' {
				return true
			}
		}
	}
	return true
}

func (r *reader) prevWordIs(w string) bool {
	for i := len(r.pieces) - 1; i >= 0; i-- {
		p := r.pieces[i]
		if p.kind == kSpace || p.kind == kComment {
			continue
		}
		return p.kind == kWord && strings.EqualFold(r.text[p.start:p.end], w)
	}
	return false
}

// placeholderColon reports whether the operator p ending in ':' starts a
// named or numbered placeholder: not a label, slice bound or JSON path after
// a name, ] or ).
func (r *reader) placeholderColon(p *piece) bool {
	if p.end-p.start > 1 { // "=:" was one operator: split it
		r.pieces = append(r.pieces, piece{})
		q := &r.pieces[len(r.pieces)-1]
		p = &r.pieces[len(r.pieces)-2]
		*q = piece{start: p.end - 1, end: p.end, kind: kOperator, tt: p.tt}
		p.end--
		return true
	}
	if len(r.pieces) < 2 {
		return true
	}
	before := r.pieces[len(r.pieces)-2]
	if before.end != p.start {
		return true
	}
	c := r.text[before.end-1]
	return !(before.kind == kWord || before.kind == kQuotedName || c == ']' || c == ')')
}

// pyformatNamed folds %(name)s, whose last s is being read: the pieces %, (,
// name, ) glued together become one placeholder.
func (r *reader) pyformatNamed() bool {
	n := len(r.pieces)
	if n < 4 {
		return false
	}
	pct, open, name, closing := r.pieces[n-4], r.pieces[n-3], r.pieces[n-2], r.pieces[n-1]
	if r.text[pct.start:pct.end] != "%" || r.text[open.start] != '(' || name.kind != kWord ||
		pct.end != open.start || open.end != name.start || name.end != closing.start {
		return false
	}
	r.pieces = r.pieces[:n-3]
	p := &r.pieces[n-4]
	p.kind, p.end = kPlaceholder, closing.end
	return true
}

func (r *reader) takeOperator(tt sqllexer.TokenType, start, end int) int {
	s := r.text
	op := s[start:end]
	// The lexer reads on through an operator: =--x is = and a comment,
	// =? is = and a placeholder.
	if k := operatorSplit(op); k > 0 {
		if e := r.takeOperator(tt, start, start+k); e >= 0 {
			return e
		}
		return start + k
	}
	switch {
	case op == "?":
		r.add(kPlaceholder, tt, start, end, 0)
	case op == "%%":
		r.add(kOperator, tt, start, end, fPercent)
	case op[0] == '#' && r.d == DialectGuess && r.dbms != sqllexer.DBMSMySQL:
		// MySQL's comment, read so when the system is not known
		e := lineEnd(s, start)
		r.add(kComment, tt, start, e, 0)
		return e
	case strings.HasPrefix(op, "//") && r.d.slashSlashComments():
		e := lineEnd(s, start)
		r.add(kComment, tt, start, e, 0)
		return e
	case op[0] == '/' && r.d.isDocument() && r.regexPosition():
		if e := regexEnd(s, start); e > 0 { // a JavaScript or Flux /regex/
			r.add(kValue, tt, start, e, 0)
			return e
		}
		r.add(kOperator, tt, start, end, 0)
	default:
		r.add(kOperator, tt, start, end, 0)
	}
	return -1
}

// operatorSplit returns where an operator token must be cut: before a
// comment or a placeholder that the lexer read as part of it; 0 if nowhere.
func operatorSplit(op string) int {
	if op == "::" || op == "%%" {
		return 0
	}
	if op[0] == '?' && len(op) > 1 { // ?= of "ON ?=?"
		return 1
	}
	for k := 1; k < len(op); k++ {
		switch op[k] {
		case '?', '%', ':', '@', '#', '$':
			if op[k] == ':' && k+1 < len(op) && op[k+1] == ':' && k == len(op)-2 {
				return k // a=::x is odd; cut before ::
			}
			return k
		case '-':
			if k+1 < len(op) && op[k+1] == '-' {
				return k
			}
		case '/':
			if k+1 < len(op) && (op[k+1] == '*' || op[k+1] == '/') {
				return k
			}
		}
	}
	return 0
}

// oddInName returns where a name the lexer read must be cut: at a " ? / !
// # @ that no name holds there (a value, placeholder or comment may start),
// or 0.
func oddInName(w string, dbms sqllexer.DBMSType) int {
	for k := 1; k < len(w); k++ {
		switch w[k] {
		case '?', '/', '!':
			return k
		case '"':
			if w[k-1] != '.' || dbms == sqllexer.DBMSMySQL {
				return k
			}
			// a."b": the quoted part of a qualified name; go past it
			if j := strings.IndexByte(w[k+1:], '"'); j >= 0 {
				k += j + 1
				continue
			}
			return k
		case '#':
			if dbms != sqllexer.DBMSSQLServer {
				return k
			}
		case '@':
			if dbms != sqllexer.DBMSSQLServer && dbms != sqllexer.DBMSSnowflake {
				return k
			}
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func lineEnd(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(s)
}

// namesAndValues settles double-quoted text by its position, where the lexer
// cannot: in MySQL "x" is a string, except where only a name can stand (AS
// "alias", "t"."c", FROM "t"); where the system is not known (SQLite falls
// back to a string for a name it cannot find) and in SQL Server (a session
// with QUOTED_IDENTIFIER OFF), a "x" where a value stands (after an
// operator, in VALUES or IN lists) is a value.
func (r *reader) namesAndValues() {
	mysql := r.dbms == sqllexer.DBMSMySQL && !r.d.isDocument()
	guess := r.d == DialectGuess && r.dbms != sqllexer.DBMSMySQL || r.d == DialectSQLServer
	if !mysql && !guess {
		return
	}
	var lists []bool // per open parenthesis: a list of values (VALUES (...), IN (...))
	valuesAt := -1   // the depth of a VALUES clause's rows
	for i := range r.pieces {
		p := &r.pieces[i]
		switch p.kind {
		case kPunct:
			switch r.text[p.start] {
			case '(':
				prev := r.prevSignificant(i)
				row := prev >= 0 && (r.isWord(prev, "VALUES", "IN") ||
					valuesAt == len(lists) && r.text[r.pieces[prev].start] == ',')
				lists = append(lists, row)
			case ')':
				if len(lists) > 0 {
					lists = lists[:len(lists)-1]
				}
			}
			continue
		case kWord:
			switch {
			case r.isWord(i, "VALUES"):
				valuesAt = len(lists)
			case valuesAt == len(lists):
				valuesAt = -1 // ON, RETURNING, AS ...: the rows are over
			}
			continue
		case kValue:
			if !mysql || p.tt != sqllexer.STRING || r.text[p.start] != '"' || !r.namePosition(i) {
				continue
			}
			p.kind, p.flag = kQuotedName, fRequote
		case kQuotedName:
			if !guess || r.text[p.start] != '"' || r.adjacentDot(i) {
				continue
			}
			inList := len(lists) > 0 && lists[len(lists)-1]
			if inList || r.valuePosition(i) {
				p.kind, p.flag = kValue, 0
			}
		}
	}
}

func (r *reader) prevSignificant(i int) int {
	for j := i - 1; j >= 0; j-- {
		if k := r.pieces[j].kind; k != kSpace && k != kComment {
			return j
		}
	}
	return -1
}

func (r *reader) nextSignificant(i int) int {
	for j := i + 1; j < len(r.pieces); j++ {
		if k := r.pieces[j].kind; k != kSpace && k != kComment {
			return j
		}
	}
	return -1
}

func (r *reader) isWord(i int, words ...string) bool {
	p := r.pieces[i]
	if p.kind != kWord {
		return false
	}
	w := r.text[p.start:p.end]
	for _, x := range words {
		if strings.EqualFold(w, x) {
			return true
		}
	}
	return false
}

func (r *reader) adjacentDot(i int) bool {
	p := r.pieces[i]
	if i > 0 {
		q := r.pieces[i-1]
		if q.end == p.start && r.text[q.end-1] == '.' {
			return true
		}
	}
	if i+1 < len(r.pieces) {
		q := r.pieces[i+1]
		if q.start == p.end && r.text[q.start] == '.' {
			return true
		}
	}
	return false
}

// namePosition: where SQL allows a name and no string.
func (r *reader) namePosition(i int) bool {
	if r.adjacentDot(i) {
		return true
	}
	prev := r.prevSignificant(i)
	return prev >= 0 && (r.pieces[prev].tt == sqllexer.ALIAS_INDICATOR ||
		r.isWord(prev, "AS", "FROM", "JOIN", "INTO", "UPDATE", "TABLE"))
}

// valuePosition: after an operator or a word that a value follows.
func (r *reader) valuePosition(i int) bool {
	prev := r.prevSignificant(i)
	if prev < 0 {
		return false
	}
	p := r.pieces[prev]
	return p.kind == kOperator && p.tt != sqllexer.WILDCARD ||
		r.isWord(prev, "LIKE", "ILIKE", "THEN", "ELSE", "BETWEEN", "ESCAPE", "GLOB", "MATCH", "REGEXP")
}
