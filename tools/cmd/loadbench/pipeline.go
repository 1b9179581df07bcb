package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/querylens/querylens/internal/testsupport/loopback"
	"github.com/querylens/querylens/tools/loadgen"
)

// collectorCommand runs the collector with the configuration at cfgPath,
// through nice(1) when it runs nicer than the load generator: nice execs the
// collector in its own process, so that the pid is the collector's, and
// every thread its runtime starts inherits the value.
func collectorCommand(o options, cfgPath string) *exec.Cmd {
	if o.collectorNice > 0 {
		return exec.Command("nice", "-n", strconv.Itoa(o.collectorNice), o.collector, "--config", cfgPath)
	}
	return exec.Command(o.collector, "--config", cfgPath)
}

// pipelineKinds are the three pipelines: their processors and what else they
// run. Each has batch after its processors and exports to the sink with the
// same otlp_grpc exporter.
var pipelineKinds = map[string]bool{"passthrough": false, "groupbytrace": true, "querylens": true}

// ports of one collector.
type ports struct {
	grpc, health, metrics, pprof, prom int
	sink                               string
}

// runSettings are the settings of a run's collector beyond its pipeline:
// querylens's, and the exporter's queue.
type runSettings struct {
	release    string // local_subtree or whole_trace
	maxHeldMiB int    // 0: the default
	// exporterQueue is the exporter's sending queue, in spans (0:
	// defaultExporterQueue).
	exporterQueue int
}

// defaultExporterQueue is the exporter's sending queue in spans but in the
// overload run: room for several seconds at saturation.
const defaultExporterQueue = 200_000

// Config renders the collector configuration of pipeline name.
func Config(name string, p ports, wait time.Duration, numTraces, workers int, q runSettings) string {
	var processors, procList, exporters, connectors, metricsPipeline string
	exporters = "[otlp_grpc]"
	switch name {
	case "passthrough":
		procList = "[batch]"
	case "groupbytrace":
		processors = fmt.Sprintf(`
  groupbytrace:
    wait_duration: %s
    num_traces: %d
    num_workers: %d`, wait, numTraces, workers)
		procList = "[groupbytrace, batch]"
	case "querylens":
		processors = fmt.Sprintf(`
  querylens:
    release: %s
    wait_duration: %s
    num_traces: %d`, q.release, wait, numTraces)
		if q.maxHeldMiB > 0 {
			processors += fmt.Sprintf(`
    max_held_mib: %d`, q.maxHeldMiB)
		}
		procList = "[querylens, batch]"
		exporters = "[otlp_grpc, querylens]"
		connectors = `
connectors:
  querylens:
`
		metricsPipeline = `
    metrics:
      receivers: [querylens]
      exporters: [prometheus]`
	}
	prom := ""
	if name == "querylens" {
		prom = fmt.Sprintf(`
  prometheus:
    endpoint: 127.0.0.1:%d`, p.prom)
	}
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
processors:%s
  batch:
    send_batch_max_size: 8192
%sexporters:
  otlp_grpc:
    endpoint: %s
    tls:
      insecure: true
    compression: none
    timeout: 60s
    sending_queue:
      block_on_overflow: true
      sizer: items
      queue_size: %d%s
extensions:
  health_check:
    endpoint: 127.0.0.1:%d
  pprof:
    endpoint: 127.0.0.1:%d
service:
  extensions: [health_check, pprof]
  pipelines:
    traces:
      receivers: [otlp]
      processors: %s
      exporters: %s%s
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
`, p.grpc, processors, connectors, p.sink, cmp.Or(q.exporterQueue, defaultExporterQueue), prom, p.health, p.pprof, procList, exporters, metricsPipeline, p.metrics)
}

type runOptions struct {
	rate       float64 // offered load in spans/s; 0 is as fast as the collector takes it
	maxHeldMiB int     // querylens's max_held_mib; 0 the default
	// exporterQueue is the exporter's sending queue in spans; 0 the default
	exporterQueue int
	profile       string // write a CPU profile of the collector here
	profileAfter  time.Duration
	profileFor    time.Duration
}

// result is what one pipeline run measured.
type result struct {
	pipeline string
	config   string
	rate     float64 // the offered load, 0 for saturation
	warmup   time.Duration

	sent, received, lost int64 // spans: accepted by the collector, arrived at the sink (after shutdown)
	receivedBeforeStop   int64 // arrived before SIGTERM
	requests             int64
	rejected, errors     int64 // partial-success rejections; failed attempts (retried)
	sendSeconds          float64
	drainSeconds         float64 // from the end of sending until the sink had everything (or gave up)
	spansPerSecond       float64 // delivered: see sustained
	acceptedPerSecond    float64
	otherCPU             float64 // CPU seconds of every other process on the machine, during the run
	cpuSeconds           float64 // collector, from the first request to the end of the drain
	cpuPerMillion        float64
	genCPUPerMillion     float64 // the load generator's own (sender and sink)
	peakRSS              int64   // VmHWM, bytes
	latency              loadgen.Latency
	rootLatency          loadgen.RootLatency // of the sampled spans, from their local root's sending
	held                 quantiles           // querylens's own release delay (otelcol_processor_querylens_release_delay)
	maxHeldBytes         float64             // the most otelcol_processor_querylens_held_bytes read during the run
	maxQueue             float64             // the most otelcol_exporter_queue_size read during the run
	metrics              map[string]float64  // the collector's own, before SIGTERM
	connectorSeries      int                 // querylens_* samples on the connector's prometheus exporter
	findings             float64
	timeline             []sample
}

// sample is the state of a run at one moment.
type sample struct {
	at               int64 // loadgen.Now()
	accepted, sinked int64
	cpu, self        float64
	rss              int64
}

type timeline struct {
	done    chan struct{}
	out     chan []sample
	stopped []sample
	closed  bool

	mu      sync.Mutex
	samples []sample
	// maxHeld is the most bytes querylens said it held, maxQueue the most
	// batches in the exporter's sending queue (read each second).
	maxHeld, maxQueue float64
}

// samplesSoFar returns the samples taken until now.
func (t *timeline) samplesSoFar() []sample {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.samples)
}

// startTimeline samples the run every 250ms; print logs each second. It reads
// querylens's held bytes and the exporter's queue at metrics each second.
func startTimeline(pid int, sink *loadgen.Sink, sender *loadgen.Sender, print bool, metrics string) *timeline {
	t := &timeline{done: make(chan struct{}), out: make(chan []sample, 1)}
	go func() {
		var samples []sample
		var held, queue float64 // the last scrape's, for the printed line
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			if metrics != "" && i%4 == 0 {
				if m, err := scrape(metrics); err == nil {
					held, queue = metric(m, "otelcol_processor_querylens_held_bytes"), metric(m, "otelcol_exporter_queue_size")
					t.mu.Lock()
					t.maxHeld = max(t.maxHeld, held)
					t.maxQueue = max(t.maxQueue, queue)
					t.mu.Unlock()
				}
			}
			cpu, _ := processCPU(pid)
			rss, _ := currentRSS(pid)
			self, _ := processCPU(os.Getpid())
			s := sample{at: loadgen.Now(), accepted: sender.Stats.Spans.Load(), sinked: sink.Spans(), cpu: cpu, self: self, rss: rss}
			if print && i%4 == 0 && len(samples) >= 4 {
				p := samples[len(samples)-4]
				dt := float64(s.at-p.at) / 1e9
				log.Printf("  accepted %7.0f/s  at the sink %7.0f/s  collector CPU %3.0f%%  RSS %4d MiB  held %5.1f MiB  export queue %4.0f  load generator CPU %3.0f%%",
					float64(s.accepted-p.accepted)/dt, float64(s.sinked-p.sinked)/dt, 100*(s.cpu-p.cpu)/dt, s.rss>>20, held/(1<<20), queue, 100*(s.self-p.self)/dt)
			}
			samples = append(samples, s)
			t.mu.Lock()
			t.samples = samples
			t.mu.Unlock()
			select {
			case <-t.done:
				t.out <- samples
				return
			case <-tick.C:
			}
		}
	}()
	return t
}

func (t *timeline) stop() []sample {
	if !t.closed {
		t.closed = true
		close(t.done)
		t.stopped = <-t.out
	}
	return t.stopped
}

func (r *result) summary() string {
	return fmt.Sprintf("%-12s sent %d received %d lost %d | %.0f spans/s | %.2f CPU s/1M spans | peak RSS %.0f MB | latency p50 %v p99 %v",
		r.pipeline, r.sent, r.received, r.lost, r.spansPerSecond, r.cpuPerMillion, float64(r.peakRSS)/(1<<20),
		r.latency.P50.Round(time.Millisecond), r.latency.P99.Round(time.Millisecond))
}

// warmUp waits at least min, and until the RSS in the timeline has grown by
// less than 3% over the last 3 seconds, max at most; it returns the time the
// warm-up ended (by loadgen.Now()). It returns early if the sender ended.
func warmUp(tl *timeline, min, max time.Duration, sendErr chan error) int64 {
	start := loadgen.Now()
	for {
		time.Sleep(250 * time.Millisecond)
		select {
		case err := <-sendErr:
			sendErr <- err
			return loadgen.Now()
		default:
		}
		now := loadgen.Now()
		if now-start >= int64(max) {
			return now
		}
		if now-start < int64(min) {
			continue
		}
		samples := tl.samplesSoFar()
		if len(samples) < 13 {
			continue
		}
		last, before := samples[len(samples)-1], samples[len(samples)-13]
		if float64(last.rss) < 1.03*float64(before.rss) {
			return now
		}
	}
}

// runCount numbers the runs, for the names of their files.
var runCount int

// wait is how long pipeline name holds a trace by design: groupbytrace and
// querylens in whole_trace the wait, querylens in local_subtree nothing
// beyond the settle of a few milliseconds.
func wait(name string, o options) time.Duration {
	if name == "groupbytrace" || name == "querylens" && o.release == "whole_trace" {
		return o.wait
	}
	return 0
}

// sustained is the rate at which spans reached the sink over the sending time
// shifted by the pipeline's wait: the spans delivered in [start+wait,
// end+wait], over end-start. A pipeline that keeps up delivers what it
// accepted; one that falls behind delivers less, and its backlog does not count.
func sustained(tl []sample, start, end int64, wait time.Duration) float64 {
	at := func(t int64) float64 { return interpolate(tl, t, func(s sample) int64 { return s.sinked }) }
	w := int64(wait)
	return (at(end+w) - at(start+w)) / (float64(end-start) / 1e9)
}

// acceptedAt is the number of spans the collector had accepted at t.
func acceptedAt(tl []sample, t int64) int64 {
	return int64(interpolate(tl, t, func(s sample) int64 { return s.accepted }))
}

// interpolate reads field of the timeline at t, linearly between samples.
func interpolate(tl []sample, t int64, field func(sample) int64) float64 {
	if len(tl) == 0 {
		return 0
	}
	if t <= tl[0].at {
		return float64(field(tl[0]))
	}
	for i := 1; i < len(tl); i++ {
		if t <= tl[i].at {
			a, b := tl[i-1], tl[i]
			f := float64(t-a.at) / float64(b.at-a.at)
			return float64(field(a)) + f*float64(field(b)-field(a))
		}
	}
	return float64(field(tl[len(tl)-1]))
}

// machineBusy is the CPU seconds every process of the machine used since boot
// (/proc/stat: all but idle and iowait).
func machineBusy() (float64, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, fmt.Errorf("unexpected /proc/stat")
	}
	busy := 0.0
	for i, v := range f[1:] {
		if i == 3 || i == 4 || i == 7 { // idle, iowait, steal
			continue
		}
		if i >= 8 { // guest time is already in user
			break
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, err
		}
		busy += x
	}
	return busy / clockTicks, nil
}

// runPipeline starts the collector on pipeline name, sends for o.duration,
// waits for the sink to drain, stops the collector with SIGTERM and counts.
func runPipeline(o options, name string, corpus *loadgen.Corpus, salt uint64, ro runOptions) (*result, error) {
	sink, err := loadgen.NewSink("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer sink.Stop()
	var p ports
	for _, port := range []*int{&p.grpc, &p.health, &p.metrics, &p.pprof, &p.prom} {
		if *port, err = loopback.FreePort(); err != nil {
			return nil, err
		}
	}
	p.sink = sink.Addr()
	workers := runtime.NumCPU() // querylens's num_workers 0 is one per CPU: groupbytrace gets as many
	cfg := Config(name, p, o.wait, o.numTraces, workers, runSettings{release: o.release, maxHeldMiB: ro.maxHeldMiB, exporterQueue: ro.exporterQueue})
	res := &result{pipeline: name, config: cfg}
	runCount++
	base := fmt.Sprintf("%02d-%s", runCount, name)
	if ro.rate > 0 {
		base += fmt.Sprintf("-%.0f", ro.rate)
	}
	cfgPath, err := filepath.Abs(filepath.Join(o.workdir, base+".yaml"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(o.workdir, base+".log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := collectorCommand(o, cfgPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	if err := waitHealthy(p.health, done); err != nil {
		return nil, fmt.Errorf("%w (log: %s)", err, logFile.Name())
	}
	pid := cmd.Process.Pid

	sender, err := loadgen.NewSender(fmt.Sprintf("127.0.0.1:%d", p.grpc), corpus, salt)
	if err != nil {
		return nil, err
	}
	defer sender.Close()

	cpu0, err := processCPU(pid)
	if err != nil {
		return nil, err
	}
	self0, _ := processCPU(os.Getpid())
	busy0, _ := machineBusy()
	ctx, cancel := context.WithTimeout(context.Background(), o.duration+o.wait+o.grace+time.Minute)
	defer cancel()
	tl := startTimeline(pid, sink, sender, o.timeline, fmt.Sprintf("http://127.0.0.1:%d/metrics", p.metrics))
	defer tl.stop()
	res.rate = ro.rate
	sendErr := make(chan error, 1)
	go func() { sendErr <- sender.RunAt(ctx, o.warmupMax+o.duration, o.concurrency, ro.rate) }()
	// The warm-up: at least o.warmup, and on until the collector's RSS has
	// stopped growing (this machine faults new memory in slowly: a heap that
	// still grows stalls the pipeline), o.warmupMax at most.
	from := warmUp(tl, o.warmup, o.warmupMax, sendErr)
	res.warmup = time.Duration(from - sender.Stats.Start)
	sender.StopAt(from + int64(o.duration))
	profErr := make(chan error, 1)
	if ro.profile != "" {
		go func() {
			time.Sleep(ro.profileAfter)
			err := fetch(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/profile?seconds=%d", p.pprof, int(ro.profileFor.Seconds())), ro.profile)
			if err == nil { // and what the heap holds, at the end of it
				err = fetch(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/heap", p.pprof), strings.TrimSuffix(ro.profile, ".cpu.pprof")+".heap.pprof")
			}
			profErr <- err
		}()
	} else {
		profErr <- nil
	}

	if err := <-sendErr; err != nil {
		return nil, fmt.Errorf("sending: %w", err)
	}
	res.sent = sender.Stats.Spans.Load()
	res.requests = sender.Stats.Requests.Load()
	res.rejected = sender.Stats.Rejected.Load()
	res.errors = sender.Stats.Errors.Load()
	// The measured window starts after the warm-up.
	res.sendSeconds = float64(sender.Stats.End-from) / 1e9
	res.acceptedPerSecond = float64(res.sent-acceptedAt(tl.samplesSoFar(), from)) / res.sendSeconds

	// The drain: until the sink has every span, or the wait and the grace have
	// passed with spans still missing.
	deadline := time.Now().Add(o.wait + o.grace)
	for sink.Spans() < res.sent && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	res.drainSeconds = float64(loadgen.Now()-sender.Stats.End) / 1e9
	cpu1, err := processCPU(pid)
	if err != nil {
		return nil, err
	}
	self1, _ := processCPU(os.Getpid())
	busy1, _ := machineBusy()
	res.receivedBeforeStop = sink.Spans()
	res.timeline = tl.stop()
	res.spansPerSecond = sustained(res.timeline, from, sender.Stats.End, wait(name, o))
	res.cpuSeconds = cpu1 - cpu0
	res.cpuPerMillion = res.cpuSeconds / float64(res.sent) * 1e6
	res.genCPUPerMillion = (self1 - self0) / float64(res.sent) * 1e6
	res.otherCPU = max(0, (busy1-busy0)-(cpu1-cpu0)-(self1-self0))
	if res.peakRSS, err = peakRSS(pid); err != nil {
		return nil, err
	}
	if res.metrics, err = scrape(fmt.Sprintf("http://127.0.0.1:%d/metrics", p.metrics)); err != nil {
		return nil, fmt.Errorf("the collector's metrics: %w", err)
	}
	res.held = histogramQuantiles(res.metrics, "otelcol_processor_querylens_release_delay")
	tl.mu.Lock()
	res.maxHeldBytes, res.maxQueue = tl.maxHeld, tl.maxQueue
	tl.mu.Unlock()
	if name == "querylens" {
		conn, err := scrape(fmt.Sprintf("http://127.0.0.1:%d/metrics", p.prom))
		if err != nil {
			return nil, fmt.Errorf("the connector's metrics: %w", err)
		}
		for k := range conn {
			if strings.HasPrefix(k, "querylens_") {
				res.connectorSeries++
			}
		}
		res.findings = metric(res.metrics, "otelcol_processor_querylens_findings")
	}
	if err := <-profErr; err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}

	// SIGTERM: querylens releases what it holds; count what arrives.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return nil, err
	}
	select {
	case err := <-done:
		if err != nil {
			return nil, fmt.Errorf("collector exited with %v (log: %s)", err, logFile.Name())
		}
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("collector did not stop within 60s of SIGTERM (log: %s)", logFile.Name())
	}
	// The sink counts a request before it answers it, and the exporter waits for
	// the answer before the collector exits: what arrived has been counted.
	res.received = sink.Spans()
	res.latency = loadgen.MeasureLatencySince(sender.Traces(), sink.Arrivals(), from)
	res.rootLatency = loadgen.MeasureRootLatency(corpus, sender.SpanSends(), sink.SpanArrivals(), from)
	res.lost = res.latency.Missing
	return res, nil
}

func waitHealthy(port int, done <-chan error) error {
	health := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if err := loopback.WaitReady(func() bool { return loopback.Answers(health) }, done, 60*time.Second); err != nil {
		return fmt.Errorf("collector %v", err)
	}
	return nil
}

// processCPU is the user and system CPU seconds of process pid
// (/proc/<pid>/stat, fields 14 and 15, in clock ticks of 1/100 s).
func processCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	return (utime + stime) / clockTicks, nil
}

// clockTicks is sysconf(_SC_CLK_TCK): 100 on every Linux platform Go runs on.
const clockTicks = 100

// currentRSS is VmRSS of process pid, in bytes.
func currentRSS(pid int) (int64, error) { return statusKB(pid, "VmRSS:") }

// peakRSS is VmHWM of process pid, in bytes.
func peakRSS(pid int) (int64, error) { return statusKB(pid, "VmHWM:") }

// statusKB reads a "kB" field of /proc/<pid>/status, in bytes.
func statusKB(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// scrape reads a Prometheus text endpoint: sample name with labels → value.
func scrape(url string) (map[string]float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		out[line[:i]] = v
	}
	return out, sc.Err()
}

// metric sums the samples of metric name (or name_total) over every label
// set.
func metric(samples map[string]float64, name string) float64 {
	sum := 0.0
	for k, v := range samples {
		base, _, _ := strings.Cut(k, "{")
		if base == name || base == name+"_total" {
			sum += v
		}
	}
	return sum
}

// quantiles of a histogram of seconds; n is its count (0: none recorded).
type quantiles struct {
	n             float64
	p50, p90, p99 time.Duration
}

// histogramQuantiles reads the quantiles of a histogram from its cumulative
// buckets (name_bucket{le="..."}, summed over the other labels), linearly
// between bucket bounds.
func histogramQuantiles(samples map[string]float64, name string) quantiles {
	cum := map[float64]float64{}
	for k, v := range samples {
		base, labels, _ := strings.Cut(k, "{")
		if base != name+"_bucket" {
			continue
		}
		_, rest, ok := strings.Cut(labels, `le="`)
		if !ok {
			continue
		}
		le, _, _ := strings.Cut(rest, `"`)
		bound := math.Inf(1)
		if le != "+Inf" {
			var err error
			if bound, err = strconv.ParseFloat(le, 64); err != nil {
				continue
			}
		}
		cum[bound] += v
	}
	bounds := make([]float64, 0, len(cum))
	for b := range cum {
		bounds = append(bounds, b)
	}
	slices.Sort(bounds)
	if len(bounds) == 0 || cum[bounds[len(bounds)-1]] == 0 {
		return quantiles{}
	}
	total := cum[bounds[len(bounds)-1]]
	q := func(p float64) time.Duration {
		target := p * total
		lower, below := 0.0, 0.0
		for _, b := range bounds {
			if cum[b] >= target {
				if math.IsInf(b, 1) {
					return time.Duration(lower * 1e9)
				}
				f := (target - below) / max(cum[b]-below, 1e-9)
				return time.Duration((lower + f*(b-lower)) * 1e9)
			}
			lower, below = b, cum[b]
		}
		return time.Duration(lower * 1e9)
	}
	return quantiles{n: total, p50: q(0.5), p90: q(0.9), p99: q(0.99)}
}

// metricWith sums the samples of metric name (or name_total) whose labels
// hold label (e.g. `result="hit"`).
func metricWith(samples map[string]float64, name, label string) float64 {
	sum := 0.0
	for k, v := range samples {
		base, labels, _ := strings.Cut(k, "{")
		if (base == name || base == name+"_total") && strings.Contains(labels, label) {
			sum += v
		}
	}
	return sum
}

func fetch(url, path string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
