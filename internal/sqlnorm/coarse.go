package sqlnorm

import "strings"

// Where a fingerprint comes from (querylens.fingerprint.source).
const (
	SourceText      = "text"      // the statement
	SourceSummary   = "summary"   // db.query.summary, the span records no statement
	SourceOperation = "operation" // db.operation.name and db.collection.name
)

// cache keys of coarse statements, beside the dialects of statements
const (
	coarseSummary Dialect = 100 + iota
	coarseOperation
)

// Coarse returns the coarse statement of a database span that records no
// statement text (SqlClient's default, or capture turned off): its summary
// ("SELECT books"), else its operation and collection. Nil when they do not
// name both an operation and a target: a database name alone is not a
// statement, and grouping on it would only mislead.
func (c *Cache) Coarse(summary, operation, collection string) *Statement {
	dialect, raw := coarseSummary, summary
	if strings.TrimSpace(summary) == "" {
		dialect, raw = coarseOperation, operation+"\x00"+collection
	}
	key := keyOf(dialect, raw)
	if e, _, ok := c.entries.get(key); ok {
		return e.st
	}
	var st *Statement
	if dialect == coarseSummary {
		st = coarse(SourceSummary, strings.Join(strings.Fields(SafeName(summary)), " "))
	} else {
		st = coarse(SourceOperation, strings.Join(strings.Fields(SafeName(operation+" "+collection)), " "))
	}
	if st == nil {
		return nil
	}
	c.entries.add(key, cacheEntry{st: st}, statementBytes(st))
	return st
}

func coarse(source, text string) *Statement {
	op, target, ok := strings.Cut(text, " ")
	if !ok || target == "" || !isCommandWord(op) {
		return nil
	}
	op = strings.ToUpper(op)
	text = op + " " + target
	st := &Statement{Text: text, Command: op, Source: source, Control: controlCommands[op], Tables: coarseTargets(target)}
	return st.withFingerprint(source + ":" + text)
}

// sqlVerbs are the SQL commands that read or write data: the operations a
// summary may name after its first.
var sqlVerbs = map[string]bool{"SELECT": true, "INSERT": true, "UPDATE": true, "DELETE": true,
	"MERGE": true, "UPSERT": true, "REPLACE": true, "WITH": true, "CALL": true, "EXEC": true, "EXECUTE": true}

// IsQuery reports whether the statement is a query the database ran: SQL, or
// the summary of a SQL command. An ORM's own span records its operation
// instead (TypeORM's "save" with its arguments as JSON), as does a driver
// span with no statement.
func (s *Statement) IsQuery() bool {
	return s != nil && (s.SQL || sqlVerbs[s.Command])
}

// writeVerbs are the commands that write rows.
var writeVerbs = map[string]bool{"INSERT": true, "UPDATE": true, "DELETE": true, "REPLACE": true, "MERGE": true, "UPSERT": true}

// Writes reports whether the statement writes rows (INSERT, UPDATE, DELETE,
// REPLACE, MERGE, UPSERT).
func (s *Statement) Writes() bool { return s != nil && writeVerbs[s.Command] }

// coarseTargets are the tables a summary names: "books authors" of
// "SELECT books authors", both of "INSERT shipping SELECT orders".
func coarseTargets(target string) []string {
	var tables []string
	for _, w := range strings.Fields(target) {
		if !sqlVerbs[w] {
			tables = append(tables, w)
		}
	}
	return tables
}
