// Package metadata names the component and its stability. mdatagen is not
// available for this collector set, so this is written by hand in its shape.
package metadata

import "go.opentelemetry.io/collector/component"

var (
	Type      = component.MustNewType("querylens")
	ScopeName = "github.com/querylens/querylens/extension/querylensextension"
)

const ExtensionStability = component.StabilityLevelAlpha
