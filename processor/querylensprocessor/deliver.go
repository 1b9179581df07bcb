package querylensprocessor

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
)

// Backoff between attempts to deliver spans the next consumer refused with a
// retryable error.
const (
	retryInitial = 10 * time.Millisecond
	retryMax     = time.Second
	// shutdownRetry is how long Shutdown goes on retrying at most, when its
	// context does not end sooner: a next consumer that still refuses then
	// gets its spans counted as refused.
	shutdownRetry = 10 * time.Second
)

// batch is released spans on their way downstream, with the bytes they were
// counted as held.
type batch struct {
	td    ptrace.Traces
	spans int
	bytes int64
}

// deliverer passes released spans to the next consumer. What it refuses with
// a retryable error is retried with backoff and stays counted as held, so
// that a full or failing downstream pushes back on senders through the bound
// in bytes; what it refuses permanently is dropped, logged and counted.
type deliverer struct {
	next   consumer.Traces
	buffer *traceBuffer
	tel    *telemetry
	logger *zap.Logger

	mu      sync.Mutex
	retries []batch
	// refusing is true from a retryable refusal until the retries are done.
	refusing bool
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	started  bool
}

func newDeliverer(next consumer.Traces, buffer *traceBuffer, tel *telemetry, logger *zap.Logger) *deliverer {
	return &deliverer{next: next, buffer: buffer, tel: tel, logger: logger,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// deliver passes b on once; a retryable refusal queues it for the retrier.
func (d *deliverer) deliver(b batch) {
	ctx := context.Background()
	d.tel.spansReleased.Add(ctx, int64(b.spans))
	d.attempt(ctx, b)
}

// attempt tries b once and settles its fate: delivered, dropped, or queued
// for a retry (then it returns true).
func (d *deliverer) attempt(ctx context.Context, b batch) (queued bool) {
	err := d.next.ConsumeTraces(ctx, b.td)
	if err == nil {
		d.buffer.held.Add(-b.bytes)
		return false
	}
	if consumererror.IsPermanent(err) {
		d.drop(ctx, b, err)
		return false
	}
	// A partial refusal names the spans to send again.
	var partial consumererror.Traces
	if errors.As(err, &partial) {
		rest := partial.Data()
		if n := rest.SpanCount(); n < b.spans {
			kept := b.bytes * int64(n) / int64(max(b.spans, 1))
			d.buffer.held.Add(-(b.bytes - kept))
			b = batch{td: rest, spans: n, bytes: kept}
		}
	}
	d.tel.spansRetried.Add(ctx, int64(b.spans))
	d.mu.Lock()
	d.retries = append(d.retries, b)
	first := !d.refusing
	d.refusing = true
	d.mu.Unlock()
	if first { // one line per episode, not per batch
		d.logger.Warn("the next consumer refuses released spans with a retryable error: retrying them with backoff, held in max_held_mib meanwhile",
			zap.Int("spans", b.spans), zap.Error(err))
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return true
}

func (d *deliverer) drop(ctx context.Context, b batch, err error) {
	d.buffer.held.Add(-b.bytes)
	d.tel.spansRefused.Add(ctx, int64(b.spans))
	d.logger.Error("the next consumer refused released spans permanently: dropped", zap.Int("spans", b.spans), zap.Error(err))
}

// start runs the retrier.
func (d *deliverer) start() {
	d.started = true
	go func() {
		defer close(d.done)
		d.retryUntil(d.stop)
	}()
}

// retryUntil retries the queued batches, oldest first, with backoff after
// each failed attempt, until stop is closed.
func (d *deliverer) retryUntil(stop <-chan struct{}) {
	backoff := retryInitial
	for {
		d.mu.Lock()
		var b batch
		ok := len(d.retries) > 0
		if ok {
			b = d.retries[0]
			d.retries = d.retries[1:]
		} else if d.refusing {
			d.refusing = false
			d.logger.Info("the next consumer took every span it had refused")
		}
		d.mu.Unlock()
		if !ok {
			select {
			case <-stop:
				return
			case <-d.wake:
				continue
			}
		}
		if !d.attempt(context.Background(), b) {
			backoff = retryInitial
			continue
		}
		select {
		case <-stop:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, retryMax)
	}
}

// shutdown stops the retrier, then retries what is left until ctx ends or
// shutdownRetry passes; what is still refused then is dropped and counted.
func (d *deliverer) shutdown(ctx context.Context) {
	if d.started {
		close(d.stop)
		<-d.done
	}
	ctx, cancel := context.WithTimeout(ctx, shutdownRetry)
	defer cancel()
	backoff := retryInitial
	for {
		d.mu.Lock()
		if len(d.retries) == 0 {
			d.mu.Unlock()
			return
		}
		b := d.retries[0]
		d.retries = d.retries[1:]
		d.mu.Unlock()
		if ctx.Err() != nil {
			d.drop(context.Background(), b, errors.New("still refused when the collector shut down"))
			continue
		}
		if !d.attempt(ctx, b) {
			backoff = retryInitial
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, retryMax)
	}
}
