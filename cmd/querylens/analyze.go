package main

import (
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"
	"go.yaml.in/yaml/v3"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/otlpfile"
	"github.com/querylens/querylens/internal/report"
	"github.com/querylens/querylens/processor/querylensprocessor"
)

// Exit codes: usable as a CI gate.
const (
	exitClean    = 0 // no finding of the --fail-on types
	exitFindings = 1 // findings of the --fail-on types
	exitBadInput = 2 // bad flags, configuration or input
)

// offline is the wait of the processor when it reads files: traces leave the
// buffer whole, only when it is full (num_traces, max_held_mib) or at the end,
// never by time (the files' order says nothing of when spans were sent).
const offline = 100 * 365 * 24 * time.Hour

func analyze(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("querylens analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "YAML of the querylens processor's settings (its section of a collector config, or the whole config)")
	format := fs.String("format", "table", "output: table, json or sarif")
	failOn := fs.String("fail-on", "none", "exit 1 when findings of these types exist: a comma-separated list of types, any, or none")
	write := fs.String("write", "", "write the annotated traces to this file (OTLP JSON, one request per line; .gz compresses)")
	quiet := fs.Bool("quiet", false, "no progress line on stderr")
	requests := fs.Int("requests", 0, "list the N requests with the most database queries, heaviest first")
	budget := fs.Int("max-queries-per-request", 0, "a query budget: exit 1 naming every request that made more database queries (0: off)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: querylens analyze [flags] FILE|DIR|- ...\n\n"+
			"Reads OTLP JSON (one request per file or per line) and OTLP protobuf (.pb) trace files,\n"+
			"gzipped when the name ends in .gz; a directory is read for such files; - is stdin.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nExit status: 0 clean, 1 findings of the --fail-on types or requests over the query budget, 2 bad input.\nFinding types: %s\n",
			strings.Join(detect.Types, ", "))
	}
	if err := fs.Parse(args); err != nil {
		return exitBadInput
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitBadInput
	}
	gate, err := parseFailOn(*failOn)
	if err != nil {
		fmt.Fprintf(stderr, "querylens: --fail-on: %v\n", err)
		return exitBadInput
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "querylens: --config: %v\n", err)
		return exitBadInput
	}
	files, err := otlpfile.Expand(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "querylens: %v\n", err)
		return exitBadInput
	}

	writer, err := report.NewWriter(*format, stdout, version)
	if err != nil {
		fmt.Fprintf(stderr, "querylens: --format: %v\n", err)
		return exitBadInput
	}
	if *requests < 0 || *budget < 0 {
		fmt.Fprintln(stderr, "querylens: --requests and --max-queries-per-request must be 0 or more")
		return exitBadInput
	}
	sum := report.Summary{Findings: map[string]int{}, Budget: *budget}
	out := &output{writer: writer, sum: &sum, gate: gate, heaviest: report.NewHeaviest(*requests)}
	if *write != "" {
		if out.file, err = createOutput(*write); err != nil {
			fmt.Fprintf(stderr, "querylens: --write: %v\n", err)
			return exitBadInput
		}
	}
	proc, err := newProcessor(cfg, out)
	if err != nil {
		fmt.Fprintf(stderr, "querylens: %v\n", err)
		return exitBadInput
	}
	progress := newProgress(stderr, !*quiet && isTerminal(stderr))
	ctx := context.Background()
	for _, f := range files {
		sum.Files++
		err := otlpfile.Read(f, stdin, func(td ptrace.Traces) error {
			out.spansIn += td.SpanCount()
			progress.update(out)
			return proc.ConsumeTraces(ctx, td)
		})
		if err != nil {
			sum.Errors = append(sum.Errors, err.Error())
			fmt.Fprintf(stderr, "querylens: %v\n", err)
		}
	}
	if err := proc.Shutdown(ctx); err != nil {
		fmt.Fprintf(stderr, "querylens: %v\n", err)
	}
	progress.done()
	if err := errors.Join(out.err, out.close()); err != nil {
		fmt.Fprintf(stderr, "querylens: %v\n", err)
		return exitBadInput
	}

	sum.Spans = out.spansIn
	sum.Heaviest = out.heaviest.List()
	report.SortHeaviest(sum.OverBudget)
	if err := errors.Join(out.err, writer.End(sum)); err != nil {
		fmt.Fprintf(stderr, "querylens: %v\n", err)
		return exitBadInput
	}
	switch {
	case len(sum.Errors) > 0:
		return exitBadInput
	case out.gated, len(sum.OverBudget) > 0:
		return exitFindings
	}
	return exitClean
}

// parseFailOn reads --fail-on: none, any, or a comma-separated list of types.
func parseFailOn(s string) (map[string]bool, error) {
	gate := map[string]bool{}
	for _, t := range strings.Split(s, ",") {
		switch t = strings.TrimSpace(t); {
		case t == "" || t == "none":
		case t == "any" || t == "all":
			for _, x := range detect.Types {
				gate[x] = true
			}
		case slices.Contains(detect.Types, t):
			gate[t] = true
		default:
			return nil, fmt.Errorf("%q is not a finding type; allowed: none, any, %s", t, strings.Join(detect.Types, ", "))
		}
	}
	return gate, nil
}

// loadConfig reads the processor's settings: a file whose keys are the
// processor's (wait_duration, detectors, ignore ...), or a collector config,
// whose processors::querylens section is taken.
func loadConfig(path string) (*querylensprocessor.Config, error) {
	cfg := querylensprocessor.NewFactory().CreateDefaultConfig().(*querylensprocessor.Config)
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var raw map[string]any
		if err := yaml.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if procs, ok := raw["processors"].(map[string]any); ok {
			section, found := procs["querylens"]
			if !found {
				return nil, fmt.Errorf("%s: no processors::querylens section", path)
			}
			raw, _ = section.(map[string]any)
		}
		if err := confmap.NewFromStringMap(raw).Unmarshal(cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	cfg.Release, cfg.WaitDuration = querylensprocessor.ReleaseWholeTrace, offline
	if err := confmap.Validate(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

func newProcessor(cfg *querylensprocessor.Config, next consumer.Traces) (processor.Traces, error) {
	set := processor.Settings{
		ID: component.MustNewID("querylens"),
		TelemetrySettings: component.TelemetrySettings{
			Logger:         zap.NewNop(),
			MeterProvider:  metricnoop.NewMeterProvider(),
			TracerProvider: tracenoop.NewTracerProvider(),
		},
		BuildInfo: component.NewDefaultBuildInfo(),
	}
	return querylensprocessor.NewFactory().CreateTraces(context.Background(), set, cfg, next)
}

// output receives the annotated traces from the processor: it writes their
// findings at once (so memory does not grow with the input), counts them,
// and writes the traces when asked.
type output struct {
	writer   report.Writer
	sum      *report.Summary
	gate     map[string]bool
	gated    bool
	heaviest *report.Heaviest
	spansIn  int
	spansOut int
	file     io.WriteCloser
	err      error
}

func (o *output) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (o *output) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	findings := report.Read(td) // one release: a few traces
	report.Sort(findings)
	for _, f := range findings {
		o.sum.Findings[f.Type]++
		o.gated = o.gated || o.gate[f.Type]
		if o.err == nil {
			o.err = o.writer.Finding(f)
		}
	}
	for _, r := range report.ReadRequests(td) {
		o.sum.Requests++
		o.heaviest.Add(r)
		if o.sum.Budget > 0 && r.Queries > o.sum.Budget {
			o.sum.OverBudget = append(o.sum.OverBudget, r)
		}
	}
	o.spansOut += td.SpanCount()
	o.sum.Traces += countTraces(td)
	if o.file != nil && o.err == nil {
		b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		if err == nil {
			_, err = o.file.Write(append(b, '\n'))
		}
		o.err = err
	}
	return nil
}

// countTraces counts the trace ids of one release.
func countTraces(td ptrace.Traces) int {
	ids := map[pcommon.TraceID]struct{}{}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		for j := 0; j < rss.At(i).ScopeSpans().Len(); j++ {
			spans := rss.At(i).ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				ids[spans.At(k).TraceID()] = struct{}{}
			}
		}
	}
	return len(ids)
}

func (o *output) close() error {
	if o.file == nil {
		return nil
	}
	return o.file.Close()
}

// createOutput opens --write, gzipping when the name ends in .gz.
func createOutput(path string) (io.WriteCloser, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(path, ".gz") {
		return f, nil
	}
	return &gzipFile{gzip.NewWriter(f), f}, nil
}

type gzipFile struct {
	*gzip.Writer
	f *os.File
}

func (g *gzipFile) Close() error { return errors.Join(g.Writer.Close(), g.f.Close()) }
