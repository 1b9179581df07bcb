package querylensconnector

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/querylens/querylens/connector/querylensconnector/internal/metadata"
	"github.com/querylens/querylens/internal/testsupport/metadatatest"
)

// TestMetadataFile keeps metadata.yaml, written by hand, in step with the
// code: type, scope and stability, and every instrument the connector creates
// with its kind, unit and description; a service past max_fingerprints makes
// both measure, which also checks their value types.
func TestMetadataFile(t *testing.T) {
	f := NewFactory()
	md := metadatatest.CheckFile(t, metadatatest.Component{
		Type:      f.Type(),
		ScopeName: metadata.ScopeName,
		Class:     "connector",
		Stability: map[string]component.StabilityLevel{"traces_to_metrics": f.TracesToMetricsStability()},
	})

	tel := metadatatest.NewTelemetry()
	set := connectortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.Settings()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.MaxFingerprints = 1
	ctx := context.Background()
	c, err := f.CreateTracesToMetrics(ctx, set, cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	if err := c.ConsumeTraces(ctx, dbTrace(1, "shop", 3)); err != nil {
		t.Fatal(err)
	}
	tel.Collect(t) // the observable instrument, while it is registered
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	metadatatest.CheckTelemetry(t, md, tel)
}
