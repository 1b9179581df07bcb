package querylensprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/querylens/querylens/internal/testsupport/metadatatest"
	"github.com/querylens/querylens/processor/querylensprocessor/internal/metadata"
)

// TestMetadataFile keeps metadata.yaml, written by hand, in step with the
// code: type, scope and stability, and every instrument the processor creates
// with its kind, unit and description; what an N+1 trace makes it measure
// also checks value types, buckets and attributes.
func TestMetadataFile(t *testing.T) {
	f := NewFactory()
	md := metadatatest.CheckFile(t, metadatatest.Component{
		Type:      f.Type(),
		ScopeName: metadata.ScopeName,
		Class:     "processor",
		Stability: map[string]component.StabilityLevel{"traces": f.TracesStability()},
	})

	tel := metadatatest.NewTelemetry()
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.Settings()
	ctx := context.Background()
	p, err := f.CreateTraces(ctx, set, f.CreateDefaultConfig(), consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	if err := p.ConsumeTraces(ctx, synthTrace(1, 5)); err != nil {
		t.Fatal(err)
	}
	tel.Collect(t) // the observable instruments, while they are registered
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	tel.Collect(t) // what the analysis at shutdown counted
	metadatatest.CheckTelemetry(t, md, tel)
}
