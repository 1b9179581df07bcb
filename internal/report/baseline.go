package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Baseline is what a test run left to compare the next ones with: its
// problems, and the most database queries one request of each route made.
// It is written sorted, without trace ids or times, so that the same run
// writes the same file and a diff of it shows what changed.
type Baseline struct {
	About    string            `json:"about"`
	Version  int               `json:"version"`
	Tool     string            `json:"tool"`
	Problems []BaselineProblem `json:"problems"`
	Routes   []RouteQueries    `json:"routes"`
}

// BaselineProblem is a problem of a baseline: its signature, and what it is
// for a reader of the file.
type BaselineProblem struct {
	ID          string `json:"problem_id"`
	Type        string `json:"type"`
	Service     string `json:"service"`
	Route       string `json:"route,omitempty"`
	Fingerprint string `json:"fingerprint"`
	Statement   string `json:"statement,omitempty"`
	Exception   string `json:"exception_type,omitempty"`
}

// RouteQueries is a route's database queries in a run: its requests, and
// the most queries one of them made.
type RouteQueries struct {
	Service    string `json:"service"`
	Route      string `json:"route"`
	Requests   int    `json:"requests"`
	MaxQueries int    `json:"max_queries"`
	// heaviest is the trace of its heaviest request (not in the file).
	heaviest string
}

const (
	baselineVersion = 1
	baselineAbout   = "querylens baseline: the problems and the most database queries per request of each route of a test run. " +
		"querylens analyze --baseline FILE fails on problems not listed here and on routes whose queries grew; " +
		"write it again with --write-baseline FILE when a change is meant."
)

// NewBaseline is the baseline of a run.
func NewBaseline(tool string, problems []Problem, routes []RouteQueries) *Baseline {
	b := &Baseline{About: baselineAbout, Version: baselineVersion, Tool: tool, Problems: []BaselineProblem{}, Routes: []RouteQueries{}}
	for _, p := range problems {
		b.Problems = append(b.Problems, BaselineProblem{ID: p.ID, Type: p.Type, Service: p.Service, Route: p.Route,
			Fingerprint: p.Fingerprint, Statement: p.Statement, Exception: p.Exception})
	}
	sort.Slice(b.Problems, func(i, j int) bool {
		a, c := b.Problems[i], b.Problems[j]
		return a.Service+"\x00"+a.Route+"\x00"+a.Type+"\x00"+a.ID < c.Service+"\x00"+c.Route+"\x00"+c.Type+"\x00"+c.ID
	})
	b.Routes = append(b.Routes, routes...)
	sortRoutes(b.Routes)
	return b
}

// WriteFile writes the baseline to path, indented.
func (b *Baseline) WriteFile(path string) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// ReadBaseline reads a baseline file, naming the file and what is wrong.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%s: not a querylens baseline (JSON as --write-baseline writes it): %w", path, err)
	}
	if b.Version != baselineVersion {
		return nil, fmt.Errorf("%s: baseline version %d, this querylens reads version %d: write it again with --write-baseline", path, b.Version, baselineVersion)
	}
	for i, p := range b.Problems {
		if p.ID == "" || p.Type == "" {
			return nil, fmt.Errorf("%s: problems[%d] has no problem_id or type", path, i)
		}
	}
	return &b, nil
}

// Comparison is a run compared with a baseline: what fails the gate (new
// problems, routes whose queries grew past the tolerance) and what is only
// said (problems gone, routes not in the baseline).
type Comparison struct {
	Path string `json:"path"`
	// MaxGrowth is the tolerance: a route fails when its most queries per
	// request exceed the baseline's times 1 + MaxGrowth.
	MaxGrowth   float64           `json:"max_query_growth"`
	NewProblems []Problem         `json:"new_problems"`
	GrownRoutes []RouteGrowth     `json:"grown_routes"`
	Gone        []BaselineProblem `json:"gone_problems,omitempty"`
	NewRoutes   int               `json:"new_routes"`
	// Known counts the problems of the run that the baseline lists.
	Known int `json:"known_problems"`
}

// RouteGrowth is a route whose most queries per request grew.
type RouteGrowth struct {
	Service string `json:"service"`
	Route   string `json:"route"`
	Before  int    `json:"baseline_max_queries"`
	After   int    `json:"max_queries"`
	// ExampleTrace is the trace of its heaviest request in this run.
	ExampleTrace string `json:"example_trace_id"`
}

// Compare compares a run's problems and routes with a baseline.
func Compare(b *Baseline, path string, problems []Problem, routes []RouteQueries, maxGrowth float64) *Comparison {
	c := &Comparison{Path: path, MaxGrowth: maxGrowth, NewProblems: []Problem{}, GrownRoutes: []RouteGrowth{}}
	known := make(map[string]bool, len(b.Problems))
	for _, p := range b.Problems {
		known[p.ID] = true
	}
	present := make(map[string]bool, len(problems))
	for _, p := range problems {
		present[p.ID] = true
		if known[p.ID] {
			c.Known++
		} else {
			c.NewProblems = append(c.NewProblems, p)
		}
	}
	for _, p := range b.Problems {
		if !present[p.ID] {
			c.Gone = append(c.Gone, p)
		}
	}
	before := make(map[[2]string]int, len(b.Routes))
	for _, r := range b.Routes {
		before[[2]string{r.Service, r.Route}] = r.MaxQueries
	}
	for _, r := range routes {
		old, ok := before[[2]string{r.Service, r.Route}]
		switch {
		case !ok:
			c.NewRoutes++
		case r.MaxQueries > old && float64(r.MaxQueries) > float64(old)*(1+maxGrowth):
			c.GrownRoutes = append(c.GrownRoutes, RouteGrowth{Service: r.Service, Route: r.Route, Before: old, After: r.MaxQueries,
				ExampleTrace: r.heaviest})
		}
	}
	return c
}

// Failed reports whether the run fails the gate.
func (c *Comparison) Failed() bool { return len(c.NewProblems) > 0 || len(c.GrownRoutes) > 0 }

// Write says what the comparison found: each new problem and grown route by
// name, then a line of the rest.
func (c *Comparison) Write(w io.Writer) error {
	var b strings.Builder
	for _, p := range c.NewProblems {
		fmt.Fprintf(&b, "new problem: %s in %s %s (×%d, %s in %s), problem %s\n    %s\n    fix: %s\n    example: trace %s\n",
			p.Type, p.Service, orDash(p.Route), p.MaxCount, Count(p.Occurrences, "finding"), Count(p.Traces, "trace"), p.ID,
			what(p.Statement, p.Exception), p.Suggestion, p.ExampleTrace)
	}
	for _, r := range c.GrownRoutes {
		fmt.Fprintf(&b, "route grew: %s %s: %s per request at most, the baseline %d (+%.0f%%, more than the %.0f%% allowed); heaviest request: trace %s\n",
			r.Service, r.Route, Count(r.After, "query"), r.Before, growth(r.Before, r.After)*100, c.MaxGrowth*100, r.ExampleTrace)
	}
	verdict := "passes"
	if c.Failed() {
		verdict = "fails"
	}
	fmt.Fprintf(&b, "baseline %s: %s: %s, %s past the tolerance; %s of the baseline, %s gone, %s not in it\n\n",
		c.Path, verdict, Count(len(c.NewProblems), "new problem"), Count(len(c.GrownRoutes), "route"),
		Count(c.Known, "problem"), Count(len(c.Gone), "problem"), Count(c.NewRoutes, "route"))
	_, err := io.WriteString(w, b.String())
	return err
}

// growth is how much after grew over before, as a fraction.
func growth(before, after int) float64 {
	if before == 0 {
		return float64(after)
	}
	return float64(after-before) / float64(before)
}

// Routes sums the requests of each route of a run, in bounded memory (up to
// maxRoutes routes; the requests of more are counted in Overflow).
type Routes struct {
	byKey    map[[2]string]*RouteQueries
	Overflow int
}

const maxRoutes = 20000

// Add counts one request.
func (rs *Routes) Add(r Request) {
	if rs.byKey == nil {
		rs.byKey = map[[2]string]*RouteQueries{}
	}
	k := [2]string{r.Service, r.Route}
	q, ok := rs.byKey[k]
	if !ok {
		if len(rs.byKey) >= maxRoutes {
			rs.Overflow++
			return
		}
		q = &RouteQueries{Service: r.Service, Route: r.Route, MaxQueries: -1}
		rs.byKey[k] = q
	}
	q.Requests++
	if r.Queries > q.MaxQueries {
		q.MaxQueries, q.heaviest = r.Queries, r.TraceID
	}
}

// List returns the routes, by service and route.
func (rs *Routes) List() []RouteQueries {
	out := make([]RouteQueries, 0, len(rs.byKey))
	for _, q := range rs.byKey {
		out = append(out, *q)
	}
	sortRoutes(out)
	return out
}

func sortRoutes(rs []RouteQueries) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Service != rs[j].Service {
			return rs[i].Service < rs[j].Service
		}
		return rs[i].Route < rs[j].Route
	})
}

// ParseGrowth reads --max-query-growth: a percentage ("10%") or a fraction
// ("0.1"), 0 or more.
func ParseGrowth(s string) (float64, error) {
	t := strings.TrimSpace(s)
	percent := strings.HasSuffix(t, "%")
	t = strings.TrimSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a growth: write a percentage (10%%) or a fraction (0.1)", s)
	}
	if percent {
		v /= 100
	}
	if v < 0 {
		return 0, errors.New("the growth must be 0 or more, got " + s)
	}
	return v, nil
}
