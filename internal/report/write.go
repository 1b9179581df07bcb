package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/querylens/querylens/internal/detect"
)

// Summary is what a run read.
type Summary struct {
	Files    int            `json:"files"`
	Traces   int            `json:"traces"`
	Spans    int            `json:"spans"`
	Findings map[string]int `json:"findings_by_type"`
	Errors   []string       `json:"errors,omitempty"`
}

// Table writes the findings as a readable table: one row per finding, with
// its statement, fix and code location on the lines below it.
func Table(w io.Writer, findings []Finding, sum Summary) error {
	if len(findings) > 0 {
		header := []string{"TYPE", "SERVICE", "ROUTE", "COUNT", "WASTED", "TRACE"}
		rows := [][]string{header}
		for _, f := range findings {
			route := f.Route
			if route == "" {
				route = f.Anchor
			}
			wasted := "-"
			if f.WastedQueries > 0 {
				wasted = fmt.Sprintf("%d q, %.2f ms", f.WastedQueries, f.WastedMs)
			}
			rows = append(rows, []string{f.Type, f.Service, route, fmt.Sprint(f.Count), wasted, f.TraceID})
		}
		width := make([]int, len(header))
		for _, r := range rows {
			for i, c := range r {
				width[i] = max(width[i], len(c))
			}
		}
		indent := strings.Repeat(" ", width[0]+2)
		for n, r := range rows {
			var line strings.Builder
			for i, c := range r {
				if i < len(r)-1 {
					fmt.Fprintf(&line, "%-*s  ", width[i], c)
				} else {
					line.WriteString(c)
				}
			}
			fmt.Fprintln(w, strings.TrimRight(line.String(), " "))
			if n == 0 {
				continue
			}
			f := findings[n-1]
			fmt.Fprintf(w, "%s%s\n", indent, f.Statement)
			fmt.Fprintf(w, "%sfix: %s\n", indent, f.Suggestion)
			if f.Code != nil {
				fmt.Fprintf(w, "%sat: %s\n", indent, f.Code)
			}
		}
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintln(w, sum)
	return err
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
	for _, e := range s.Errors {
		line += "\nerror: " + e
	}
	return line
}

// JSON writes the findings and the summary as one JSON document.
func JSON(w io.Writer, findings []Finding, sum Summary) error {
	if findings == nil {
		findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Findings []Finding `json:"findings"`
		Summary  Summary   `json:"summary"`
	}{findings, sum})
}

// Sort orders findings by trace, then type in precedence order, then anchor.
func Sort(findings []Finding) {
	rank := map[string]int{}
	for i, t := range detect.Types {
		rank[t] = i
	}
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if a.TraceID != b.TraceID {
			return a.TraceID < b.TraceID
		}
		if rank[a.Type] != rank[b.Type] {
			return rank[a.Type] < rank[b.Type]
		}
		return a.SpanID < b.SpanID
	})
}
