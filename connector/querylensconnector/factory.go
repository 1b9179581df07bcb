// Package querylensconnector turns the traces the querylens processor
// annotated into metrics: findings, wasted queries and durations by service,
// type, fingerprint and route, queries and their durations by fingerprint, and
// the queries, database time and duration of each request, with exemplars that
// open the trace.
package querylensconnector

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/querylens/querylens/connector/querylensconnector/internal/metadata"
)

// NewFactory returns the factory of the querylens connector.
func NewFactory() connector.Factory {
	return connector.NewFactory(
		metadata.Type,
		createDefaultConfig,
		connector.WithTracesToMetrics(createTracesToMetrics, metadata.TracesToMetricsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		FlushInterval:      15 * time.Second,
		Expiration:         5 * time.Minute,
		MaxFingerprints:    500,
		MaxStatementLength: 512,
		// A query takes from 100µs (a local database) to seconds.
		DurationBuckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		// A request makes from one query to the thousands of an N+1.
		QueryCountBuckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000},
		// A request, and the database time in it, takes from a millisecond
		// to a minute.
		RequestDurationBuckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
	}
}

func createTracesToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Traces, error) {
	return newConnector(set, cfg.(*Config), next)
}
