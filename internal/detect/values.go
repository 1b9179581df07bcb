package detect

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/querylens/querylens/internal/traceview"
)

// writeCommands write rows: the time an ORM stamps on each write
// (updated_at, created_at) is no value of the application's.
var writeCommands = map[string]bool{"INSERT": true, "UPDATE": true, "REPLACE": true, "MERGE": true, "UPSERT": true}

// timestamp matches a date and time as ORMs write them, inline or as a
// parameter: 2026-12-04 21:38:58.123456+00, 2026-12-04T21:38:58Z.
var timestamp = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?`)

// sameValues reports whether two calls of one statement ran with the same
// values (valuesKey), without building the keys of reads.
func sameValues(a, b *traceview.DBCall) bool {
	if !writeCommands[a.Statement.Command] {
		return a.Raw == b.Raw && a.Params == b.Params && a.NumParams == b.NumParams
	}
	return valuesKey(a) == valuesKey(b)
}

// valuesKey is what tells the values of one call from another's: its raw
// statement (inline values) and its recorded parameters. For a write, the
// timestamps in them are left out: an ORM stamps each write with the time,
// and the same write a moment later is the same write.
func valuesKey(db *traceview.DBCall) string {
	if !writeCommands[db.Statement.Command] {
		return db.Raw + "\x00" + strconv.FormatUint(db.Params, 16) + "\x00" + strconv.Itoa(db.NumParams)
	}
	var b strings.Builder
	b.WriteString(timestamp.ReplaceAllLiteralString(db.Raw, "\x01"))
	keys := make([]string, 0, len(db.Values))
	for k := range db.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString("\x00" + k + "=" + timestamp.ReplaceAllLiteralString(db.Values[k], "\x01"))
	}
	if len(db.Values) == 0 && db.NumParams > 0 {
		b.WriteString("\x00" + strconv.FormatUint(db.Params, 16))
	}
	return b.String()
}
