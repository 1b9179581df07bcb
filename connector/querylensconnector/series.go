package querylensconnector

import (
	"sort"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/querylens/querylens/internal/contract"
)

// exemplar is an observation of a series that can open its trace: the last
// one (record), or the largest since the previous flush (recordMax). It is
// kept across flushes, so a scrape between two observations still sees it.
type exemplar struct {
	set     bool
	fresh   bool // recorded since the previous flush
	traceID pcommon.TraceID
	spanID  pcommon.SpanID
	value   float64
	time    pcommon.Timestamp
}

func (e *exemplar) record(traceID pcommon.TraceID, spanID pcommon.SpanID, value float64, t pcommon.Timestamp) {
	*e = exemplar{set: true, fresh: true, traceID: traceID, spanID: spanID, value: value, time: t}
}

// recordMax keeps the observation if it is the largest since the previous
// flush (the latest of equals): the exemplar opens the heaviest trace of each
// flush interval.
func (e *exemplar) recordMax(traceID pcommon.TraceID, spanID pcommon.SpanID, value float64, t pcommon.Timestamp) {
	if !e.fresh || value >= e.value {
		e.record(traceID, spanID, value, t)
	}
}

func (e *exemplar) writeTo(dst pmetric.ExemplarSlice, asInt bool) {
	e.fresh = false
	if !e.set {
		return
	}
	x := dst.AppendEmpty()
	x.SetTraceID(e.traceID)
	x.SetSpanID(e.spanID)
	x.SetTimestamp(e.time)
	if asInt {
		x.SetIntValue(int64(e.value))
	} else {
		x.SetDoubleValue(e.value)
	}
}

// counter is a cumulative sum.
type counter struct {
	value int64
	ex    exemplar
}

// histogram is a cumulative explicit-bucket histogram.
type histogram struct {
	counts   []uint64 // len(bounds)+1
	sum      float64
	count    uint64
	min, max float64
	ex       exemplar
}

func newHistogram(bounds []float64) histogram {
	return histogram{counts: make([]uint64, len(bounds)+1)}
}

func (h *histogram) observe(bounds []float64, v float64) {
	// bucket i holds (bounds[i-1], bounds[i]]
	h.counts[sort.SearchFloat64s(bounds, v)]++
	if h.count == 0 || v < h.min {
		h.min = v
	}
	if h.count == 0 || v > h.max {
		h.max = v
	}
	h.sum += v
	h.count++
}

func (h *histogram) writeTo(dp pmetric.HistogramDataPoint, bounds []float64) {
	dp.ExplicitBounds().FromRaw(bounds)
	dp.BucketCounts().FromRaw(h.counts)
	dp.SetSum(h.sum)
	dp.SetCount(h.count)
	dp.SetMin(h.min)
	dp.SetMax(h.max)
	h.ex.writeTo(dp.Exemplars(), false)
}

// life is when a series started (its cumulative start time) and when it last
// received data (for expiry).
type life struct {
	start, last pcommon.Timestamp
}

type findingKey struct{ service, findingType, fingerprint, route string }

type findingSeries struct {
	life
	findings, wasted counter
	duration         histogram
}

type queryKey struct{ service, system, fingerprint string }

type querySeries struct {
	life
	queries  counter
	duration histogram
}

// gapSeries counts a service's queries that ran in no request.
type gapSeries struct {
	life
	queries counter
}

type requestKey struct{ service, route string }

func (k requestKey) setAttributes(attrs pcommon.Map) {
	attrs.PutStr(contract.AttrServiceName, k.service)
	attrs.PutStr(contract.AttrRoute, k.route)
}

type requestSeries struct {
	life
	queries              histogram // database queries per request
	duration, dbDuration histogram // the request's own duration and its database time, in seconds
	peak                 peak      // most queries of one request, for querylens.request.db_queries.max
}

// peak is the most queries one request ran in the current flush interval and
// in the previous one (-1: no request in it). Each request is so reported at
// two flushes: a scrape that comes a little late, or a scrape interval up to
// twice the flush interval, still sees it, and max_over_time over the scrapes
// is the true maximum.
type peak struct {
	current, previous int64
	// shown: the last flush reported a value, which a flush with nothing
	// to report withdraws (a data point with no recorded value).
	shown bool
}

func newPeak() peak { return peak{current: -1, previous: -1} }

func (p *peak) observe(v int64) { p.current = max(p.current, max(v, 0)) }

// flush returns what this flush reports: a value (ok), or the withdrawal of
// the value reported before (withdraw); then the interval moves on.
func (p *peak) flush() (value int64, ok, withdraw bool) {
	value = max(p.current, p.previous)
	ok = value >= 0
	withdraw = !ok && p.shown
	p.shown = ok
	p.previous, p.current = p.current, -1
	return value, ok, withdraw
}

type infoSeries struct {
	life
	statement, system string
}

// sortedKeys returns the keys of m in a stable order, for reproducible output.
func sortedKeys[K comparable, V any](m map[K]V, less func(a, b K) bool) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	return keys
}

// less compares pairs of fields in order: less(a1, b1, a2, b2, ...).
func less(pairs ...string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] != pairs[i+1] {
			return pairs[i] < pairs[i+1]
		}
	}
	return false
}
