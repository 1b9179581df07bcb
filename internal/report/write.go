package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/querylens/querylens/internal/detect"
)

// Summary is what a run read.
type Summary struct {
	Files    int            `json:"files"`
	Traces   int            `json:"traces"`
	Spans    int            `json:"spans"`
	Findings map[string]int `json:"findings_by_type"`
	Requests int            `json:"requests"`
	// Heaviest are the requests with the most queries, heaviest first, when
	// asked for.
	Heaviest []Request `json:"heaviest_requests,omitempty"`
	// OverBudget lists the requests over --max-queries-per-request.
	OverBudget []Request `json:"over_budget,omitempty"`
	Budget     int       `json:"max_queries_per_request,omitempty"`
	// Gaps are the services whose queries ran in no request.
	Gaps   []Gap    `json:"instrumentation_gaps,omitempty"`
	Errors []string `json:"errors,omitempty"`
}

// Writer writes findings as they come, so that a report of any size holds
// one finding in memory at a time, then the summary.
type Writer interface {
	Finding(Finding) error
	End(Summary) error
}

// NewWriter returns the writer of a format: table, json or sarif.
func NewWriter(format string, w io.Writer, version string) (Writer, error) {
	switch format {
	case "table":
		return &tableWriter{w: w}, nil
	case "json":
		return &jsonWriter{w: w}, nil
	case "sarif":
		return newSARIFWriter(w, version), nil
	}
	return nil, fmt.Errorf("format must be table, json or sarif, got %q", format)
}

// tableWriter writes a readable block per finding: a header line with the
// type, count, service, route, wasted queries and trace, then the statement,
// the fix and the code location, indented.
type tableWriter struct {
	w io.Writer
	n int
}

func (t *tableWriter) Finding(f Finding) error {
	t.n++
	route := f.Route
	if route == "" {
		route = f.Anchor
	}
	wasted := ""
	if f.WastedQueries > 0 {
		wasted = fmt.Sprintf("  wasted %d queries, %.2f ms", f.WastedQueries, f.WastedMs)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s ×%-4d %s %s%s  trace %s\n", f.Type, f.Count, f.Service, route, wasted, f.TraceID)
	fmt.Fprintf(&b, "    %s\n", f.Statement)
	fmt.Fprintf(&b, "    fix: %s\n", f.Suggestion)
	if f.Code != nil {
		fmt.Fprintf(&b, "    at: %s\n", f.Code)
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

func (t *tableWriter) End(s Summary) error {
	if t.n > 0 {
		fmt.Fprintln(t.w)
	}
	if len(s.Heaviest) > 0 {
		if err := RequestTable(t.w, fmt.Sprintf("Requests by database queries, heaviest %d of %d:", len(s.Heaviest), s.Requests), s.Heaviest); err != nil {
			return err
		}
	}
	if len(s.OverBudget) > 0 {
		if err := RequestTable(t.w, fmt.Sprintf("Requests over the budget of %d queries:", s.Budget), s.OverBudget); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintln(t.w, s); err != nil {
		return err
	}
	return WriteGapWarnings(t.w, s.Gaps)
}

func (c *Code) String() string {
	switch {
	case c.File != "" && c.Line > 0:
		return fmt.Sprintf("%s:%d %s", c.File, c.Line, c.Function)
	case c.File != "":
		return c.File + " " + c.Function
	}
	return c.Function
}

func (s Summary) String() string {
	total := 0
	var parts []string
	for _, t := range detect.Types {
		if n := s.Findings[t]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	line := fmt.Sprintf("%d findings in %d traces (%d spans, %d files)", total, s.Traces, s.Spans, s.Files)
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	if s.Budget > 0 {
		line += fmt.Sprintf("\n%d of %d requests over the budget of %d queries", len(s.OverBudget), s.Requests, s.Budget)
	}
	for _, e := range s.Errors {
		line += "\nerror: " + e
	}
	return line
}

// jsonWriter writes {"findings": [...], "summary": {...}}, one finding at a
// time.
type jsonWriter struct {
	w io.Writer
	n int
}

func (j *jsonWriter) Finding(f Finding) error {
	sep := ",\n  "
	if j.n == 0 {
		sep = "{\"findings\": [\n  "
	}
	j.n++
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = io.WriteString(j.w, sep+string(b))
	return err
}

func (j *jsonWriter) End(s Summary) error {
	head := "\n],\n"
	if j.n == 0 {
		head = "{\"findings\": [],\n"
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = io.WriteString(j.w, head+"\"summary\": "+string(b)+"}\n")
	return err
}
