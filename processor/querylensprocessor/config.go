package querylensprocessor

import (
	"errors"
	"fmt"
	"time"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
)

// Config is the configuration of the querylens processor.
type Config struct {
	// WaitDuration is how long the spans of a trace are held, from its first
	// span, before the trace is analyzed and released. Default 5s.
	WaitDuration time.Duration `mapstructure:"wait_duration"`
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

// StatementsConfig sets statement normalization.
type StatementsConfig struct {
	// CacheSize is how many normalized statements are cached, keyed by the raw
	// statement. Default 10000.
	CacheSize int `mapstructure:"cache_size"`
	// MaxLength is the longest statement normalized, in bytes; longer ones are
	// normalized from their beginning. Default 16384.
	MaxLength int `mapstructure:"max_length"`
}

// Validate checks the top-level fields; nested settings validate themselves.
func (c *Config) Validate() error {
	var errs []error
	if c.WaitDuration <= 0 {
		errs = append(errs, fmt.Errorf("wait_duration must be positive, got %s", c.WaitDuration))
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
	if c.MaxLength < 64 {
		errs = append(errs, fmt.Errorf("max_length must be at least 64 bytes, got %d", c.MaxLength))
	}
	return errors.Join(errs...)
}
