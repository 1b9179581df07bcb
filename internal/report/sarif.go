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

type sarifLogical struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

// sarifWriter writes a SARIF 2.1.0 log: one rule per finding type, one result
// per problem (or per finding when flat), each located at its code location
// when the spans recorded one, else at its service and route.
type sarifWriter struct {
	w       io.Writer
	version string
	flat    bool
	n       int
}

func newSARIFWriter(w io.Writer, version string, flat bool) *sarifWriter {
	return &sarifWriter{w: w, version: version, flat: flat}
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

func (s *sarifWriter) result(res sarifResult) error {
	if s.n == 0 {
		if err := s.head(); err != nil {
			return err
		}
	} else if _, err := io.WriteString(s.w, ","); err != nil {
		return err
	}
	s.n++
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = s.w.Write(append([]byte("\n  "), b...))
	return err
}

// fingerprints are a result's partialFingerprints: the problem's signature,
// the same for one trap in one place in every run, and the type and
// fingerprint of the first versions.
func fingerprints(problem, typ, fingerprint string) map[string]string {
	return map[string]string{"querylensProblem/v1": problem, "querylensFingerprint/v1": typ + ":" + fingerprint}
}

func (s *sarifWriter) Finding(f Finding) error {
	if !s.flat {
		return nil
	}
	return s.result(sarifResult{
		RuleID: f.Type,
		Level:  "warning",
		Message: sarifMessage{fmt.Sprintf("%s ×%d in %s (%s): %s — %s", f.Type, f.Count, f.Service,
			firstNonEmpty(f.Route, f.Anchor), what(f.Statement, f.Exception), f.Suggestion)},
		Locations:           locations(f.Code, f.Service, firstNonEmpty(f.Route, f.Anchor)),
		PartialFingerprints: fingerprints(f.Problem, f.Type, f.Fingerprint),
		Properties: map[string]any{"problem_id": f.Problem, "trace_id": f.TraceID, "span_id": f.SpanID, "count": f.Count,
			"wasted_queries": f.WastedQueries, "total_duration_ms": f.DurationMs, "statement": f.Statement},
	})
}

func (s *sarifWriter) problem(p Problem) error {
	wasted := ""
	if p.WastedQueries > 0 {
		wasted = fmt.Sprintf(", wasting %s (%.2f ms)", Count(p.WastedQueries, wastedUnit(p.Type)), p.WastedMs)
	}
	props := map[string]any{"problem_id": p.ID, "occurrences": p.Occurrences, "traces": p.Traces, "max_count": p.MaxCount,
		"wasted_queries": p.WastedQueries, "wasted_ms": p.WastedMs, "example_trace_id": p.ExampleTrace, "statement": p.Statement,
		"service": p.Service, "route": p.Route}
	if !p.FirstSeen.IsZero() {
		props["first_seen"], props["last_seen"] = p.FirstSeen, p.LastSeen
	}
	return s.result(sarifResult{
		RuleID: p.Type,
		Level:  "warning",
		Message: sarifMessage{fmt.Sprintf("%s ×%d in %s (%s): %s in %s%s: %s — %s", p.Type, p.MaxCount, p.Service,
			firstNonEmpty(p.Route, p.Anchor), Count(p.Occurrences, "finding"), Count(p.Traces, "trace"), wasted,
			what(p.Statement, p.Exception), p.Suggestion)},
		Locations:           locations(p.Code, p.Service, firstNonEmpty(p.Route, p.Anchor)),
		PartialFingerprints: fingerprints(p.ID, p.Type, p.Fingerprint),
		Properties:          props,
	})
}

// locations is where a result is: in the code when its spans recorded a
// file (and the function, logically), else the function alone, else the
// service and route it was found in.
func locations(c *Code, service, route string) []sarifLocation {
	var loc sarifLocation
	if c != nil && c.File != "" {
		loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: strings.TrimPrefix(c.File, "./")}}
		if c.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: c.Line}
		}
	}
	switch {
	case c != nil && c.Function != "":
		loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: c.Function, Kind: "function"}}
	case loc.PhysicalLocation == nil:
		name := firstNonEmpty(route, "(no route)")
		loc.LogicalLocations = []sarifLogical{{Name: name, FullyQualifiedName: firstNonEmpty(service, "unknown_service") + " " + name, Kind: "resource"}}
	}
	return []sarifLocation{loc}
}

func (s *sarifWriter) End(_ Summary, problems []Problem) error {
	if !s.flat {
		for _, p := range problems {
			if err := s.problem(p); err != nil {
				return err
			}
		}
	}
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
