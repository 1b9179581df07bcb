package querylensprocessor

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/suggest"
	"github.com/querylens/querylens/internal/traceview"
)

// LogConfig sets what the processor writes to the collector's log.
type LogConfig struct {
	// FindingsPerSecond is the most `querylens finding` lines written in a
	// second; the findings past it are counted, and said in one line when
	// the second is over (every finding is still in its trace, the metrics
	// and the page). 0 writes no finding line. Default 100.
	FindingsPerSecond int `mapstructure:"findings_per_second"`
	// GapInterval is how often, at most, one line per service says that its
	// queries ran in no request (an instrumentation gap), with how many and
	// how its ORM gets the request's context. Default 1m.
	GapInterval time.Duration `mapstructure:"gap_interval"`
}

// Validate names each setting out of range and what it allows.
func (c *LogConfig) Validate() error {
	var errs []error
	if c.FindingsPerSecond < 0 {
		errs = append(errs, fmt.Errorf("findings_per_second must be 0 (no finding line) or more, got %d", c.FindingsPerSecond))
	}
	if c.GapInterval < time.Second {
		errs = append(errs, fmt.Errorf("gap_interval must be at least 1s (a duration with its unit, such as 1m), got %s", c.GapInterval))
	}
	return errors.Join(errs...)
}

// findingLog writes one line per finding, at most perSecond a second. Each
// line's message holds the finding's type and id: the collector samples its
// log by message (by default, past 10 lines of one message in 10 s, one in
// 100), and findings of one message would mostly be sampled away.
type findingLog struct {
	logger    *zap.Logger
	perSecond int
	now       func() time.Time

	mu      sync.Mutex
	second  int64 // the second being counted, in unix seconds
	written int
	skipped int
}

func (l *findingLog) write(t *traceview.Trace, f *detect.Finding) {
	if l.perSecond == 0 {
		return
	}
	if !l.admit() {
		return
	}
	l.logger.Info("querylens finding "+f.Type+" "+f.ID,
		zap.String("trace_id", t.ID.String()),
		zap.String("type", f.Type),
		zap.Int("count", f.Count),
		zap.String("service", t.Spans[f.Anchor].Service),
		zap.String("route", f.Route),
		zap.String("statement", f.Statement),
		zap.String("fingerprint", f.Fingerprint),
		zap.String("finding_id", f.ID),
		zap.Float64("total_duration_ms", milliseconds(f.TotalDuration)),
		zap.Float64("wasted_ms", milliseconds(f.WastedDuration)),
	)
}

// admit counts a finding in the current second: true when its line may be
// written. The first finding of a new second says how many of the last one
// were not written.
func (l *findingLog) admit() bool {
	l.mu.Lock()
	now := l.now().Unix()
	var skipped int
	if now != l.second {
		skipped = l.skipped
		l.second, l.written, l.skipped = now, 0, 0
	}
	ok := l.written < l.perSecond
	if ok {
		l.written++
	} else {
		l.skipped++
	}
	l.mu.Unlock()
	if skipped > 0 {
		l.logSkipped(skipped)
	}
	return ok
}

// flush says how many findings of the current second were not written.
func (l *findingLog) flush() {
	l.mu.Lock()
	skipped := l.skipped
	l.skipped = 0
	l.mu.Unlock()
	if skipped > 0 {
		l.logSkipped(skipped)
	}
}

func (l *findingLog) logSkipped(n int) {
	l.logger.Info("querylens findings not logged: more than log.findings_per_second in one second",
		zap.Int("findings", n), zap.Int("findings_per_second", l.perSecond))
}

// gapLog says, once per interval and service at most, that queries ran in no
// request, and how the service's ORM gets the request's context.
type gapLog struct {
	logger   *zap.Logger
	interval time.Duration
	now      func() time.Time

	mu        sync.Mutex
	byService map[string]*gapCount
}

type gapCount struct {
	last    time.Time // of the last line; zero before the first
	queries int       // since it
}

// maxGapServices bounds the services the gap log remembers: past it, the
// oldest are forgotten (and may be said again sooner).
const maxGapServices = 1000

func (l *gapLog) add(gaps []engine.Gap) {
	if len(gaps) == 0 {
		return
	}
	now := l.now()
	type line struct {
		service string
		queries int
		advice  string
	}
	var lines []line
	l.mu.Lock()
	for _, g := range gaps {
		c := l.byService[g.Service]
		if c == nil {
			if len(l.byService) >= maxGapServices {
				clear(l.byService)
			}
			c = &gapCount{}
			l.byService[g.Service] = c
		}
		c.queries += g.Queries
		if c.last.IsZero() || now.Sub(c.last) >= l.interval {
			lines = append(lines, line{g.Service, c.queries, suggest.ContextAdvice(g.Context)})
			c.last, c.queries = now, 0
		}
	}
	l.mu.Unlock()
	for _, ln := range lines {
		l.logger.Warn("querylens instrumentation gap: database queries ran in no request, so no loop can be seen in them",
			zap.String("service", ln.service), zap.Int("queries_since_last_line", ln.queries), zap.String("advice", ln.advice))
	}
}

func milliseconds(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
