package main

import (
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
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
// buffer only when it is full (num_traces) or at the end, never by time.
const offline = 100 * 365 * 24 * time.Hour

func analyze(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("querylens analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "YAML of the querylens processor's settings (its section of a collector config, or the whole config), read and validated as the collector does")
	format := fs.String("format", "table", "output: table, json or sarif")
	flat := fs.Bool("findings", false, "list every finding instead of the problems they are occurrences of (table and SARIF; the JSON has both)")
	failOn := fs.String("fail-on", "none", "exit 1 when findings of these types exist: a comma-separated list of types, any, or none")
	write := fs.String("write", "", "write the annotated traces to this file (OTLP JSON, one request per line; .gz compresses)")
	quiet := fs.Bool("quiet", false, "no progress line on stderr")
	requests := fs.Int("requests", 0, "list the N requests with the most database queries, heaviest first")
	budget := fs.Int("max-queries-per-request", 0, "a query budget: exit 1 naming every request that made more database queries (0: off)")
	writeBaseline := fs.String("write-baseline", "", "write this run's problems and each route's most queries per request to FILE, the baseline of --baseline")
	baselinePath := fs.String("baseline", "", "exit 1 only on problems not in this baseline FILE, or on routes whose most queries per request grew more than --max-query-growth, naming each")
	growthFlag := fs.String("max-query-growth", "10%", "with --baseline: how much a route's most queries per request may grow over the baseline's: a percentage (10%) or a fraction (0.1)")
	maxLine := fs.Int64("max-line-bytes", otlpfile.DefaultLimits.MaxRequestBytes,
		"the longest request read (a JSON line or value, a protobuf request): memory per request is bounded by it; longer ones are bad input")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: querylens analyze [flags] FILE|DIR|- ... (flags may also follow the files)\n\n"+
			"Reads OTLP JSON (one request per file or per line) and OTLP protobuf (.pb) trace files,\n"+
			"gzipped when the name ends in .gz; a directory is read for such files; - is stdin.\n"+
			"Prints the problems found (one trap in one place, however many requests hit it), or every finding with --findings.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nExit status: 0 clean, 1 findings of the --fail-on types, requests over the query budget, or regressions from --baseline, 2 bad input (no traces read is bad input).\nFinding types: %s\n",
			strings.Join(detect.Types, ", "))
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return exitBadInput
	}
	if len(paths) == 0 {
		fs.Usage()
		return exitBadInput
	}
	gate, err := parseFailOn(*failOn)
	if err != nil {
		fmt.Fprintf(stderr, "querylens: --fail-on: %v\n", err)
		return exitBadInput
	}
	growth, err := report.ParseGrowth(*growthFlag)
	if err != nil {
		fmt.Fprintf(stderr, "querylens: --max-query-growth: %v\n", err)
		return exitBadInput
	}
	var base *report.Baseline
	if *baselinePath != "" {
		if base, err = report.ReadBaseline(*baselinePath); err != nil {
			fmt.Fprintf(stderr, "querylens: --baseline: %v\n", err)
			return exitBadInput
		}
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "querylens: --config: %v\n", err)
		return exitBadInput
	}
	files, err := otlpfile.Expand(paths)
	if err != nil {
		fmt.Fprintf(stderr, "querylens: %v\n", err)
		return exitBadInput
	}

	writer, err := report.NewWriter(*format, stdout, version, *flat)
	if err != nil {
		fmt.Fprintf(stderr, "querylens: --format: %v\n", err)
		return exitBadInput
	}
	if *requests < 0 || *budget < 0 {
		fmt.Fprintln(stderr, "querylens: --requests and --max-queries-per-request must be 0 or more")
		return exitBadInput
	}
	if *maxLine < 1024 {
		fmt.Fprintf(stderr, "querylens: --max-line-bytes must be at least 1024, got %d\n", *maxLine)
		return exitBadInput
	}
	limits := otlpfile.DefaultLimits
	limits.MaxRequestBytes = *maxLine
	sum := report.Summary{Findings: map[string]int{}, Budget: *budget}
	out := &output{writer: writer, sum: &sum, gate: gate, heaviest: report.NewHeaviest(*requests)}
	if *write != "" {
		if out.file, err = createOutput(*write); err != nil {
			fmt.Fprintf(stderr, "querylens: --write: %v\n", err)
			return exitBadInput
		}
	}
	logs := newRuleLog()
	proc, err := newProcessor(cfg, out, logs.logger())
	if err != nil {
		fmt.Fprintf(stderr, "querylens: %v\n", err)
		return exitBadInput
	}
	progress := newProgress(stderr, !*quiet && isTerminal(stderr))
	ctx := context.Background()
	var skipped []string
	for _, f := range files {
		sum.Files++
		requests := 0
		err := otlpfile.Read(f.Path, stdin, limits, func(td ptrace.Traces) error {
			requests++
			out.spansIn += td.SpanCount()
			progress.update(out)
			return proc.ConsumeTraces(ctx, td)
		})
		switch {
		case err == nil:
		case f.InDir && requests == 0 && errors.Is(err, otlpfile.ErrNotTraces):
			// A JSON file of the directory that holds no trace (a package.json,
			// a truth or config file): skipped, not an error.
			sum.Files--
			skipped = append(skipped, f.Path)
		default:
			sum.Errors = append(sum.Errors, err.Error())
			fmt.Fprintf(stderr, "querylens: %v\n", err)
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(stderr, "querylens: note: %s in the directories hold no OTLP traces, skipped: %s\n",
			report.Count(len(skipped), "JSON file"), strings.Join(skipped[:min(len(skipped), 5)], ", ")+more(len(skipped)-5))
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
	sum.Gaps = out.gaps.List()
	if sum.Traces == 0 && len(sum.Errors) == 0 {
		e := fmt.Sprintf("no traces read from %s (%s, %s): nothing to analyze",
			strings.Join(paths, ", "), report.Count(sum.Files, "file"), report.Count(sum.Spans, "span"))
		sum.Errors = append(sum.Errors, e)
		fmt.Fprintf(stderr, "querylens: %s\n", e)
	}
	problems := out.problems.List()
	sum.Problems, sum.ProblemsOverflow = len(problems), out.problems.Overflow
	routes := out.routes.List()
	if base != nil {
		sum.Baseline = report.Compare(base, *baselinePath, problems, routes, growth)
	}
	sum.Ignore = ignoreNotes(cfg.Ignore, logs.unused(), time.Now())
	if *format != "table" { // the table says these in its summary
		if err := report.WriteGapWarnings(stderr, sum.Gaps); err != nil {
			fmt.Fprintf(stderr, "querylens: %v\n", err)
		}
		if sum.Baseline != nil {
			_ = sum.Baseline.Write(stderr)
		}
		for _, n := range sum.Ignore {
			fmt.Fprintln(stderr, n)
		}
	}
	report.SortHeaviest(sum.OverBudget)
	if err := errors.Join(out.err, writer.End(sum, problems)); err != nil {
		fmt.Fprintf(stderr, "querylens: %v\n", err)
		return exitBadInput
	}
	if len(sum.Errors) > 0 {
		return exitBadInput
	}
	if *writeBaseline != "" {
		if err := report.NewBaseline("querylens "+version, problems, routes).WriteFile(*writeBaseline); err != nil {
			fmt.Fprintf(stderr, "querylens: --write-baseline: %v\n", err)
			return exitBadInput
		}
		fmt.Fprintf(stderr, "querylens: baseline written to %s: %s, %s\n", *writeBaseline,
			report.Count(len(problems), "problem"), report.Count(len(routes), "route"))
	}
	if out.gated || len(sum.OverBudget) > 0 || sum.Baseline != nil && sum.Baseline.Failed() {
		return exitFindings
	}
	return exitClean
}

// parseInterspersed parses flags wherever they are among the paths
// (querylens analyze traces/ --format json), and returns the paths; after
// "--" every argument is a path.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(paths, rest...), nil
		}
		if len(rest) == 0 {
			return paths, nil
		}
		paths = append(paths, rest[0])
		args = rest[1:]
	}
}

// ignoreNotes are the ignore rules worth a word after a run: those that
// expired (their findings are reported again), then those that matched
// nothing (unused holds the processor's names of them: a rule's name, else
// its index).
func ignoreNotes(rules []engine.IgnoreRule, unused []string, now time.Time) []report.IgnoreNote {
	var notes []report.IgnoreNote
	for i, r := range rules {
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("ignore[%d]", i)
		}
		n := report.IgnoreNote{Rule: name, Reason: r.Reason, Expires: r.Expires}
		switch {
		case r.ExpiredAt(now):
			n.Expired = true
		case slices.Contains(unused, r.Name) || r.Name == "" && slices.Contains(unused, strconv.Itoa(i)):
			n.Unused = true
		default:
			continue
		}
		notes = append(notes, n)
	}
	return notes
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

// loadConfig reads the processor's settings as the collector does (its
// file and environment providers expand ${env:NAME} and ${file:PATH}; its
// unmarshaling and validation): a file whose keys are the processor's
// (wait_duration, detectors, ignore ...), or a collector config, whose
// processors::querylens section is taken (or its only querylens/<name>).
// The wait is then set for files: traces leave the buffer when it is full
// or at the end.
func loadConfig(path string) (*querylensprocessor.Config, error) {
	factory := querylensprocessor.NewFactory()
	cfg := factory.CreateDefaultConfig().(*querylensprocessor.Config)
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(abs); err != nil {
			return nil, err
		}
		resolver, err := confmap.NewResolver(confmap.ResolverSettings{
			URIs:              []string{"file:" + abs},
			ProviderFactories: []confmap.ProviderFactory{fileprovider.NewFactory(), envprovider.NewFactory()},
			DefaultScheme:     "env",
		})
		if err != nil {
			return nil, err
		}
		conf, err := resolver.Resolve(context.Background())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		section, name, err := processorSection(conf)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := section.Unmarshal(cfg); err != nil {
			return nil, fmt.Errorf("%s: %s%w", path, name, err)
		}
		if err := confmap.Validate(cfg); err != nil {
			return nil, fmt.Errorf("%s: %s%w", path, name, err)
		}
	}
	cfg.WaitDuration = offline
	cfg.Log.FindingsPerSecond = 0 // the report lists them
	return cfg, nil
}

// processorSection is the querylens processor's part of a configuration: the
// whole of it, or the processors::querylens section of a collector's (its
// only querylens/<name> one), with the name errors are prefixed with.
func processorSection(conf *confmap.Conf) (*confmap.Conf, string, error) {
	if !conf.IsSet("processors") {
		return conf, "", nil
	}
	procs, err := conf.Sub("processors")
	if err != nil {
		return nil, "", err
	}
	var names []string
	for id := range procs.ToStringMap() {
		if id == "querylens" || strings.HasPrefix(id, "querylens/") {
			names = append(names, id)
		}
	}
	slices.Sort(names)
	if slices.Contains(names, "querylens") {
		names = []string{"querylens"}
	}
	switch len(names) {
	case 0:
		return nil, "", errors.New("no processors::querylens section")
	case 1:
	default:
		return nil, "", fmt.Errorf("several querylens processors (%s): give one's section alone", strings.Join(names, ", "))
	}
	section, err := procs.Sub(names[0])
	return section, "processors::" + names[0] + ": ", err
}

func newProcessor(cfg *querylensprocessor.Config, next consumer.Traces, logger *zap.Logger) (processor.Traces, error) {
	set := processor.Settings{
		ID: component.MustNewID("querylens"),
		TelemetrySettings: component.TelemetrySettings{
			Logger:         logger,
			MeterProvider:  metricnoop.NewMeterProvider(),
			TracerProvider: tracenoop.NewTracerProvider(),
		},
		BuildInfo: component.NewDefaultBuildInfo(),
	}
	return querylensprocessor.NewFactory().CreateTraces(context.Background(), set, cfg, next)
}

// ruleLog keeps, of what the processor logs, the ignore rules it says
// matched nothing in the run (at shutdown).
type ruleLog struct {
	logs *observer.ObservedLogs
	core zapcore.Core
}

func newRuleLog() *ruleLog {
	core, logs := observer.New(zapcore.InfoLevel)
	return &ruleLog{logs: logs, core: core}
}

func (r *ruleLog) logger() *zap.Logger { return zap.New(r.core) }

// unused are the names (or indexes) of the rules that matched nothing.
func (r *ruleLog) unused() []string {
	var out []string
	for _, e := range r.logs.All() {
		rules, ok := e.ContextMap()["rules"].([]any)
		if !ok {
			continue
		}
		for _, x := range rules {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
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
	gaps     report.Gaps
	problems report.Problems
	routes   report.Routes
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
		o.problems.Add(f)
		if o.err == nil {
			o.err = o.writer.Finding(f)
		}
	}
	for _, r := range report.ReadRequests(td) {
		o.sum.Requests++
		o.heaviest.Add(r)
		o.routes.Add(r)
		if o.sum.Budget > 0 && r.Queries > o.sum.Budget {
			o.sum.OverBudget = append(o.sum.OverBudget, r)
		}
	}
	o.gaps.Add(td)
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

// more says how many were left out of a list, if any.
func more(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" and %d more", n)
}
