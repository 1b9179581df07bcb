package querylensconnector

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/connector/querylensconnector/internal/metadata"
	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/internal/traceview"
)

// fakeClock moves only when told.
type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time { return f.t }

func newTestConnector(t testing.TB, mutate func(*Config)) (*querylensConnector, *consumertest.MetricsSink, *fakeClock) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	if mutate != nil {
		mutate(cfg)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	sink := new(consumertest.MetricsSink)
	c, err := NewFactory().CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	qc := c.(*querylensConnector)
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	qc.now = clock.now
	return qc, sink, clock
}

// point is one data point, flattened for assertions.
type point struct {
	metric        string
	attrs         map[string]any
	value         float64 // sum or gauge value, or histogram count
	sum           float64 // histogram sum
	exemplars     []string
	noValue       bool    // a gauge point flagged with no recorded value
	max           float64 // histogram max
	exemplarValue float64
}

func points(md pmetric.Metrics) []point {
	var out []point
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		sms := md.ResourceMetrics().At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				switch m.Type() {
				case pmetric.MetricTypeSum:
					if m.Sum().AggregationTemporality() != pmetric.AggregationTemporalityCumulative || !m.Sum().IsMonotonic() {
						panic(m.Name() + " is not a cumulative monotonic sum")
					}
					for d := 0; d < m.Sum().DataPoints().Len(); d++ {
						dp := m.Sum().DataPoints().At(d)
						out = append(out, point{metric: m.Name(), attrs: dp.Attributes().AsRaw(), value: float64(dp.IntValue()), exemplars: exemplarTraces(dp.Exemplars())})
					}
				case pmetric.MetricTypeHistogram:
					for d := 0; d < m.Histogram().DataPoints().Len(); d++ {
						dp := m.Histogram().DataPoints().At(d)
						p := point{metric: m.Name(), attrs: dp.Attributes().AsRaw(), value: float64(dp.Count()), sum: dp.Sum(), max: dp.Max(), exemplars: exemplarTraces(dp.Exemplars())}
						if dp.Exemplars().Len() > 0 {
							p.exemplarValue = dp.Exemplars().At(0).DoubleValue()
						}
						out = append(out, p)
					}
				case pmetric.MetricTypeGauge:
					for d := 0; d < m.Gauge().DataPoints().Len(); d++ {
						dp := m.Gauge().DataPoints().At(d)
						out = append(out, point{metric: m.Name(), attrs: dp.Attributes().AsRaw(), value: float64(dp.IntValue()), noValue: dp.Flags().NoRecordedValue()})
					}
				}
			}
		}
	}
	return out
}

func exemplarTraces(es pmetric.ExemplarSlice) []string {
	var ids []string
	for i := 0; i < es.Len(); i++ {
		ids = append(ids, es.At(i).TraceID().String()+"/"+es.At(i).SpanID().String())
	}
	return ids
}

func total(ps []point, metric string, match func(map[string]any) bool) float64 {
	sum := 0.0
	for _, p := range ps {
		if p.metric == metric && (match == nil || match(p.attrs)) {
			sum += p.value
		}
	}
	return sum
}

func TestMetricsOfTheTestdata(t *testing.T) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	c, sink, _ := newTestConnector(t, nil)
	var annotated []ptrace.Traces
	for _, s := range scenarios {
		td := s.Annotated()
		annotated = append(annotated, td)
		if err := c.ConsumeTraces(context.Background(), td); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sink.AllMetrics()) != 1 {
		t.Fatalf("%d flushes, want the one at shutdown", len(sink.AllMetrics()))
	}
	ps := points(sink.AllMetrics()[0])

	// What the annotated traces hold, read independently of the connector.
	wantFindings := map[string]float64{}
	wantWasted, wantDBSpans, wantRequests := 0.0, 0.0, 0.0
	anchors := map[string]bool{}
	fixtures.EachSpan(annotated, func(_ pcommon.Resource, s ptrace.Span) {
		if _, ok := s.Attributes().Get(contract.AttrFingerprint); ok {
			wantDBSpans++
		}
		if _, ok := s.Attributes().Get(contract.AttrRequestDBQueries); ok {
			wantRequests++
		}
		for i := 0; i < s.Events().Len(); i++ {
			if ev := s.Events().At(i); ev.Name() == contract.EventFinding {
				typ, _ := ev.Attributes().Get(contract.AttrFindingType)
				w, _ := ev.Attributes().Get(contract.AttrWastedQueries)
				wantFindings[typ.Str()]++
				wantWasted += float64(w.Int())
				anchors[s.TraceID().String()+"/"+s.SpanID().String()] = true
			}
		}
	})
	for typ, n := range wantFindings {
		got := total(ps, contract.MetricFindings, func(a map[string]any) bool { return a["querylens.finding.type"] == typ })
		if got != n {
			t.Errorf("%s findings: %v, want %v", typ, got, n)
		}
		if hist := total(ps, contract.MetricFindingDuration, func(a map[string]any) bool { return a["querylens.finding.type"] == typ }); hist != n {
			t.Errorf("%s duration observations: %v, want %v", typ, hist, n)
		}
	}
	if got := total(ps, contract.MetricWastedQueries, nil); got != wantWasted || wantWasted == 0 {
		t.Errorf("wasted queries %v, want %v", got, wantWasted)
	}
	if got := total(ps, contract.MetricDBQueries, nil); got != wantDBSpans {
		t.Errorf("db queries %v, want every database span: %v", got, wantDBSpans)
	}
	if got := total(ps, contract.MetricDBQueryDuration, nil); got != wantDBSpans {
		t.Errorf("db query duration observations %v, want %v", got, wantDBSpans)
	}
	if got := total(ps, contract.MetricRequestQueries, nil); got != wantRequests {
		t.Errorf("request observations %v, want %v", got, wantRequests)
	}
	checkRequestSeries(t, annotated, ps)
	// Attributes, routes, exemplars.
	for _, p := range ps {
		switch p.metric {
		case contract.MetricFindings, contract.MetricWastedQueries, contract.MetricFindingDuration:
			for _, k := range []string{"service.name", "querylens.finding.type", "querylens.fingerprint", "http.route"} {
				if p.attrs[k] == "" || p.attrs[k] == nil {
					t.Errorf("%s point without %s: %v", p.metric, k, p.attrs)
				}
			}
			for _, e := range p.exemplars {
				if !anchors[e] {
					t.Errorf("%s exemplar %s is not the anchor of a finding", p.metric, e)
				}
			}
			if p.metric != contract.MetricWastedQueries && len(p.exemplars) != 1 {
				t.Errorf("%s point without an exemplar: %v", p.metric, p.attrs)
			}
		}
	}
	routes := map[any]bool{}
	for _, p := range ps {
		if p.metric == contract.MetricFindings {
			routes[p.attrs["http.route"]] = true
		}
	}
	for _, r := range []string{"/books", "books/", "/authors/stats"} {
		if !routes[r] {
			t.Errorf("no finding on route %q; routes seen: %v", r, routes)
		}
	}
	// Every fingerprint counted has its statement, once, with the database
	// system when a database span told it.
	described := map[any]bool{}
	for _, p := range ps {
		if p.metric == contract.MetricFingerprintInfo {
			fp := p.attrs["querylens.fingerprint"]
			if described[fp] {
				t.Errorf("fingerprint %v described twice", fp)
			}
			described[fp] = true
			if p.attrs["querylens.statement"] == "" {
				t.Errorf("info without statement: %v", p.attrs)
			}
		}
	}
	for _, p := range ps {
		if p.metric == contract.MetricDBQueries {
			for _, q := range ps {
				if q.metric == contract.MetricFingerprintInfo && q.attrs["querylens.fingerprint"] == p.attrs["querylens.fingerprint"] && q.attrs["db.system"] == "" {
					t.Errorf("info of database fingerprint %v has no db.system", q.attrs["querylens.fingerprint"])
				}
			}
		}
	}
	for _, p := range ps {
		if fp := p.attrs["querylens.fingerprint"]; fp != nil && !described[fp] {
			t.Errorf("fingerprint %v of %s has no querylens.fingerprint.info", fp, p.metric)
		}
	}
	t.Logf("%d series after %d scenarios", len(ps), len(scenarios))
}

// checkRequestSeries compares the request series with what the request roots
// of the annotated traces hold, read independently of the connector: per
// service and route, the requests, their summed duration and database time,
// the most queries of one request, and the exemplar of the queries histogram
// on a request that ran that many.
func checkRequestSeries(t *testing.T, annotated []ptrace.Traces, ps []point) {
	t.Helper()
	type want struct {
		requests, seconds, dbSeconds float64
		maxQueries                   int64
		heaviest                     map[string]bool // trace/span of the requests with maxQueries
	}
	wants := map[string]*want{}
	fixtures.EachSpan(annotated, func(res pcommon.Resource, s ptrace.Span) {
		q, ok := s.Attributes().Get(contract.AttrRequestDBQueries)
		if !ok {
			return
		}
		service := unknownService
		if v, ok := res.Attributes().Get("service.name"); ok && v.Str() != "" {
			service = v.Str()
		}
		httpRoute := ""
		if v, ok := s.Attributes().Get("http.route"); ok {
			httpRoute = v.Str()
		}
		route := traceview.Route(traceview.Kind(s.Kind()), s.Name(), httpRoute)
		if route == "" {
			route = unknownRoute
		}
		w := wants[service+" "+route]
		if w == nil {
			w = &want{maxQueries: -1, heaviest: map[string]bool{}}
			wants[service+" "+route] = w
		}
		wall, ok := s.Attributes().Get(contract.AttrRequestDBWallDuration)
		if !ok {
			t.Fatalf("request root %s without %s", s.Name(), contract.AttrRequestDBWallDuration)
		}
		w.requests++
		seconds := float64(s.EndTimestamp()-s.StartTimestamp()) / 1e9
		w.seconds += seconds
		w.dbSeconds += min(wall.Double()/1e3, seconds) // the cap only absorbs clock skew between spans
		id := s.TraceID().String() + "/" + s.SpanID().String()
		switch {
		case q.Int() > w.maxQueries:
			w.maxQueries, w.heaviest = q.Int(), map[string]bool{id: true}
		case q.Int() == w.maxQueries:
			w.heaviest[id] = true
		}
	})
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }
	seen := map[string]int{}
	for _, p := range ps {
		w := wants[fmt.Sprint(p.attrs["service.name"], " ", p.attrs["http.route"])]
		switch p.metric {
		case contract.MetricRequestQueries, contract.MetricRequestDuration, contract.MetricRequestDBDuration, contract.MetricRequestQueriesMax:
			seen[p.metric]++
			if w == nil {
				t.Errorf("%s: a point for a service and route no request has: %v", p.metric, p.attrs)
				continue
			}
		}
		switch p.metric {
		case contract.MetricRequestDuration:
			if p.value != w.requests || !near(p.sum, w.seconds) {
				t.Errorf("%s %v: %v requests, %vs; want %v, %vs", p.metric, p.attrs, p.value, p.sum, w.requests, w.seconds)
			}
		case contract.MetricRequestDBDuration:
			if p.value != w.requests || !near(p.sum, w.dbSeconds) {
				t.Errorf("%s %v: %v requests, %vs; want %v, %vs", p.metric, p.attrs, p.value, p.sum, w.requests, w.dbSeconds)
			}
		case contract.MetricRequestQueriesMax:
			if p.noValue || p.value != float64(w.maxQueries) {
				t.Errorf("%s %v: %v (no value: %v), want %d", p.metric, p.attrs, p.value, p.noValue, w.maxQueries)
			}
		case contract.MetricRequestQueries:
			if p.max != float64(w.maxQueries) || p.exemplarValue != float64(w.maxQueries) ||
				len(p.exemplars) != 1 || !w.heaviest[p.exemplars[0]] {
				t.Errorf("%s %v: max %v, exemplar %v of value %v; want the heaviest request (%d queries), one of %v",
					p.metric, p.attrs, p.max, p.exemplars, p.exemplarValue, w.maxQueries, w.heaviest)
			}
		}
	}
	for _, m := range []string{contract.MetricRequestQueries, contract.MetricRequestDuration, contract.MetricRequestDBDuration, contract.MetricRequestQueriesMax} {
		if seen[m] != len(wants) {
			t.Errorf("%s has %d series, want one per service and route: %d", m, seen[m], len(wants))
		}
	}
}

// requestTrace is one request root of a service and route that ran the given
// queries in dbMs milliseconds and took ms milliseconds itself.
func requestTrace(id byte, service, route string, queries int64, ms, dbMs float64) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetTraceID(pcommon.TraceID{id})
	s.SetSpanID(pcommon.SpanID{id})
	s.SetKind(ptrace.SpanKindServer)
	s.SetName("GET " + route)
	s.SetStartTimestamp(1_000_000_000)
	s.SetEndTimestamp(1_000_000_000 + pcommon.Timestamp(ms*1e6))
	s.Attributes().PutStr("http.route", route)
	s.Attributes().PutInt(contract.AttrRequestDBQueries, queries)
	s.Attributes().PutDouble(contract.AttrRequestDBDuration, dbMs)
	return td
}

// TestRequestDBDurationIsWallTime: a request's database time is its queries'
// wall time, overlaps counted once; spans annotated before the wall time
// existed give their summed time, capped at the request's duration.
func TestRequestDBDurationIsWallTime(t *testing.T) {
	tests := []struct {
		name        string
		ms, sumMs   float64
		wallMs      float64 // < 0: not written
		wantSeconds float64
	}{
		{"sequential queries", 200, 50, 50, 0.05},
		{"parallel queries", 200, 300, 120, 0.12},
		{"no wall time: the sum", 200, 50, -1, 0.05},
		{"no wall time: the sum, capped", 200, 300, -1, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, sink, clock := newTestConnector(t, nil)
			ctx := context.Background()
			td := requestTrace(1, "shop", "/books", 3, tt.ms, tt.sumMs)
			if tt.wallMs >= 0 {
				td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutDouble(contract.AttrRequestDBWallDuration, tt.wallMs)
			}
			if err := c.ConsumeTraces(ctx, td); err != nil {
				t.Fatal(err)
			}
			clock.t = clock.t.Add(time.Minute)
			c.flush(ctx)
			found := false
			for _, p := range points(sink.AllMetrics()[len(sink.AllMetrics())-1]) {
				if p.metric == contract.MetricRequestDBDuration {
					found = true
					if p.value != 1 || math.Abs(p.sum-tt.wantSeconds) > 1e-12 {
						t.Errorf("%v requests, %vs; want 1, %vs", p.value, p.sum, tt.wantSeconds)
					}
				}
			}
			if !found {
				t.Errorf("no %s point", contract.MetricRequestDBDuration)
			}
			_ = c.Shutdown(ctx)
		})
	}
}

// TestRequestQueriesMax follows querylens.request.db_queries.max and the
// exemplar of querylens.request.db_queries over flushes: each flush reports
// the most queries of one request in its interval and the one before, then
// withdraws the value once, then reports nothing; the exemplar is the
// heaviest request of the interval, kept while no other comes.
func TestRequestQueriesMax(t *testing.T) {
	type request struct {
		id      byte
		queries int64
	}
	steps := []struct {
		requests     []request
		want         float64 // the gauge's value
		withdrawn    bool    // a point with no recorded value
		none         bool    // no point at all
		wantExemplar byte    // trace of the queries histogram's exemplar
		wantCount    float64 // cumulative requests
	}{
		{requests: []request{{1, 3}, {2, 40}, {3, 7}}, want: 40, wantExemplar: 2, wantCount: 3},
		{requests: []request{{4, 5}}, want: 40, wantExemplar: 4, wantCount: 4},        // the previous interval still counts
		{requests: []request{{5, 2}, {6, 2}}, want: 5, wantExemplar: 6, wantCount: 6}, // the latest of equals
		{want: 2, wantExemplar: 6, wantCount: 6},                                      // kept one more flush
		{withdrawn: true, wantExemplar: 6, wantCount: 6},                              // then withdrawn
		{none: true, wantExemplar: 6, wantCount: 6},                                   // and no more
		{requests: []request{{7, 0}}, want: 0, wantExemplar: 7, wantCount: 7},         // a request without queries
		{requests: []request{{8, 9}, {9, 1000}}, want: 1000, wantExemplar: 9, wantCount: 9},
	}
	c, sink, clock := newTestConnector(t, func(cfg *Config) { cfg.FlushInterval = 10 * time.Second; cfg.Expiration = time.Hour })
	ctx := context.Background()
	route := func(a map[string]any) bool { return a["service.name"] == "shop" && a["http.route"] == "/books" }
	for i, step := range steps {
		for _, r := range step.requests {
			_ = c.ConsumeTraces(ctx, requestTrace(r.id, "shop", "/books", r.queries, 10, 1))
		}
		clock.t = clock.t.Add(10 * time.Second)
		c.flush(ctx)
		md := sink.AllMetrics()[len(sink.AllMetrics())-1]
		var gauges []point
		for _, p := range points(md) {
			switch {
			case p.metric == contract.MetricRequestQueriesMax && route(p.attrs):
				gauges = append(gauges, p)
			case p.metric == contract.MetricRequestQueries && route(p.attrs):
				if p.value != step.wantCount || len(p.exemplars) != 1 || p.exemplars[0] != (pcommon.TraceID{step.wantExemplar}).String()+"/"+(pcommon.SpanID{step.wantExemplar}).String() {
					t.Errorf("flush %d: %v requests, exemplar %v; want %v requests, exemplar of trace %d", i+1, p.value, p.exemplars, step.wantCount, step.wantExemplar)
				}
			}
		}
		switch {
		case step.none:
			if len(gauges) != 0 {
				t.Errorf("flush %d: %+v, want no point", i+1, gauges)
			}
		case len(gauges) != 1:
			t.Errorf("flush %d: %d points, want 1", i+1, len(gauges))
		case gauges[0].noValue != step.withdrawn || (!step.withdrawn && gauges[0].value != step.want):
			t.Errorf("flush %d: %v (no recorded value: %v), want %v (withdrawn: %v)", i+1, gauges[0].value, gauges[0].noValue, step.want, step.withdrawn)
		}
	}
	_ = c.Shutdown(ctx)
}

// TestRequestQueriesMaxWithdrawals: series that go quiet at the same flush are
// each withdrawn in a metric of their own (the Prometheus exporter reads no
// point of a gauge after one with no recorded value), beside the series that
// still report; and a series does not expire before its value is withdrawn.
func TestRequestQueriesMaxWithdrawals(t *testing.T) {
	c, sink, clock := newTestConnector(t, func(cfg *Config) { cfg.FlushInterval = 10 * time.Second; cfg.Expiration = 10 * time.Second })
	ctx := context.Background()
	flush := func(requests ...ptrace.Traces) pmetric.Metrics {
		for _, td := range requests {
			_ = c.ConsumeTraces(ctx, td)
		}
		clock.t = clock.t.Add(10 * time.Second)
		c.flush(ctx)
		return sink.AllMetrics()[len(sink.AllMetrics())-1]
	}
	flush(requestTrace(1, "shop", "/a", 4, 10, 1), requestTrace(2, "shop", "/b", 6, 10, 1), requestTrace(3, "billing", "/c", 8, 10, 1))
	flush(requestTrace(4, "billing", "/c", 1, 10, 1))
	md := flush(requestTrace(5, "billing", "/c", 2, 10, 1))

	type gaugeMetric struct {
		values   []string
		withheld int
	}
	var metrics []gaugeMetric
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := 0; i < ms.Len(); i++ {
		if ms.At(i).Name() != contract.MetricRequestQueriesMax {
			continue
		}
		var g gaugeMetric
		dps := ms.At(i).Gauge().DataPoints()
		for j := 0; j < dps.Len(); j++ {
			route, _ := dps.At(j).Attributes().Get("http.route")
			if dps.At(j).Flags().NoRecordedValue() {
				g.withheld++
				g.values = append(g.values, route.Str()+"=withdrawn")
			} else {
				g.values = append(g.values, fmt.Sprintf("%s=%d", route.Str(), dps.At(j).IntValue()))
			}
		}
		metrics = append(metrics, g)
	}
	want := []gaugeMetric{{values: []string{"/c=2"}}, {values: []string{"/a=withdrawn"}, withheld: 1}, {values: []string{"/b=withdrawn"}, withheld: 1}}
	if !reflect.DeepEqual(metrics, want) {
		t.Errorf("gauges of the third flush: %+v, want %+v", metrics, want)
	}
	// Expiration is one flush interval: /a and /b stayed until their
	// withdrawal, and go at the next flush.
	if len(c.requests) != 3 {
		t.Errorf("%d request series after the withdrawal, want all 3", len(c.requests))
	}
	flush()
	if _, ok := c.requests[requestKey{"shop", "/a"}]; ok || len(c.requests) != 1 {
		t.Errorf("request series %v, want only billing /c", c.requests)
	}
	_ = c.Shutdown(ctx)
}

// dbTrace is one request with n queries on n distinct tables.
func dbTrace(id byte, service string, n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := 0; i < n; i++ {
		s := spans.AppendEmpty()
		s.SetTraceID(pcommon.TraceID{id})
		s.SetSpanID(pcommon.SpanID{id, byte(i)})
		s.SetStartTimestamp(1000)
		s.SetEndTimestamp(2000)
		s.Attributes().PutStr("db.system.name", "postgresql")
		stmt := fmt.Sprintf("SELECT id FROM table_%d", i)
		s.Attributes().PutStr("db.query.text", stmt)
		s.Attributes().PutStr(contract.AttrFingerprint, fmt.Sprintf("%016x", i+1))
		s.Attributes().PutStr(contract.AttrStatement, stmt) // what the processor writes: it has no literal
	}
	return td
}

func TestFingerprintsOverflowToOther(t *testing.T) {
	c, sink, _ := newTestConnector(t, func(cfg *Config) { cfg.MaxFingerprints = 5 })
	ctx := context.Background()
	_ = c.ConsumeTraces(ctx, dbTrace(1, "shop", 50)) // 10x max_fingerprints
	_ = c.ConsumeTraces(ctx, dbTrace(2, "billing", 3))
	_ = c.Shutdown(ctx)
	ps := points(sink.AllMetrics()[0])
	shop := func(a map[string]any) bool { return a["service.name"] == "shop" }
	if got := total(ps, contract.MetricDBQueries, shop); got != 50 {
		t.Errorf("shop counted %v queries, want all 50", got)
	}
	if got := total(ps, contract.MetricDBQueries, func(a map[string]any) bool { return shop(a) && a["querylens.fingerprint"] == "other" }); got != 45 {
		t.Errorf("%v queries under other, want 45", got)
	}
	series := 0
	for _, p := range ps {
		if p.metric == contract.MetricDBQueries && shop(p.attrs) {
			series++
		}
	}
	if series != 6 {
		t.Errorf("shop has %d series, want 5 fingerprints and other", series)
	}
	if got := total(ps, contract.MetricDBQueries, func(a map[string]any) bool {
		return a["service.name"] == "billing" && a["querylens.fingerprint"] != "other"
	}); got != 3 {
		t.Errorf("billing has its own budget: %v", got)
	}
}

func TestSeriesExpire(t *testing.T) {
	c, sink, clock := newTestConnector(t, func(cfg *Config) { cfg.Expiration = time.Minute; cfg.FlushInterval = 10 * time.Second })
	ctx := context.Background()
	_ = c.ConsumeTraces(ctx, dbTrace(1, "shop", 3))
	clock.t = clock.t.Add(30 * time.Second)
	_ = c.ConsumeTraces(ctx, dbTrace(2, "shop", 1)) // refreshes fingerprint 1 only
	clock.t = clock.t.Add(45 * time.Second)         // 75s after the first, 45s after the second
	c.flush(ctx)
	ps := points(sink.AllMetrics()[0])
	if got := total(ps, contract.MetricDBQueries, nil); got != 2 {
		t.Errorf("after expiry %v queries left, want the 2 of the refreshed series", got)
	}
	if len(c.admitted["shop"]) != 1 || len(c.info) != 1 {
		t.Errorf("expired fingerprints kept: admitted %v, info %d", c.admitted, len(c.info))
	}
	clock.t = clock.t.Add(time.Hour)
	c.flush(ctx)
	if len(sink.AllMetrics()) != 1 || len(c.queries) != 0 {
		t.Errorf("everything expired, yet %d series remain", len(c.queries))
	}
	_ = c.Shutdown(ctx)
}

func TestConfigValidation(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxFingerprints = 0
	cfg.DurationBuckets = []float64{1, 1}
	cfg.Expiration = time.Second
	err := confmap.Validate(cfg)
	for _, want := range []string{"max_fingerprints must be at least 1, got 0", "duration_buckets must be a non-empty list of strictly increasing bounds", "metrics_expiration must be at least metrics_flush_interval"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

func TestStartFlushesPeriodically(t *testing.T) {
	c, sink, _ := newTestConnector(t, func(cfg *Config) { cfg.FlushInterval = 10 * time.Millisecond })
	ctx := context.Background()
	if err := c.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	_ = c.ConsumeTraces(ctx, dbTrace(1, "shop", 2))
	deadline := time.Now().Add(5 * time.Second)
	for len(sink.AllMetrics()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	_ = c.Shutdown(ctx)
	if len(sink.AllMetrics()) < 2 {
		t.Fatal("no periodic flush")
	}
	// Cumulative: every flush repeats the totals.
	for _, md := range sink.AllMetrics() {
		if got := total(points(md), contract.MetricDBQueries, nil); got != 2 {
			t.Errorf("a flush holds %v queries, want the cumulative 2", got)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	load := func(name string) (*Config, error) {
		cfg := createDefaultConfig().(*Config)
		sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
		if err != nil {
			return nil, err
		}
		if err := sub.Unmarshal(cfg); err != nil {
			return nil, err
		}
		return cfg, confmap.Validate(cfg)
	}
	if cfg, err := load(""); err != nil || !reflect.DeepEqual(cfg, createDefaultConfig()) {
		t.Errorf("defaults: %+v %v", cfg, err)
	}
	cfg, err := load("custom")
	want := &Config{FlushInterval: 30 * time.Second, Expiration: 10 * time.Minute, MaxFingerprints: 200, MaxStatementLength: 256,
		DurationBuckets: []float64{0.001, 0.01, 0.1, 1}, QueryCountBuckets: []float64{1, 10, 100}, RequestDurationBuckets: []float64{0.01, 0.1, 1, 10}}
	if err != nil || !reflect.DeepEqual(cfg, want) {
		t.Errorf("custom: %+v %v", cfg, err)
	}
	_, err = load("invalid")
	for _, w := range []string{"metrics_flush_interval must be positive, got 0s", "max_fingerprints must be at least 1, got 0",
		"duration_buckets must be a non-empty list of strictly increasing bounds, got [1 0.5]",
		"request_duration_buckets must be a non-empty list of strictly increasing bounds, got []"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not say %q", err, w)
		}
	}
}

// TestGapQueries: the queries that ran in no request (a database span with no
// parent, as the processor marks it) are counted per service, with an
// exemplar that opens such a trace, and are no request.
func TestGapQueries(t *testing.T) {
	c, sink, _ := newTestConnector(t, nil)
	ctx := context.Background()
	for id, queries := range []int64{1, 3} {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "auth")
		s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{byte(id + 1)})
		s.SetSpanID(pcommon.SpanID{byte(id + 1)})
		s.SetKind(ptrace.SpanKindClient)
		s.Attributes().PutStr("db.system.name", "postgresql")
		s.Attributes().PutInt(contract.AttrGapDBQueries, queries)
		if err := c.ConsumeTraces(ctx, td); err != nil {
			t.Fatal(err)
		}
	}
	c.flush(ctx)
	ps := points(sink.AllMetrics()[len(sink.AllMetrics())-1])
	auth := func(a map[string]any) bool { return a["service.name"] == "auth" }
	if got := total(ps, contract.MetricGapDBQueries, auth); got != 4 {
		t.Errorf("gap queries %v, want 4", got)
	}
	if got := total(ps, contract.MetricRequestQueries, nil); got != 0 {
		t.Errorf("%v requests, want none", got)
	}
	for _, p := range ps {
		if p.metric == contract.MetricGapDBQueries && (len(p.exemplars) != 1 || p.exemplars[0] != pcommon.TraceID{2}.String()+"/"+pcommon.SpanID{2}.String()) {
			t.Errorf("exemplars %v", p.exemplars)
		}
	}
}
