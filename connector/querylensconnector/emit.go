package querylensconnector

import (
	"maps"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/querylens/querylens/connector/querylensconnector/internal/metadata"
	"github.com/querylens/querylens/internal/contract"
)

const requestQueriesMaxDescription = "The most database queries one request ran, in the last two flush intervals; " +
	"no value once no request came for two intervals."

// collect drops the series that expired and returns every other one as
// cumulative metrics.
func (c *querylensConnector) collect(now pcommon.Timestamp) pmetric.Metrics {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)

	md := pmetric.NewMetrics()
	sm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
	sm.Scope().SetName(metadata.ScopeName)
	ms := sm.Metrics()

	findings := sum(ms, contract.MetricFindings, "Findings of the querylens processor, by service, type, fingerprint and route.", "{finding}")
	wasted := sum(ms, contract.MetricWastedQueries, "Queries a fix would remove: all repeats but one per group finding.", "{query}")
	findingDuration := hist(ms, contract.MetricFindingDuration, "Summed duration of the spans of each finding.", "s")
	for _, k := range sortedKeys(c.findings, func(a, b findingKey) bool {
		return less(a.service, b.service, a.findingType, b.findingType, a.fingerprint, b.fingerprint, a.route, b.route)
	}) {
		s := c.findings[k]
		set := func(attrs pcommon.Map) {
			attrs.PutStr(contract.AttrServiceName, k.service)
			attrs.PutStr(contract.AttrFindingType, k.findingType)
			attrs.PutStr(contract.AttrFingerprint, k.fingerprint)
			attrs.PutStr(contract.AttrRoute, k.route)
		}
		sumPoint(findings.DataPoints(), s.life, now, set, &s.findings)
		sumPoint(wasted.DataPoints(), s.life, now, set, &s.wasted)
		hp := findingDuration.DataPoints().AppendEmpty()
		stamp(hp, s.life, now)
		set(hp.Attributes())
		s.duration.writeTo(hp, c.cfg.DurationBuckets)
	}

	queries := sum(ms, contract.MetricDBQueries, "Database queries, by service, database system and fingerprint.", "{query}")
	queryDuration := hist(ms, contract.MetricDBQueryDuration, "Duration of the database queries.", "s")
	for _, k := range sortedKeys(c.queries, func(a, b queryKey) bool {
		return less(a.service, b.service, a.system, b.system, a.fingerprint, b.fingerprint)
	}) {
		s := c.queries[k]
		set := func(attrs pcommon.Map) {
			attrs.PutStr(contract.AttrServiceName, k.service)
			attrs.PutStr(contract.AttrDBSystem, k.system)
			attrs.PutStr(contract.AttrFingerprint, k.fingerprint)
		}
		sumPoint(queries.DataPoints(), s.life, now, set, &s.queries)
		hp := queryDuration.DataPoints().AppendEmpty()
		stamp(hp, s.life, now)
		set(hp.Attributes())
		s.duration.writeTo(hp, c.cfg.DurationBuckets)
	}

	gaps := sum(ms, contract.MetricGapDBQueries, "Database queries that ran in no request: a database span with no parent, "+
		"which no loop can be seen in (the application did not pass the request's context to its ORM, or a job runs no span of its own).", "{query}")
	for _, service := range sortedKeys(c.gaps, func(a, b string) bool { return a < b }) {
		set := func(attrs pcommon.Map) { attrs.PutStr(contract.AttrServiceName, service) }
		sumPoint(gaps.DataPoints(), c.gaps[service].life, now, set, &c.gaps[service].queries)
	}

	requests := hist(ms, contract.MetricRequestQueries, "Database queries per request (local request root).", "{query}")
	requestDuration := hist(ms, contract.MetricRequestDuration, "Duration of each request: its local request root span.", "s")
	requestDBDuration := hist(ms, contract.MetricRequestDBDuration, "Database time of each request: how long at least one of its database queries ran, parallel queries counted once.", "s")
	requestQueriesMax := gauge(ms, contract.MetricRequestQueriesMax, requestQueriesMaxDescription, "{query}")
	var withdrawn []requestKey
	for _, k := range sortedKeys(c.requests, func(a, b requestKey) bool { return less(a.service, b.service, a.route, b.route) }) {
		s := c.requests[k]
		histPoint(requests.DataPoints(), s.life, now, k.setAttributes, &s.queries, c.cfg.QueryCountBuckets)
		histPoint(requestDuration.DataPoints(), s.life, now, k.setAttributes, &s.duration, c.cfg.RequestDurationBuckets)
		histPoint(requestDBDuration.DataPoints(), s.life, now, k.setAttributes, &s.dbDuration, c.cfg.RequestDurationBuckets)
		switch value, ok, withdraw := s.peak.flush(); {
		case ok:
			dp := requestQueriesMax.DataPoints().AppendEmpty()
			dp.SetTimestamp(now)
			k.setAttributes(dp.Attributes())
			dp.SetIntValue(value)
		case withdraw:
			withdrawn = append(withdrawn, k)
		}
	}
	// A series whose requests stopped loses its value: a data point with no
	// recorded value, which the Prometheus exporter takes as "drop the
	// series". Each in a metric of its own: the exporter (v0.161) reads no
	// further point of a gauge after one with no recorded value.
	for _, k := range withdrawn {
		dp := gauge(ms, contract.MetricRequestQueriesMax, requestQueriesMaxDescription, "{query}").DataPoints().AppendEmpty()
		dp.SetTimestamp(now)
		k.setAttributes(dp.Attributes())
		dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
	}

	info := ms.AppendEmpty()
	info.SetName(contract.MetricFingerprintInfo)
	info.SetDescription("The normalized statement of each fingerprint; the value is always 1.")
	gauge := info.SetEmptyGauge()
	for _, fp := range sortedKeys(c.info, func(a, b string) bool { return a < b }) {
		dp := gauge.DataPoints().AppendEmpty()
		dp.SetTimestamp(now)
		dp.SetIntValue(1)
		dp.Attributes().PutStr(contract.AttrFingerprint, fp)
		dp.Attributes().PutStr(contract.AttrStatement, c.info[fp].statement)
		dp.Attributes().PutStr(contract.AttrDBSystem, c.info[fp].system)
	}

	// Drop the metrics that have no data point.
	ms.RemoveIf(func(m pmetric.Metric) bool { return dataPoints(m) == 0 })
	return md
}

// expire drops the series, admitted fingerprints and statements that received
// nothing for metrics_expiration.
func (c *querylensConnector) expire(now pcommon.Timestamp) {
	cutoff := now - pcommon.Timestamp(c.cfg.Expiration.Nanoseconds())
	maps.DeleteFunc(c.findings, func(_ findingKey, s *findingSeries) bool { return s.last < cutoff })
	maps.DeleteFunc(c.queries, func(_ queryKey, s *querySeries) bool { return s.last < cutoff })
	// A request series not before the flush that withdraws its most-queries value.
	maps.DeleteFunc(c.requests, func(_ requestKey, s *requestSeries) bool { return s.last < cutoff && !s.peak.shown })
	maps.DeleteFunc(c.info, func(_ string, s *infoSeries) bool { return s.last < cutoff })
	maps.DeleteFunc(c.gaps, func(_ string, s *gapSeries) bool { return s.last < cutoff })
	for service, set := range c.admitted {
		for fp, a := range set {
			switch {
			case a.last < cutoff:
				delete(set, fp)
				continue
			case a.info != nil && a.info.last < cutoff: // dropped above
				a.info = nil
			}
			if a.query != nil && a.query.last < cutoff {
				a.query = nil
			}
		}
		if len(set) == 0 {
			delete(c.admitted, service)
		}
	}
}

func sum(ms pmetric.MetricSlice, name, description, unit string) pmetric.Sum {
	m := ms.AppendEmpty()
	m.SetName(name)
	m.SetDescription(description)
	m.SetUnit(unit)
	s := m.SetEmptySum()
	s.SetIsMonotonic(true)
	s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	return s
}

func hist(ms pmetric.MetricSlice, name, description, unit string) pmetric.Histogram {
	m := ms.AppendEmpty()
	m.SetName(name)
	m.SetDescription(description)
	m.SetUnit(unit)
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	return h
}

func gauge(ms pmetric.MetricSlice, name, description, unit string) pmetric.Gauge {
	m := ms.AppendEmpty()
	m.SetName(name)
	m.SetDescription(description)
	m.SetUnit(unit)
	return m.SetEmptyGauge()
}

func histPoint(dps pmetric.HistogramDataPointSlice, l life, now pcommon.Timestamp, set func(pcommon.Map), h *histogram, bounds []float64) {
	hp := dps.AppendEmpty()
	stamp(hp, l, now)
	set(hp.Attributes())
	h.writeTo(hp, bounds)
}

func sumPoint(dps pmetric.NumberDataPointSlice, l life, now pcommon.Timestamp, set func(pcommon.Map), c *counter) {
	dp := dps.AppendEmpty()
	dp.SetStartTimestamp(l.start)
	dp.SetTimestamp(now)
	set(dp.Attributes())
	dp.SetIntValue(c.value)
	c.ex.writeTo(dp.Exemplars(), true)
}

func stamp(dp pmetric.HistogramDataPoint, l life, now pcommon.Timestamp) {
	dp.SetStartTimestamp(l.start)
	dp.SetTimestamp(now)
}

func dataPoints(m pmetric.Metric) int {
	switch m.Type() {
	case pmetric.MetricTypeSum:
		return m.Sum().DataPoints().Len()
	case pmetric.MetricTypeHistogram:
		return m.Histogram().DataPoints().Len()
	case pmetric.MetricTypeGauge:
		return m.Gauge().DataPoints().Len()
	}
	return 0
}
