// Package contract holds the names querylens writes and its users' pipelines,
// dashboards and queries depend on: span attributes, the finding event and its
// attributes, the connector's metrics and the components' own telemetry.
// docs/CONTRACT.md documents each one. Extend the contract; never rename or
// remove a name.
package contract

// Span attributes.
const (
	// AttrFingerprint is on every database span with a statement: 16
	// lowercase hex characters, the hash of the normalized statement.
	AttrFingerprint = "querylens.fingerprint"
	// AttrFingerprintSource is beside it: "text" when the fingerprint is of
	// the statement; for a span that records none, "summary" when it is of
	// db.query.summary, "operation" when of the operation and collection
	// names. Findings on coarse fingerprints carry it on their event too.
	AttrFingerprintSource = "querylens.fingerprint.source"
	// AttrStatement is the normalized statement, never a literal value: on
	// every database span with a fingerprint (an addition), which the
	// connector reads; on the finding event, the statements of a sequence
	// joined by "; ".
	AttrStatement = "querylens.statement"

	// AttrFindingType and AttrFindingID are on the finding event and on every
	// member span of a group finding.
	AttrFindingType = "querylens.finding.type"
	AttrFindingID   = "querylens.finding.id"
	// AttrProblemID is on the finding event (an addition): the signature of
	// the problem the finding is one occurrence of, the same for every
	// finding of one type, service, route and fingerprint, in every trace
	// and run (detect.ProblemID).
	AttrProblemID = "querylens.problem.id"

	// Every local request root: the database queries of its part of the trace.
	AttrRequestDBQueries  = "querylens.request.db_queries"
	AttrRequestDBDuration = "querylens.request.db_duration_ms"
	// AttrRequestDBWallDuration is the time at least one of the queries ran,
	// overlapping queries counted once (an addition).
	AttrRequestDBWallDuration = "querylens.request.db_wall_duration_ms"
	// AttrRequestRoute is the request's route where its root span records
	// none but a span below it does (Next.js's span under Node's HTTP server
	// span): what the connector and the reports group the request by (an
	// addition).
	AttrRequestRoute = "querylens.request.route"
	// AttrGapDBQueries is on a database span with no parent: the queries of
	// its trace that ran in no request, which no loop can be seen in (an
	// instrumentation gap; an addition).
	AttrGapDBQueries = "querylens.gap.db_queries"
)

// The finding event and the attributes only it carries.
const (
	// EventFinding is the span event of one finding.
	EventFinding = "querylens.finding"

	AttrCount         = "querylens.count"
	AttrTotalDuration = "querylens.total_duration_ms"
	AttrSuggestion    = "querylens.suggestion"
	AttrParentMissing = "querylens.parent_missing"
	// AttrWastedQueries is the queries (or calls) the fix removes, which the
	// connector counts (an addition).
	AttrWastedQueries = "querylens.wasted_queries"
	// AttrWastedDuration is the time the fix saves, in milliseconds: the
	// duration of the runs it removes (an addition).
	AttrWastedDuration = "querylens.wasted_ms"
	// AttrORM names the ORM the suggestion speaks for, when one was
	// recognised (an addition).
	AttrORM = "querylens.orm"
	// AttrRoute is the http.route of the request the finding is in, when
	// known (an addition).
	AttrRoute = "http.route"
	// The code location of the trap, when its spans record one, with the
	// current semantic-convention names (an addition).
	AttrCodeFunction = "code.function.name"
	AttrCodeFile     = "code.file.path"
	AttrCodeLine     = "code.line.number"
	// AttrExceptionType is the qualified class of the ORM exception a
	// lazy_load_out_of_scope rests on, with the semantic-convention name
	// (an addition).
	AttrExceptionType = "exception.type"
)

// Metrics of the querylens connector, with their OpenTelemetry names.
const (
	MetricFindings        = "querylens.findings"
	MetricWastedQueries   = "querylens.wasted_queries"
	MetricFindingDuration = "querylens.finding.duration"
	MetricDBQueries       = "querylens.db.queries"
	MetricDBQueryDuration = "querylens.db.query.duration"
	MetricRequestQueries  = "querylens.request.db_queries"
	MetricFingerprintInfo = "querylens.fingerprint.info"
	// MetricGapDBQueries counts the queries that ran in no request, by
	// service (an addition).
	MetricGapDBQueries = "querylens.gap.db_queries"

	// Additions: the most queries of one request, and the duration and
	// database time of requests.
	MetricRequestQueriesMax = "querylens.request.db_queries.max"
	MetricRequestDuration   = "querylens.request.duration"
	MetricRequestDBDuration = "querylens.request.db_duration"
)

// Attributes of the connector's metrics besides the querylens ones above.
const (
	AttrServiceName = "service.name"
	AttrDBSystem    = "db.system"
)

// The connector's metrics as the Prometheus exporter shows them: dots become
// underscores, a counter ends in _total, a histogram in seconds in _seconds.
// Their labels are the attribute names with underscores (service_name,
// querylens_finding_type, querylens_fingerprint, http_route, ...).
const (
	PromFindings          = "querylens_findings_total"
	PromWastedQueries     = "querylens_wasted_queries_total"
	PromFindingDuration   = "querylens_finding_duration_seconds"
	PromDBQueries         = "querylens_db_queries_total"
	PromDBQueryDuration   = "querylens_db_query_duration_seconds"
	PromRequestQueries    = "querylens_request_db_queries"
	PromFingerprintInfo   = "querylens_fingerprint_info"
	PromRequestQueriesMax = "querylens_request_db_queries_max"
	PromRequestDuration   = "querylens_request_duration_seconds"
	PromRequestDBDuration = "querylens_request_db_duration_seconds"
	PromGapDBQueries      = "querylens_gap_db_queries_total"
)

// The components' own telemetry, on the collector's metrics endpoint.
const (
	TelemetrySpansReceived  = "otelcol_processor_querylens_spans_received"
	TelemetrySpansReleased  = "otelcol_processor_querylens_spans_released"
	TelemetrySpansRefused   = "otelcol_processor_querylens_spans_refused"
	TelemetryReleasedEarly  = "otelcol_processor_querylens_traces_released_early"
	TelemetryLateSpans      = "otelcol_processor_querylens_late_spans"
	TelemetryFindings       = "otelcol_processor_querylens_findings"
	TelemetryAnalysisTime   = "otelcol_processor_querylens_analysis_duration"
	TelemetryTracesBuffered = "otelcol_processor_querylens_traces_buffered"
	TelemetryCacheLookups   = "otelcol_processor_querylens_statement_cache_lookups"
	TelemetryIgnored        = "otelcol_processor_querylens_findings_ignored"
	// Release on completion and back-pressure (additions).
	TelemetrySpansRetried    = "otelcol_processor_querylens_spans_retried"
	TelemetrySpansPushedBack = "otelcol_processor_querylens_spans_pushed_back"
	TelemetrySpansIncomplete = "otelcol_processor_querylens_spans_released_incomplete"
	TelemetryReleaseDelay    = "otelcol_processor_querylens_release_delay"
	TelemetryHeldBytes       = "otelcol_processor_querylens_held_bytes"

	TelemetryConnectorOverflow = "otelcol_connector_querylens_fingerprint_overflow"
	TelemetryConnectorSeries   = "otelcol_connector_querylens_series"
)
