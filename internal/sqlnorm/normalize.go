// Package sqlnorm turns a database statement into its normalized form and a
// 64-bit fingerprint: literal values and placeholders of every style become ?,
// IN-lists and multi-row VALUES collapse, keywords are uppercased, comments and
// whitespace go. Two statements that differ only in values share a fingerprint.
//
// A reader (read.go) reads each statement on go-sqllexer's token stream in the
// dialect of its db.system(.name), after the forms the lexer cannot read
// (forms.go), and hands go-sqllexer's normalizer the statement with every
// value blanked; the last gate (gate.go) reads what comes out once more and
// refuses any literal form in it, as it does for every name querylens
// writes. Statements that are not SQL get the shape of their command. A
// bounded cache keeps the results. It knows nothing of spans or pdata.
package sqlnorm

import (
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/DataDog/go-sqllexer"
	"github.com/cespare/xxhash/v2"
)

// Statement is the normalized form of one raw statement. It is shared between
// every span with the same raw statement: never modify it.
type Statement struct {
	// What is read of every statement comes first: what detectors read in
	// the first 64 bytes (one cache line), what annotation writes and the
	// detectors' paging bounds in the next.

	// fingerprint is the number Fingerprint writes, when hasFingerprint: read
	// without touching the string's memory (FingerprintValue).
	fingerprint    uint64
	hasFingerprint bool
	// SQL is false when the statement was normalized by its command shape
	// (a store that does not speak SQL, or a statement the lexer could not read).
	SQL bool
	// Control is true for transaction and session control (BEGIN, COMMIT,
	// SET ...): their repeats follow the statements they wrap.
	Control bool
	// Catalog is true for schema work (catalog.go): migrator and driver
	// introspection, DDL. No finding is about it.
	Catalog bool
	// Batch is true when one call carries several items (batch.go): an IN
	// list or VALUES of two or more, arrays unnested into rows. Its repeats
	// are batched work, not a query per item.
	Batch bool
	// Command is the first SQL command (SELECT, INSERT, ...), or the command
	// word of a statement that is not SQL.
	Command string
	// Source is where the fingerprint comes from: SourceText, or, for a span
	// that records no statement, SourceSummary or SourceOperation (Coarse).
	Source string
	// Fingerprint is 16 lowercase hex digits of a 64-bit hash of Text.
	Fingerprint string
	// Text is the normalized statement. It holds no literal value of the raw one.
	Text string
	// Placeholders counts the bind placeholders in the raw statement (?, $1, %s,
	// %(name)s, :name, @p1). Zero means every value, if any, is inline.
	Placeholders int
	// Structure of a SELECT: whole rows read, a count, its WHERE and paging.
	Structure
	// Tables lists the tables the statement reads or writes, in order.
	Tables []string
}

// FingerprintValue is the 64-bit number the fingerprint's 16 hex digits
// write; false when it is no such fingerprint.
func (s *Statement) FingerprintValue() (uint64, bool) {
	if s.hasFingerprint {
		return s.fingerprint, true
	}
	return hex64(s.Fingerprint)
}

// withFingerprint sets the statement's fingerprint, of the text it is made
// from, and returns it.
func (s *Statement) withFingerprint(of string) *Statement {
	h := xxhash.Sum64String(of)
	s.Fingerprint, s.fingerprint, s.hasFingerprint = fingerprintHex(h), h, true
	return s
}

// hex64 reads 16 lowercase hex digits.
func hex64(s string) (uint64, bool) {
	if len(s) != 16 {
		return 0, false
	}
	var v uint64
	for i := 0; i < 16; i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | uint64(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | uint64(c-'a'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// IsCoarse reports whether the statement is only a summary of one: the
// detectors that read the text leave it alone.
func (s *Statement) IsCoarse() bool { return s.Source != "" && s.Source != SourceText }

// controlCommands start statements that control a transaction, a session or a
// cursor rather than read or write data of their own.
var controlCommands = map[string]bool{
	"BEGIN": true, "START": true, "COMMIT": true, "END": true, "ROLLBACK": true, "ABORT": true,
	"SAVEPOINT": true, "RELEASE": true, "SET": true, "RESET": true, "SHOW": true, "USE": true,
	"DISCARD": true, "DEALLOCATE": true,
	// server-side cursors (Django's .iterator(), psycopg named cursors)
	"DECLARE": true, "FETCH": true, "MOVE": true, "CLOSE": true,
}

var (
	obfuscator = sqllexer.NewObfuscator(
		sqllexer.WithReplaceDigits(false), // events_2024 and t1 are names, not values
		sqllexer.WithReplacePositionalParameter(true),
		sqllexer.WithReplaceBindParameter(true),
		sqllexer.WithReplaceBoolean(true),
		sqllexer.WithReplaceNull(true),
	)
	normalizer = sqllexer.NewNormalizer(
		sqllexer.WithCollectTables(true),
		sqllexer.WithCollectCommands(true),
		sqllexer.WithUppercaseKeywords(true),
		sqllexer.WithKeepSQLAlias(true),
		sqllexer.WithRemoveSpaceBetweenParentheses(true),
	)
)

// Normalize normalizes one statement of the given db.system(.name), uncached.
// It never panics: input the lexer cannot read gets its command shape.
func Normalize(system, raw string) *Statement {
	st, _, _ := normalize(DialectOf(system), raw, nil)
	return st
}

// normalize normalizes raw in dialect d. slots, when given, are the literal
// values the cache blanked in raw's key (blank.go), as start and end
// offsets: shared reports whether the reader read exactly those as its
// literal strings and numbers, so that the statement serves every statement
// of that key; bounds says which of them are the paging bounds.
func normalize(d Dialect, raw string, slots []int32) (st *Statement, shared bool, bounds boundSlots) {
	bounds = boundSlots{limit: -1, offset: -1}
	if !d.IsSQL() || isJSONDocument(raw) {
		return shapeStatement(d, raw), false, bounds
	}
	defer func() {
		if recover() != nil {
			st, shared = shapeStatement(DialectGuess, raw), false
		}
	}()
	r := read(raw, d)
	defer r.done()
	shared = slots != nil && r.literalsAre(slots)
	text, placeholders := r.lexerText()
	normalized, meta, err := sqllexer.ObfuscateAndNormalize(text, obfuscator, normalizer, sqllexer.WithDBMS(r.dbms))
	if err != nil || normalized == "" && strings.TrimSpace(text) != "" {
		return shapeStatement(DialectGuess, raw), shared, bounds
	}
	st = &Statement{Text: gateStatement(Clean(collapse(foldLists(normalized))), d), Placeholders: placeholders, SQL: true, Source: SourceText,
		Batch: r.carriesBatch()}
	if meta != nil {
		st.Tables = meta.Tables
		if len(meta.Commands) > 0 {
			st.Command = meta.Commands[0]
		}
	}
	body := afterControl(st.Text)
	first := firstWord(body)
	if st.Command == "" && isCommandWord(first) {
		st.Command = first
	}
	st.Control = controlCommands[first]
	if first == "SELECT" || first == "WITH" || first == "(" || strings.HasPrefix(first, "(") {
		st.Structure = structureOf(st.Text, len(st.Text)-len(body), r.dbms)
		st.Limit, st.Offset, bounds = r.pagingBounds()
	}
	st.Catalog = isCatalog(st, first)
	st.withFingerprint(st.Text)
	return st, shared, bounds
}

// isJSONDocument: SQL never starts with { or [ but for JDBC's {call ...},
// which is no JSON; an ORM that records its call as JSON (TypeORM) under the
// database's system gets the JSON shape.
func isJSONDocument(raw string) bool {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw[0] != '{' && raw[0] != '[' {
		return false
	}
	_, ok := jsonLinesShape(raw)
	return ok
}

// literalsAre reports whether the literal strings and numbers the reader
// read are exactly the slots (start, end pairs).
func (r *reader) literalsAre(slots []int32) bool {
	k := 0
	for _, p := range r.pieces {
		if p.kind != kValue || p.flag&fLexed == 0 {
			continue
		}
		if k+1 >= len(slots) || slots[k] != p.start || slots[k+1] != p.end {
			return false
		}
		k += 2
	}
	return k == len(slots)
}

// afterControl is the text from its first statement that is not session
// control: EF Core sends "SET IMPLICIT_TRANSACTIONS OFF; SET NOCOUNT ON;
// INSERT ..." in one command, which is an INSERT. All control, it is the text.
func afterControl(text string) string {
	rest := text
	for controlCommands[firstWord(rest)] {
		_, next, ok := strings.Cut(rest, ";")
		next = strings.TrimSpace(next)
		if !ok || next == "" {
			return text
		}
		rest = next
	}
	return rest
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return strings.ToUpper(w)
}

func shapeStatement(d Dialect, raw string) *Statement {
	text, reading := commandShape(raw, d)
	text = gateStatement(Clean(text), reading)
	cmd, _, _ := strings.Cut(text, " ")
	if !isCommandWord(cmd) {
		cmd = ""
	}
	return (&Statement{Text: text, Command: strings.ToUpper(cmd), Source: SourceText}).withFingerprint(text)
}

// Fingerprint is the 16-hex-digit xxhash64 of a normalized statement.
func Fingerprint(normalized string) string {
	return fingerprintHex(xxhash.Sum64String(normalized))
}

// fingerprintHex writes a fingerprint's number in 16 hex digits.
func fingerprintHex(h uint64) string {
	var sum [8]byte
	for i := 7; i >= 0; i-- {
		sum[i] = byte(h)
		h >>= 8
	}
	return hex.EncodeToString(sum[:])
}

// SafeFingerprint is a fingerprint read back from telemetry: itself when it
// is one (16 lowercase hex digits), else ?: what a span claims is a
// fingerprint may be anything.
func SafeFingerprint(s string) string {
	if s == "" {
		return ""
	}
	if len(s) != 16 {
		return "?"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "?"
		}
	}
	return s
}

// Clean makes text safe to write into telemetry: valid UTF-8 without control
// characters (replaced by U+FFFD and spaces). Printable ASCII, most text, is
// returned as it is without decoding it rune by rune.
func Clean(s string) string {
	if printableASCII(s) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, isControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isControl(r) {
				return ' '
			}
			return r
		}, s)
	}
	return s
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func isCommandWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
