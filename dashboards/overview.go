package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/heatmap"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/detect"
)

// The label matchers of the dashboard's variables, on the finding metrics
// (querylens_findings_total, querylens_wasted_queries_total,
// querylens_finding_duration_seconds).
const findingFilter = `service_name=~"$service", http_route=~"$route", querylens_finding_type=~"$finding_type"`

// The labels of a row of the worst-fingerprints table.
const fingerprintRow = `service_name, http_route, querylens_finding_type, querylens_fingerprint`

// withStatement adds the normalized statement of each fingerprint, from the
// info metric, to the series of expr (which must keep querylens_fingerprint);
// series whose fingerprint has no statement (the overflow fingerprint "other")
// are kept without one.
func withStatement(expr string) string {
	return fmt.Sprintf(`(%s) * on (querylens_fingerprint) group_left (querylens_statement) max by (querylens_fingerprint, querylens_statement) (`+contract.PromFingerprintInfo+`) or on (%s) (%s)`,
		expr, fingerprintRow, expr)
}

// The label matchers of the dashboard's variables on the request metrics
// (querylens_request_db_queries, querylens_request_db_queries_max,
// querylens_request_duration_seconds, querylens_request_db_duration_seconds),
// which have no finding type.
const requestFilter = `service_name=~"$service", http_route=~"$route"`

// The labels of a row of the heaviest-routes table.
const routeRow = `service_name, http_route`

// Queries per request by route: a quantile of the histogram over a window.
const requestQueriesQuantile = `histogram_quantile(%[1]s, sum by (le, ` + routeRow + `) (%[2]s(` + contract.PromRequestQueries + `_bucket{` + requestFilter + `}[%[3]s])))`

// The most queries one request of each route ran in a window: the gauge holds
// the exact count, where the histogram only knows the bucket.
const requestQueriesMax = `max by (` + routeRow + `) (max_over_time(` + contract.PromRequestQueriesMax + `{` + requestFilter + `}[%s]))`

// The share of request time spent in the database, by route: the database
// time of the requests (at most each request's own) over their duration.
const requestDBShare = `sum by (` + routeRow + `) (%[1]s(` + contract.PromRequestDBDuration + `_sum{` + requestFilter + `}[%[2]s]))
  / sum by (` + routeRow + `) (%[1]s(` + contract.PromRequestDuration + `_sum{` + requestFilter + `}[%[2]s]))`

// The share of database time spent inside findings. n_plus_one_api findings
// are HTTP calls, not database time, and are left out.
const dbTimeShare = `sum by (service_name) (%[1]s(` + contract.PromFindingDuration + `_sum{` + findingFilter + `, querylens_finding_type!="` + detect.TypeNPlusOneAPI + `"}[%[2]s]))
  / sum by (service_name) (%[1]s(` + contract.PromDBQueryDuration + `_sum{service_name=~"$service"}[%[2]s]))`

// problemCount counts the problems with findings in the range: the series of
// the findings counter are by the four parts of a problem's signature
// (querylens.problem.id), so each series that grew is one problem.
const problemCount = `count(sum by (` + fingerprintRow + `) (increase(` + contract.PromFindings + `{` + findingFilter + `}[$__range])) > 0) or vector(0)`

// Overview is "querylens / overview": which trap costs the most, where.
func Overview() (dashboard.Dashboard, error) {
	b := newDashboard(OverviewUID, "querylens / overview",
		"ORM traps found by the querylens processor, from the querylens connector's metrics: findings, the queries a fix would save, "+
			"the database time they cost and the statements behind them. Points with exemplars open their trace in Tempo.").
		WithVariable(datasourceVariable("prometheus", "Prometheus", "prometheus", PrometheusUID,
			"The Prometheus that scrapes the collector's querylens metrics (with exemplar storage on).")).
		WithVariable(datasourceVariable("tempo", "Tempo", "tempo", TempoUID,
			"The Tempo that stores the annotated traces; the fingerprint links search it."))
	for _, v := range findingVariables() {
		b = b.WithVariable(v)
	}

	b = b.WithRow(dashboard.NewRowBuilder("In the selected time range")).
		WithPanel(statPanel("Findings",
			"Findings in the time range: each one a querylens.finding event, one ORM trap in one request.",
			"short", 4).
			Thresholds(thresholds("green", 1, "orange", 100, "red")).
			WithTarget(instantQuery("A",
				`sum(increase(`+contract.PromFindings+`{`+findingFilter+`}[$__range]))`, "findings"))).
		WithPanel(statPanel("Problems",
			"Problems in the time range: one trap in one place (finding type, service, route and fingerprint, the parts of querylens.problem.id), "+
				"however many requests hit it. One row each in the worst-fingerprints table below.",
			"short", 4).
			Thresholds(thresholds("green", 1, "orange", 20, "red")).
			WithTarget(instantQuery("A", problemCount, "problems"))).
		WithPanel(statPanel("Wasted queries",
			"Queries (or HTTP calls) that fixing the findings of the time range would have saved: all repeats but one per N+1, the count per page.",
			"short", 5).
			Thresholds(thresholds("green", 10, "orange", 1000, "red")).
			WithTarget(instantQuery("A",
				`sum(increase(`+contract.PromWastedQueries+`{`+findingFilter+`}[$__range]))`, "wasted queries"))).
		WithPanel(statPanel("Database time inside findings",
			"The share of the selected services' database time spent in the queries of findings (N+1 HTTP calls left out). "+
				"A query both repeated and reading whole rows counts in both findings.",
			"percentunit", 5).
			Decimals(1).
			Thresholds(thresholds("green", 0.1, "orange", 0.3, "red")).
			WithTarget(instantQuery("A",
				fmt.Sprintf(`sum(%s)`, fmt.Sprintf(dbTimeShare, "increase", "$__range")), "share"))).
		WithPanel(statPanel("Queries per request (p95)",
			"95th percentile of the database queries one request runs (querylens.request.db_queries), over the selected services and routes.",
			"short", 6).
			Decimals(0).
			Thresholds(thresholds("green", 20, "orange", 50, "red")).
			WithTarget(instantQuery("A",
				`histogram_quantile(0.95, sum by (le) (increase(`+contract.PromRequestQueries+`_bucket{service_name=~"$service", http_route=~"$route"}[$__range])))`,
				"p95")))

	b = b.WithRow(dashboard.NewRowBuilder("Over time")).
		WithPanel(timeseriesPanel("Findings per minute by type and service",
			"Findings per minute, by finding type and service. The dots are exemplars: each opens the trace of one finding in Tempo.",
			"short", 12).
			Thresholds(thresholds("green", 10, "red")).
			WithTarget(rangeQuery("A",
				`sum by (service_name, querylens_finding_type) (rate(`+contract.PromFindings+`{`+findingFilter+`}[$__rate_interval])) * 60`,
				"{{service_name}} {{querylens_finding_type}}").
				Exemplar(true))).
		WithPanel(timeseriesPanel("Wasted queries per minute",
			"Queries per minute that a fix of the findings would save, by service and route. Exemplars open the trace.",
			"short", 12).
			Thresholds(thresholds("green", 100, "red")).
			WithTarget(rangeQuery("A",
				`sum by (service_name, http_route) (rate(`+contract.PromWastedQueries+`{`+findingFilter+`}[$__rate_interval])) * 60`,
				"{{service_name}} {{http_route}}").
				Exemplar(true))).
		WithPanel(timeseriesPanel("Share of database time inside findings",
			"Per service, the database time spent in the queries of findings over all its database time (N+1 HTTP calls left out).",
			"percentunit", 12).
			Thresholds(thresholds("green", 0.1, "orange", 0.3, "red")).
			WithTarget(rangeQuery("A", fmt.Sprintf(dbTimeShare, "rate", "$__rate_interval"), "{{service_name}}"))).
		WithPanel(heatmap.NewPanelBuilder().
			Title("Finding duration").
			Description("How long the queries of each finding took together (querylens.total_duration_ms), as a histogram over time. " +
				"Exemplars open the trace of a finding of that duration.").
			Span(12).
			Height(chartHeight).
			Unit("s").
			Thresholds(thresholds("green", 0.1, "orange", 1, "red")).
			Calculate(false).
			YAxis(heatmap.NewYAxisConfigBuilder().Unit("s").AxisPlacement(common.AxisPlacementLeft)).
			Color(heatmap.NewHeatmapColorOptionsBuilder().
				Mode(heatmap.HeatmapColorModeScheme).
				Scheme("Oranges").
				Scale(heatmap.HeatmapColorScaleExponential).
				Exponent(0.5).
				Fill("dark-orange").
				Steps(64)).
			CellValues(heatmap.NewCellValuesBuilder().Unit("short")).
			ShowLegend().
			ExemplarsColor("rgba(255,0,255,0.7)").
			Tooltip(heatmap.NewHeatmapTooltipBuilder().Mode(common.TooltipDisplayModeSingle).YHistogram(true)).
			WithTarget(rangeQuery("A",
				`sum by (le) (increase(`+contract.PromFindingDuration+`_bucket{`+findingFilter+`}[$__rate_interval]))`,
				"{{le}}").
				Format("heatmap").
				Exemplar(true)))

	heavyRequestsLink := exploreURL(`{ span.` + contract.AttrRequestDBQueries + ` >= ${__value.raw} }`)
	b = b.WithRow(dashboard.NewRowBuilder("Requests by route")).
		WithPanel(timeseriesPanel("Queries per request by route (p50, p95, max)",
			"The database queries one request runs (querylens.request.db_queries), by service and route: median, 95th percentile, "+
				"and the most one request ran, exact (querylens.request.db_queries.max; the percentiles are interpolated within histogram buckets). "+
				"The seed's \"watch the query count\". Exemplars open the heaviest request of each moment.",
			"short", 12).
			Thresholds(thresholds("green", 20, "orange", 50, "red")).
			WithTarget(rangeQuery("A", fmt.Sprintf(requestQueriesQuantile, "0.5", "rate", "$__rate_interval"),
				"{{service_name}} {{http_route}} p50")).
			WithTarget(rangeQuery("B", fmt.Sprintf(requestQueriesQuantile, "0.95", "rate", "$__rate_interval"),
				"{{service_name}} {{http_route}} p95").
				Exemplar(true)).
			WithTarget(rangeQuery("C", fmt.Sprintf(requestQueriesMax, "$__rate_interval"),
				"{{service_name}} {{http_route}} max"))).
		WithPanel(timeseriesPanel("Share of request time in the database by route",
			"Per service and route, the time its requests spent in database queries over their duration (querylens.request.db_duration over "+
				"querylens.request.duration). Parallel queries count once: the time at least one query ran.",
			"percentunit", 12).
			Decimals(1).
			Thresholds(thresholds("green", 0.5, "orange", 0.8, "red")).
			WithTarget(rangeQuery("A", fmt.Sprintf(requestDBShare, "rate", "$__rate_interval"), "{{service_name}} {{http_route}}"))).
		WithPanel(tablePanel("Heaviest routes",
			"Each route of the selected services with requests in the time range: requests per minute, the database queries per request "+
				"(median, 95th percentile, the most one request ran) and the share of its requests' time spent in the database; "+
				"most queries per request (p95) first. Click a maximum to search Tempo for the requests that ran at least that many queries; "+
				"click a service to list its flagged traces.",
			24, tableHeight).
			Unit("short").
			Decimals(0).
			Thresholds(thresholds("green", 20, "orange", 50, "red")).
			WithTarget(tableQuery("A",
				`sum by (`+routeRow+`) (rate(`+contract.PromRequestDuration+`_count{`+requestFilter+`}[$__range])) * 60`)).
			WithTarget(tableQuery("B", fmt.Sprintf(requestQueriesQuantile, "0.5", "increase", "$__range"))).
			WithTarget(tableQuery("C", fmt.Sprintf(requestQueriesQuantile, "0.95", "increase", "$__range"))).
			WithTarget(tableQuery("D", fmt.Sprintf(requestQueriesMax, "$__range"))).
			WithTarget(tableQuery("E", fmt.Sprintf(requestDBShare, "increase", "$__range"))).
			WithTransformation(dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}}).
			WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
				"excludeByName": map[string]any{"Time": true},
				"indexByName": map[string]any{
					"service_name": 0, "http_route": 1, "Value #A": 2, "Value #B": 3, "Value #C": 4, "Value #D": 5, "Value #E": 6,
				},
				"renameByName": map[string]any{
					"service_name": "Service", "http_route": "Route", "Value #A": "Requests per minute",
					"Value #B": "Queries p50", "Value #C": "Queries p95", "Value #D": "Queries max", "Value #E": "Database time share",
				},
			}}).
			SortBy([]cog.Builder[common.TableSortByFieldState]{
				common.NewTableSortByFieldStateBuilder().DisplayName("Queries p95").Desc(true),
			}).
			OverrideByName("Service", []dashboard.DynamicConfigValue{
				{Id: "links", Value: []any{map[string]any{
					"title":       "Flagged traces of this service",
					"url":         "/d/" + FlaggedUID + "?${__url_time_range}&${prometheus:queryparam}&${tempo:queryparam}&var-service=${__value.raw}",
					"targetBlank": false,
				}}},
			}).
			OverrideByName("Requests per minute", []dashboard.DynamicConfigValue{
				{Id: "unit", Value: "reqpm"},
				{Id: "decimals", Value: 1},
				{Id: "thresholds", Value: map[string]any{"mode": "absolute", "steps": []any{
					map[string]any{"color": "text", "value": nil},
				}}},
			}).
			OverrideByName("Queries p95", []dashboard.DynamicConfigValue{
				{Id: "custom.cellOptions", Value: map[string]any{"type": "color-background", "mode": "gradient"}},
			}).
			OverrideByName("Queries max", []dashboard.DynamicConfigValue{
				{Id: "links", Value: []any{map[string]any{
					"title":       "Requests with at least this many queries (Tempo)",
					"url":         heavyRequestsLink,
					"targetBlank": false,
				}}},
			}).
			OverrideByName("Database time share", []dashboard.DynamicConfigValue{
				{Id: "unit", Value: "percentunit"},
				{Id: "decimals", Value: 1},
				{Id: "thresholds", Value: map[string]any{"mode": "absolute", "steps": []any{
					map[string]any{"color": "green", "value": nil},
					map[string]any{"color": "orange", "value": 0.5},
					map[string]any{"color": "red", "value": 0.8},
				}}},
				{Id: "custom.cellOptions", Value: map[string]any{"type": "color-text"}},
			}))

	fingerprintLink := exploreURL(`{ event:name = "` + contract.EventFinding + `" && event.` + contract.AttrFingerprint + ` = "${__value.raw}" }`)
	b = b.WithRow(dashboard.NewRowBuilder("Statements")).
		WithPanel(tablePanel("Worst fingerprints",
			"Each problem with findings in the time range: a normalized statement (fingerprint) by service, route and finding type, most wasted queries first. "+
				"Click a fingerprint to search Tempo for the traces of its findings; click a service to list its flagged traces. "+
				"Fingerprints past the connector's max_fingerprints count under \"other\", without a statement.",
			24, tableHeight).
			Unit("short").
			Thresholds(thresholds("green", 10, "orange", 100, "red")).
			WithTarget(tableQuery("A", withStatement(
				`sum by (`+fingerprintRow+`) (increase(`+contract.PromFindings+`{`+findingFilter+`}[$__range]))`))).
			WithTarget(tableQuery("B", withStatement(
				`sum by (`+fingerprintRow+`) (increase(`+contract.PromWastedQueries+`{`+findingFilter+`}[$__range]))`))).
			WithTarget(tableQuery("C", withStatement(
				`histogram_quantile(0.95, sum by (le, `+fingerprintRow+`) (increase(`+contract.PromFindingDuration+`_bucket{`+findingFilter+`}[$__range])))`))).
			WithTransformation(dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}}).
			WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
				"excludeByName": map[string]any{"Time": true},
				"indexByName": map[string]any{
					"service_name": 0, "http_route": 1, "querylens_finding_type": 2, "Value #A": 3, "Value #B": 4,
					"Value #C": 5, "querylens_fingerprint": 6, "querylens_statement": 7,
				},
				"renameByName": map[string]any{
					"service_name": "Service", "http_route": "Route", "querylens_finding_type": "Type",
					"Value #A": "Findings", "Value #B": "Wasted queries", "Value #C": "p95 duration",
					"querylens_fingerprint": "Fingerprint", "querylens_statement": "Statement",
				},
			}}).
			SortBy([]cog.Builder[common.TableSortByFieldState]{
				common.NewTableSortByFieldStateBuilder().DisplayName("Wasted queries").Desc(true),
			}).
			OverrideByName("Fingerprint", []dashboard.DynamicConfigValue{
				{Id: "custom.width", Value: 170},
				{Id: "links", Value: []any{map[string]any{
					"title":       "Traces with findings of this fingerprint (Tempo)",
					"url":         fingerprintLink,
					"targetBlank": false,
				}}},
			}).
			OverrideByName("Service", []dashboard.DynamicConfigValue{
				{Id: "links", Value: []any{map[string]any{
					"title":       "Flagged traces of this service",
					"url":         "/d/" + FlaggedUID + "?${__url_time_range}&${prometheus:queryparam}&${tempo:queryparam}&var-service=${__value.raw}",
					"targetBlank": false,
				}}},
			}).
			OverrideByName("Wasted queries", []dashboard.DynamicConfigValue{
				{Id: "custom.cellOptions", Value: map[string]any{"type": "color-background", "mode": "gradient"}},
			}).
			OverrideByName("p95 duration", []dashboard.DynamicConfigValue{
				{Id: "unit", Value: "s"},
				{Id: "thresholds", Value: map[string]any{"mode": "absolute", "steps": []any{
					map[string]any{"color": "green", "value": nil},
					map[string]any{"color": "orange", "value": 0.1},
					map[string]any{"color": "red", "value": 1},
				}}},
			}).
			OverrideByName("Statement", []dashboard.DynamicConfigValue{
				{Id: "custom.inspect", Value: true},
				{Id: "custom.minWidth", Value: 400},
			}))

	return finish(b)
}
