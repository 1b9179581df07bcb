package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/querylens/querylens/internal/detect"
)

// rules describe each finding type for code-scanning UIs.
var rules = map[string]struct{ name, short, full string }{
	detect.TypeNPlusOne:        {"NPlusOneQuery", "N+1 queries", "The same query runs once per item of a loop: load the related rows for all items at once (eager loading)."},
	detect.TypeMNPlusOne:       {"MNPlusOneQueries", "Several queries per loop item", "A loop runs the same sequence of queries for every item: eager-load every relation the loop reads."},
	detect.TypeDuplicateQuery:  {"DuplicateQuery", "Duplicate queries", "The very same query with the very same values runs again and again: run it once and reuse the result."},
	detect.TypeNPlusOneAPI:     {"NPlusOneAPICall", "N+1 HTTP calls", "The same HTTP route is called once per item: call a batch endpoint once."},
	detect.TypeOverFetch:       {"OverFetch", "Whole rows or too many rows", "SELECT * reads whole rows where a few columns are used, or a query returns far more rows than needed."},
	detect.TypeDeepOffset:      {"DeepOffset", "Deep OFFSET pagination", "LIMIT/OFFSET paging deep into a result reads and drops every skipped row: page by key."},
	detect.TypePaginationCount: {"PaginationCount", "COUNT(*) for every page", "A COUNT(*) of the whole result runs beside every page: drop, cache or estimate the total."},
}

// SARIF writes the findings as a SARIF 2.1.0 log: one rule per finding type,
// one result per finding, located at its code location when the spans
// recorded one.
func SARIF(w io.Writer, findings []Finding, version string) error {
	type message struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string         `json:"id"`
		Name             string         `json:"name"`
		ShortDescription message        `json:"shortDescription"`
		FullDescription  message        `json:"fullDescription"`
		Properties       map[string]any `json:"properties"`
	}
	type artifact struct {
		URI string `json:"uri"`
	}
	type region struct {
		StartLine int64 `json:"startLine"`
	}
	type physical struct {
		ArtifactLocation artifact `json:"artifactLocation"`
		Region           *region  `json:"region,omitempty"`
	}
	type location struct {
		PhysicalLocation *physical           `json:"physicalLocation,omitempty"`
		LogicalLocations []map[string]string `json:"logicalLocations,omitempty"`
	}
	type result struct {
		RuleID              string            `json:"ruleId"`
		Level               string            `json:"level"`
		Message             message           `json:"message"`
		Locations           []location        `json:"locations,omitempty"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          map[string]any    `json:"properties"`
	}
	var rs []rule
	for _, t := range detect.Types {
		r := rules[t]
		rs = append(rs, rule{ID: t, Name: r.name, ShortDescription: message{r.short}, FullDescription: message{r.full},
			Properties: map[string]any{"tags": []string{"performance", "database"}}})
	}
	results := []result{}
	for _, f := range findings {
		res := result{
			RuleID: f.Type,
			Level:  "warning",
			Message: message{fmt.Sprintf("%s ×%d in %s (%s): %s — %s", f.Type, f.Count, f.Service,
				firstNonEmpty(f.Route, f.Anchor), f.Statement, f.Suggestion)},
			// The fingerprint, not the trace: the same trap in two runs is one alert.
			PartialFingerprints: map[string]string{"querylensFingerprint/v1": f.Type + ":" + f.Fingerprint},
			Properties: map[string]any{"trace_id": f.TraceID, "span_id": f.SpanID, "count": f.Count,
				"wasted_queries": f.WastedQueries, "total_duration_ms": f.DurationMs, "statement": f.Statement},
		}
		if c := f.Code; c != nil {
			var loc location
			if c.File != "" {
				loc.PhysicalLocation = &physical{ArtifactLocation: artifact{URI: strings.TrimPrefix(c.File, "./")}}
				if c.Line > 0 {
					loc.PhysicalLocation.Region = &region{StartLine: c.Line}
				}
			}
			if c.Function != "" {
				loc.LogicalLocations = []map[string]string{{"fullyQualifiedName": c.Function, "kind": "function"}}
			}
			res.Locations = []location{loc}
		}
		results = append(results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "querylens", "version": version, "informationUri": "https://github.com/querylens/querylens", "rules": rs,
			}},
			"results": results,
		}},
	})
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
