// Command loadbench is the end-to-end load benchmark of `make bench`: it drives
// the real bin/otelcol-querylens over OTLP/gRPC with realistic traces, in three
// pipelines one after the other — passthrough (otlp → batch → otlp), the
// contrib groupbytrace processor and querylens (with its connector), both at
// the same wait and num_traces — and writes what each cost to BENCHMARKS.md.
//
//	loadbench -collector bin/otelcol-querylens -duration 25s -out BENCHMARKS.md
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/querylens/querylens/tools/loadgen"
)

type options struct {
	collector string
	source    string // the collector binary copied to collector
	// collectorNice is how much nicer than the load generator the collector
	// runs (0: as nice).
	collectorNice int
	duration      time.Duration
	warmup        time.Duration
	warmupMax     time.Duration
	wait          time.Duration
	numTraces     int
	concurrency   int
	corpusSpans   int
	perRequest    int
	ormShare      float64
	seed          uint64
	pipelines     []string
	rounds        int
	grace         time.Duration
	out           string
	workdir       string
	micro         string
	profile       bool
	profileFor    time.Duration
	profileNodes  int
	timeline      bool
	loadStart     string
	profiled      []string
	rate          float64
	rateFraction  float64
	rateDuration  time.Duration
	release       string
	// The overload run: querylens offered overloadFactor times its sustained
	// rate for overloadDuration, with max_held_mib overloadMaxHeld.
	overloadFactor   float64
	overloadDuration time.Duration
	overloadMaxHeld  int
	// overloadExporterQueue is the exporter's queue in the overload run.
	overloadExporterQueue int
	overloadConcurrency   int
}

func main() {
	var o options
	var pipelines string
	flag.StringVar(&o.collector, "collector", envOr("QUERYLENS_COLLECTOR", "bin/otelcol-querylens"), "the collector binary (default $QUERYLENS_COLLECTOR)")
	flag.DurationVar(&o.duration, "duration", 25*time.Second, "sending time per pipeline")
	flag.DurationVar(&o.warmup, "warmup", 10*time.Second, "sending before the measured time, at least: for the collector's heap to grow to its steady size")
	flag.DurationVar(&o.warmupMax, "warmup-max", 40*time.Second, "the warm-up goes on while the collector's RSS grows, this long at most")
	flag.DurationVar(&o.wait, "wait", 2*time.Second, "wait_duration of groupbytrace and querylens")
	flag.IntVar(&o.numTraces, "num-traces", 10000, "num_traces of groupbytrace and querylens")
	flag.IntVar(&o.concurrency, "concurrency", 8, "export requests in flight")
	flag.IntVar(&o.collectorNice, "collector-nice", 5, "run the collector this much nicer than the load generator (0: as nice): a collector that takes every core then cannot starve the sink that measures it, whose lag would fill the exporter's queue and count in the collector's RSS")
	flag.IntVar(&o.corpusSpans, "corpus-spans", 400_000, "spans encoded ahead of time and sent again and again with new trace ids")
	flag.IntVar(&o.perRequest, "spans-per-request", 512, "spans at which a request is closed (an SDK's max_export_batch_size)")
	flag.Float64Var(&o.ormShare, "orm-share", loadgen.DefaultORMShare, "share of the traces taken from the testdata (ORM traps and fixes); the rest is clean traffic")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed")
	flag.StringVar(&pipelines, "pipelines", "passthrough,groupbytrace,querylens", "pipelines to run, in order")
	flag.IntVar(&o.rounds, "rounds", 3, "times to run the pipelines (the table gives each run, the ratios their median)")
	flag.DurationVar(&o.grace, "grace", 30*time.Second, "how long to wait for the sink to drain beyond the wait, before SIGTERM")
	flag.StringVar(&o.out, "out", "", "write the report (markdown) to this file")
	flag.StringVar(&o.workdir, "workdir", "build/bench", "collector configs, logs and profiles go here")
	flag.StringVar(&o.micro, "micro", "", "a file of `go test -bench` output to append to the report")
	flag.BoolVar(&o.profile, "profile", false, "after the measured runs, run some pipelines once more under a CPU profile")
	profiled := flag.String("profiled", "querylens,groupbytrace", "the pipelines -profile profiles")
	flag.DurationVar(&o.profileFor, "profile-seconds", 10*time.Second, "length of the CPU profile")
	flag.IntVar(&o.profileNodes, "profile-nodes", 25, "functions listed from each profile")
	flag.Float64Var(&o.rate, "rate", 0, "offered load of the fixed-load runs, spans/s (0: -rate-fraction of the lowest sustained rate)")
	flag.Float64Var(&o.rateFraction, "rate-fraction", 0.5, "the fixed-load runs offer this fraction of the lowest sustained rate of the saturation runs")
	flag.DurationVar(&o.rateDuration, "rate-duration", 15*time.Second, "sending time of each fixed-load run (0: no fixed-load runs)")
	flag.StringVar(&o.release, "release", "local_subtree", "querylens's release: local_subtree or whole_trace")
	flag.Float64Var(&o.overloadFactor, "overload-factor", 1.5, "the overload run offers querylens this many times its lowest sustained rate of the saturation runs")
	flag.DurationVar(&o.overloadDuration, "overload-duration", 60*time.Second, "sending time of the overload run (0: none)")
	flag.IntVar(&o.overloadMaxHeld, "overload-max-held-mib", 16, "querylens's max_held_mib in the overload run: under what it holds at saturation with its default, so that the bound is reached")
	flag.IntVar(&o.overloadExporterQueue, "overload-exporter-queue", 16384, "the exporter's sending queue in the overload run, in spans: small, so that a sink slower than the sender holds querylens back, which pushes back in turn, rather than a queue that grows outside its bound")
	flag.IntVar(&o.overloadConcurrency, "overload-concurrency", 32, "requests in flight in the overload run: enough senders that taking requests in outpaces analyzing them")
	flag.BoolVar(&o.timeline, "v", false, "log the rates, CPU and RSS each second")
	flag.Parse()
	o.pipelines = strings.Split(pipelines, ",")
	if pipelines == "" {
		o.pipelines = nil
	}
	o.profiled = strings.Split(*profiled, ",")
	for _, p := range o.pipelines {
		if _, ok := pipelineKinds[p]; !ok {
			log.Fatalf("unknown pipeline %q", p)
		}
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		o.loadStart = strings.Join(strings.Fields(string(load))[:3], " ")
	}
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

func run(o options) error {
	if _, err := os.Stat(o.collector); err != nil {
		return fmt.Errorf("collector binary: %w (run make build)", err)
	}
	if err := os.MkdirAll(o.workdir, 0o755); err != nil {
		return err
	}
	// The files of an earlier bench.
	for _, pattern := range []string{"[0-9][0-9]-*.log", "[0-9][0-9]-*.yaml", "*.pprof"} {
		old, _ := filepath.Glob(filepath.Join(o.workdir, pattern))
		for _, f := range old {
			_ = os.Remove(f)
		}
	}
	// The collector runs from a copy under another name, so that a cleanup
	// elsewhere on a shared machine (pkill -f otelcol...) leaves the bench alone.
	bin, err := copyBinary(o.collector, filepath.Join(o.workdir, "bench-collector"))
	if err != nil {
		return err
	}
	o.source, o.collector = o.collector, bin
	log.Printf("building the corpus: %d spans, %.0f%% of the traces from the testdata", o.corpusSpans, 100*o.ormShare)
	start := time.Now()
	mix, err := loadgen.NewMix(o.seed, o.ormShare)
	if err != nil {
		return err
	}
	corpus, err := loadgen.BuildCorpus(mix.Next, loadgen.CorpusOptions{Spans: o.corpusSpans, SpansPerRequest: o.perRequest, Seed: o.seed})
	if err != nil {
		return err
	}
	w, err := describeWorkload(o, mix, corpus)
	if err != nil {
		return err
	}
	log.Printf("corpus: %d spans in %d traces, %d requests, %.0f MB, %.1f MB a request decoded, built in %v",
		corpus.Spans, corpus.Traces, len(corpus.Requests), float64(w.corpusBytes)/1e6, w.decodedBytes/1e6, time.Since(start).Round(time.Millisecond))

	var rounds [][]*result
	salt := o.seed << 32
	for r := range o.rounds {
		if len(o.pipelines) == 0 {
			break
		}
		var results []*result
		for _, name := range o.pipelines {
			salt++
			log.Printf("round %d: %s for %v", r+1, name, o.duration)
			res, err := runPipeline(o, name, corpus, salt, runOptions{})
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			log.Print(res.summary())
			results = append(results, res)
		}
		rounds = append(rounds, results)
	}

	// At a fixed load every pipeline sustains: latency without a backlog.
	var fixed []*result
	if o.rateDuration > 0 && (len(rounds) > 0 || o.rate > 0) {
		rate := o.rate
		if rate == 0 {
			lowest := 0.0
			for _, r := range rounds[len(rounds)-1] {
				if lowest == 0 || r.spansPerSecond < lowest {
					lowest = r.spansPerSecond
				}
			}
			rate = math.Round(o.rateFraction*lowest/1000) * 1000
		}
		if rate <= 0 {
			return fmt.Errorf("no rate for the fixed-load runs: a pipeline delivered nothing during its sending time")
		}
		fo := o
		fo.duration = o.rateDuration
		for _, name := range o.pipelines {
			salt++
			log.Printf("fixed load: %s at %.0f spans/s for %v", name, rate, fo.duration)
			res, err := runPipeline(fo, name, corpus, salt, runOptions{rate: rate})
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			log.Print(res.summary())
			fixed = append(fixed, res)
		}
	}

	// Overload: more than querylens analyzes, for a minute; it must push back
	// on the sender and stay within its bound in bytes.
	var overload *result
	if o.overloadDuration > 0 && slices.Contains(o.pipelines, "querylens") && len(rounds) > 0 {
		lowest := 0.0
		for _, results := range rounds {
			for _, r := range results {
				if r.pipeline == "querylens" && (lowest == 0 || r.spansPerSecond < lowest) {
					lowest = r.spansPerSecond
				}
			}
		}
		rate := math.Round(o.overloadFactor*lowest/1000) * 1000
		oo := o
		oo.duration, oo.concurrency = o.overloadDuration, o.overloadConcurrency
		salt++
		log.Printf("overload: querylens offered %.0f spans/s (%.1fx its lowest sustained rate) for %v, max_held_mib %d, an exporter queue of %d spans",
			rate, o.overloadFactor, oo.duration, o.overloadMaxHeld, o.overloadExporterQueue)
		res, err := runPipeline(oo, "querylens", corpus, salt, runOptions{rate: rate, maxHeldMiB: o.overloadMaxHeld, exporterQueue: o.overloadExporterQueue})
		if err != nil {
			return fmt.Errorf("overload: %w", err)
		}
		log.Print(res.summary())
		overload = res
	}

	var profiles []*profileResult
	if o.profile {
		for _, name := range o.profiled {
			salt++
			log.Printf("profile: %s, %v of CPU profile", name, o.profileFor)
			pr, err := profilePipeline(o, name, corpus, salt)
			if err != nil {
				return fmt.Errorf("profile %s: %w", name, err)
			}
			profiles = append(profiles, pr)
		}
	}

	report := writeReport(o, w, rounds, fixed, overload, profiles)
	fmt.Println(report.table)
	fmt.Println(report.ratios)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(report.markdown), 0o644); err != nil {
			return err
		}
		log.Printf("wrote %s", o.out)
	}
	return report.err
}

// profilePipeline runs one pipeline for the profile's length plus a few
// seconds and takes a CPU profile of the collector in the middle.
func profilePipeline(o options, name string, corpus *loadgen.Corpus, salt uint64) (*profileResult, error) {
	path, err := filepath.Abs(filepath.Join(o.workdir, name+".cpu.pprof"))
	if err != nil {
		return nil, err
	}
	po := o
	po.duration = o.profileFor + 4*time.Second
	res, err := runPipeline(po, name, corpus, salt, runOptions{profile: path, profileAfter: 2 * time.Second, profileFor: o.profileFor})
	if err != nil {
		return nil, err
	}
	top, err := exec.Command(goTool(), "tool", "pprof", "-top", "-nodecount", fmt.Sprint(o.profileNodes), path).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go tool pprof: %v: %s", err, top)
	}
	pr := &profileResult{pipeline: name, path: path, top: string(top), run: res}
	cum, err := exec.Command(goTool(), "tool", "pprof", "-top", "-cum", "-nodecount", fmt.Sprint(o.profileNodes+10), path).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go tool pprof: %v: %s", err, cum)
	}
	pr.cumTop = string(cum)
	for _, part := range profileParts {
		share, err := profileShare(path, part.focus)
		if err != nil {
			return nil, err
		}
		pr.shares = append(pr.shares, share)
	}
	if heap := strings.TrimSuffix(path, ".cpu.pprof") + ".heap.pprof"; fileExists(heap) {
		top, err := exec.Command(goTool(), "tool", "pprof", "-top", "-sample_index", "inuse_space", "-nodecount", fmt.Sprint(o.profileNodes/2), heap).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("go tool pprof: %v: %s", err, top)
		}
		pr.heapTop = string(top)
	}
	return pr, nil
}

type profileResult struct {
	pipeline, path, top, cumTop, heapTop string
	run                                  *result
	shares                               []float64 // of profileParts, fractions of the profile
}

// profileParts are the parts of a collector's work the report gives the share
// of, each the samples whose stack holds a function matching focus (pprof's
// -focus): they may overlap (the garbage collector's assists run inside the
// other parts; its own workers are apart).
var profileParts = []struct{ name, focus string }{
	{"receiving (OTLP decoding)", `otelgrpc.*codecV2.*Unmarshal`},
	{"querylens processor: taking requests in (split, size, buffer)", `querylensProcessor.*ConsumeTraces`},
	{"querylens processor: analysis and annotation", `querylensProcessor.*release$`},
	{"querylens connector", `querylensconnector`},
	{"exporting (OTLP encoding and sending)", `otlpexporter`},
	{"garbage collector's own workers", `runtime.gcBgMarkWorker`},
	{"memory allocation (mallocgc, GC assists included)", `runtime.mallocgc$`},
}

// profileShare is the fraction of the profile's samples whose stack holds a
// function matching focus.
func profileShare(path, focus string) (float64, error) {
	out, err := exec.Command(goTool(), "tool", "pprof", "-top", "-nodecount", "100000", "-nodefraction", "0", "-focus", focus, path).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("go tool pprof -focus %s: %v: %s", focus, err, out)
	}
	// "Showing nodes accounting for 2.82s, 37.25% of 7.57s total"
	for _, line := range strings.Split(string(out), "\n") {
		if _, rest, ok := strings.Cut(line, "Showing nodes accounting for "); ok {
			f := strings.Fields(rest)
			if len(f) >= 2 {
				v, err := strconv.ParseFloat(strings.TrimRight(f[1], "%,"), 64)
				if err == nil {
					return v / 100, nil
				}
			}
		}
	}
	return 0, nil // nothing matched
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

var errTargets = errors.New("loadbench: spans were lost")

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func copyBinary(from, to string) (string, error) {
	to, err := filepath.Abs(to)
	if err != nil {
		return "", err
	}
	_ = os.Remove(to)
	if err := os.Link(from, to); err == nil {
		return to, nil
	}
	data, err := os.ReadFile(from)
	if err != nil {
		return "", err
	}
	return to, os.WriteFile(to, data, 0o755)
}
