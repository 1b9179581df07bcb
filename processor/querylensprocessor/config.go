package querylensprocessor

import (
	"errors"
	"fmt"
	"time"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
)

// Release modes.
const (
	// ReleaseLocalSubtree analyzes and releases each request (a local root
	// and its in-process descendants) once its local root has arrived and
	// settle_duration has passed; spans whose local root has not arrived wait
	// up to wait_duration.
	ReleaseLocalSubtree = "local_subtree"
	// ReleaseWholeTrace holds every trace for wait_duration from its first
	// span and analyzes it whole.
	ReleaseWholeTrace = "whole_trace"
)

// Bounds of the durations: below them a value is a mistake (a number written
// without a unit is refused when the configuration is read: durations.go).
const (
	minWait   = time.Millisecond
	minSettle = time.Millisecond
)

// Config is the configuration of the querylens processor.
type Config struct {
	// Release is when spans are analyzed and released: local_subtree (each
	// request once its local root arrived) or whole_trace (each trace after
	// wait_duration). Default local_subtree.
	Release string `mapstructure:"release"`
	// WaitDuration is how long spans are held at most, from the first span of
	// their trace: in local_subtree, spans whose local root has not arrived by
	// then are analyzed with what is there and released; in whole_trace, every
	// trace is analyzed and released then. Default 30s: longer than the SDKs'
	// 5 s export schedule, which can put a request's root in the export after
	// its children.
	WaitDuration time.Duration `mapstructure:"wait_duration"`
	// SettleDuration is how long a local subtree is held after its local root
	// arrived (local_subtree), for children that arrive in a concurrent export
	// request a little later. 0 releases at once. Default 10ms.
	SettleDuration time.Duration `mapstructure:"settle_duration"`
	// MaxHeldMiB bounds, in MiB, the spans held: buffered, being analyzed or
	// waiting to be retried downstream, estimated from their size. When it is
	// reached, new spans are refused with a retryable error (the sender
	// retries) and the oldest traces are analyzed and released early.
	// Default 256.
	MaxHeldMiB int `mapstructure:"max_held_mib"`
	// NumTraces bounds the traces held. When it is reached, the oldest trace is
	// analyzed and released early, never dropped. Default 50000.
	NumTraces int `mapstructure:"num_traces"`
	// MaxSpansPerTrace bounds the spans held for one trace: a trace that reaches
	// it is analyzed and released at once, and its later spans start a new
	// window. Default 20000.
	MaxSpansPerTrace int `mapstructure:"max_spans_per_trace"`
	// NumWorkers is how many traces are analyzed at once. Default 0: one per CPU.
	NumWorkers int `mapstructure:"num_workers"`
	// Statements sets statement normalization.
	Statements StatementsConfig `mapstructure:"statements"`
	// Detectors sets each detector.
	Detectors detect.Config `mapstructure:"detectors"`
	// Ignore lists rules that suppress the findings they match (by
	// fingerprint, statement pattern, service, code function, type).
	Ignore []engine.IgnoreRule `mapstructure:"ignore"`
	// Log sets what is written to the collector's log.
	Log LogConfig `mapstructure:"log"`
}

// maxHeldMiB is the largest max_held_mib: 1 TiB, far above any machine here,
// and far from overflowing the bytes counted.
const maxHeldMiB = 1 << 20

// maxCacheMiB is the largest statements::cache_mib: 64 GiB.
const maxCacheMiB = 1 << 16

// maxHeldBytes is MaxHeldMiB in bytes.
func (c *Config) maxHeldBytes() int64 { return int64(c.MaxHeldMiB) << 20 }

// StatementsConfig sets statement normalization.
type StatementsConfig struct {
	// CacheSize is how many normalized statements are cached, keyed by the raw
	// statement. Default 100000.
	CacheSize int `mapstructure:"cache_size"`
	// CacheMiB bounds the memory the cached statements hold, in MiB, as
	// estimated; the least recently used are evicted to stay within it,
	// whichever of the two bounds is reached first. Default 32.
	CacheMiB int `mapstructure:"cache_mib"`
	// MaxLength is the longest statement normalized, in bytes; longer ones are
	// normalized from their beginning. Default 16384.
	MaxLength int `mapstructure:"max_length"`
}

// Validate checks the top-level fields; nested settings validate themselves.
func (c *Config) Validate() error {
	var errs []error
	if c.Release != ReleaseLocalSubtree && c.Release != ReleaseWholeTrace {
		errs = append(errs, fmt.Errorf("release must be %s or %s, got %q", ReleaseLocalSubtree, ReleaseWholeTrace, c.Release))
	}
	if c.WaitDuration < minWait {
		errs = append(errs, fmt.Errorf("wait_duration must be at least %s, got %s: e.g. 30s", minWait, c.WaitDuration))
	}
	switch {
	case c.SettleDuration < 0 || c.SettleDuration > 0 && c.SettleDuration < minSettle:
		errs = append(errs, fmt.Errorf("settle_duration must be 0 (release at once) or from %s to wait_duration, got %s: e.g. 10ms",
			minSettle, c.SettleDuration))
	case c.SettleDuration >= c.WaitDuration && c.WaitDuration >= minWait:
		errs = append(errs, fmt.Errorf("settle_duration must be 0 (release at once) or from %s to wait_duration (%s), got %s",
			minSettle, c.WaitDuration, c.SettleDuration))
	}
	if c.MaxHeldMiB < 1 || c.MaxHeldMiB > maxHeldMiB {
		errs = append(errs, fmt.Errorf("max_held_mib must be from 1 to %d, got %d", maxHeldMiB, c.MaxHeldMiB))
	}
	if c.NumTraces < 1 {
		errs = append(errs, fmt.Errorf("num_traces must be at least 1, got %d", c.NumTraces))
	}
	if c.MaxSpansPerTrace < 1 {
		errs = append(errs, fmt.Errorf("max_spans_per_trace must be at least 1, got %d", c.MaxSpansPerTrace))
	}
	if c.NumWorkers < 0 {
		errs = append(errs, fmt.Errorf("num_workers must be 0 (one per CPU) or more, got %d", c.NumWorkers))
	}
	return errors.Join(errs...)
}

// Validate checks the statement settings. The collector calls it, and the
// detectors' Validate methods, through confmap.Validate, which prefixes each
// error with the path of its field.
func (c *StatementsConfig) Validate() error {
	var errs []error
	if c.CacheSize < 1 {
		errs = append(errs, fmt.Errorf("cache_size must be at least 1, got %d", c.CacheSize))
	}
	if c.CacheMiB < 1 || c.CacheMiB > maxCacheMiB {
		errs = append(errs, fmt.Errorf("cache_mib must be from 1 to %d, got %d", maxCacheMiB, c.CacheMiB))
	}
	if c.MaxLength < 64 {
		errs = append(errs, fmt.Errorf("max_length must be at least 64 bytes, got %d", c.MaxLength))
	}
	return errors.Join(errs...)
}
