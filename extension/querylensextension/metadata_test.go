package querylensextension

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/querylens/querylens/extension/querylensextension/internal/metadata"
	"github.com/querylens/querylens/internal/testsupport/metadatatest"
)

// TestMetadataFile keeps metadata.yaml, written by hand, in step with the
// code: type, scope and stability, and no telemetry, as the page creates no
// instrument.
func TestMetadataFile(t *testing.T) {
	f := NewFactory()
	md := metadatatest.CheckFile(t, metadatatest.Component{
		Type:      f.Type(),
		ScopeName: metadata.ScopeName,
		Class:     "extension",
		Stability: map[string]component.StabilityLevel{"extension": f.Stability()},
	})

	tel := metadatatest.NewTelemetry()
	set := extensiontest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.Settings()
	cfg := f.CreateDefaultConfig()
	if err := confmap.NewFromStringMap(md.Tests.Config).Unmarshal(cfg); err != nil { // a free loopback port
		t.Fatal(err)
	}
	ctx := context.Background()
	e, err := f.Create(ctx, set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	tel.Collect(t)
	if err := e.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	metadatatest.CheckTelemetry(t, md, tel)
}
