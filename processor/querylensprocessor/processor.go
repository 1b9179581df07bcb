package querylensprocessor

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/querylens/querylens/extension/querylensextension"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/sqlnorm"
)

const (
	// tracesPerRelease bounds how many traces go downstream in one ConsumeTraces.
	tracesPerRelease = 256
	// spansPerRelease bounds the spans of one release batch (a batch may hold
	// one trace larger than that). A worker analyzes a batch whole before any
	// of it goes on, at about 1 µs per span: 8192 spans hold the first trace
	// some 8 ms, and a tick's traces spread over the workers.
	spansPerRelease = 8192
	// maxTick is the longest interval between looks for traces due. A trace
	// waits half a tick beyond its due time on average; a tick costs a lock
	// and a look at the heads of two queues.
	maxTick = 10 * time.Millisecond
	// minTick is the shortest.
	minTick = time.Millisecond
)

// errFull is the refusal of new spans while max_held_mib is reached: the
// receiver answers with a retryable status (gRPC UNAVAILABLE, HTTP 503) and
// the sender retries.
var errFull = consumererror.NewRetryableError(errors.New("querylens holds max_held_mib of spans: retry later"))

type querylensProcessor struct {
	logger   *zap.Logger
	buffer   *traceBuffer
	delivery *deliverer
	norm     *sqlnorm.Cache
	engine   *engine.Engine
	tel      *telemetry
	// findingLines and gapLines write the findings and the instrumentation
	// gaps to the collector's log, bounded.
	findingLines *findingLog
	gapLines     *gapLog
	// subtrees is true in local_subtree; wait is wait_duration.
	subtrees bool
	wait     time.Duration
	// page is the findings page of the querylens extension, when the
	// collector runs one: every analyzed trace is recorded in it.
	page querylensextension.TraceRecorder

	tick       time.Duration
	numWorkers int
	work       chan []*pendingTrace
	stop       chan struct{}
	// nudge wakes the releaser before its tick: max_held_mib was reached.
	nudge    chan struct{}
	releaser sync.WaitGroup
	workers  sync.WaitGroup
	// running is true between Start and Shutdown: the releaser drains the
	// buffer, so a full one can refuse new spans. Without it the callers
	// release what is due themselves.
	running atomic.Bool
	// room is the size of the largest request refused since the releaser
	// last made room: it releases the oldest traces until that fits.
	room atomic.Int64

	lifecycle sync.Mutex
	started   bool
	stopped   bool
}

var _ processor.Traces = (*querylensProcessor)(nil)

func newProcessor(set processor.Settings, cfg *Config, next consumer.Traces) (*querylensProcessor, error) {
	norm, err := sqlnorm.NewCacheOfBytes(cfg.Statements.CacheSize, int64(cfg.Statements.CacheMiB)<<20, cfg.Statements.MaxLength)
	if err != nil {
		return nil, err
	}
	workers := cfg.NumWorkers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	eng, err := engine.New(cfg.Detectors, cfg.Ignore)
	if err != nil {
		return nil, err
	}
	tick := cfg.WaitDuration / 20
	if cfg.Release == ReleaseLocalSubtree {
		tick = cfg.SettleDuration / 4
	}
	p := &querylensProcessor{
		logger:       set.Logger,
		buffer:       newTraceBuffer(cfg),
		norm:         norm,
		engine:       eng,
		subtrees:     cfg.Release == ReleaseLocalSubtree,
		wait:         cfg.WaitDuration,
		tick:         min(max(tick, minTick), maxTick),
		numWorkers:   workers,
		work:         make(chan []*pendingTrace, workers),
		stop:         make(chan struct{}),
		nudge:        make(chan struct{}, 1),
		findingLines: &findingLog{logger: set.Logger, perSecond: cfg.Log.FindingsPerSecond, now: time.Now},
		gapLines: &gapLog{logger: set.Logger, interval: cfg.Log.GapInterval, now: time.Now,
			byService: map[string]*gapCount{}},
	}
	if p.tel, err = newTelemetry(set.TelemetrySettings, p); err != nil {
		return nil, err
	}
	p.delivery = newDeliverer(next, p.buffer, p.tel, set.Logger)
	return p, nil
}

func (p *querylensProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

// Start starts the goroutine that releases traces whose window closed, and the
// workers that analyze them.
func (p *querylensProcessor) Start(_ context.Context, host component.Host) error {
	p.lifecycle.Lock()
	defer p.lifecycle.Unlock()
	if p.started || p.stopped {
		return nil
	}
	p.started = true
	for _, ext := range host.GetExtensions() {
		if r, ok := ext.(querylensextension.TraceRecorder); ok {
			p.page = r
		}
	}
	for range p.numWorkers {
		p.workers.Add(1)
		go func() {
			defer p.workers.Done()
			for batch := range p.work {
				p.release(batch)
			}
		}()
	}
	p.delivery.start()
	p.releaser.Add(1)
	go p.releaseDue()
	p.running.Store(true)
	return nil
}

// Shutdown analyzes and releases every trace still held before it returns.
// It does not give up on the analysis when ctx ends: that would lose spans.
// Spans the next consumer refuses are retried until ctx ends, for
// shutdownRetry at most; then they are counted as refused.
func (p *querylensProcessor) Shutdown(ctx context.Context) error {
	p.lifecycle.Lock()
	defer p.lifecycle.Unlock()
	if p.stopped {
		return nil
	}
	p.stopped = true
	p.running.Store(false)
	remaining := p.buffer.close()
	if p.started {
		close(p.stop)
		p.releaser.Wait()
	}
	for len(remaining) > 0 {
		n := min(len(remaining), tracesPerRelease)
		if p.started {
			p.work <- remaining[:n]
		} else {
			p.release(remaining[:n])
		}
		remaining = remaining[n:]
	}
	if p.started {
		close(p.work)
		p.workers.Wait()
	}
	p.delivery.shutdown(ctx)
	p.tel.unregister()
	p.findingLines.flush()
	p.reportStaleRules()
	return nil
}

// reportStaleRules logs the ignore rules that suppressed nothing in this run,
// so that rules outliving their trap get removed.
func (p *querylensProcessor) reportStaleRules() {
	var stale []string
	for _, s := range p.engine.Suppressed() {
		switch {
		case s.Expired:
			p.logger.Warn("ignore rule expired: its findings are reported again; renew it or fix the trap",
				zap.String("rule", s.Rule), zap.String("expires", s.Expires), zap.String("reason", s.Reason))
		case s.Count == 0:
			stale = append(stale, s.Rule)
		}
	}
	if len(stale) > 0 {
		p.logger.Info("ignore rules that matched no finding in this run: remove them if their trap is fixed",
			zap.Strings("rules", stale))
	}
}

// ConsumeTraces files the spans of td under their traces and returns at once.
// When max_held_mib is reached it refuses them with a retryable error instead,
// and the oldest traces are released early. Traces pushed out because the
// buffer is full (num_traces, max_spans_per_trace) are released by the caller,
// which slows senders down instead of dropping spans.
func (p *querylensProcessor) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	running := p.running.Load()
	if running && p.buffer.full() {
		return p.refuse(ctx, int64(td.SpanCount()), 0)
	}
	n := int64(td.SpanCount())
	frags, empty := splitByTrace(td)
	var bytes int64
	for _, f := range frags {
		f.bytes, f.roots = tracesBytesAndRoots(f.td, p.subtrees)
		bytes += f.bytes
	}
	var emptyBytes int64
	if empty != nil {
		emptyBytes = tracesBytes(*empty)
	}
	// Refused, the request is dropped here and sent again by its sender.
	if !running {
		p.buffer.held.Add(bytes + emptyBytes)
	} else if !p.buffer.reserve(bytes + emptyBytes) {
		return p.refuse(ctx, n, bytes+emptyBytes)
	}
	p.tel.spansReceived.Add(ctx, n)
	if empty != nil {
		p.delivery.deliver(batch{td: *empty, bytes: emptyBytes})
	}
	now := time.Now()
	if p.buffer.len()+len(frags) > p.buffer.capacity {
		// num_traces is reached: what is due goes first, so that early
		// releases take only what the releaser could not keep up with.
		if due := p.buffer.due(now, tracesPerRelease, spansPerRelease); len(due) > 0 {
			p.release(due)
		}
	}
	a := p.buffer.add(frags, now)
	if a.full > 0 {
		p.tel.releasedEarly.Add(ctx, int64(a.full), reasonBufferFullAttr)
	}
	if a.tooLarge > 0 {
		p.tel.releasedEarly.Add(ctx, int64(a.tooLarge), reasonTooLargeAttr)
		for _, id := range a.tooLargeIDs {
			p.logger.Warn("a trace reached max_spans_per_trace: released early, analyzed; its later spans start a new window",
				zap.String("trace_id", id.String()), zap.Int("max_spans_per_trace", p.buffer.maxSpans))
		}
	}
	if a.late > 0 {
		p.tel.lateSpans.Add(ctx, int64(a.late))
	}
	if len(a.release) > 0 {
		p.release(a.release)
	}
	if !p.running.Load() {
		p.releaseInline(now)
	}
	return nil
}

// refuse answers a request of bytes (0 when not measured) with a retryable
// error while max_held_mib is reached, and wakes the releaser to release the
// oldest traces early, enough to make room for it.
func (p *querylensProcessor) refuse(ctx context.Context, spans, bytes int64) error {
	p.tel.spansPushedBack.Add(ctx, spans)
	for {
		room := p.room.Load()
		if room >= bytes || p.room.CompareAndSwap(room, bytes) {
			break
		}
	}
	select {
	case p.nudge <- struct{}{}:
	default:
	}
	return errFull
}

// releaseInline is the releaser's work done by a caller, when no releaser
// runs (before Start, as `querylens analyze` uses the processor): what is due,
// and the oldest traces while max_held_mib is reached.
func (p *querylensProcessor) releaseInline(now time.Time) {
	for {
		due := p.buffer.due(now, tracesPerRelease, spansPerRelease)
		if len(due) == 0 {
			break
		}
		p.release(due)
	}
	for p.buffer.full() {
		early := p.buffer.oldest(p.buffer.held.Load()-p.buffer.maxHeld*9/10, tracesPerRelease)
		if len(early) == 0 {
			return
		}
		p.tel.releasedEarly.Add(context.Background(), int64(len(early)), reasonMaxHeldAttr)
		p.release(early)
	}
}

// releaseDue hands the traces that are due to the workers, each tick and
// when nudged; while max_held_mib is reached, the oldest traces too.
func (p *querylensProcessor) releaseDue() {
	defer p.releaser.Done()
	ticker := time.NewTicker(p.tick)
	defer ticker.Stop()
	for {
		var now time.Time
		select {
		case <-p.stop:
			return
		case now = <-ticker.C:
		case <-p.nudge:
			now = time.Now()
		}
		for {
			batch := p.buffer.due(now, tracesPerRelease, spansPerRelease)
			if len(batch) == 0 {
				break
			}
			p.work <- batch
		}
		// Room for the largest request refused, down to 90% of the bound: the
		// spans in analysis and in retries count too, so this may take all
		// that is buffered.
		if room, held := p.room.Swap(0), p.buffer.held.Load(); held+room >= p.buffer.maxHeld {
			for excess := held + room - p.buffer.maxHeld*9/10; excess > 0; {
				early := p.buffer.oldest(excess, tracesPerRelease)
				if len(early) == 0 {
					break
				}
				p.tel.releasedEarly.Add(context.Background(), int64(len(early)), reasonMaxHeldAttr)
				for _, t := range early {
					excess -= t.bytes
				}
				p.work <- early
			}
		}
	}
}
