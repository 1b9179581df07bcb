// Package querylensprocessor is the querylens trace processor: it holds the
// spans of each request until the request is complete (or of each trace for a
// while), finds the ORM traps in them (N+1 queries first), writes its findings
// into the spans and releases them, never dropping one on its own.
package querylensprocessor

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/processor/querylensprocessor/internal/metadata"
)

// NewFactory returns the factory of the querylens processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Release:          ReleaseLocalSubtree,
		WaitDuration:     30 * time.Second,
		SettleDuration:   10 * time.Millisecond,
		MaxHeldMiB:       256,
		NumTraces:        50_000,
		MaxSpansPerTrace: 20_000,
		Statements:       StatementsConfig{CacheSize: 100_000, CacheMiB: 32, MaxLength: 16 << 10},
		Detectors:        detect.DefaultConfig(),
		Log:              LogConfig{FindingsPerSecond: 100, GapInterval: time.Minute},
	}
}

func createTraces(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	return newProcessor(set, cfg.(*Config), next)
}
