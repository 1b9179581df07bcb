package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/querylens/querylens/internal/contract"
)

// The collector's own metrics endpoint (service::telemetry::metrics) that
// Prometheus scrapes, chosen by the instance variable.
const instanceFilter = `instance=~"$instance"`

// CollectorHealth is "querylens / collector health": the processor's and the
// connector's own metrics.
func CollectorHealth() (dashboard.Dashboard, error) {
	b := newDashboard(HealthUID, "querylens / collector health",
		"The querylens processor's and connector's own metrics, from the collector's telemetry endpoint: spans in and out, traces held, "+
			"early releases, late spans, statement cache and analysis time. Names in the processor's README, \"Its own metrics\".").
		WithVariable(datasourceVariable("prometheus", "Prometheus", "prometheus", PrometheusUID,
			"The Prometheus that scrapes the collector's own metrics endpoint (service::telemetry::metrics).")).
		WithVariable(labelVariable("instance", "Collector",
			`label_values(`+contract.TelemetrySpansReceived+`, instance)`,
			"The collectors' telemetry endpoints (Prometheus's instance label)."))

	b = b.WithRow(dashboard.NewRowBuilder("Now")).
		WithPanel(statPanel("Spans received per second",
			"Spans entering the querylens processor per second.", "cps", 6).
			Thresholds(thresholds("green")).
			WithTarget(instantQuery("A",
				`sum(rate(`+contract.TelemetrySpansReceived+`{`+instanceFilter+`}[$__rate_interval]))`, "received"))).
		WithPanel(statPanel("Traces buffered now",
			"Traces held now, waiting for their wait_duration window to close. Near num_traces (default 50000), the oldest are released early.",
			"short", 6).
			Thresholds(thresholds("green", 25000, "orange", 45000, "red")).
			WithTarget(instantQuery("A",
				`sum(`+contract.TelemetryTracesBuffered+`{`+instanceFilter+`})`, "buffered"))).
		WithPanel(statPanel("Traces released early",
			"Traces released before wait_duration in the time range (buffer full or max_spans_per_trace): their late spans are analyzed apart. "+
				"Growing with reason buffer_full: raise num_traces.",
			"short", 6).
			Thresholds(thresholds("green", 1, "orange", 1000, "red")).
			NoValue("0").
			WithTarget(instantQuery("A",
				`sum(increase(`+contract.TelemetryReleasedEarly+`{`+instanceFilter+`}[$__range]))`, "early"))).
		WithPanel(statPanel("Late spans",
			"Spans in the time range that arrived after their trace was released; they start a new window. Growing: wait_duration is shorter than your traces.",
			"short", 6).
			Thresholds(thresholds("green", 1, "orange", 1000, "red")).
			NoValue("0").
			WithTarget(instantQuery("A",
				`sum(increase(`+contract.TelemetryLateSpans+`{`+instanceFilter+`}[$__range]))`, "late")))

	b = b.WithRow(dashboard.NewRowBuilder("Flow")).
		WithPanel(timeseriesPanel("Spans in and out per second",
			"Spans received by the processor, released to the next consumer, and refused by it (each refusal is logged). "+
				"Released follows received, wait_duration later; refused stays empty until a consumer refuses.",
			"cps", 12).
			Thresholds(thresholds("green")).
			WithTarget(rangeQuery("A", `sum(rate(`+contract.TelemetrySpansReceived+`{`+instanceFilter+`}[$__rate_interval]))`, "received")).
			WithTarget(rangeQuery("B", `sum(rate(`+contract.TelemetrySpansReleased+`{`+instanceFilter+`}[$__rate_interval]))`, "released")).
			WithTarget(rangeQuery("C", `sum(rate(`+contract.TelemetrySpansRefused+`{`+instanceFilter+`}[$__rate_interval]))`, "refused"))).
		WithPanel(timeseriesPanel("Traces buffered by collector",
			"Traces held by each collector, waiting for their window to close: about traces per second times wait_duration.",
			"short", 12).
			Thresholds(thresholds("green", 25000, "orange", 45000, "red")).
			WithTarget(rangeQuery("A", `sum by (instance) (`+contract.TelemetryTracesBuffered+`{`+instanceFilter+`})`, "{{instance}}"))).
		WithPanel(timeseriesPanel("Early releases per second by reason",
			"Traces released before wait_duration: buffer_full (num_traces reached) or max_spans_per_trace.",
			"cps", 8).
			Thresholds(thresholds("green", 1, "red")).
			WithTarget(rangeQuery("A",
				`sum by (reason) (rate(`+contract.TelemetryReleasedEarly+`{`+instanceFilter+`}[$__rate_interval]))`, "{{reason}}"))).
		WithPanel(timeseriesPanel("Late spans per second",
			"Spans that arrived after their trace was released; they are analyzed in a new window without the earlier ones.",
			"cps", 8).
			Thresholds(thresholds("green", 1, "red")).
			WithTarget(rangeQuery("A",
				`sum(rate(`+contract.TelemetryLateSpans+`{`+instanceFilter+`}[$__rate_interval]))`, "late spans"))).
		WithPanel(timeseriesPanel("Statement cache hit ratio",
			"Normalized-statement cache lookups that hit. Low with steady traffic: raise statements::cache_mib (and cache_size).",
			"percentunit", 8).
			Max(1).
			Thresholds(thresholds("red", 0.5, "orange", 0.8, "green")).
			WithTarget(rangeQuery("A",
				`sum(rate(`+contract.TelemetryCacheLookups+`{`+instanceFilter+`, result="hit"}[$__rate_interval]))
  / sum(rate(`+contract.TelemetryCacheLookups+`{`+instanceFilter+`}[$__rate_interval]))`, "hit ratio")))

	b = b.WithRow(dashboard.NewRowBuilder("Analysis")).
		WithPanel(timeseriesPanel("Analysis time per trace",
			"Time to index, analyze and annotate one trace: 50th, 95th and 99th percentiles.",
			"s", 12).
			Thresholds(thresholds("green", 0.01, "orange", 0.1, "red")).
			WithTarget(rangeQuery("A", analysisQuantile("0.5"), "p50")).
			WithTarget(rangeQuery("B", analysisQuantile("0.95"), "p95")).
			WithTarget(rangeQuery("C", analysisQuantile("0.99"), "p99"))).
		WithPanel(timeseriesPanel("Findings written per minute by type",
			"Findings the processor wrote into the traces, per minute, by finding type.",
			"short", 12).
			Thresholds(thresholds("green")).
			WithTarget(rangeQuery("A",
				`sum by (querylens_finding_type) (rate(`+contract.TelemetryFindings+`{`+instanceFilter+`}[$__rate_interval])) * 60`,
				"{{querylens_finding_type}}"))).
		WithPanel(timeseriesPanel("Connector series held",
			"Metric series the querylens connector holds: bounded by max_fingerprints per service, each dropped after metrics_expiration without data.",
			"short", 12).
			Thresholds(thresholds("green", 10000, "orange", 50000, "red")).
			WithTarget(rangeQuery("A", `sum by (instance) (`+contract.TelemetryConnectorSeries+`{`+instanceFilter+`})`, "{{instance}}"))).
		WithPanel(timeseriesPanel("Observations counted under \"other\" per second",
			"Connector observations whose fingerprint went past max_fingerprints of its service and counted under querylens_fingerprint=\"other\". "+
				"Steady: raise max_fingerprints, or ignore noisy statements in the processor.",
			"cps", 12).
			Thresholds(thresholds("green", 1, "red")).
			WithTarget(rangeQuery("A",
				`sum(rate(`+contract.TelemetryConnectorOverflow+`{`+instanceFilter+`}[$__rate_interval]))`, "overflow")))

	return finish(b)
}

func analysisQuantile(q string) string {
	return `histogram_quantile(` + q + `, sum by (le) (rate(` + contract.TelemetryAnalysisTime + `_bucket{` + instanceFilter + `}[$__rate_interval])))`
}
