package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// Each pipeline's configuration is YAML with what the bench relies on: the
// same exporter, batch after the processors, the same wait and num_traces.
func TestConfig(t *testing.T) {
	p := ports{grpc: 1, health: 2, metrics: 3, pprof: 4, prom: 5, sink: "127.0.0.1:6"}
	for name := range pipelineKinds {
		var cfg struct {
			Processors map[string]map[string]any
			Exporters  map[string]map[string]any
			Service    struct {
				Pipelines map[string]struct{ Receivers, Processors, Exporters []string }
			}
		}
		text := Config(name, p, 2*time.Second, 5000, 2, runSettings{release: "local_subtree", maxHeldMiB: 64})
		if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, text)
		}
		traces := cfg.Service.Pipelines["traces"]
		if last := traces.Processors[len(traces.Processors)-1]; last != "batch" {
			t.Errorf("%s: processors %v, batch must come last", name, traces.Processors)
		}
		if cfg.Exporters["otlp_grpc"]["endpoint"] != "127.0.0.1:6" {
			t.Errorf("%s: exporter %v", name, cfg.Exporters["otlp_grpc"])
		}
		switch name {
		case "groupbytrace", "querylens":
			proc := cfg.Processors[name]
			if proc["wait_duration"] != "2s" || proc["num_traces"] != 5000 {
				t.Errorf("%s: %v", name, proc)
			}
		}
		if name == "querylens" && !strings.Contains(strings.Join(traces.Exporters, ","), "querylens") {
			t.Errorf("querylens: the connector is not fed: %v", traces.Exporters)
		}
		if proc := cfg.Processors["querylens"]; name == "querylens" && (proc["release"] != "local_subtree" || proc["max_held_mib"] != 64) {
			t.Errorf("querylens: %v", proc)
		}
	}
}

func TestSustained(t *testing.T) {
	s := func(at time.Duration, sinked int64) sample { return sample{at: int64(at), sinked: sinked} }
	tl := []sample{s(0, 0), s(time.Second, 0), s(2*time.Second, 100), s(3*time.Second, 300), s(4*time.Second, 300)}
	// [1s+1s, 2s+1s]: from 100 to 300 in one second.
	if got := sustained(tl, int64(time.Second), int64(2*time.Second), time.Second); got != 200 {
		t.Errorf("sustained = %v, want 200", got)
	}
	// Interpolated: [1.5s, 2.5s] is 50 to 200.
	if got := sustained(tl, int64(1500*time.Millisecond), int64(2500*time.Millisecond), 0); got != 150 {
		t.Errorf("sustained = %v, want 150", got)
	}
}

func TestProcessCPUAndRSS(t *testing.T) {
	pid := os.Getpid()
	if _, err := processCPU(pid); err != nil {
		t.Fatal(err)
	}
	if rss, err := peakRSS(pid); err != nil || rss <= 0 {
		t.Fatalf("peak RSS %d, %v", rss, err)
	}
	if busy, err := machineBusy(); err != nil || busy <= 0 {
		t.Fatalf("machine busy %v, %v", busy, err)
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		v, target    float64
		higherBetter bool
		want         string
	}{
		{1.04, 1.0, true, "(met)"},
		{1.0, 1.0, true, "(met)"},
		{0.43, 0.9, true, "(**missed**)"},
		{0.998, 1.0, true, "(**missed**: 0.998x)"}, // rounds to the target: say by how much
		{0.97, 1.0, false, "(met)"},
		{1.003, 1.0, false, "(**missed**: 1.003x)"},
	}
	for _, tt := range tests {
		if got := verdict(tt.v, tt.target, tt.higherBetter); got != tt.want {
			t.Errorf("verdict(%v, %v, %v) = %q, want %q", tt.v, tt.target, tt.higherBetter, got, tt.want)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	// 100 observations: 50 up to 10 ms, 40 more up to 20 ms, 10 more up to 50 ms.
	samples := map[string]float64{
		`h_bucket{le="0.01",x="a"}`: 30, `h_bucket{le="0.01",x="b"}`: 20,
		`h_bucket{le="0.02",x="a"}`: 60, `h_bucket{le="0.02",x="b"}`: 30,
		`h_bucket{le="0.05",x="a"}`: 70, `h_bucket{le="0.05",x="b"}`: 30,
		`h_bucket{le="+Inf",x="a"}`: 70, `h_bucket{le="+Inf",x="b"}`: 30,
		`h_count{x="a"}`: 70,
	}
	q := histogramQuantiles(samples, "h")
	if q.n != 100 || q.p50 != 10*time.Millisecond || q.p90 != 20*time.Millisecond || q.p99 != 47*time.Millisecond {
		t.Errorf("%+v", q)
	}
	if q := histogramQuantiles(map[string]float64{}, "h"); q.n != 0 {
		t.Errorf("no histogram: %+v", q)
	}
}

// The halves of the sending are read from where spans were taken in, not
// from the start or the drain.
func TestRSSHalves(t *testing.T) {
	samples := []sample{
		{at: 0, accepted: 0, rss: 900}, // before the first request: left out
		{at: 1, accepted: 0, rss: 10},
		{at: 2, accepted: 5, rss: 30},
		{at: 3, accepted: 9, rss: 20},
		{at: 4, accepted: 12, rss: 50},
		{at: 5, accepted: 15, rss: 40},
		{at: 6, accepted: 15, rss: 800}, // the drain: left out
	}
	first, second, ok := rssHalves(samples)
	if !ok || first != 30 || second != 50 {
		t.Errorf("got %d, %d, %v; want 30, 50, true", first, second, ok)
	}
	if _, _, ok := rssHalves(samples[:2]); ok {
		t.Error("no spans taken in, yet halves")
	}
}

// The collector runs at collector-nice more than the bench, as the process
// whose pid the bench reads: nice execs it in place.
func TestCollectorCommandNice(t *testing.T) {
	script := filepath.Join(t.TempDir(), "collector")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, nice := range []int{0, 5} {
		cmd := collectorCommand(options{collector: script, collectorNice: nice}, "config.yaml")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		var comm string
		var got int
		for time.Now().Before(deadline) { // until nice and the script have exec'd sleep
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			comm = s[strings.IndexByte(s, '(')+1 : strings.LastIndexByte(s, ')')]
			fmt.Sscan(strings.Fields(s[strings.LastIndexByte(s, ')')+1:])[16], &got)
			if comm == "sleep" {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if comm != "sleep" || got != niceness()+nice {
			t.Errorf("collector-nice %d: pid %d runs %q at nice %d, want sleep at %d", nice, cmd.Process.Pid, comm, got, niceness()+nice)
		}
	}
}
