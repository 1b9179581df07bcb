package querylensprocessor

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/querylens/querylens/extension/querylensextension"
	"github.com/querylens/querylens/internal/annotate"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview/pdataview"
)

const (
	// tracesPerRelease bounds how many traces go downstream in one ConsumeTraces.
	tracesPerRelease = 256
	// spansPerRelease bounds the spans of one release batch (a batch may hold
	// one trace larger than that). A worker analyzes a batch whole before any
	// of it goes on, at about 1 µs per span: 8192 spans hold the first trace
	// some 8 ms, and a tick's traces spread over the workers.
	spansPerRelease = 8192
	// maxTick is the longest interval between looks for expired traces. A
	// trace waits half a tick beyond its window on average; a tick costs a
	// lock and a look at the oldest trace.
	maxTick = 10 * time.Millisecond
)

type querylensProcessor struct {
	logger *zap.Logger
	next   consumer.Traces
	buffer *traceBuffer
	norm   *sqlnorm.Cache
	engine *engine.Engine
	tel    *telemetry
	// findingLines and gapLines write the findings and the instrumentation
	// gaps to the collector's log, bounded.
	findingLines *findingLog
	gapLines     *gapLog
	// page is the findings page of the querylens extension, when the
	// collector runs one: every analyzed trace is recorded in it.
	page querylensextension.TraceRecorder

	tick       time.Duration
	numWorkers int
	work       chan []*pendingTrace
	stop       chan struct{}
	releaser   sync.WaitGroup
	workers    sync.WaitGroup

	lifecycle sync.Mutex
	started   bool
	stopped   bool
}

var _ processor.Traces = (*querylensProcessor)(nil)

func newProcessor(set processor.Settings, cfg *Config, next consumer.Traces) (*querylensProcessor, error) {
	norm, err := sqlnorm.NewCache(cfg.Statements.CacheSize, cfg.Statements.MaxLength)
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
	p := &querylensProcessor{
		logger:       set.Logger,
		next:         next,
		buffer:       newTraceBuffer(cfg.NumTraces, cfg.MaxSpansPerTrace, cfg.WaitDuration),
		norm:         norm,
		engine:       eng,
		tick:         min(max(cfg.WaitDuration/20, time.Millisecond), maxTick),
		numWorkers:   workers,
		work:         make(chan []*pendingTrace, workers),
		stop:         make(chan struct{}),
		findingLines: &findingLog{logger: set.Logger, perSecond: cfg.Log.FindingsPerSecond, now: time.Now},
		gapLines: &gapLog{logger: set.Logger, interval: cfg.Log.GapInterval, now: time.Now,
			byService: map[string]*gapCount{}},
	}
	if p.tel, err = newTelemetry(set.TelemetrySettings, p); err != nil {
		return nil, err
	}
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
	p.releaser.Add(1)
	go p.releaseExpired()
	return nil
}

// Shutdown analyzes and releases every trace still held before it returns.
// It does not give up when ctx ends: that would lose spans.
func (p *querylensProcessor) Shutdown(context.Context) error {
	p.lifecycle.Lock()
	defer p.lifecycle.Unlock()
	if p.stopped {
		return nil
	}
	p.stopped = true
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
// Traces pushed out because the buffer is full are released by the caller, so
// a full buffer slows senders down instead of dropping spans.
func (p *querylensProcessor) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	p.tel.spansReceived.Add(ctx, int64(td.SpanCount()))
	frags, empty := splitByTrace(td)
	if empty != nil {
		p.forward(*empty)
	}
	a := p.buffer.add(frags, time.Now())
	if a.full > 0 {
		p.tel.releasedEarly.Add(ctx, int64(a.full), reasonBufferFull)
	}
	if a.tooLarge > 0 {
		p.tel.releasedEarly.Add(ctx, int64(a.tooLarge), reasonTooLarge)
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
	return nil
}

func (p *querylensProcessor) releaseExpired() {
	defer p.releaser.Done()
	ticker := time.NewTicker(p.tick)
	defer ticker.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-ticker.C:
			for {
				batch := p.buffer.expired(now, tracesPerRelease, spansPerRelease)
				if len(batch) == 0 {
					break
				}
				p.work <- batch
			}
		}
	}
}

// release analyzes and annotates each trace, then sends them downstream in one
// batch.
func (p *querylensProcessor) release(traces []*pendingTrace) {
	out := ptrace.NewTraces()
	for _, t := range traces {
		p.analyze(t.td)
		t.td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	}
	p.forward(out)
}

func (p *querylensProcessor) forward(td ptrace.Traces) {
	ctx := context.Background()
	n := td.SpanCount()
	p.tel.spansReleased.Add(ctx, int64(n))
	if err := p.next.ConsumeTraces(ctx, td); err != nil {
		p.tel.spansRefused.Add(ctx, int64(n))
		p.logger.Error("the next consumer refused released spans", zap.Int("spans", n), zap.Error(err))
	}
}

// analyze finds the traps in one trace and writes them into its spans. A bug in
// analysis must not cost the spans: it is logged and the spans go on.
func (p *querylensProcessor) analyze(td ptrace.Traces) {
	defer func() {
		if r := recover(); r != nil {
			p.logger.Error("analysis failed; spans released unannotated", zap.String("panic", fmt.Sprint(r)),
				zap.Int("spans", td.SpanCount()), zap.Stack("stack"))
		}
	}()
	start := time.Now()
	view, spans := pdataview.Build(td, p.norm)
	res := p.engine.Analyze(view)
	annotate.Write(view, spans, res)
	if p.page != nil {
		p.page.RecordTrace(view, res, start)
	}
	ctx := context.Background()
	p.tel.analysisTime.Record(ctx, time.Since(start).Seconds())
	for i := range res.Findings {
		f := &res.Findings[i]
		p.tel.findings.Add(ctx, 1, findingType(f.Type))
		p.findingLines.write(view, f)
	}
	p.gapLines.add(res.Gaps)
}
