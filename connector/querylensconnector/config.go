package querylensconnector

import (
	"errors"
	"fmt"
	"time"
)

// Config is the configuration of the querylens connector.
type Config struct {
	// FlushInterval is how often the metrics are emitted. Default 15s.
	FlushInterval time.Duration `mapstructure:"metrics_flush_interval"`
	// Expiration drops a series that received no data for this long, so
	// memory stays bounded. Default 5m.
	Expiration time.Duration `mapstructure:"metrics_expiration"`
	// MaxFingerprints bounds the distinct fingerprints per service; past it,
	// new ones count under querylens.fingerprint="other". Default 500.
	MaxFingerprints int `mapstructure:"max_fingerprints"`
	// MaxStatementLength truncates the statement of querylens.fingerprint.info.
	// Default 512.
	MaxStatementLength int `mapstructure:"max_statement_length"`
	// DurationBuckets are the bounds, in seconds, of querylens.finding.duration
	// and querylens.db.query.duration.
	DurationBuckets []float64 `mapstructure:"duration_buckets"`
	// QueryCountBuckets are the bounds of querylens.request.db_queries.
	QueryCountBuckets []float64 `mapstructure:"query_count_buckets"`
	// RequestDurationBuckets are the bounds, in seconds, of
	// querylens.request.duration and querylens.request.db_duration.
	RequestDurationBuckets []float64 `mapstructure:"request_duration_buckets"`
}

// Validate names each field out of range and what it allows.
func (c *Config) Validate() error {
	var errs []error
	if c.FlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("metrics_flush_interval must be positive, got %s", c.FlushInterval))
	}
	if c.Expiration < c.FlushInterval {
		errs = append(errs, fmt.Errorf("metrics_expiration must be at least metrics_flush_interval (%s), got %s", c.FlushInterval, c.Expiration))
	}
	if c.MaxFingerprints < 1 {
		errs = append(errs, fmt.Errorf("max_fingerprints must be at least 1, got %d", c.MaxFingerprints))
	}
	if c.MaxStatementLength < 16 {
		errs = append(errs, fmt.Errorf("max_statement_length must be at least 16, got %d", c.MaxStatementLength))
	}
	for _, b := range []struct {
		name   string
		bounds []float64
	}{{"duration_buckets", c.DurationBuckets}, {"query_count_buckets", c.QueryCountBuckets}, {"request_duration_buckets", c.RequestDurationBuckets}} {
		if !increasing(b.bounds) {
			errs = append(errs, fmt.Errorf("%s must be a non-empty list of strictly increasing bounds, got %v", b.name, b.bounds))
		}
	}
	return errors.Join(errs...)
}

func increasing(bounds []float64) bool {
	for i := 1; i < len(bounds); i++ {
		if bounds[i] <= bounds[i-1] {
			return false
		}
	}
	return len(bounds) > 0
}
