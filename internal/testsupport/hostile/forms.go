// Package hostile puts a canary into every literal position of every
// dialect querylens reads: each system's forms of strings, numbers and
// comments, written into statements of that system. It is the corpus of the
// canary tests and fuzz targets, and of testdata/hostile, which the
// end-to-end tests post through the binary. A canary is found in what
// querylens writes by Leaks.
package hostile

import (
	"strconv"
	"strings"
)

// Canary is what goes into a literal: Text into strings, comments and bare
// values, Number into numbers (written in every base a form needs).
type Canary struct {
	Text   string // letters and digits only
	Number uint64
}

// Default is the canary of the committed corpus.
var Default = Canary{Text: "QzxJv8Wq", Number: 739128465}

// form writes canary c as one literal form of a system.
type form struct {
	name string
	// write returns the literal; {} in a template is replaced by it.
	write func(c Canary) string
	// ambiguous: the system's settings decide how far the literal reaches
	// (backslash escapes, quoting modes); querylens reads as far as any
	// setting could, so names after it in the statement may go too.
	ambiguous bool
}

func text(name string, write func(v string) string) form {
	return form{name: name, write: func(c Canary) string { return write(c.Text) }}
}

func number(name string, write func(n uint64) string) form {
	return form{name: name, write: func(c Canary) string { return write(c.Number) }}
}

func ambiguous(f form) form { f.ambiguous = true; return f }

func sq(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }
func dq(v string) string { return `"` + strings.ReplaceAll(v, `"`, `""`) + `"` }

func decimal(n uint64) string { return strconv.FormatUint(n, 10) }
func hexa(n uint64) string    { return strings.ToUpper(strconv.FormatUint(n, 16)) }

// underscored writes 739128465 as 739_128_465.
func underscored(n uint64) string {
	s := decimal(n)
	var b strings.Builder
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('_')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// uuid writes a UUID whose every group holds canary digits.
func uuid(n uint64) string {
	h := hexa(n)
	for len(h) < 32 {
		h += hexa(n)
	}
	h = strings.ToLower(h[:32])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// The forms every SQL system shares.
var (
	plainString   = text("'string'", sq)
	quoteInString = text("'it''s ...'", func(v string) string { return sq("it's " + v) })
	decimalNumber = number("decimal", decimal)
	negative      = number("-decimal", func(n uint64) string { return "-" + decimal(n) })
	fraction      = number("fraction", func(n uint64) string { return decimal(n) + "." + decimal(n%1000) })
	exponent      = number("exponent", func(n uint64) string { return decimal(n) + "e3" })
	hexNumber     = number("0x", func(n uint64) string { return "0x" + hexa(n) })
	lineComment   = text("-- comment", func(v string) string { return "-- " + v + "\n" })
	blockComment  = text("/* comment */", func(v string) string { return "/* " + v + " */" })
	nestedComment = text("nested /* */", func(v string) string { return "/* a /* b */ " + v + " */" })
	// An escaped quote: one string where backslashes escape (MySQL,
	// PostgreSQL with standard_conforming_strings off), and the value inside
	// is the part after the quote.
	backslashQuote = ambiguous(text(`'a\'...'`, func(v string) string { return `'a\' ` + v + `'` }))
	// The reverse: where backslashes do not escape (NO_BACKSLASH_ESCAPES,
	// PostgreSQL's default), an application doubles the quote after one.
	backslashThenDoubled = ambiguous(text(`'x\'' ... --'`, func(v string) string { return `'x\'' OR ` + v + ` --'` }))
)

// systemForms are the literal forms of each system, beside the shared ones.
var systemForms = map[string][]form{
	"postgresql": {
		text("E'...'", func(v string) string { return `E'a\'` + v + `'` }),
		text("e'\\\\'", func(v string) string { return `e'\\\'` + v + `'` }),
		text("$$...$$", func(v string) string { return "$$" + v + "$$" }),
		text("$tag$...$tag$", func(v string) string { return "$q$ it's $$ " + v + " $q$" }),
		text("U&'...'", func(v string) string { return "U&" + sq(v) }),
		number("0o", func(n uint64) string { return "0o" + strconv.FormatUint(n, 8) }),
		number("0b", func(n uint64) string { return "0b" + strconv.FormatUint(n, 2) }),
		number("1_000", underscored),
		number("0x_", func(n uint64) string { return "0x_" + hexa(n) }),
		number("'...'::int", func(n uint64) string { return sq(decimal(n)) + "::int" }),
		nestedComment, backslashQuote, backslashThenDoubled,
	},
	"mysql": {
		text(`"string"`, dq),
		ambiguous(text(`"a\"..."`, func(v string) string { return `"a\" ` + v + `"` })),
		text("_utf8mb4'...'", func(v string) string { return "_utf8mb4" + sq(v) }),
		text(`_utf8mb4"..."`, func(v string) string { return "_utf8mb4" + dq(v) }),
		text("N'...'", func(v string) string { return "N" + sq(v) }),
		number("X'...'", func(n uint64) string { return "X'" + hexa(n) + "'" }),
		number("0b", func(n uint64) string { return "0b" + strconv.FormatUint(n, 2) }),
		number("b'...'", func(n uint64) string { return "b'" + strconv.FormatUint(n, 2) + "'" }),
		text("# comment", func(v string) string { return "# " + v + "\n" }),
		text("/*!...*/", func(v string) string { return "/*!50000 " + v + " */" }),
		backslashQuote, backslashThenDoubled,
	},
	"sqlite": {
		text(`"string" where a value stands`, dq),
		number("X'...'", func(n uint64) string { return "X'" + hexa(n) + "'" }),
		nestedComment, backslashQuote,
	},
	"microsoft.sql_server": {
		text("N'...'", func(v string) string { return "N" + sq(v) }),
		text(`"string" (QUOTED_IDENTIFIER OFF)`, dq),
		number("$money", func(n uint64) string { return "$" + decimal(n) + ".50" }),
		nestedComment,
	},
	"oracle": {
		text("q'[...]'", func(v string) string { return "q'[it's " + v + "]'" }),
		text("q'{...}'", func(v string) string { return "q'{" + v + " '}'" }),
		text("Q'(...)'", func(v string) string { return "Q'(" + v + ")'" }),
		text("q'<...>'", func(v string) string { return "q'<" + v + ">'" }),
		text("q'!...!'", func(v string) string { return "q'!" + v + " it's!'" }),
		text("nq'[...]'", func(v string) string { return "nq'[" + v + "]'" }),
		text("N'...'", func(v string) string { return "N" + sq(v) }),
		number("1.5f", func(n uint64) string { return decimal(n) + ".5f" }),
		number("1d", func(n uint64) string { return decimal(n) + "d" }),
	},
	"db2": {
		text("G'...'", func(v string) string { return "G" + sq(v) }),
		text("N'...'", func(v string) string { return "N" + sq(v) }),
		number("X'...'", func(n uint64) string { return "X'" + hexa(n) + "'" }),
		number("GX'...'", func(n uint64) string { return "GX'" + hexa(n) + hexa(n) + "'" }),
		nestedComment,
	},
	"snowflake": {
		text(`'a\'...'`, func(v string) string { return `'a\' ` + v + `'` }),
		text("$$...$$", func(v string) string { return "$$" + v + "$$" }),
		text("// comment", func(v string) string { return "// " + v + "\n" }),
		nestedComment,
	},
	"cassandra": {
		text("$$...$$", func(v string) string { return "$$" + v + "$$" }),
		number("uuid", uuid),
		number("0x blob", func(n uint64) string { return "0x" + hexa(n) }),
		text("// comment", func(v string) string { return "// " + v + "\n" }),
	},
	"bigquery": {
		text(`"string"`, dq),
		text("'''...'''", func(v string) string { return "'''it's '" + v + "' '''" }),
		text(`"""..."""`, func(v string) string { return `"""a "` + v + `" """` }),
		text("r'...'", func(v string) string { return `r'\d ` + v + `'` }),
		text("b'...'", func(v string) string { return "b" + sq(v) }),
		text("# comment", func(v string) string { return "# " + v + "\n" }),
		backslashQuote,
	},
	"clickhouse": { // not known to querylens: the careful reading
		text("# comment", func(v string) string { return "# " + v + "\n" }),
		text(`"string" where a value stands`, dq),
		nestedComment, backslashQuote, backslashThenDoubled,
	},
	"h2": {
		text("// comment", func(v string) string { return "// " + v + "\n" }),
		number("0b", func(n uint64) string { return "0b" + strconv.FormatUint(n, 2) }),
		nestedComment, backslashQuote,
	},
}

// sharedSQLForms are the forms of every SQL system.
var sharedSQLForms = []form{plainString, quoteInString, decimalNumber, negative, fraction, exponent, lineComment, blockComment}

// hexSystems read 0x... as a number.
var hexSystems = map[string]bool{"postgresql": true, "mysql": true, "sqlite": true, "microsoft.sql_server": true,
	"clickhouse": true, "h2": true, "bigquery": true}

// Forms returns the literal forms of a SQL system.
func Forms(system string) []form {
	out := append([]form{}, sharedSQLForms...)
	if hexSystems[system] {
		out = append(out, hexNumber)
	}
	return append(out, systemForms[system]...)
}

// CanaryOf makes a canary of a fuzzer's text and number: letters and digits
// (what an application may send; what would end a literal early is the
// literal's own business, as the forms escape quotes), 6 to 40 of them, so
// that a piece of it is rare elsewhere and every cut of a statement stays
// cheap to read; a number of 8 digits at least.
func CanaryOf(text string, number uint64) Canary {
	text = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, text)
	if len(text) > 40 {
		text = text[:40]
	}
	if len(text) < 6 {
		text = "Qzx" + text + "JvWq"
	}
	if number < 10_000_000 {
		number += Default.Number
	}
	return Canary{Text: text, Number: number}
}
