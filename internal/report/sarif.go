package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/querylens/querylens/internal/detect"
)

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription sarifMessage   `json:"shortDescription"`
	FullDescription  sarifMessage   `json:"fullDescription"`
	Properties       map[string]any `json:"properties"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int64 `json:"startLine"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical      `json:"physicalLocation,omitempty"`
	LogicalLocations []map[string]string `json:"logicalLocations,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

// sarifWriter writes a SARIF 2.1.0 log: one rule per finding type, one result
// per finding, located at its code location when the spans recorded one.
type sarifWriter struct {
	w       io.Writer
	version string
	n       int
}

func newSARIFWriter(w io.Writer, version string) *sarifWriter {
	return &sarifWriter{w: w, version: version}
}

func (s *sarifWriter) head() error {
	var rs []sarifRule
	for _, k := range detect.Kinds {
		rs = append(rs, sarifRule{ID: k.Name, Name: k.Rule.Name, ShortDescription: sarifMessage{k.Rule.Short}, FullDescription: sarifMessage{k.Rule.Full},
			Properties: map[string]any{"tags": []string{"performance", "database"}}})
	}
	driver, err := json.Marshal(map[string]any{
		"name": "querylens", "version": s.version, "informationUri": "https://github.com/querylens/querylens", "rules": rs,
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.w, `{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{"tool": {"driver": %s}, "results": [`, driver)
	return err
}

func (s *sarifWriter) Finding(f Finding) error {
	if s.n == 0 {
		if err := s.head(); err != nil {
			return err
		}
	} else if _, err := io.WriteString(s.w, ","); err != nil {
		return err
	}
	s.n++
	res := sarifResult{
		RuleID: f.Type,
		Level:  "warning",
		Message: sarifMessage{fmt.Sprintf("%s ×%d in %s (%s): %s — %s", f.Type, f.Count, f.Service,
			firstNonEmpty(f.Route, f.Anchor), f.Statement, f.Suggestion)},
		// The fingerprint, not the trace: the same trap in two runs is one alert.
		PartialFingerprints: map[string]string{"querylensFingerprint/v1": f.Type + ":" + f.Fingerprint},
		Properties: map[string]any{"trace_id": f.TraceID, "span_id": f.SpanID, "count": f.Count,
			"wasted_queries": f.WastedQueries, "total_duration_ms": f.DurationMs, "statement": f.Statement},
	}
	if c := f.Code; c != nil {
		var loc sarifLocation
		if c.File != "" {
			loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: strings.TrimPrefix(c.File, "./")}}
			if c.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: c.Line}
			}
		}
		if c.Function != "" {
			loc.LogicalLocations = []map[string]string{{"fullyQualifiedName": c.Function, "kind": "function"}}
		}
		res.Locations = []sarifLocation{loc}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = s.w.Write(append([]byte("\n  "), b...))
	return err
}

func (s *sarifWriter) End(Summary) error {
	if s.n == 0 {
		if err := s.head(); err != nil {
			return err
		}
	}
	_, err := io.WriteString(s.w, "\n]}]}\n")
	return err
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
