package querylensconnector

import (
	"context"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/querylens/querylens/connector/querylensconnector/internal/metadata"
	"github.com/querylens/querylens/internal/annotate"
	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

// Attribute values used when the traces do not say.
const (
	unknownRoute        = "unknown"
	unknownService      = "unknown_service"
	overflowFingerprint = "other"
)

type querylensConnector struct {
	cfg    *Config
	logger *zap.Logger
	next   consumer.Metrics
	now    func() time.Time

	mu       sync.Mutex
	findings map[findingKey]*findingSeries
	queries  map[queryKey]*querySeries
	requests map[requestKey]*requestSeries
	gaps     map[string]*gapSeries  // by service
	info     map[string]*infoSeries // by fingerprint
	// admitted are the fingerprints each service may report, with when each
	// was last seen; past MaxFingerprints, new ones count as "other".
	admitted map[string]map[string]*admission

	// names read and what the last gate made of them: spans repeat a few
	// services, systems, routes and types (held as copies, up to a bound)
	names map[string]string

	overflow metric.Int64Counter
	series   metric.Int64ObservableGauge
	reg      metric.Registration

	stop chan struct{}
	done sync.WaitGroup
}

var _ connector.Traces = (*querylensConnector)(nil)

func newConnector(set connector.Settings, cfg *Config, next consumer.Metrics) (*querylensConnector, error) {
	c := &querylensConnector{
		cfg:      cfg,
		logger:   set.Logger,
		next:     next,
		now:      time.Now,
		findings: map[findingKey]*findingSeries{},
		queries:  map[queryKey]*querySeries{},
		requests: map[requestKey]*requestSeries{},
		gaps:     map[string]*gapSeries{},
		info:     map[string]*infoSeries{},
		admitted: map[string]map[string]*admission{},
		names:    map[string]string{},
		stop:     make(chan struct{}),
	}
	meter := set.TelemetrySettings.MeterProvider.Meter(metadata.ScopeName)
	var err error
	if c.overflow, err = meter.Int64Counter(contract.TelemetryConnectorOverflow,
		metric.WithDescription("Observations counted under querylens.fingerprint=\"other\" because their service reached max_fingerprints."),
		metric.WithUnit("{observation}")); err != nil {
		return nil, err
	}
	if c.series, err = meter.Int64ObservableGauge(contract.TelemetryConnectorSeries,
		metric.WithDescription("Metric series the connector holds."), metric.WithUnit("{series}")); err != nil {
		return nil, err
	}
	if c.reg, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		c.mu.Lock()
		n := len(c.findings) + len(c.queries) + len(c.requests) + len(c.info) + len(c.gaps)
		c.mu.Unlock()
		o.ObserveInt64(c.series, int64(n))
		return nil
	}, c.series); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *querylensConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

// Start starts emitting the metrics every metrics_flush_interval.
func (c *querylensConnector) Start(context.Context, component.Host) error {
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		ticker := time.NewTicker(c.cfg.FlushInterval)
		defer ticker.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-ticker.C:
				c.flush(context.Background())
			}
		}
	}()
	return nil
}

// Shutdown emits the metrics one last time.
func (c *querylensConnector) Shutdown(ctx context.Context) error {
	select {
	case <-c.stop:
		return nil
	default:
	}
	close(c.stop)
	c.done.Wait()
	if c.reg != nil {
		_ = c.reg.Unregister()
	}
	c.flush(ctx)
	return nil
}

func (c *querylensConnector) flush(ctx context.Context) {
	md := c.collect(pcommon.NewTimestampFromTime(c.now()))
	if md.DataPointCount() == 0 {
		return
	}
	if err := c.next.ConsumeMetrics(ctx, md); err != nil {
		c.logger.Error("the next consumer refused querylens metrics", zap.Error(err))
	}
}

// ConsumeTraces counts what the querylens processor wrote into the spans.
func (c *querylensConnector) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	now := pcommon.NewTimestampFromTime(c.now())
	overflowed := 0
	c.mu.Lock()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		service := unknownService
		if v, ok := rs.Resource().Attributes().Get(contract.AttrServiceName); ok && v.AsString() != "" {
			service = c.name(v.AsString()) // a label: through the last gate
		}
		res := resourceState{service: service}
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				overflowed += c.consumeSpan(&res, spans.At(k), now)
			}
		}
	}
	c.mu.Unlock()
	if overflowed > 0 {
		c.overflow.Add(ctx, int64(overflowed))
	}
	return nil
}

// spanAttributes are the attributes of a span the connector reads: what the
// processor wrote, and the database system and route. What becomes a label
// goes through the last gate (sqlnorm.SafeName): a span may come from
// elsewhere than this collector's querylens.
type spanAttributes struct {
	fingerprint, statement, system, oldSystem, route string
	dbQueries, gapQueries                            int64
	dbDurationMs, dbWallMs                           float64
	hasDBWall                                        bool
	isRequest                                        bool
}

func readSpan(attrs pcommon.Map) spanAttributes {
	var a spanAttributes
	attrs.Range(func(k string, v pcommon.Value) bool {
		switch k {
		case contract.AttrFingerprint:
			a.fingerprint = v.Str() // checked as one when admitted
		case contract.AttrStatement:
			a.statement = v.Str()
		case "db.system.name":
			a.system = v.AsString()
		case "db.system":
			a.oldSystem = v.AsString()
		case "http.route":
			if a.route == "" {
				a.route = v.AsString()
			}
		case contract.AttrRequestRoute:
			a.route = v.AsString() // the route found below a root that records none
		case contract.AttrRequestDBQueries:
			a.dbQueries, a.isRequest = v.Int(), true
		case contract.AttrGapDBQueries:
			a.gapQueries = v.Int()
		case contract.AttrRequestDBDuration:
			a.dbDurationMs, _ = annotate.Number(v)
		case contract.AttrRequestDBWallDuration:
			a.dbWallMs, a.hasDBWall = annotate.Number(v)
		}
		return true
	})
	if a.system == "" {
		a.system = a.oldSystem
	}
	return a
}

// resourceState is what the spans of one resource share, looked up once for
// them all: their service, its admitted fingerprints, the last database
// system's label.
type resourceState struct {
	service               string
	admitted              map[string]*admission
	systemRaw, systemSafe string
	hasSystem             bool
	overflow              *querySeries
	overflowSystem        string
}

// overflowSeries is the query series of the resource's service's
// fingerprints past max_fingerprints, of a database system (a label): found
// once for the spans that follow.
func (r *resourceState) overflowSeries(c *querylensConnector, system string, now pcommon.Timestamp) *querySeries {
	if r.overflow == nil || r.overflowSystem != system {
		r.overflow, r.overflowSystem = c.querySeries(queryKey{r.service, system, overflowFingerprint}, now), system
	} else {
		r.overflow.last = now
	}
	return r.overflow
}

// system is the label of a database system, raw as a span records it.
func (r *resourceState) system(c *querylensConnector, raw string) string {
	if !r.hasSystem || raw != r.systemRaw {
		r.systemRaw, r.systemSafe, r.hasSystem = raw, c.name(raw), true
	}
	return r.systemSafe
}

// consumeSpan counts one span; it returns the observations that overflowed.
func (c *querylensConnector) consumeSpan(res *resourceState, span ptrace.Span, now pcommon.Timestamp) int {
	service := res.service
	overflowed := 0
	a := readSpan(span.Attributes())
	if a.fingerprint != "" {
		a.system = res.system(c, a.system) // a label
		if res.admitted == nil {
			res.admitted = c.admittedOf(service)
		}
		var s *querySeries
		if adm := c.admissionIn(res.admitted, a.fingerprint, now); adm != nil {
			s = c.countQuery(service, adm, a.statement, a.system, now)
		} else {
			overflowed++
			s = res.overflowSeries(c, a.system, now)
		}
		s.queries.value++
		s.duration.observe(c.cfg.DurationBuckets, seconds(span))
	}
	if a.isRequest {
		route := c.name(a.route)
		if a.route == "" {
			route = traceview.Route(traceview.Kind(span.Kind()), span.Name(), "")
		}
		if route == "" {
			route = unknownRoute
		}
		s := c.requestSeries(requestKey{service, route}, now)
		traceID, spanID, end := span.TraceID(), span.SpanID(), span.EndTimestamp()
		// Parallel queries overlap: their summed duration can pass the
		// request's. Database time is the wall time, overlaps counted once,
		// so that database time over request time is a share. Spans that a
		// querylens before the wall time annotated have only the sum: capped.
		queries, duration := float64(a.dbQueries), seconds(span)
		dbDuration := min(a.dbDurationMs/1e3, duration)
		if a.hasDBWall {
			dbDuration = min(a.dbWallMs/1e3, duration)
		}
		s.queries.observe(c.cfg.QueryCountBuckets, queries)
		s.queries.ex.recordMax(traceID, spanID, queries, end)
		s.duration.observe(c.cfg.RequestDurationBuckets, duration)
		s.duration.ex.recordMax(traceID, spanID, duration, end)
		s.dbDuration.observe(c.cfg.RequestDurationBuckets, dbDuration)
		s.dbDuration.ex.recordMax(traceID, spanID, dbDuration, end)
		s.peak.observe(a.dbQueries)
	}
	if a.gapQueries > 0 {
		s := c.gaps[service]
		if s == nil {
			s = &gapSeries{life: life{start: now}}
			c.gaps[service] = s
		}
		s.last = now
		s.queries.value += a.gapQueries
		s.queries.ex.record(span.TraceID(), span.SpanID(), float64(a.gapQueries), now)
	}
	events := span.Events()
	for e := 0; e < events.Len(); e++ {
		if ev := events.At(e); ev.Name() == contract.EventFinding {
			overflowed += c.consumeFinding(service, span, ev.Attributes(), now)
		}
	}
	return overflowed
}

// attrString is an attribute as a string, "" when it is not there.
func attrString(attrs pcommon.Map, k string) string {
	if v, ok := attrs.Get(k); ok {
		return v.AsString()
	}
	return ""
}

func (c *querylensConnector) consumeFinding(service string, span ptrace.Span, attrs pcommon.Map, now pcommon.Timestamp) int {
	// What the event says becomes labels: through the last gate.
	num := func(k string) (float64, bool) {
		if v, ok := attrs.Get(k); ok {
			return annotate.Number(v)
		}
		return 0, false
	}
	overflowed := 0
	fp := c.admit(service, attrString(attrs, contract.AttrFingerprint), now)
	if fp == overflowFingerprint {
		overflowed++
	} else if v, ok := attrs.Get(contract.AttrStatement); ok {
		c.describe(fp, v.AsString(), "", now)
	}
	route := c.name(attrString(attrs, contract.AttrRoute))
	if route == "" {
		route = unknownRoute
	}
	count, _ := num(contract.AttrCount)
	wasted, ok := num(contract.AttrWastedQueries)
	if !ok {
		wasted = max(count-1, 0)
	}
	durationMs, _ := num(contract.AttrTotalDuration)
	s := c.findingSeries(findingKey{service, c.name(attrString(attrs, contract.AttrFindingType)), fp, route}, now)
	s.findings.value++
	s.findings.ex.record(span.TraceID(), span.SpanID(), 1, now)
	s.wasted.value += int64(wasted)
	if wasted > 0 {
		s.wasted.ex.record(span.TraceID(), span.SpanID(), wasted, now)
	}
	s.duration.observe(c.cfg.DurationBuckets, durationMs/1e3)
	s.duration.ex.record(span.TraceID(), span.SpanID(), durationMs/1e3, now)
	return overflowed
}

// name is a name read from a span as a label: through the last gate
// (sqlnorm.SafeName), remembered.
func (c *querylensConnector) name(raw string) string {
	if safe, ok := c.names[raw]; ok {
		return safe
	}
	safe := sqlnorm.SafeName(raw)
	if len(raw) <= sqlnorm.MaxNameBytes {
		if len(c.names) >= 4096 {
			clear(c.names)
		}
		c.names[strings.Clone(raw)] = safe
	}
	return safe
}

// admit returns the fingerprint to count an observation under: its own, or
// "other" once its service has MaxFingerprints others. A fingerprint new to
// its service must be one (16 hex digits): what a span claims is a
// fingerprint becomes a label.
func (c *querylensConnector) admit(service, fp string, now pcommon.Timestamp) string {
	if fp == "" {
		return ""
	}
	if a := c.admission(service, fp, now); a != nil {
		return a.fp
	}
	return overflowFingerprint
}

// admission is admit's record of a fingerprint of a service, seen now; nil
// when it counts as "other". fp is not empty.
func (c *querylensConnector) admission(service, fp string, now pcommon.Timestamp) *admission {
	return c.admissionIn(c.admittedOf(service), fp, now)
}

// admittedOf is the set of fingerprints admitted for a service.
func (c *querylensConnector) admittedOf(service string) map[string]*admission {
	set := c.admitted[service]
	if set == nil {
		set = map[string]*admission{}
		c.admitted[service] = set
	}
	return set
}

// admissionIn is admission in the service's set.
func (c *querylensConnector) admissionIn(set map[string]*admission, fp string, now pcommon.Timestamp) *admission {
	a, ok := set[fp]
	if !ok {
		// A span's fingerprint that is none is admitted as what the last
		// gate makes of it.
		if safe := sqlnorm.SafeFingerprint(fp); safe != fp {
			fp = safe
			a, ok = set[fp]
		}
	}
	if !ok {
		if len(set) >= c.cfg.MaxFingerprints {
			return nil
		}
		a = &admission{fp: fp}
		set[fp] = a
	}
	a.last = now
	return a
}

// admission is a fingerprint a service may report: when it was last seen,
// and, found once for the spans that follow, its info series and its query
// series of the last database system seen (expire forgets those it drops).
type admission struct {
	last   pcommon.Timestamp
	fp     string
	info   *infoSeries
	system string
	query  *querySeries
}

// countQuery counts one database span of a service whose fingerprint was
// admitted as a: its statement described, its query series found through a.
func (c *querylensConnector) countQuery(service string, a *admission, statement, system string, now pcommon.Timestamp) *querySeries {
	if a.info != nil {
		c.describeInfo(a.info, system, now)
	} else {
		a.info = c.describe(a.fp, statement, system, now)
	}
	if a.query == nil || a.system != system {
		a.query, a.system = c.querySeries(queryKey{service, system, a.fp}, now), system
	} else {
		a.query.last = now
	}
	return a.query
}

// describe keeps the statement of a fingerprint for querylens.fingerprint.info,
// as the processor wrote it (never normalized here); a database span also
// tells its system, which a finding event does not. A fingerprint is
// described once its statement is known.
func (c *querylensConnector) describe(fp, statement, system string, now pcommon.Timestamp) *infoSeries {
	s, ok := c.info[fp]
	if !ok {
		if statement == "" {
			return nil
		}
		s = &infoSeries{life: life{start: now}, statement: sqlnorm.SafeText(statement, c.cfg.MaxStatementLength)}
		c.info[fp] = s
	}
	c.describeInfo(s, system, now)
	return s
}

// describeInfo notes a fingerprint's system, when its series has none yet,
// and that it was seen now.
func (c *querylensConnector) describeInfo(s *infoSeries, system string, now pcommon.Timestamp) {
	if s.system == "" {
		s.system = system
	}
	s.last = now
}

func (c *querylensConnector) findingSeries(k findingKey, now pcommon.Timestamp) *findingSeries {
	s, ok := c.findings[k]
	if !ok {
		s = &findingSeries{life: life{start: now}, duration: newHistogram(c.cfg.DurationBuckets)}
		c.findings[k] = s
	}
	s.last = now
	return s
}

func (c *querylensConnector) querySeries(k queryKey, now pcommon.Timestamp) *querySeries {
	s, ok := c.queries[k]
	if !ok {
		s = &querySeries{life: life{start: now}, duration: newHistogram(c.cfg.DurationBuckets)}
		c.queries[k] = s
	}
	s.last = now
	return s
}

func (c *querylensConnector) requestSeries(k requestKey, now pcommon.Timestamp) *requestSeries {
	s, ok := c.requests[k]
	if !ok {
		s = &requestSeries{life: life{start: now}, queries: newHistogram(c.cfg.QueryCountBuckets),
			duration: newHistogram(c.cfg.RequestDurationBuckets), dbDuration: newHistogram(c.cfg.RequestDurationBuckets), peak: newPeak()}
		c.requests[k] = s
	}
	s.last = now
	return s
}

func seconds(span ptrace.Span) float64 {
	if span.EndTimestamp() <= span.StartTimestamp() {
		return 0
	}
	return float64(span.EndTimestamp()-span.StartTimestamp()) / 1e9
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}
