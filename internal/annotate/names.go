// Package annotate writes findings into the spans they were found in, with the
// names of the querylens contract (CONTRACT.md), which users' dashboards and
// queries depend on: extend them, never rename them.
package annotate

const (
	// AttrFingerprint is on every database span with a statement.
	AttrFingerprint = "querylens.fingerprint"
	// AttrFingerprintSource is beside it: "text" when the fingerprint is of
	// the statement; for a span that records none, "summary" when it is of
	// db.query.summary, "operation" when of the operation and collection
	// names. Findings on coarse fingerprints carry it on their event too.
	AttrFingerprintSource = "querylens.fingerprint.source"

	// EventFinding is the span event of one finding.
	EventFinding = "querylens.finding"

	AttrFindingType   = "querylens.finding.type"
	AttrFindingID     = "querylens.finding.id"
	AttrStatement     = "querylens.statement"
	AttrCount         = "querylens.count"
	AttrTotalDuration = "querylens.total_duration_ms"
	AttrSuggestion    = "querylens.suggestion"
	AttrParentMissing = "querylens.parent_missing"

	// Every local request root: the database queries of its part of the trace.
	AttrRequestDBQueries  = "querylens.request.db_queries"
	AttrRequestDBDuration = "querylens.request.db_duration_ms"
	// AttrRequestDBWallDuration is the time at least one of the queries ran,
	// overlapping queries counted once (an addition to the contract).
	AttrRequestDBWallDuration = "querylens.request.db_wall_duration_ms"

	// AttrWastedQueries is on the finding event: the queries (or calls) its
	// fix removes, which the connector counts (an addition to the contract).
	AttrWastedQueries = "querylens.wasted_queries"
	// AttrRoute is on the finding event: the http.route of the request the
	// finding is in, when known (an addition).
	AttrRoute = "http.route"

	// AttrORM names the ORM the suggestion speaks for, when one was recognised
	// (an addition to the contract).
	AttrORM = "querylens.orm"

	// The code location of the trap, when its spans record one, with the
	// current semantic-convention names (an addition to the contract).
	AttrCodeFunction = "code.function.name"
	AttrCodeFile     = "code.file.path"
	AttrCodeLine     = "code.line.number"
)
