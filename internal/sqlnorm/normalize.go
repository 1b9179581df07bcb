// Package sqlnorm turns a database statement into its normalized form and a
// 64-bit fingerprint: literal values and placeholders of every style become ?,
// IN-lists and multi-row VALUES collapse, keywords are uppercased, comments and
// whitespace go. Two statements that differ only in values share a fingerprint.
//
// go-sqllexer does the lexing, obfuscation and normalization; this package adds
// the placeholder styles and collapses it does not do, the choice of dialect
// from db.system, a command-shape fallback for statements that are not SQL, and
// a bounded cache. It knows nothing of spans or pdata.
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
	// Text is the normalized statement. It holds no literal value of the raw one.
	Text string
	// Fingerprint is 16 lowercase hex digits of a 64-bit hash of Text.
	Fingerprint string
	// Command is the first SQL command (SELECT, INSERT, ...), or the command
	// word of a statement that is not SQL.
	Command string
	// Tables lists the tables the statement reads or writes, in order.
	Tables []string
	// Placeholders counts the bind placeholders in the raw statement (?, $1, %s,
	// %(name)s, :name, @p1). Zero means every value, if any, is inline.
	Placeholders int
	// SQL is false when the statement was normalized by its command shape
	// (a store that does not speak SQL, or a statement the lexer could not read).
	SQL bool
	// Control is true for transaction and session control (BEGIN, COMMIT,
	// SET ...): their repeats follow the statements they wrap.
	Control bool
	// Structure of a SELECT: whole rows read, a count, its WHERE and paging.
	Structure
	// Source is where the fingerprint comes from: SourceText, or, for a span
	// that records no statement, SourceSummary or SourceOperation (Coarse).
	Source string
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
		sqllexer.WithDollarQuotedFunc(true),
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
	return normalize(DialectOf(system), raw)
}

func normalize(d Dialect, raw string) *Statement {
	if d.IsSQL() {
		if blanked, ok := blankLiterals(raw, d, nil); ok {
			return normalizeShape(d, string(blanked), raw)
		}
	}
	return normalizeShape(d, raw, raw)
}

// normalizeShape normalizes shape, which is raw or raw with its literal values
// blanked (blankLiterals): the statement is then a function of the shape
// alone, whichever values came first to the cache. Only the paging bounds,
// which deep_offset and pagination_count read as numbers, come from raw.
func normalizeShape(d Dialect, shape, raw string) (st *Statement) {
	if !d.IsSQL() {
		return shapeStatement(d, shape)
	}
	defer func() {
		if recover() != nil {
			st = shapeStatement(DialectGuess, shape)
		}
	}()
	rewritten, placeholders := rewritePlaceholders(shape, d)
	text, meta, err := sqllexer.ObfuscateAndNormalize(rewritten, obfuscator, normalizer,
		sqllexer.WithDBMS(d.lexerDBMS(shape)))
	if err != nil || text == "" && strings.TrimSpace(shape) != "" {
		return shapeStatement(DialectGuess, shape)
	}
	st = &Statement{Text: clean(collapse(text)), Placeholders: placeholders, SQL: true, Source: SourceText}
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
		st.Structure = analyze(body)
		st.Limit, st.Offset = pagingBounds(raw, d)
	}
	st.Fingerprint = Fingerprint(st.Text)
	return st
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
	text := clean(commandShape(raw, d))
	cmd, _, _ := strings.Cut(text, " ")
	if !isCommandWord(cmd) {
		cmd = ""
	}
	return &Statement{Text: text, Fingerprint: Fingerprint(text), Command: strings.ToUpper(cmd), Source: SourceText}
}

// Fingerprint is the 16-hex-digit xxhash64 of a normalized statement.
func Fingerprint(normalized string) string {
	var sum [8]byte
	h := xxhash.Sum64String(normalized)
	for i := 7; i >= 0; i-- {
		sum[i] = byte(h)
		h >>= 8
	}
	return hex.EncodeToString(sum[:])
}

// clean makes normalized text safe to write into telemetry: valid UTF-8 without
// control characters.
func clean(s string) string {
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
