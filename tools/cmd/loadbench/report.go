package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/querylens/querylens/tools/loadgen"
)

// workload describes the traffic.
type workload struct {
	ormTraces, ormSpans, cleanTraces, cleanSpans int
	corpusSpans, corpusTraces, requests          int
	corpusBytes                                  int
	minReq, maxReq                               int
	// decodedBytes is what decoding a request allocates, on average.
	decodedBytes float64
}

func describeWorkload(o options, m *loadgen.Mix, c *loadgen.Corpus) (w workload, err error) {
	w = workload{
		ormTraces: m.ORMTraces, ormSpans: m.ORMSpans, cleanTraces: m.CleanTraces, cleanSpans: m.CleanSpans,
		corpusSpans: c.Spans, corpusTraces: c.Traces, requests: len(c.Requests), minReq: 1 << 30,
	}
	for i := range c.Requests {
		r := &c.Requests[i]
		w.corpusBytes += r.Size()
		w.minReq, w.maxReq = min(w.minReq, r.Spans()), max(w.maxReq, r.Spans())
	}
	w.decodedBytes, err = c.MeanDecodedBytes(200)
	return w, err
}

type report struct {
	markdown, table, ratios string
	err                     error
}

func writeReport(o options, w workload, rounds [][]*result, fixed []*result, overload *result, profiles []*profileResult) report {
	var rep report
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	p("# Benchmarks\n\n")
	p("Written by `make bench` (`tools/cmd/loadbench`); do not edit by hand, run `make bench` again.\n")
	p("Numbers from one machine, on one day: compare ratios measured in the same run, not\n")
	p("absolute figures across machines.\n\n")

	p("## Machine\n\n| | |\n| --- | --- |\n")
	for _, kv := range machine(o) {
		p("| %s | %s |\n", kv[0], kv[1])
	}

	p("\n## Workload\n\n")
	p("- Traces: %.0f%% of them (by count) the testdata's real ORM traces (`tools/loadgen.Generator`: every\n", 100*o.ormShare)
	p("  scenario, traps and their fixed twins, 2 to 103 spans) and %.0f%% clean traffic\n", 100*(1-o.ormShare))
	p("  (`tools/loadgen.CleanGenerator`: %d to %d spans, log-uniform; a server span per service, internal\n", loadgen.CleanMinSpans, loadgen.CleanMaxSpans)
	p("  spans, database spans with a distinct statement shape each — 70%% with placeholders, 30%% with inline\n")
	p("  values —, HTTP client spans to distinct routes; a third of them call a second service). Clean traces\n")
	p("  give no finding. By spans: %.1f%% testdata, %.1f%% clean; mean %.0f spans a trace.\n",
		100*float64(w.ormSpans)/float64(w.ormSpans+w.cleanSpans), 100*float64(w.cleanSpans)/float64(w.ormSpans+w.cleanSpans),
		float64(w.corpusSpans)/float64(w.corpusTraces))
	p("- Requests: each trace's spans split in 1 to 3 parts by their end time (the root last) and sent in\n")
	p("  consecutive requests, each request closed at %d spans and holding parts of many traces (%d to %d spans,\n", o.perRequest, w.minReq, w.maxReq)
	p("  %.0f KB on average); parts of one resource and scope share a ResourceSpans and ScopeSpans, as in an\n", float64(w.corpusBytes)/float64(w.requests)/1e3)
	p("  SDK's batch. %d spans in %d traces and %d requests are encoded once, and sent again and again with\n", w.corpusSpans, w.corpusTraces, w.requests)
	p("  new trace ids (the first 8 bytes of every trace id XORed with a per-pass salt): every trace the\n")
	p("  collector sees is new.\n")
	p("- Sending: OTLP/gRPC, no compression, %d requests in flight, as fast as the collector accepts them;\n", o.concurrency)
	p("  a refused request is retried (after %v, doubling to %v). Per pipeline, a warm-up of %v at least, on while the collector's RSS\n", loadgen.RetryInitial, loadgen.RetryMax, o.warmup)
	p("  still grows (by 3%% in 3 s; %v at most: this machine faults new memory in slowly, and a growing heap\n", o.warmupMax)
	p("  stalls the pipeline), then %v measured. The sink is an OTLP/gRPC server in the same process that\n", o.duration)
	p("  counts spans per trace id and the time of their arrival.\n")
	if o.collectorNice > 0 {
		p("  The collector runs at nice +%d against the sender and the sink: on 2 cores a collector that takes\n", o.collectorNice)
		p("  both would otherwise starve the sink, whose lag fills the exporter's queue and counts in the\n")
		p("  collector's peak RSS. CPU per span does not depend on it.\n")
	}
	p("- Pipelines (their configurations are under Configuration): `passthrough` is receiver, `batch`, OTLP exporter;\n")
	p("  `groupbytrace` puts the contrib processor before `batch`; `querylens` puts the querylens processor before\n")
	p("  `batch` and sends the batches to the querylens connector too, whose metrics go to a Prometheus exporter:\n")
	p("  the processor and its metrics, as `config/local.yaml` runs them (without the findings page). The\n")
	p("  connector is work groupbytrace does not do; its share of querylens's CPU is under its CPU profile.\n")
	p("- Each pipeline runs in its own collector, started fresh, one after the other: %s.\n", strings.Join(o.pipelines, ", "))
	p("  After sending, the bench waits until the sink has every span, or for wait_duration + %v, reads\n", o.grace)
	p("  the collector's CPU time, peak RSS and own metrics, stops it with SIGTERM and counts again.\n")

	p("\n## Results\n\n")
	p("### As fast as the collector takes it\n\n")
	var t strings.Builder
	t.WriteString("| pipeline | spans sent | received | lost | spans/s | CPU s / 1M spans | peak RSS | latency p50 | p99 | from local root p50 | p99 |\n")
	t.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for ri, results := range rounds {
		for _, r := range results {
			fmt.Fprintf(&t, "| %s | %d | %d | %d | %s | %.2f | %.0f MiB | %s | %s | %s | %s |\n",
				runName(r, ri, len(rounds)), r.sent, r.received, r.lost, thousands(r.spansPerSecond), r.cpuPerMillion, float64(r.peakRSS)/(1<<20),
				ms(r.latency.P50), ms(r.latency.P99), ms(r.rootLatency.P50), ms(r.rootLatency.P99))
		}
	}
	rep.table = t.String()
	b.WriteString(rep.table)
	p("\n- **spans sent**: accepted by the collector (export requests answered OK). **received**: counted at\n")
	p("  the sink after the collector stopped. **lost**: spans sent that never arrived, counted per trace\n")
	p("  (a duplicate cannot hide a loss; duplicates are under Checks).\n")
	p("- **spans/s**: sustained, the spans that reached the sink during the sending time shifted by the\n")
	p("  pipeline's wait ([start + wait, end + wait]; wait 0 for passthrough and for querylens in `local_subtree`), over the sending time. The\n")
	p("  sender is held back only by its %d requests in flight; a pipeline that keeps up delivers what it\n", o.concurrency)
	p("  accepts, one that falls behind builds a backlog, which does not count (the accepted rate is under Checks).\n")
	p("- **CPU s / 1M spans**: the collector's user + system CPU (`/proc/<pid>/stat`) from the first request\n")
	p("  (warm-up included) to the end of the drain, per million spans sent. The primary figure: it does not\n")
	p("  depend on how the machine's %d cores were shared with the load generator and other work.\n", runtime.NumCPU())
	p("- **peak RSS**: `VmHWM` of the collector (`/proc/<pid>/status`) before it was stopped.\n")
	p("- **latency**: per trace, the arrival at the sink of its last span minus the time the request with its\n")
	p("  last part was sent, over the traces that arrived whole. At saturation it includes the backlog.\n")
	p("- **from local root**: per span, of the traces sampled (1 in %d by trace id), its arrival at the sink minus\n", 32)
	p("  the sending of the request with its local root (or with itself, when later): how long a request was\n")
	p("  kept once it was complete. It includes the `batch` processor and the export, which every pipeline has.\n")
	if len(fixed) > 0 {
		p("\n### At a fixed load\n\n")
		p("The same traffic offered at %s spans/s (%.0f%% of the lowest sustained rate above, unless `-rate` was\n", thousands(fixed[0].rate), 100*o.rateFraction)
		p("given), %v per pipeline: the latency each pipeline adds when it is not saturated.\n\n", o.rateDuration)
		p("| pipeline | spans sent | lost | CPU s / 1M spans | peak RSS | latency p50 | p99 | beyond the wait p50 | p99 | from local root p50 | p99 | held in querylens p50 | p99 |\n")
		p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, r := range fixed {
			beyond50, beyond99, held50, held99 := "—", "—", "—", "—"
			if w := wait(r.pipeline, o); w > 0 {
				beyond50 = ms(r.latency.P50 - w)
				beyond99 = ms(r.latency.P99 - w)
			}
			if r.held.n > 0 {
				held50, held99 = ms(r.held.p50), ms(r.held.p99)
			}
			p("| `%s` | %d | %d | %.2f | %.0f MiB | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				r.pipeline, r.sent, r.lost, r.cpuPerMillion, float64(r.peakRSS)/(1<<20), ms(r.latency.P50), ms(r.latency.P99), beyond50, beyond99,
				ms(r.rootLatency.P50), ms(r.rootLatency.P99), held50, held99)
		}
		p("\n**beyond the wait**: latency minus wait_duration (%v), for a pipeline that holds every trace for it\n", o.wait)
		p("(groupbytrace; querylens in `whole_trace`). **held in querylens**: the processor's own\n")
		p("`otelcol_processor_querylens_release_delay`, from the arrival of a request's local root to its release\n")
		p("(in `local_subtree`; from the trace's first span in `whole_trace`), read from its histogram buckets over the run.\n")
		p("**from local root** at the sink adds the `batch` processor and the export, which passthrough pays too.\n")
	}

	// Ratios: per round, then the median over rounds.
	type ratioSet struct{ tputPass, tputGbt, cpuPass, cpuGbt, rssPass, rssGbt float64 }
	var sets []ratioSet
	for _, results := range rounds {
		by := map[string]*result{}
		for _, r := range results {
			by[r.pipeline] = r
		}
		q, pass, gbt := by["querylens"], by["passthrough"], by["groupbytrace"]
		if q == nil {
			continue
		}
		var s ratioSet
		if pass != nil {
			s.tputPass, s.cpuPass, s.rssPass = q.spansPerSecond/pass.spansPerSecond, q.cpuPerMillion/pass.cpuPerMillion, float64(q.peakRSS)/float64(pass.peakRSS)
		}
		if gbt != nil {
			s.tputGbt, s.cpuGbt, s.rssGbt = q.spansPerSecond/gbt.spansPerSecond, q.cpuPerMillion/gbt.cpuPerMillion, float64(q.peakRSS)/float64(gbt.peakRSS)
		}
		sets = append(sets, s)
	}
	if len(sets) > 0 {
		med := func(f func(ratioSet) float64) float64 {
			v := make([]float64, len(sets))
			for i, s := range sets {
				v[i] = f(s)
			}
			slices.Sort(v)
			return v[len(v)/2]
		}
		m := ratioSet{
			med(func(s ratioSet) float64 { return s.tputPass }), med(func(s ratioSet) float64 { return s.tputGbt }),
			med(func(s ratioSet) float64 { return s.cpuPass }), med(func(s ratioSet) float64 { return s.cpuGbt }),
			med(func(s ratioSet) float64 { return s.rssPass }), med(func(s ratioSet) float64 { return s.rssGbt }),
		}
		var r strings.Builder
		r.WriteString("| querylens against | passthrough | groupbytrace |\n| --- | ---: | ---: |\n")
		fmt.Fprintf(&r, "| throughput (spans/s), target ≥ 0.9x and ≥ 1.0x | %s %s | %s %s |\n", x(m.tputPass), verdict(m.tputPass, 0.9, true), x(m.tputGbt), verdict(m.tputGbt, 1.0, true))
		fmt.Fprintf(&r, "| CPU s per 1M spans (lower is better) | %s | %s |\n", x(m.cpuPass), x(m.cpuGbt))
		fmt.Fprintf(&r, "| throughput on a CPU-bound machine, 1 / CPU per span, against the same targets | %s %s | %s %s |\n",
			x(1/m.cpuPass), verdict(1/m.cpuPass, 0.9, true), x(1/m.cpuGbt), verdict(1/m.cpuGbt, 1.0, true))
		fmt.Fprintf(&r, "| peak RSS, target ≤ 2x passthrough | %s %s | %s |\n", x(m.rssPass), verdict(m.rssPass, 2, false), x(m.rssGbt))
		fmt.Fprintf(&r, "| CPU s per 1M spans, targets ≤ 2x passthrough and ≤ 0.6x groupbytrace | %s %s | %s %s |\n",
			x(m.cpuPass), verdict(m.cpuPass, 2, false), x(m.cpuGbt), verdict(m.cpuGbt, 0.6, false))
		rep.ratios = r.String()
		p("\n## Ratios\n\n")
		if len(sets) > 1 {
			p("The median over the %d runs of the ratio measured within each run.\n\n", len(sets))
		} else {
			p("Measured in the same run, on the same traffic.\n\n")
		}
		b.WriteString(rep.ratios)
		for _, f := range fixed {
			if f.pipeline != "querylens" || f.held.n == 0 {
				continue
			}
			var pass *result
			for _, g := range fixed {
				if g.pipeline == "passthrough" {
					pass = g
				}
			}
			p("\nAt the fixed load, a request left querylens %s (p50) %s and %s (p99) %s after its local root arrived\n",
				ms(f.held.p50), msVerdict(f.held.p50, 20*time.Millisecond), ms(f.held.p99), msVerdict(f.held.p99, 100*time.Millisecond))
			p("(targets 20 ms and 100 ms; the processor's own histogram over %.0f requests)", f.held.n)
			if pass != nil {
				p("; at the sink, from the local root's sending, querylens %s / %s against passthrough %s / %s:\n",
					ms(f.rootLatency.P50), ms(f.rootLatency.P99), ms(pass.rootLatency.P50), ms(pass.rootLatency.P99))
				p("querylens added %s (p50) and %s (p99)", ms(f.rootLatency.P50-pass.rootLatency.P50), ms(f.rootLatency.P99-pass.rootLatency.P99))
			}
			p(".\n")
		}
		p("\nThe throughput measured is only as good as the machine was quiet (see \"other work\" above and the\n")
		p("CPU other processes used under Checks); CPU per span is not disturbed by other work, and when the\n")
		p("collector is what holds the machine's cores, throughput goes as its inverse: the last row.\n")
	}

	if overload != nil {
		writeOverload(p, o, w, overload, rounds, &rep)
	}

	p("\n## Checks\n\n")
	all := append(slices.Clone(rounds), fixed)
	if overload != nil {
		all = append(all, []*result{overload})
	}
	for ri, results := range all {
		for _, r := range results {
			prefix := runName(r, ri, len(rounds))
			accepted := metric(r.metrics, "otelcol_receiver_accepted_spans")
			refused := metric(r.metrics, "otelcol_receiver_refused_spans")
			exported := metric(r.metrics, "otelcol_exporter_sent_spans")
			failed := metric(r.metrics, "otelcol_exporter_send_failed_spans")
			p("- %s: the receiver accepted %.0f spans and refused %.0f; the exporter sent %.0f and failed %.0f before the stop;\n",
				prefix, accepted, refused, exported, failed)
			p("  %d spans had arrived before SIGTERM, %d after the stop; %d requests, %d attempts refused and retried, %d spans rejected in partial successes;\n",
				r.receivedBeforeStop, r.received, r.requests, r.errors, r.rejected)
			p("  %d traces sent, %d arrived whole, %d incomplete (%d spans missing), %d with %d spans too many (duplicates); %d of them only\n",
				r.latency.Traces, r.latency.Complete, r.latency.Incomplete, r.latency.Missing, r.latency.Extra, r.latency.Duplicated, r.latency.Cut)
			p("  partly sent when the sending ended (left out of the latency); latency from the local root over %d sampled spans;\n", r.rootLatency.Spans)
			p("  warm-up %v; accepted %s spans/s measured; the drain took %.1f s after the sending ended;\n", r.warmup.Round(100*time.Millisecond), thousands(r.acceptedPerSecond), r.drainSeconds)
			p("  the load generator used %.2f CPU s / 1M spans, other processes %.1f CPU s in all during the run; the exporter's queue held %.0f batches at most.\n",
				r.genCPUPerMillion, r.otherCPU, r.maxQueue)
			switch r.pipeline {
			case "querylens":
				recv := metric(r.metrics, "otelcol_processor_querylens_spans_received")
				rel := metric(r.metrics, "otelcol_processor_querylens_spans_released")
				refusedRel := metric(r.metrics, "otelcol_processor_querylens_spans_refused")
				early := metric(r.metrics, "otelcol_processor_querylens_traces_released_early")
				late := metric(r.metrics, "otelcol_processor_querylens_late_spans")
				ok := "match"
				switch {
				case r.receivedBeforeStop < r.sent:
					ok = "(read before the drain was complete; the stop released the rest)"
				case recv != rel:
					ok = "DO NOT MATCH"
				}
				p("  `otelcol_processor_querylens_spans_received` %.0f and `_spans_released` %.0f %s (refused %.0f); traces released early %.0f, late spans %.0f;\n",
					recv, rel, ok, refusedRel, early, late)
				p("  spans released without their local root %.0f, pushed back to the sender %.0f, retried downstream %.0f; held at most %.1f MiB (read each second);\n",
					metric(r.metrics, "otelcol_processor_querylens_spans_released_incomplete"), metric(r.metrics, "otelcol_processor_querylens_spans_pushed_back"),
					metric(r.metrics, "otelcol_processor_querylens_spans_retried"), r.maxHeldBytes/(1<<20))
				hits := metricWith(r.metrics, "otelcol_processor_querylens_statement_cache_lookups", `result="hit"`)
				misses := metricWith(r.metrics, "otelcol_processor_querylens_statement_cache_lookups", `result="miss"`)
				hitRate := 0.0
				if hits+misses > 0 {
					hitRate = 100 * hits / (hits + misses)
				}
				p("  findings %.0f; statement cache hits %.1f%% of %.0f lookups; the connector served %d `querylens_*` samples.\n",
					r.findings, hitRate, hits+misses, r.connectorSeries)
				if r.lost != 0 {
					p("  **%d spans lost: querylens must lose none.**\n", r.lost)
					rep.err = errTargets
				}
			case "groupbytrace":
				p("  groupbytrace: traces evicted %.0f, incomplete releases %.0f, spans released %.0f.\n",
					metric(r.metrics, "otelcol_processor_groupbytrace_traces_evicted"),
					metric(r.metrics, "otelcol_processor_groupbytrace_incomplete_releases"),
					metric(r.metrics, "otelcol_processor_groupbytrace_spans_released"))
			}
		}
	}

	p("\n## Configuration\n\n")
	p("`loadbench -duration %v -wait %v -num-traces %d -concurrency %d -corpus-spans %d -spans-per-request %d -orm-share %g -seed %d -rounds %d -release %s -overload-factor %g -overload-duration %v -overload-max-held-mib %d -overload-concurrency %d`.\n",
		o.duration, o.wait, o.numTraces, o.concurrency, o.corpusSpans, o.perRequest, o.ormShare, o.seed, o.rounds, o.release, o.overloadFactor, o.overloadDuration, o.overloadMaxHeld, o.overloadConcurrency)
	p("groupbytrace holds each trace for wait_duration; querylens (`release: %s`) has the same wait_duration\n", o.release)
	p("(in `local_subtree`, the longest a request whose local root has not arrived is held) and num_traces;\n")
	p("groupbytrace gets `num_workers: %d`, as many as querylens's default (one per CPU). The exporter's\n", runtime.NumCPU())
	p("sending queue holds %s spans at most and blocks when full instead of refusing, so that a slow sink\n", thousands(defaultExporterQueue))
	p("slows the pipeline down rather than losing spans or filling memory in any of the three. The collector's\n")
	p("configuration of each pipeline (ports vary per run):\n")
	var runs []*result
	for _, results := range all {
		runs = append(runs, results...)
	}
	for _, pr := range profiles {
		runs = append(runs, pr.run)
	}
	shown := map[string]bool{}
	for _, r := range runs {
		if !shown[r.pipeline] {
			shown[r.pipeline] = true
			p("\n<details><summary><code>%s</code></summary>\n\n```yaml\n%s```\n\n</details>\n", r.pipeline, redactPorts(r.config))
		}
	}

	for _, pr := range profiles {
		p("\n## CPU profile: `%s`\n\n", pr.pipeline)
		p("A separate run at saturation (not in the table): after a warm-up of %v, `go tool pprof -top` of %v\n", pr.run.warmup.Round(time.Second), o.profileFor)
		p("of the collector's CPU from its `pprof` extension (the run: %s).\n\n", pr.run.summary())
		if len(pr.shares) == len(profileParts) {
			p("Where the CPU went, share of the profile's samples by the functions on their stack (`-focus`;\n")
			p("allocation runs inside the other parts, the garbage collector's own workers apart):\n\n")
			p("| part | share |\n| --- | ---: |\n")
			for i, part := range profileParts {
				if pr.shares[i] > 0 {
					p("| %s | %.1f%% |\n", part.name, 100*pr.shares[i])
				}
			}
			p("\n")
		}
		p("```\n%s```\n", trimProfile(pr.top))
		if pr.cumTop != "" {
			p("\nThe same profile by cumulative time (`-cum`):\n\n```\n%s```\n", trimProfile(pr.cumTop))
		}
		if pr.heapTop != "" {
			p("\nWhat its heap held right after (`-sample_index inuse_space`):\n\n```\n%s```\n", trimProfile(pr.heapTop))
		}
	}

	if o.micro != "" {
		if data, err := os.ReadFile(o.micro); err == nil {
			p("\n## Go micro-benchmarks\n\n`go test -run XXX -bench . -benchmem ./internal/... ./processor/... ./connector/...`, the same `make bench`:\n\n")
			p("```\n%s```\n", benchLines(string(data)))
		}
	}
	rep.markdown = b.String()
	return rep
}

// writeOverload reports the overload run: querylens offered more than it
// analyzes, with a bound in bytes.
func writeOverload(p func(string, ...any), o options, w workload, r *result, rounds [][]*result, rep *report) {
	bound := float64(o.overloadMaxHeld) * (1 << 20)
	var saturated int64
	for _, results := range rounds {
		for _, q := range results {
			if q.pipeline == "querylens" {
				saturated = max(saturated, q.peakRSS)
			}
		}
	}
	// The margin: what the same collector took at saturation, with its
	// default bound (what it held then included); the bound again, as the
	// heap grows to twice what is live between collections; and, twice over
	// for the same reason, the requests the overload run has in flight
	// beyond the saturation runs', decoded in the receiver. Overload must not
	// grow the collector beyond it; without a bound it grew without one.
	inFlight := 2 * float64(max(o.overloadConcurrency-o.concurrency, 0)) * w.decodedBytes
	margin := bound + inFlight + float64(saturated)
	refusedSpans := metric(r.metrics, "otelcol_processor_querylens_spans_pushed_back")
	p("\n## Overload\n\n")
	p("querylens offered %s spans/s, %.1fx the lowest rate it sustained above, for %v, with `max_held_mib: %d`\n",
		thousands(r.rate), o.overloadFactor, o.overloadDuration, o.overloadMaxHeld)
	p("and no `memory_limiter`, from %d requests in flight; the sender retries a refused request after %v, doubling to %v (SDKs wait 1 to 5 s).\n",
		o.overloadConcurrency, loadgen.RetryInitial, loadgen.RetryMax)
	p("The exporter's sending queue holds %s spans (%s in the runs above), blocking when full: a sink slower than the\n",
		thousands(float64(o.overloadExporterQueue)), thousands(defaultExporterQueue))
	p("sender (on this machine, where the sender takes a core) then holds querylens's releases back, and querylens the sender, in turn,\n")
	p("rather than the exporter's queue growing outside querylens's bound.\n\n")
	p("| | |\n| --- | ---: |\n")
	p("| spans offered, per second | %s |\n", thousands(r.rate))
	p("| spans accepted, per second | %s (%.0f%% of the offered: the sender was held back, its requests answered no faster) |\n",
		thousands(r.acceptedPerSecond), 100*r.acceptedPerSecond/r.rate)
	p("| requests refused to the sender (retryable) and sent again | %d (%.0f spans refused by querylens, at `max_held_mib`) |\n", r.errors, refusedSpans)
	p("| spans lost | %d |\n", r.lost)
	p("| held by querylens, at most (read each second) | %.1f MiB (bound %d MiB) |\n", r.maxHeldBytes/(1<<20), o.overloadMaxHeld)
	p("| the exporter's sending queue, at most (read each second) | %s spans (of %s) |\n", thousands(r.maxQueue), thousands(float64(o.overloadExporterQueue)))
	p("| peak RSS | %.0f MiB |\n", float64(r.peakRSS)/(1<<20))
	if first, second, ok := rssHalves(r.timeline); ok {
		p("| RSS, the most in the first and in the second half of the sending (read every 250 ms): what grows shows here | %.0f / %.0f MiB |\n",
			float64(first)/(1<<20), float64(second)/(1<<20))
	}
	p("| bound + margin: the bound, again the bound (the heap grows to twice what is live between collections), the %d requests in flight beyond the saturation runs' %d, decoded (%.1f MB each), twice (%.0f MiB), and the same pipeline's peak RSS at saturation above (%.0f MiB) | %.0f MiB |\n",
		o.overloadConcurrency-o.concurrency, o.concurrency, w.decodedBytes/1e6, inFlight/(1<<20), float64(saturated)/(1<<20), (bound+margin)/(1<<20))
	within := float64(r.peakRSS) <= bound+margin && r.maxHeldBytes <= 1.1*bound
	verdict := "(met)"
	if !within {
		verdict = "(**missed**)"
	}
	p("\nHeld within the bound and peak RSS within the bound plus the margin %s; the sender got %.0f%% of what it offered; lost %d.\n",
		verdict, 100*r.acceptedPerSecond/r.rate, r.lost)
	if r.lost != 0 {
		rep.err = errTargets
	}
}

func runName(r *result, round, rounds int) string {
	name := "`" + r.pipeline + "`"
	switch {
	case r.rate > 0:
		name += fmt.Sprintf(" at %s spans/s", thousands(r.rate))
	case rounds > 1:
		name += fmt.Sprintf(" (run %d)", round+1)
	}
	return name
}

// machine describes the host.
func machine(o options) [][2]string {
	var out [][2]string
	model := firstMatch("/proc/cpuinfo", regexp.MustCompile(`^model name\s*:\s*(.+)$`))
	out = append(out, [2]string{"CPU", fmt.Sprintf("%s, %d cores (`nproc`), %s", model, runtime.NumCPU(), cpuFlagsNote())})
	mem := firstMatch("/proc/meminfo", regexp.MustCompile(`^MemTotal:\s*(\d+) kB$`))
	var kb int64
	fmt.Sscan(mem, &kb)
	out = append(out, [2]string{"memory", fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))})
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	osName := strings.Trim(firstMatch("/etc/os-release", regexp.MustCompile(`^PRETTY_NAME=(.+)$`)), `"`)
	out = append(out, [2]string{"kernel", fmt.Sprintf("Linux %s (%s)", strings.TrimSpace(string(kernel)), osName)})
	goVersion := runtime.Version()
	if v, err := exec.Command(goTool(), "version", o.collector).Output(); err == nil {
		goVersion += "; the collector built with " + strings.TrimSpace(strings.TrimPrefix(string(v), o.collector+":"))
	}
	src := o.source
	if src == "" {
		src = o.collector
	}
	out = append(out, [2]string{"Go", goVersion})
	if v, err := exec.Command(o.collector, "--version").Output(); err == nil {
		out = append(out, [2]string{"collector", fmt.Sprintf("`%s`: %s (ocb v0.161.0, components v0.161.0 / v1.67.0)", relative(src), strings.TrimSpace(string(v)))})
	}
	if v, err := exec.Command("git", "describe", "--tags", "--always", "--dirty").Output(); err == nil {
		out = append(out, [2]string{"commit", strings.TrimSpace(string(v))})
	}
	out = append(out, [2]string{"date", time.Now().UTC().Format("2006-01-02 15:04 UTC")})
	load, _ := os.ReadFile("/proc/loadavg")
	out = append(out, [2]string{"other work", fmt.Sprintf("load average %s at the start, %s at the end (1, 5, 15 min); the bench ran at nice %d, the collector at %d",
		o.loadStart, strings.Join(strings.Fields(string(load))[:3], " "), niceness(), niceness()+o.collectorNice)})
	return out
}

func relative(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// niceness is this process's nice value (/proc/self/stat, field 19).
func niceness() int {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	n := 0
	if len(f) > 16 {
		fmt.Sscan(f[16], &n)
	}
	return n
}

func cpuFlagsNote() string {
	if firstMatch("/proc/cpuinfo", regexp.MustCompile(`^flags\s*:.*\b(hypervisor)\b`)) != "" {
		return "virtual machine"
	}
	return "bare metal"
}

func firstMatch(path string, re *regexp.Regexp) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			return m[1]
		}
	}
	return ""
}

var portRe = regexp.MustCompile(`127\.0\.0\.1:\d+|port: \d+`)

func redactPorts(cfg string) string {
	return portRe.ReplaceAllStringFunc(cfg, func(s string) string {
		if strings.HasPrefix(s, "port:") {
			return "port: <port>"
		}
		return "127.0.0.1:<port>"
	})
}

// trimProfile drops the header lines of pprof's -top that name local files.
func trimProfile(top string) string {
	var out []string
	for _, l := range strings.Split(top, "\n") {
		if strings.HasPrefix(l, "File:") || strings.HasPrefix(l, "Build ID:") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// benchLines keeps the benchmark results and package lines of go test output.
func benchLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "Benchmark") || strings.HasPrefix(l, "ok ") || strings.HasPrefix(l, "pkg:") ||
			strings.HasPrefix(l, "goos:") || strings.HasPrefix(l, "goarch:") || strings.HasPrefix(l, "cpu:") || strings.HasPrefix(l, "FAIL") {
			if strings.HasPrefix(l, "goos:") || strings.HasPrefix(l, "goarch:") || strings.HasPrefix(l, "cpu:") {
				if slices.Contains(out, l) {
					continue
				}
			}
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n") + "\n"
}

// msVerdict says whether d is at most target.
func msVerdict(d, target time.Duration) string {
	if d <= target {
		return "(met)"
	}
	return "(**missed**)"
}

func ms(d time.Duration) string {
	if d < 0 {
		return fmt.Sprintf("−%s", ms(-d))
	}
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0f ms", float64(d)/1e6)
}

func x(v float64) string { return fmt.Sprintf("%.2fx", v) }

func verdict(v, target float64, higherBetter bool) string {
	if (higherBetter && v >= target) || (!higherBetter && v <= target) {
		return "(met)"
	}
	if x(v) == x(target) { // "1.00x (missed)" would read as a contradiction
		return fmt.Sprintf("(**missed**: %.3fx)", v)
	}
	return "(**missed**)"
}

func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// rssHalves is the most RSS in the first and in the second half of the time
// the collector took spans in, from the timeline.
func rssHalves(samples []sample) (first, second int64, ok bool) {
	start, end := -1, -1
	for i := 1; i < len(samples); i++ {
		if samples[i].accepted > samples[i-1].accepted {
			if start < 0 {
				start = i - 1
			}
			end = i
		}
	}
	if start < 0 || end-start < 2 {
		return 0, 0, false
	}
	middle := samples[start].at + (samples[end].at-samples[start].at)/2
	for _, s := range samples[start : end+1] {
		if s.at < middle {
			first = max(first, s.rss)
		} else {
			second = max(second, s.rss)
		}
	}
	return first, second, true
}
