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
	// Problems is the number of problems the findings are occurrences of;
	// ProblemsOverflow the findings of problems past the bound on those
	// listed.
	Problems         int `json:"problems"`
	ProblemsOverflow int `json:"problems_overflow,omitempty"`
	Requests         int `json:"requests"`
	// Heaviest are the requests with the most queries, heaviest first, when
	// asked for.
	Heaviest []Request `json:"heaviest_requests,omitempty"`
	// OverBudget lists the requests over --max-queries-per-request.
	OverBudget []Request `json:"over_budget,omitempty"`
	Budget     int       `json:"max_queries_per_request,omitempty"`
	// Gaps are the services whose queries ran in no request.
	Gaps []Gap `json:"instrumentation_gaps,omitempty"`
	// Baseline is the comparison with --baseline, when one was given.
	Baseline *Comparison `json:"baseline,omitempty"`
	// Ignore are the ignore rules that expired or matched nothing.
	Ignore []IgnoreNote `json:"ignore_rules,omitempty"`
	Errors []string     `json:"errors,omitempty"`
}

// IgnoreNote is an ignore rule worth a word at the end of a run: expired
// (its findings are reported again) or unused (it matched nothing).
type IgnoreNote struct {
	Rule    string `json:"rule"`
	Reason  string `json:"reason,omitempty"`
	Expires string `json:"expires,omitempty"`
	Expired bool   `json:"expired,omitempty"`
	Unused  bool   `json:"unused,omitempty"`
}

func (n IgnoreNote) String() string {
	why := ""
	if n.Reason != "" {
		why = " (" + n.Reason + ")"
	}
	if n.Expired {
		return fmt.Sprintf("warning: ignore rule %s%s expired on %s: its findings are reported again; renew it or fix the trap", n.Rule, why, n.Expires)
	}
	return fmt.Sprintf("note: ignore rule %s%s matched no finding in this run: remove it if its trap is fixed", n.Rule, why)
}

// Writer writes findings as they come, so that a report of any size holds
// one finding in memory at a time, then the problems and the summary.
type Writer interface {
	Finding(Finding) error
	End(Summary, []Problem) error
}

// NewWriter returns the writer of a format: table, json or sarif. The table
// and SARIF list problems, or every finding when flat (--findings); JSON
// has both.
func NewWriter(format string, w io.Writer, version string, flat bool) (Writer, error) {
	switch format {
	case "table":
		return &tableWriter{w: w, flat: flat}, nil
	case "json":
		return &jsonWriter{w: w}, nil
	case "sarif":
		return newSARIFWriter(w, version, flat), nil
	}
	return nil, fmt.Errorf("format must be table, json or sarif, got %q", format)
}

// tableWriter writes the problems, or with flat a block per finding: a
// header line with the type, count, service, route, wasted queries and
// trace, then the statement, the fix and the code location, indented.
type tableWriter struct {
	w    io.Writer
	flat bool
	n    int
}

func (t *tableWriter) Finding(f Finding) error {
	if !t.flat {
		return nil
	}
	t.n++
	route := f.Route
	if route == "" {
		route = f.Anchor
	}
	wasted := ""
	if f.WastedQueries > 0 {
		wasted = fmt.Sprintf("  wasted %s, %.2f ms", Count(f.WastedQueries, wastedUnit(f.Type)), f.WastedMs)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s ×%-4d %s %s%s  trace %s\n", f.Type, f.Count, f.Service, route, wasted, f.TraceID)
	fmt.Fprintf(&b, "    %s\n", what(f.Statement, f.Exception))
	fmt.Fprintf(&b, "    fix: %s\n", f.Suggestion)
	if f.Code != nil {
		fmt.Fprintf(&b, "    at: %s\n", f.Code)
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

func (t *tableWriter) End(s Summary, problems []Problem) error {
	if !t.flat && len(problems) > 0 {
		if err := ProblemTable(t.w, problems); err != nil {
			return err
		}
	}
	if t.n > 0 {
		fmt.Fprintln(t.w)
	}
	if len(s.Heaviest) > 0 {
		if err := RequestTable(t.w, fmt.Sprintf("Requests by database queries, heaviest %d of %d:", len(s.Heaviest), s.Requests), s.Heaviest); err != nil {
			return err
		}
	}
	if len(s.OverBudget) > 0 {
		if err := RequestTable(t.w, fmt.Sprintf("Requests over the budget of %s:", Count(s.Budget, "query")), s.OverBudget); err != nil {
			return err
		}
	}
	if s.Baseline != nil {
		if err := s.Baseline.Write(t.w); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintln(t.w, s); err != nil {
		return err
	}
	for _, n := range s.Ignore {
		if _, err := fmt.Fprintln(t.w, n); err != nil {
			return err
		}
	}
	return WriteGapWarnings(t.w, s.Gaps)
}

// what is what a finding is about: its statement, else the exception it
// rests on.
func what(statement, exception string) string {
	if statement == "" && exception != "" {
		return "exception " + exception
	}
	return statement
}

// wastedUnit is what a finding type's waste is counted in: HTTP calls for
// n_plus_one_api, queries otherwise.
func wastedUnit(typ string) string {
	if typ == detect.TypeNPlusOneAPI {
		return "call"
	}
	return "query"
}

// Count is "1 query", "2 queries", "1 trace", "3 traces": a number and its
// unit, plural when it is not 1.
func Count(n int, unit string) string {
	switch unit {
	case "query":
		return fmt.Sprintf("%d %s", n, plural(n, "query", "queries"))
	}
	return fmt.Sprintf("%d %s", n, plural(n, unit, unit+"s"))
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
	line := fmt.Sprintf("%s (%s) in %s (%s, %s)", Count(total, "finding"), Count(s.Problems, "problem"),
		Count(s.Traces, "trace"), Count(s.Spans, "span"), Count(s.Files, "file"))
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	if s.ProblemsOverflow > 0 {
		line += fmt.Sprintf("\n%s of more problems than a run lists are counted, not listed", Count(s.ProblemsOverflow, "finding"))
	}
	if s.Budget > 0 {
		line += fmt.Sprintf("\n%d of %s over the budget of %s", len(s.OverBudget), Count(s.Requests, "request"), Count(s.Budget, "query"))
	}
	for _, e := range s.Errors {
		line += "\nerror: " + e
	}
	return line
}

// jsonWriter writes {"findings": [...], "problems": [...], "summary": {...}},
// one finding at a time.
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

func (j *jsonWriter) End(s Summary, problems []Problem) error {
	head := "\n],\n"
	if j.n == 0 {
		head = "{\"findings\": [],\n"
	}
	if problems == nil {
		problems = []Problem{}
	}
	p, err := json.Marshal(problems)
	if err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = io.WriteString(j.w, head+"\"problems\": "+string(p)+",\n\"summary\": "+string(b)+"}\n")
	return err
}
