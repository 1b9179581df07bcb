//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// The literal values of the canary trace: none may leave the collector in a
// metric label, an annotation or a log line.
const (
	canaryEmail  = "alice.canary@example.com"
	canaryNumber = "98765432123456789"
)

// TestMetricsInARealPrometheus sends the testdata through the real collector
// with the querylens connector and a prometheus exporter, scraped by a real
// Prometheus with exemplar storage, and checks through Prometheus's HTTP API
// that the metrics say what the traces hold.
func TestMetricsInARealPrometheus(t *testing.T) {
	promBin := debianBinary(t, "prometheus", "/usr/bin/prometheus")
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	exporterPort, promPort := freePort(t), freePort(t)
	fileEntry, out := fileExporter(t)
	c, httpPort, _ := startPipeline(t, pipeline{
		processors: `
  querylens:
    wait_duration: 1s
  batch:
    timeout: 100ms`,
		connectors: `
  querylens:
    metrics_flush_interval: 1s`,
		exporters: fileEntry + fmt.Sprintf(`
  prometheus:
    endpoint: 127.0.0.1:%d
    enable_open_metrics: true`, exporterPort),
		traceProcessors: "querylens, batch",
		traceExporters:  "file, querylens",
		metricExporters: "prometheus",
	})
	startPrometheus(t, promBin, promPort, exporterPort)

	var sent []ptrace.Traces
	for _, s := range scenarios {
		for _, line := range s.Lines {
			if err := postOTLPJSON(context.Background(), httpPort, line); err != nil {
				t.Fatal(err)
			}
		}
		sent = append(sent, s.Requests...)
	}
	canary := canaryTrace()
	body, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(canary)
	if err := postOTLPJSON(context.Background(), httpPort, body); err != nil {
		t.Fatal(err)
	}
	sent = append(sent, canary)

	wantDBSpans := float64(fixtures.DBSpansWithStatement(sent...))
	prom := fmt.Sprintf("http://127.0.0.1:%d", promPort)
	waitForValue(t, prom, `sum(querylens_db_queries_total)`, wantDBSpans, 90*time.Second)
	scrape := get(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", exporterPort), "application/openmetrics-text")
	gotByType := map[string]float64{}
	for _, r := range query(t, prom, `sum by (querylens_finding_type) (querylens_findings_total)`) {
		gotByType[r.Metric["querylens_finding_type"]] = r.value(t)
	}
	series := query(t, prom, `count({__name__=~"querylens_.*"})`)[0].value(t)
	// The PromQL of the README answers (rate and increase need two scrapes).
	time.Sleep(2500 * time.Millisecond)
	for _, q := range readmeQueries {
		if r := query(t, prom, strings.ReplaceAll(q, "[5m]", "[10m]")); len(r) == 0 {
			t.Errorf("the README's query returns nothing:\n%s", q)
		}
	}
	c.stop(t)

	received := readExported(t, out)
	// What the exported traces hold.
	wantByType := map[string]float64{}
	traceIDs := map[string]bool{}
	fixtures.EachSpan(received, func(_ pcommon.Resource, s ptrace.Span) {
		traceIDs[s.TraceID().String()] = true
		for i := 0; i < s.Events().Len(); i++ {
			if ev := s.Events().At(i); ev.Name() == contract.EventFinding {
				typ, _ := ev.Attributes().Get(contract.AttrFindingType)
				wantByType[typ.Str()]++
			}
		}
	})
	if fmt.Sprint(gotByType) != fmt.Sprint(wantByType) {
		t.Errorf("findings by type in Prometheus\n got %v\nwant %v (the finding events of the exported traces)", gotByType, wantByType)
	}
	t.Logf("findings by type: %v; database queries: %v", gotByType, wantDBSpans)

	// Exemplars: every one names a trace that was exported.
	ex := queryExemplars(t, prom, `querylens_findings_total`)
	if len(ex) == 0 {
		t.Fatal("Prometheus stored no exemplar for querylens_findings_total")
	}
	for _, e := range ex {
		if !traceIDs[e] {
			t.Errorf("exemplar trace id %s is not in the exported traces", e)
		}
	}
	t.Logf("querylens series in Prometheus after the traffic: %v; exemplars: %d", series, len(ex))

	// The canary: no literal value in a metric, an annotation, a log line.
	for _, literal := range []string{canaryEmail, canaryNumber} {
		if strings.Contains(scrape, literal) {
			t.Errorf("the metrics hold the literal %q", literal)
		}
		if strings.Contains(c.log.String(), literal) {
			t.Errorf("the collector log holds the literal %q", literal)
		}
		for _, w := range querylensWritten(received) {
			if strings.Contains(w, literal) {
				t.Errorf("querylens wrote the literal %q: %s", literal, w)
			}
		}
	}
	if !strings.Contains(scrape, "users WHERE email = ?") || !strings.Contains(scrape, "accounts/users/{id}/profile?account=?") {
		t.Error("the canary's statement or route is not among the fingerprint info: the check above proves nothing")
	}
}

// readmeQueries are the PromQL examples of the README, in the same words.
var readmeQueries = []string{
	`topk(10, sum by (service_name, http_route, querylens_fingerprint) (increase(querylens_wasted_queries_total[1h])) * on (querylens_fingerprint) group_left (querylens_statement) max by (querylens_fingerprint, querylens_statement) (querylens_fingerprint_info))`,
	`sum by (service_name) (rate(querylens_findings_total{querylens_finding_type="n_plus_one"}[5m])) * 60`,
	`histogram_quantile(0.95, sum by (le, service_name, http_route) (rate(querylens_request_db_queries_bucket[5m])))`,
	`sum by (service_name) (rate(querylens_finding_duration_seconds_sum[5m])) / sum by (service_name) (rate(querylens_db_query_duration_seconds_sum[5m]))`,
}

// canaryTrace is an N+1 whose inline literals and recorded parameters are an
// e-mail address and a long number, and an N+1 of HTTP calls with both in
// their URLs.
func canaryTrace() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "canary")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	root := spans.AppendEmpty()
	root.SetTraceID(pcommon.TraceID{0xca, 0x4a, 0x41})
	root.SetSpanID(pcommon.SpanID{0xca, 1})
	root.SetName("GET /users")
	root.SetKind(ptrace.SpanKindServer)
	now := time.Now()
	root.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
	root.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Second)))
	for i := 0; i < 6; i++ {
		s := spans.AppendEmpty()
		s.SetTraceID(root.TraceID())
		s.SetSpanID(pcommon.SpanID{0xca, 2, byte(i)})
		s.SetParentSpanID(root.SpanID())
		s.SetName("SELECT")
		s.SetKind(ptrace.SpanKindClient)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Duration(i) * time.Millisecond)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Duration(i)*time.Millisecond + 500*time.Microsecond)))
		s.Attributes().PutStr("db.system.name", "postgresql")
		s.Attributes().PutStr("db.query.text", fmt.Sprintf(
			`SELECT * FROM users WHERE email = '%d.%s' AND account = %s`, i, canaryEmail, canaryNumber))
		s.Attributes().PutStr("db.query.parameter.0", canaryEmail)
		// and one HTTP call per user, the values in the path and the query
		h := spans.AppendEmpty()
		h.SetTraceID(root.TraceID())
		h.SetSpanID(pcommon.SpanID{0xca, 3, byte(i)})
		h.SetParentSpanID(root.SpanID())
		h.SetName("GET")
		h.SetKind(ptrace.SpanKindClient)
		h.SetStartTimestamp(s.EndTimestamp())
		h.SetEndTimestamp(s.EndTimestamp() + 1000)
		h.Attributes().PutStr("http.request.method", "GET")
		h.Attributes().PutStr("url.full", fmt.Sprintf("http://accounts/users/%d.%s/profile?account=%s", i, canaryEmail, canaryNumber))
	}
	return td
}

// querylensWritten lists everything querylens wrote into the traces: its span
// attributes and every attribute of its events.
func querylensWritten(tds []ptrace.Traces) []string {
	var out []string
	fixtures.EachSpan(tds, func(_ pcommon.Resource, s ptrace.Span) {
		s.Attributes().Range(func(k string, v pcommon.Value) bool {
			if strings.HasPrefix(k, "querylens.") {
				out = append(out, k+"="+v.AsString())
			}
			return true
		})
		for i := 0; i < s.Events().Len(); i++ {
			if ev := s.Events().At(i); ev.Name() == contract.EventFinding {
				ev.Attributes().Range(func(k string, v pcommon.Value) bool {
					out = append(out, k+"="+v.AsString())
					return true
				})
			}
		}
	})
	return out
}

func startPrometheus(t *testing.T, bin string, port, target int) {
	t.Helper()
	startPrometheusOn(t, bin, port, fmt.Sprintf(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: otelcol-querylens
    static_configs:
      - targets: ["127.0.0.1:%d"]
`, target))
}

type promResult struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
}

func (r promResult) value(t *testing.T) float64 {
	v, err := strconv.ParseFloat(fmt.Sprint(r.Value[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func query(t *testing.T, prom, q string) []promResult {
	t.Helper()
	var resp struct {
		Status string `json:"status"`
		Data   struct {
			Result []promResult `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(get(t, prom+"/api/v1/query?query="+url.QueryEscape(q), "")), &resp); err != nil {
		t.Fatal(err)
	}
	return resp.Data.Result
}

// queryExemplars returns the trace ids of the exemplars of a series selector
// over the last ten minutes.
func queryExemplars(t *testing.T, prom, q string) []string {
	t.Helper()
	now := time.Now()
	var resp struct {
		Data []struct {
			Exemplars []struct {
				Labels map[string]string `json:"labels"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	u := fmt.Sprintf("%s/api/v1/query_exemplars?query=%s&start=%d&end=%d", prom, url.QueryEscape(q), now.Add(-10*time.Minute).Unix(), now.Add(time.Minute).Unix())
	if err := json.Unmarshal([]byte(get(t, u, "")), &resp); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range resp.Data {
		for _, e := range s.Exemplars {
			ids = append(ids, e.Labels["trace_id"])
		}
	}
	return ids
}

func waitForValue(t *testing.T, prom, q string, want float64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := "no result"
	for time.Now().Before(deadline) {
		if r := query(t, prom, q); len(r) == 1 {
			if v := r[0].value(t); v == want {
				return
			} else {
				last = fmt.Sprint(v)
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("%s = %s after %s, want %v", q, last, timeout, want)
}

func get(t *testing.T, u, accept string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", u, resp.Status, b)
	}
	return string(b)
}
