//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// The Grafana stack (config/stack) and the dashboards (dashboards/*.json).
const (
	stackDir      = "../config/stack"
	dashboardsDir = "../dashboards"
)

// The one query that may stay empty with the testdata traffic: no consumer
// refuses spans, and a counter that was never added to is not exported.
var mayBeEmpty = map[string]string{
	"querylens-collector-health / Spans in and out per second / C": "no consumer refused a span",
}

// TestDashboardsAgainstARealPrometheus runs the stack's own collector and
// Prometheus configurations (config/stack, with loopback ports and short
// intervals) on the real bin/otelcol-querylens and Debian's Prometheus, sends
// the testdata through, and executes every PromQL expression of the committed
// dashboards, with their variables filled, both as "All" and with real label
// values; the variables' own queries; and the Tempo data source's
// traces-to-metrics queries. A query error fails, and so does an empty result
// (or one with no number) for a query the traffic must fill. Exemplars of the
// exemplar-enabled queries must name traces that reached "Tempo" (a second
// collector that receives OTLP gRPC as Tempo would), and the attributes the
// TraceQL queries read must be in those traces, in the scope each query reads.
func TestDashboardsAgainstARealPrometheus(t *testing.T) {
	promBin := debianBinary(t, "prometheus", "/usr/bin/prometheus")

	// The stack's collector configuration is valid as it is.
	if out, err := exec.Command(collectorBinary(t), "validate", "--config="+filepath.Join(stackDir, "otelcol.yaml")).CombinedOutput(); err != nil {
		t.Fatalf("otelcol-querylens validate config/stack/otelcol.yaml: %v\n%s", err, out)
	}

	// "Tempo": receives OTLP gRPC and writes what it gets.
	tempoEntry, tempoOut := fileExporter(t)
	tempo, tempoPort, _ := startPipeline(t, pipeline{
		grpc:           true,
		exporters:      tempoEntry,
		traceExporters: "file",
		noOwnMetrics:   true,
	})

	// The stack's collector, on loopback, with short windows; a small buffer
	// and fingerprint budget so that early releases and the overflow
	// fingerprint happen too.
	grpcPort, httpPort, healthPort, exporterPort, telemetryPort, promPort := freePort(t), freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)
	config := rewrite(t, filepath.Join(stackDir, "otelcol.yaml"), map[string]string{
		"0.0.0.0:4317":                fmt.Sprintf("127.0.0.1:%d", grpcPort),
		"0.0.0.0:4318":                fmt.Sprintf("127.0.0.1:%d", httpPort),
		"tempo:4317":                  fmt.Sprintf("127.0.0.1:%d", tempoPort),
		"0.0.0.0:8889":                fmt.Sprintf("127.0.0.1:%d", exporterPort),
		"0.0.0.0:13133":               fmt.Sprintf("127.0.0.1:%d", healthPort),
		"host: 0.0.0.0":               "host: 127.0.0.1",
		"port: 8888":                  fmt.Sprintf("port: %d", telemetryPort),
		"wait_duration: 30s":          "wait_duration: 1s",
		"num_traces: 50000":           "num_traces: 5",
		"metrics_flush_interval: 15s": "metrics_flush_interval: 1s",
		"max_fingerprints: 500":       "max_fingerprints: 20",
	})
	c := startCollector(t, config, healthPort)
	startPrometheusOn(t, promBin, promPort, rewrite(t, filepath.Join(stackDir, "prometheus.yml"), map[string]string{
		"scrape_interval: 15s": "scrape_interval: 1s",
		"otelcol:8889":         fmt.Sprintf("127.0.0.1:%d", exporterPort),
		"otelcol:8888":         fmt.Sprintf("127.0.0.1:%d", telemetryPort),
	}))
	prom := fmt.Sprintf("http://127.0.0.1:%d", promPort)

	// The traffic: every testdata trace, twice, a few scrapes apart, so that
	// every counter grows between two scrapes (increase and rate see the
	// second round) and the second round's spans arrive after their traces
	// were released (late spans).
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var sent []ptrace.Traces
	for round := 1; round <= 2; round++ {
		for _, s := range scenarios {
			for _, line := range s.Lines {
				if err := postOTLPJSON(context.Background(), httpPort, line); err != nil {
					t.Fatal(err)
				}
			}
			sent = append(sent, s.Requests...)
		}
		waitForValue(t, prom, `sum(querylens_db_queries_total)`, float64(fixtures.DBSpansWithStatement(sent...)), 90*time.Second)
		time.Sleep(3 * time.Second)
	}
	waitForQuery(t, prom, `sum(otelcol_processor_querylens_late_spans) > 0`, 30*time.Second)
	waitForQuery(t, prom, `sum(otelcol_processor_querylens_spans_released) == sum(otelcol_processor_querylens_spans_received)`, 30*time.Second)
	time.Sleep(5 * time.Second) // a few more scrapes after the last change
	end := time.Now()
	window := promDuration(end.Sub(start) + 30*time.Second)

	var results []queryResult
	exemplarTraces := map[string]bool{}
	boards := readBoards(t)
	for _, b := range boards {
		modes := []fillMode{allValues(b), realValues(t, prom, b)}
		for _, mode := range modes {
			// Grafana's own variables: the range, and a rate window of
			// several scrapes (1s in this test).
			builtins := map[string]string{"__range": window, "__rate_interval": "10s", "__interval": "2s"}
			for k, v := range builtins {
				mode.values[k] = v
			}
			// The variables' own queries, in order, with the earlier ones filled.
			for _, v := range b.Templating.List {
				if v.Type != "query" {
					continue
				}
				q := fmt.Sprint(v.Query)
				r := queryResult{where: fmt.Sprintf("%s / variable %s", b.UID, v.Name), mode: mode.name, kind: "label_values",
					expr: fill(t, b, q, mode.values)}
				values, err := labelValues(prom, r.expr, start, end)
				r.err, r.series, r.number = err, len(values), len(values) > 0
				if mode.name == "values" && !slices.Contains(values, mode.chosen(v.Name)) {
					t.Errorf("%s: %s lists %v, not the value %q the traffic has", r.where, r.expr, values, mode.chosen(v.Name))
				}
				results = append(results, r)
			}
			// Every PromQL target.
			for _, p := range b.Panels {
				for _, tg := range p.Targets {
					if tg.Datasource.Type != "prometheus" {
						continue
					}
					r := queryResult{where: fmt.Sprintf("%s / %s / %s", b.UID, p.Title, tg.RefID), mode: mode.name,
						expr: fill(t, b, tg.Expr, mode.values)}
					if tg.Instant {
						r.kind = "instant"
						r.rows, r.err = promInstantNear(prom, r.expr, end)
					} else {
						r.kind = "range"
						r.rows, r.err = promRange(prom, r.expr, start, end, 2*time.Second)
					}
					r.count()
					results = append(results, r)
					if tg.Exemplar {
						ids, err := exemplars(prom, r.expr, end)
						if err != nil {
							t.Errorf("%s (%s): exemplars: %v", r.where, mode.name, err)
						}
						if len(ids) == 0 {
							t.Errorf("%s (%s): exemplars are on, and Prometheus has none for\n%s", r.where, mode.name, r.expr)
						}
						for _, id := range ids {
							exemplarTraces[id] = true
						}
					}
				}
			}
		}
	}
	// The Tempo data source's traces-to-metrics queries, for one service.
	service := boards["querylens-overview"].values["service"]
	for name, q := range tracesToMetricsQueries(t) {
		r := queryResult{where: "Tempo data source / traces to metrics / " + name, mode: "service", kind: "instant",
			expr: strings.ReplaceAll(q, "$__tags", fmt.Sprintf(`service_name=%q`, service))}
		r.rows, r.err = promInstantNear(prom, r.expr, end)
		r.count()
		results = append(results, r)
	}

	fingerprints := checkFingerprintTable(t, results)

	// The PromQL recipes of the README's Grafana section.
	for i, q := range readmePromQL(t) {
		r := queryResult{where: fmt.Sprintf("README / Browse flagged traces in Grafana / PromQL %d", i+1), mode: "as written", kind: "instant", expr: q}
		r.rows, r.err = promInstantNear(prom, q, end)
		r.count()
		results = append(results, r)
	}

	// The verdict on every query.
	executed, withData := 0, 0
	var empty []string
	for _, r := range results {
		executed++
		switch {
		case r.err != nil:
			t.Errorf("%s (%s): %v\n%s", r.where, r.mode, r.err, r.expr)
		case r.series > 0 && r.number:
			withData++
		case mayBeEmpty[r.where] != "":
			empty = append(empty, fmt.Sprintf("%s (%s): %s", r.where, r.mode, mayBeEmpty[r.where]))
		default:
			t.Errorf("%s (%s): %d series, none with a number, after traffic that must fill it:\n%s", r.where, r.mode, r.series, r.expr)
		}
	}
	t.Logf("%d queries executed against Prometheus (%d PromQL expressions of panels and data sources, %d variable queries), %d returned data",
		executed, countKind(results, "instant")+countKind(results, "range"), countKind(results, "label_values"), withData)
	for _, e := range empty {
		t.Logf("empty, as expected: %s", e)
	}
	if t.Failed() {
		t.Logf("Prometheus's targets: %s", get(t, prom+"/api/v1/targets", ""))
	}

	c.stop(t)
	tempo.stop(t)
	received := readExported(t, tempoOut)
	traces := map[string]bool{}
	fixtures.EachSpan(received, func(_ pcommon.Resource, s ptrace.Span) { traces[s.TraceID().String()] = true })
	for id := range exemplarTraces {
		if !traces[id] {
			t.Errorf("exemplar trace %s did not reach Tempo", id)
		}
	}
	t.Logf("%d traces reached Tempo; the dashboards' exemplars name %d of them", len(traces), len(exemplarTraces))
	checkTraceQLAttributes(t, boards, received, fingerprints)
}

// readmePromQL returns the PromQL blocks of the README's Grafana section.
func readmePromQL(t *testing.T) []string {
	t.Helper()
	blocks := readmeBlocks(t, "promql")
	if len(blocks) == 0 {
		t.Fatal("the README's Grafana section has no PromQL recipe")
	}
	return blocks
}

// readmeBlocks returns the code blocks of one language in the README's
// section "Browse flagged traces in Grafana", one query a line for TraceQL.
func readmeBlocks(t *testing.T, lang string) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Browse flagged traces in Grafana\n")
	if !ok {
		t.Fatal("the README has no section \"Browse flagged traces in Grafana\"")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var out []string
	for _, part := range strings.Split(section, "```"+lang+"\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		if lang == "traceql" {
			out = append(out, strings.Split(strings.TrimSpace(block), "\n")...)
		} else {
			out = append(out, strings.TrimSpace(block))
		}
	}
	return out
}

// rewrite reads a file of the stack and replaces each of the given strings,
// which must all be there.
func rewrite(t *testing.T, path string, replace map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for old, repl := range replace {
		if !strings.Contains(s, old) {
			t.Fatalf("%s no longer holds %q: update the test", path, old)
		}
		s = strings.ReplaceAll(s, old, repl)
	}
	return s
}

// startPrometheusOn runs Prometheus on a configuration, with exemplar storage,
// as the stack does.
func startPrometheusOn(t *testing.T, bin string, port int, config string) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port), "--enable-feature=exemplar-storage")
	log, _ := os.Create(filepath.Join(dir, "prometheus.log"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("prometheus log:\n%s", lastLines(string(b), 20))
		}
	})
	waitForQuery(t, fmt.Sprintf("http://127.0.0.1:%d", port), `vector(1)`, 30*time.Second)
}

// waitForQuery waits until an instant query returns a series.
func waitForQuery(t *testing.T, prom, q string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if rows, err := promInstant(prom, q, time.Now()); err == nil && len(rows) > 0 {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s returned nothing within %s", q, timeout)
}

func promDuration(d time.Duration) string { return fmt.Sprintf("%ds", int(math.Ceil(d.Seconds()))) }

// The committed dashboards, the parts the test reads.
type board struct {
	UID        string `json:"uid"`
	Templating struct {
		List []struct {
			Type     string `json:"type"`
			Name     string `json:"name"`
			Query    any    `json:"query"`
			AllValue string `json:"allValue"`
			Current  struct {
				Value any `json:"value"`
			} `json:"current"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			RefID      string `json:"refId"`
			Datasource struct {
				Type string `json:"type"`
			} `json:"datasource"`
			Expr     string `json:"expr"`
			Query    string `json:"query"`
			Instant  bool   `json:"instant"`
			Exemplar bool   `json:"exemplar"`
		} `json:"targets"`
		FieldConfig struct {
			Overrides []struct {
				Properties []struct {
					ID    string `json:"id"`
					Value any    `json:"value"`
				} `json:"properties"`
			} `json:"overrides"`
		} `json:"fieldConfig"`
	} `json:"panels"`
	// values are the real label values chosen for the variables.
	values map[string]string
}

func readBoards(t *testing.T) map[string]*board {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dashboardsDir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no dashboards in %s: %v", dashboardsDir, err)
	}
	out := map[string]*board{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var d board
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[d.UID] = &d
	}
	return out
}

// fillMode is one way of filling a dashboard's variables.
type fillMode struct {
	name   string
	values map[string]string // as Grafana puts them into PromQL
	raw    map[string]string // the label values chosen
}

func (m fillMode) chosen(name string) string { return m.raw[name] }

// allValues selects "All" for every variable with one, as the dashboards do
// by default: the variable's allValue, raw.
func allValues(b *board) fillMode {
	out := map[string]string{}
	for _, v := range b.Templating.List {
		switch {
		case v.AllValue != "":
			out[v.Name] = v.AllValue
		default:
			out[v.Name] = fmt.Sprint(v.Current.Value)
		}
	}
	return fillMode{name: "All", values: out}
}

// realValues chooses one real value for each variable: for the finding
// variables, the service, route and type that waste the most database queries
// (so that every panel, exemplars of wasted queries too, has something to
// show); for the collector, the instance that reports the processor's metrics.
func realValues(t *testing.T, prom string, b *board) fillMode {
	t.Helper()
	raw := map[string]string{}
	rows, err := promInstantNear(prom, `topk(1, sum by (service_name, http_route, querylens_finding_type) (querylens_wasted_queries_total{querylens_finding_type!="n_plus_one_api"}))`, time.Now())
	if err != nil || len(rows) != 1 {
		t.Fatalf("no finding to choose variable values from: %v", err)
	}
	raw["service"] = rows[0].Metric["service_name"]
	raw["route"] = rows[0].Metric["http_route"]
	raw["finding_type"] = rows[0].Metric["querylens_finding_type"]
	rows, err = promInstantNear(prom, `group by (instance) (otelcol_processor_querylens_spans_received)`, time.Now())
	if err != nil || len(rows) == 0 {
		t.Fatalf("no collector instance: %v", err)
	}
	raw["instance"] = rows[0].Metric["instance"]
	out := map[string]string{}
	b.values = map[string]string{}
	for _, v := range b.Templating.List {
		if val, ok := raw[v.Name]; ok && v.Type == "query" {
			// Grafana's Prometheus data source escapes a value for a regex
			// matcher inside a PromQL string.
			out[v.Name] = strings.ReplaceAll(regexp.QuoteMeta(val), `\`, `\\`)
			b.values[v.Name] = val
		} else {
			out[v.Name] = fmt.Sprint(v.Current.Value)
		}
	}
	return fillMode{name: "values", values: out, raw: raw}
}

var variableRef = regexp.MustCompile(`\$\{(\w+)(?::(\w+))?\}|\$(\w+)`)

// fill replaces the Grafana variables of a query; a variable the dashboard
// does not define fails the test.
func fill(t *testing.T, b *board, q string, values map[string]string) string {
	t.Helper()
	return variableRef.ReplaceAllStringFunc(q, func(ref string) string {
		m := variableRef.FindStringSubmatch(ref)
		name := m[1] + m[3]
		v, ok := values[name]
		if !ok {
			t.Errorf("%s: the query uses $%s, which the dashboard does not define:\n%s", b.UID, name, q)
		}
		return v
	})
}

type promRow struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
	Values [][]any           `json:"values"`
}

type queryResult struct {
	where, mode, kind, expr string
	rows                    []promRow
	err                     error
	series                  int
	number                  bool // a sample that is a number (not NaN)
}

func (r *queryResult) count() {
	r.series = len(r.rows)
	for _, row := range r.rows {
		samples := row.Values
		if row.Value != nil {
			samples = append(samples, row.Value)
		}
		for _, s := range samples {
			if f, err := strconv.ParseFloat(fmt.Sprint(s[1]), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				r.number = true
			}
		}
	}
}

func countKind(rs []queryResult, kind string) int {
	n := 0
	for _, r := range rs {
		if r.kind == kind {
			n++
		}
	}
	return n
}

// promAPI calls Prometheus's HTTP API and returns its data, or its error.
func promAPI(prom, path string, params url.Values, data any) error {
	resp, err := http.Get(prom + path + "?" + params.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Status    string          `json:"status"`
		ErrorType string          `json:"errorType"`
		Error     string          `json:"error"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("%s: %s: %v", path, resp.Status, err)
	}
	if body.Status != "success" {
		return fmt.Errorf("%s: %s: %s", path, body.ErrorType, body.Error)
	}
	return json.Unmarshal(body.Data, data)
}

func promInstant(prom, q string, at time.Time) ([]promRow, error) {
	var data struct {
		ResultType string    `json:"resultType"`
		Result     []promRow `json:"result"`
	}
	err := promAPI(prom, "/api/v1/query", url.Values{"query": {q}, "time": {unix(at)}}, &data)
	if err == nil && data.ResultType != "vector" {
		err = fmt.Errorf("an instant query returned a %s, not a vector", data.ResultType)
	}
	return data.Result, err
}

// promInstantNear evaluates an instant query at t, or, when that finds no
// number, a little earlier: on a loaded machine a scrape of the 1s interval
// can time out, and Prometheus then marks every series of the target stale
// until the next scrape (Grafana's next refresh would show them again).
func promInstantNear(prom, q string, t time.Time) ([]promRow, error) {
	var rows []promRow
	var err error
	for back := time.Duration(0); back <= 6*time.Second; back += 1500 * time.Millisecond {
		rows, err = promInstant(prom, q, t.Add(-back))
		r := queryResult{rows: rows}
		if r.count(); err != nil || r.number {
			break
		}
	}
	return rows, err
}

func promRange(prom, q string, start, end time.Time, step time.Duration) ([]promRow, error) {
	var data struct {
		Result []promRow `json:"result"`
	}
	err := promAPI(prom, "/api/v1/query_range", url.Values{"query": {q}, "start": {unix(start)}, "end": {unix(end)},
		"step": {fmt.Sprint(step.Seconds())}}, &data)
	return data.Result, err
}

// labelValues runs a Grafana label_values(selector, label) variable query as
// Grafana's Prometheus data source does: the label's values over the series
// the selector matches in the time range.
func labelValues(prom, q string, start, end time.Time) ([]string, error) {
	m := regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`).FindStringSubmatch(q)
	if m == nil {
		return nil, fmt.Errorf("not a label_values(selector, label) query: %s", q)
	}
	var values []string
	err := promAPI(prom, "/api/v1/label/"+m[2]+"/values",
		url.Values{"match[]": {m[1]}, "start": {unix(start.Add(-time.Minute))}, "end": {unix(end)}}, &values)
	return values, err
}

// exemplars returns the trace ids of the exemplars of a query's series. The
// window is wide: an exemplar has the time of its trace, and the testdata's
// traces were recorded before the test (request exemplars carry the request's
// end time; Grafana shows them when the dashboard's range covers it).
func exemplars(prom, q string, end time.Time) ([]string, error) {
	var data []struct {
		Exemplars []struct {
			Labels map[string]string `json:"labels"`
		} `json:"exemplars"`
	}
	err := promAPI(prom, "/api/v1/query_exemplars", url.Values{"query": {q},
		"start": {unix(end.Add(-30 * 24 * time.Hour))}, "end": {unix(end.Add(time.Minute))}}, &data)
	var ids []string
	for _, s := range data {
		for _, e := range s.Exemplars {
			ids = append(ids, e.Labels["trace_id"])
		}
	}
	return ids, err
}

func unix(t time.Time) string { return strconv.FormatFloat(float64(t.UnixMilli())/1e3, 'f', 3, 64) }

// checkFingerprintTable checks what the worst-fingerprints table joins: the
// statement from the info metric on each fingerprint that has one, the
// fingerprint "other" kept without, and the same label columns in each of
// its queries, so that Grafana's merge puts a fingerprint's numbers in one row.
//
// It returns the fingerprints of the table's rows (but "other").
func checkFingerprintTable(t *testing.T, results []queryResult) []string {
	t.Helper()
	var fingerprints []string
	columns := map[string]map[string]bool{} // by refId: the label sets of its rows
	for _, r := range results {
		if !strings.HasPrefix(r.where, "querylens-overview / Worst fingerprints / ") || r.mode != "All" {
			continue
		}
		ref := strings.TrimPrefix(r.where, "querylens-overview / Worst fingerprints / ")
		columns[ref] = map[string]bool{}
		withStatement, other := 0, 0
		for _, row := range r.rows {
			switch {
			case row.Metric["querylens_statement"] != "":
				withStatement++
				if ref == "A" {
					fingerprints = append(fingerprints, row.Metric["querylens_fingerprint"])
				}
			case row.Metric["querylens_fingerprint"] == "other":
				other++
			default:
				t.Errorf("%s: fingerprint %s has no statement", r.where, row.Metric["querylens_fingerprint"])
			}
			delete(row.Metric, "querylens_statement")
			var labels []string
			for k, v := range row.Metric {
				labels = append(labels, k+"="+v)
			}
			sort.Strings(labels)
			if len(labels) != 4 {
				t.Errorf("%s: a row has labels %v, want service, route, type and fingerprint", r.where, labels)
			}
			columns[ref][strings.Join(labels, ",")] = true
		}
		if withStatement == 0 || other == 0 {
			t.Errorf("%s: %d rows with a statement, %d of fingerprint \"other\": the traffic has both", r.where, withStatement, other)
		}
		if ref == "A" {
			t.Logf("worst fingerprints: %d rows with their statement, %d of \"other\" (past max_fingerprints)", withStatement, other)
		}
	}
	if len(columns) != 3 {
		t.Fatalf("the worst-fingerprints table has %d queries, want 3", len(columns))
	}
	for ref, rows := range columns {
		for row := range rows {
			if !columns["A"][row] {
				t.Errorf("worst fingerprints: query %s has a row that query A has not: %s", ref, row)
			}
		}
	}
	return fingerprints
}

// tracesToMetricsQueries reads the Tempo data source's traces-to-metrics
// queries from the stack's provisioning, with $$ read as Grafana does.
func tracesToMetricsQueries(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(stackDir, "grafana", "provisioning", "datasources", "querylens.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var ds struct {
		Datasources []struct {
			Type     string `yaml:"type"`
			JSONData struct {
				TracesToMetrics struct {
					Queries []struct {
						Name  string `yaml:"name"`
						Query string `yaml:"query"`
					} `yaml:"queries"`
				} `yaml:"tracesToMetrics"`
			} `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal(b, &ds); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range ds.Datasources {
		for _, q := range d.JSONData.TracesToMetrics.Queries {
			out[q.Name] = strings.ReplaceAll(q.Query, "$$", "$")
		}
	}
	if len(out) == 0 {
		t.Fatal("no traces-to-metrics query in the provisioning")
	}
	return out
}

var (
	traceQLAttribute = regexp.MustCompile(`(^|[^\w.:])(span|event|resource)\.([A-Za-z_][\w.]*)`)
	traceQLEquals    = regexp.MustCompile(`(span|event)\.([\w.]+)\s*=\s*"([^"]*)"`)
)

// checkTraceQLAttributes: every attribute a TraceQL query of the dashboards
// (or of the README's recipes) reads is in the traces that reached Tempo, in the scope the query reads it
// in (the span, a querylens.finding event, the resource), and every value it
// compares a finding type to is there too (but paged_to_many_join, which no
// detector reports yet). The worst-fingerprints table links each fingerprint
// to a search for its finding events: each fingerprint of the table must be on
// a finding event in Tempo.
func checkTraceQLAttributes(t *testing.T, boards map[string]*board, received []ptrace.Traces, fingerprints []string) {
	t.Helper()
	present := map[string]map[string]bool{"span": {}, "event": {}, "resource": {}}
	values := map[string]bool{}
	fixtures.EachSpan(received, func(res pcommon.Resource, s ptrace.Span) {
		res.Attributes().Range(func(k string, _ pcommon.Value) bool { present["resource"][k] = true; return true })
		s.Attributes().Range(func(k string, v pcommon.Value) bool {
			present["span"][k] = true
			values["span."+k+"="+v.AsString()] = true
			return true
		})
		for i := 0; i < s.Events().Len(); i++ {
			ev := s.Events().At(i)
			if ev.Name() != contract.EventFinding {
				continue
			}
			ev.Attributes().Range(func(k string, v pcommon.Value) bool {
				present["event"][k] = true
				values["event."+k+"="+v.AsString()] = true
				return true
			})
		}
	})
	var queries []string
	var fingerprintSearch string
	for _, b := range boards {
		for _, p := range b.Panels {
			for _, tg := range p.Targets {
				if tg.Datasource.Type == "tempo" {
					queries = append(queries, tg.Query)
				}
			}
			for _, o := range p.FieldConfig.Overrides {
				for _, prop := range o.Properties {
					if prop.ID != "links" {
						continue
					}
					for _, l := range prop.Value.([]any) {
						link, _ := l.(map[string]any)["url"].(string)
						if q := exploreTraceQL(t, link); q != "" {
							queries = append(queries, q)
							fingerprintSearch = q
						}
					}
				}
			}
		}
	}
	readme := readmeBlocks(t, "traceql")
	if len(readme) == 0 {
		t.Error("the README's Grafana section has no TraceQL recipe")
	}
	queries = append(queries, readme...)
	read := map[string]bool{}
	for _, q := range queries {
		for _, m := range traceQLAttribute.FindAllStringSubmatch(stripQuoted(q), -1) {
			read[m[2]+"."+m[3]] = true
			if !present[m[2]][m[3]] {
				t.Errorf("TraceQL reads %s.%s, which no trace that reached Tempo has:\n%s", m[2], m[3], q)
			}
		}
		for _, m := range traceQLEquals.FindAllStringSubmatch(q, -1) {
			if strings.Contains(m[3], "${") {
				continue
			}
			if !values[m[1]+"."+m[2]+"="+m[3]] && m[3] != "paged_to_many_join" {
				t.Errorf("TraceQL looks for %s.%s = %q, which no trace that reached Tempo has", m[1], m[2], m[3])
			}
		}
	}
	if !strings.Contains(fingerprintSearch, `event.querylens.fingerprint = "${__value.raw}"`) {
		t.Errorf("the worst-fingerprints link searches %q, not the fingerprint of its row", fingerprintSearch)
	}
	if len(fingerprints) == 0 {
		t.Error("no fingerprint in the worst-fingerprints table")
	}
	for _, fp := range fingerprints {
		if !values["event."+contract.AttrFingerprint+"="+fp] {
			t.Errorf("the worst-fingerprints table's link for %s finds no finding event in Tempo", fp)
		}
	}
	var names []string
	for n := range read {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("%d TraceQL queries (%d of the README) read %v: all in the traces Tempo received; the %d fingerprints of the worst-fingerprints table are all on finding events there",
		len(queries), len(readme), names, len(fingerprints))
}

// exploreTraceQL returns the TraceQL query of a Grafana Explore link.
func exploreTraceQL(t *testing.T, link string) string {
	t.Helper()
	if !strings.HasPrefix(link, "/explore?") {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	var panes map[string]struct {
		Queries []struct {
			Query string `json:"query"`
		} `json:"queries"`
	}
	// The data-link variables sit where JSON strings hold them.
	raw := strings.NewReplacer("${__from}", "0", "${__to}", "1").Replace(u.Query().Get("panes"))
	if err := json.Unmarshal([]byte(raw), &panes); err != nil {
		t.Fatalf("Explore link %s: %v", link, err)
	}
	for _, p := range panes {
		for _, q := range p.Queries {
			return q.Query
		}
	}
	return ""
}

// stripQuoted blanks the quoted strings of a TraceQL query.
func stripQuoted(q string) string {
	return regexp.MustCompile("\"[^\"]*\"|`[^`]*`").ReplaceAllString(q, `""`)
}
