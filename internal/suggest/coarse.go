package suggest

import "github.com/querylens/querylens/internal/sqlnorm"

// captureNote is added to the fix of a finding on spans that record no
// statement: querylens grouped them by summary (operation and table), so the
// user should see the statements to confirm it, and how to turn them on.
func captureNote(st *sqlnorm.Statement, language string) string {
	if st == nil || !st.IsCoarse() {
		return ""
	}
	note := ` These spans record no statement, only "` + st.Text + `": querylens grouped them by operation and table. To see the statement and its values, turn on the instrumentation's statement capture (db.query.text)`
	if how := captureHow[language]; how != "" {
		note += ": " + how
	}
	return note + "."
}

// captureHow is where each language's common database instrumentations turn
// statement capture on (or keep it on).
var captureHow = map[string]string{
	"dotnet": "OpenTelemetry.Instrumentation.SqlClient records the sanitized text in its recent releases (in older ones, options.SetDbStatementForText = true); OpenTelemetry.Instrumentation.EntityFrameworkCore takes options.SetDbStatementForText = true",
	"java":   "the Java agent records it, sanitized, by default; check that no span processor drops it",
	"nodejs": "the pg and mysql2 instrumentations record it by default; check that no requestHook or span processor drops it",
	"python": "the dbapi, psycopg and SQLAlchemy instrumentations record it by default; check that no span processor drops it",
	"go":     "otelsql and GORM's tracing plugin record it by default",
}
