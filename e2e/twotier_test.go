//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.yaml.in/yaml/v3"
	"google.golang.org/grpc"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/tools/loadgen"
)

// The two-tier layout of config/two-tier, on loopback, with the shipped files
// themselves: every address in them comes from the environment, which each
// tier below sets before it starts its collector.

// tierNode is one collector of the two-tier layout.
type tierNode struct {
	name                                    string
	config                                  string
	env                                     map[string]string
	grpc, http, health, telemetry, promPort int
	c                                       *collector
}

// newTier prepares a collector on config/two-tier/<file>.yaml with its own
// loopback ports; extra adds to its environment.
func newTier(t *testing.T, name, file string, extra map[string]string) *tierNode {
	t.Helper()
	config, err := os.ReadFile(filepath.Join("..", "config", "two-tier", file+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tr := &tierNode{name: name, config: string(config),
		grpc: freePort(t), http: freePort(t), health: freePort(t), telemetry: freePort(t), promPort: freePort(t)}
	tr.env = map[string]string{
		"QUERYLENS_LISTEN":          "127.0.0.1",
		"QUERYLENS_OTLP_GRPC_PORT":  strconv.Itoa(tr.grpc),
		"QUERYLENS_OTLP_HTTP_PORT":  strconv.Itoa(tr.http),
		"QUERYLENS_HEALTH_PORT":     strconv.Itoa(tr.health),
		"QUERYLENS_TELEMETRY_PORT":  strconv.Itoa(tr.telemetry),
		"QUERYLENS_PROMETHEUS_PORT": strconv.Itoa(tr.promPort),
	}
	for k, v := range extra {
		tr.env[k] = v
	}
	return tr
}

// start starts (or restarts, on the same ports) the tier's collector. The
// collector inherits the test's environment when it starts.
func (tr *tierNode) start(t *testing.T) *tierNode {
	t.Helper()
	for k, v := range tr.env {
		t.Setenv(k, v)
	}
	tr.c = startCollector(t, tr.config, tr.health)
	return tr
}

func (tr *tierNode) addr() string { return fmt.Sprintf("127.0.0.1:%d", tr.grpc) }

// metric sums the samples of a counter (name or name_total) on the tier's own
// metrics endpoint whose labels contain every one of labels.
func (tr *tierNode) metric(name string, labels ...string) (float64, error) {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", tr.telemetry))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
next:
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		sample, rest, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(line, '}'); i >= 0 {
			sample, rest = line[:i+1], line[i+1:]
		}
		base, _, _ := strings.Cut(sample, "{")
		fields := strings.Fields(rest)
		if len(fields) == 0 || (base != name && base != name+"_total") {
			continue
		}
		for _, l := range labels {
			if !strings.Contains(sample, l) {
				continue next
			}
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", line, err)
		}
		sum += v
	}
	return sum, sc.Err()
}

// arrivalSink is an OTLP gRPC trace receiver, the trace store of a
// second-tier collector: it keeps every request and when it came.
type arrivalSink struct {
	ptraceotlp.UnimplementedGRPCServer
	addr  string
	mu    sync.Mutex
	got   []ptrace.Traces
	at    []time.Time
	spans int
}

func startArrivalSink(t *testing.T) *arrivalSink {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &arrivalSink{addr: lis.Addr().String()}
	srv := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(srv, s)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return s
}

func (s *arrivalSink) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	td := ptrace.NewTraces()
	req.Traces().CopyTo(td)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got, s.at = append(s.got, td), append(s.at, time.Now())
	s.spans += td.SpanCount()
	return ptraceotlp.NewExportResponse(), nil
}

func (s *arrivalSink) Spans() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spans
}

func (s *arrivalSink) received() ([]ptrace.Traces, []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ptrace.Traces(nil), s.got...), append([]time.Time(nil), s.at...)
}

// dealSpans deals the spans of td, one at a time from *turn on, into hands
// requests, as the services of one trace send to different first-tier
// collectors. Each span keeps its resource and scope.
func dealSpans(td ptrace.Traces, hands int, turn *int) []ptrace.Traces {
	out := make([]ptrace.Traces, hands)
	for h := range out {
		out[h] = ptrace.NewTraces()
	}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			dst := make(map[int]ptrace.SpanSlice, hands)
			for k := 0; k < ss.Spans().Len(); k++ {
				h := *turn % hands
				*turn++
				spans, ok := dst[h]
				if !ok {
					ors := out[h].ResourceSpans().AppendEmpty()
					rs.Resource().CopyTo(ors.Resource())
					ors.SetSchemaUrl(rs.SchemaUrl())
					oss := ors.ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(oss.Scope())
					oss.SetSchemaUrl(ss.SchemaUrl())
					spans = oss.Spans()
					dst[h] = spans
				}
				ss.Spans().At(k).CopyTo(spans.AppendEmpty())
			}
		}
	}
	return out
}

func tracesJSON(t *testing.T, td ptrace.Traces) []byte {
	body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Error(err)
	}
	return body
}

// findingKeys renders each finding read back from tds, everything it says
// and the ids of its member spans, one string each, sorted.
func findingKeys(tds ...ptrace.Traces) []string {
	var keys []string
	for _, o := range fixtures.Observe(tds...) {
		b, _ := json.Marshal(o)
		keys = append(keys, string(b))
	}
	sort.Strings(keys)
	return keys
}

// findingsByTrace is findingKeys by trace id.
func findingsByTrace(tds ...ptrace.Traces) map[string][]string {
	out := map[string][]string{}
	for _, o := range fixtures.Observe(tds...) {
		b, _ := json.Marshal(o)
		out[o.TraceID] = append(out[o.TraceID], string(b))
	}
	for _, keys := range out {
		sort.Strings(keys)
	}
	return out
}

// spanAnnotations renders what each span carries after querylens (its attributes
// and its events), by trace/span id.
func spanAnnotations(tds ...ptrace.Traces) map[string]string {
	out := map[string]string{}
	fixtures.EachSpan(tds, func(_ pcommon.Resource, s ptrace.Span) {
		var b strings.Builder
		fmt.Fprint(&b, s.Attributes().AsRaw())
		for i := 0; i < s.Events().Len(); i++ {
			e := s.Events().At(i)
			fmt.Fprint(&b, " | ", e.Name(), e.Attributes().AsRaw())
		}
		out[s.TraceID().String()+"/"+s.SpanID().String()] = b.String()
	})
	return out
}

// traceHomes maps each trace id to the second-tier collectors it came out of.
func traceHomes(out map[string][]ptrace.Traces) map[string][]string {
	homes := map[string][]string{}
	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, id := range traceIDs(out[name]) {
			homes[id] = append(homes[id], name)
		}
	}
	return homes
}

// releaseWindows tells, for each trace, in how many export requests of out
// the spans of one of its requests (a local subtree: a local root and its
// in-process descendants) came, at most: querylens releases a complete
// subtree in one request, so a count above one means that a request of the
// trace was analyzed in pieces. Counted per subtree, not per trace: the
// other subtrees of a trace (the services it calls) come out in requests of
// their own, together or apart.
func releaseWindows(out []ptrace.Traces) map[string]int {
	type place struct {
		parent   pcommon.SpanID
		service  string
		root     bool // a local root by its kind or its missing parent
		requests []int
	}
	spans := map[[2]string]*place{} // trace id, span id
	for r, td := range out {
		fixtures.EachSpan([]ptrace.Traces{td}, func(res pcommon.Resource, s ptrace.Span) {
			k := [2]string{s.TraceID().String(), s.SpanID().String()}
			p := spans[k]
			if p == nil {
				service, _ := res.Attributes().Get("service.name")
				p = &place{parent: s.ParentSpanID(), service: service.AsString(),
					root: s.ParentSpanID().IsEmpty() || s.Kind() == ptrace.SpanKindServer || s.Kind() == ptrace.SpanKindConsumer}
				spans[k] = p
			}
			if !slices.Contains(p.requests, r) {
				p.requests = append(p.requests, r)
			}
		})
	}
	// The local root of each span: up through parents of its service.
	localRoot := func(trace string, k [2]string) [2]string {
		for hops := 0; hops < 1000; hops++ {
			p := spans[k]
			up := [2]string{trace, p.parent.String()}
			if p.root || p.parent.IsEmpty() || spans[up] == nil || spans[up].service != p.service {
				return k
			}
			k = up
		}
		return k
	}
	subtrees := map[[2]string][]int{}
	for k, p := range spans {
		root := localRoot(k[0], k)
		for _, r := range p.requests {
			if !slices.Contains(subtrees[root], r) {
				subtrees[root] = append(subtrees[root], r)
			}
		}
	}
	n := map[string]int{}
	for root, requests := range subtrees {
		n[root[0]] = max(n[root[0]], len(requests))
	}
	return n
}

func waitForSinkSpans(t *testing.T, want int, timeout time.Duration, sinks ...*arrivalSink) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done := true
		for _, s := range sinks {
			done = done && s.Spans() >= want
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			var got []int
			for _, s := range sinks {
				got = append(got, s.Spans())
			}
			t.Fatalf("after %v the sinks hold %v spans of %d", timeout, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTwoTierFindsWhatOneCollectorFinds sends every testdata trace twice at
// once: whole to a single collector (config/two-tier/tier2.yaml, which is the
// single collector), and dealt span by span to two first-tier collectors
// (tier1.yaml, load_balancing by trace id) in front of two second-tier ones.
// The second tier must give exactly what the single collector gives: every
// span once, each trace whole on one collector, the same findings (type,
// count, anchor span, finding id, members, every attribute) and the same
// annotations on every span, and the expected findings of each scenario.
func TestTwoTierFindsWhatOneCollectorFinds(t *testing.T) {
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	const wait = "3s" // releaseWindows close on their timer, as in production
	refSink, sinkA, sinkB := startArrivalSink(t), startArrivalSink(t), startArrivalSink(t)
	second := func(name string, sink *arrivalSink) *tierNode {
		return newTier(t, name, "tier2", map[string]string{
			"QUERYLENS_WAIT_DURATION": wait, "QUERYLENS_TRACES_ENDPOINT": sink.addr,
		}).start(t)
	}
	single, a, b := second("single", refSink), second("tier2-a", sinkA), second("tier2-b", sinkB)
	backends := fmt.Sprintf("[%s, %s]", a.addr(), b.addr())
	x := newTier(t, "tier1-x", "tier1", map[string]string{"QUERYLENS_TIER2": backends}).start(t)
	y := newTier(t, "tier1-y", "tier1", map[string]string{"QUERYLENS_TIER2": backends}).start(t)

	var sent []ptrace.Traces
	scenarioOf := map[string]fixtures.Scenario{}
	for si, s := range scenarios {
		turn := si
		for i, line := range s.Lines {
			if err := postOTLPJSON(context.Background(), single.http, line); err != nil {
				t.Fatalf("%s line %d: %v", s.Path, i+1, err)
			}
			for h, part := range dealSpans(s.Requests[i], 2, &turn) {
				if part.SpanCount() == 0 {
					continue
				}
				if err := postOTLPJSON(context.Background(), []int{x.http, y.http}[h], tracesJSON(t, part)); err != nil {
					t.Fatalf("%s line %d to the first tier: %v", s.Path, i+1, err)
				}
			}
		}
		sent = append(sent, s.Requests...)
		for _, id := range traceIDs(s.Requests) {
			scenarioOf[id] = s
		}
	}
	total := fixtures.SpanIDs(sent...)
	waitForSinkSpans(t, len(total), 30*time.Second, refSink)
	deadline := time.Now().Add(30 * time.Second)
	for sinkA.Spans()+sinkB.Spans() < len(total) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	var findings [3]float64
	for i, tr := range []*tierNode{single, a, b} {
		if findings[i], err = tr.metric("otelcol_processor_querylens_findings"); err != nil {
			t.Fatal(err)
		}
	}
	for _, tr := range []*tierNode{x, y, a, b, single} {
		tr.c.stop(t)
	}

	refOut, _ := refSink.received()
	outA, _ := sinkA.received()
	outB, _ := sinkB.received()
	both := append(append([]ptrace.Traces(nil), outA...), outB...)

	// Every span once, in both layouts.
	if got := fixtures.SpanIDs(refOut...); fmt.Sprint(got) != fmt.Sprint(total) {
		t.Fatalf("single collector: %d spans out, %d in", len(got), len(total))
	}
	got := fixtures.SpanIDs(both...)
	if fmt.Sprint(got) != fmt.Sprint(total) {
		missing, extra := diff(total, got)
		t.Fatalf("two tiers: %d spans out, %d in: %d missing, %d extra", len(got), len(total), len(missing), len(extra))
	}
	// Each trace whole on one second-tier collector, and both used.
	homes := traceHomes(map[string][]ptrace.Traces{"tier2-a": outA, "tier2-b": outB})
	perTier := map[string]int{}
	for id, h := range homes {
		if len(h) != 1 {
			t.Errorf("trace %s came out of %v", id, h)
		}
		perTier[h[0]]++
	}
	if perTier["tier2-a"] == 0 || perTier["tier2-b"] == 0 {
		t.Errorf("traces per second-tier collector: %v", perTier)
	}
	for id, n := range releaseWindows(both) {
		if n > 1 {
			t.Errorf("a request of trace %s came out in %d export requests: it was analyzed in pieces", id, n)
		}
	}

	// The same findings and the same annotations.
	ref, two := findingKeys(refOut...), findingKeys(both...)
	if strings.Join(ref, "\n") != strings.Join(two, "\n") {
		missing, extra := diff(ref, two)
		t.Errorf("findings: single collector %d, two tiers %d; only single: %v; only two tiers: %v", len(ref), len(two), missing, extra)
	}
	refAnn, twoAnn := spanAnnotations(refOut...), spanAnnotations(both...)
	differ := 0
	for k, v := range refAnn {
		if twoAnn[k] != v {
			if differ++; differ <= 3 {
				t.Errorf("span %s annotated differently:\n single: %s\n two:    %s", k, v, twoAnn[k])
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d spans annotated differently", differ, len(refAnn))
	}
	byTrace := map[string][]fixtures.Observed{}
	byType := map[string]int{}
	for _, o := range fixtures.Observe(both...) {
		byTrace[o.TraceID] = append(byTrace[o.TraceID], o)
		byType[o.Type]++
	}
	for id, s := range scenarioOf {
		if err := fixtures.Match(s.Expected.Findings, byTrace[id]); err != nil {
			t.Errorf("%s/%s through two tiers: %v", s.Source, s.Name, err)
		}
	}
	if findings[0] != findings[1]+findings[2] || int(findings[0]) != len(ref) {
		t.Errorf("otelcol_processor_querylens_findings: single %.0f, tier2-a %.0f + tier2-b %.0f; %d read back", findings[0], findings[1], findings[2], len(ref))
	}
	t.Logf("%d scenarios, %d traces, %d spans: single collector and two tiers (2 first-tier, 2 second-tier) each gave every span once; traces per second-tier collector %v",
		len(scenarios), len(homes), len(total), perTier)
	t.Logf("findings: single %d, two tiers %d (tier2-a %.0f + tier2-b %.0f), identical in type, count, anchor span, id, members and attributes; by type %v; %d spans annotated alike",
		len(ref), len(two), findings[1], findings[2], byType, len(refAnn)-differ)
}

// TestTwoTierSecondTierRestart sends testdata traces with fresh ids for 9 s,
// each trace's spans in two halves 300 ms apart to the two first-tier
// collectors (and, the same halves at the same moments, to a single
// reference collector). Three seconds in, one second-tier collector is
// stopped gracefully (SIGTERM: it releases the traces it holds) and started
// again two seconds later on the same address. Meanwhile the first tier
// takes every request, its per-backend OTLP exporter retries and its sending
// queue holds that collector's spans, and drops nothing. Every span comes out
// exactly once; the only traces whose findings may differ from the single
// collector's are those analyzed in more than one window: in practice those
// whose spans reached the stopped collector both before the stop and after
// the restart, or came back from the two first-tier collectors more than the
// wait apart.
func TestTwoTierSecondTierRestart(t *testing.T) {
	gen, err := loadgen.New(9)
	if err != nil {
		t.Fatal(err)
	}
	const (
		wait      = 2 * time.Second
		sendFor   = 9 * time.Second
		stopAfter = 3 * time.Second
		downFor   = 2 * time.Second
		halfGap   = 300 * time.Millisecond
	)
	refSink, sinkA, sinkB := startArrivalSink(t), startArrivalSink(t), startArrivalSink(t)
	second := func(name string, sink *arrivalSink) *tierNode {
		return newTier(t, name, "tier2", map[string]string{
			"QUERYLENS_WAIT_DURATION": wait.String(), "QUERYLENS_TRACES_ENDPOINT": sink.addr,
		}).start(t)
	}
	single, a, b := second("single", refSink), second("tier2-a", sinkA), second("tier2-b", sinkB)
	backends := fmt.Sprintf("[%s, %s]", a.addr(), b.addr())
	x := newTier(t, "tier1-x", "tier1", map[string]string{"QUERYLENS_TIER2": backends}).start(t)
	y := newTier(t, "tier1-y", "tier1", map[string]string{"QUERYLENS_TIER2": backends}).start(t)

	// The sender: every 100 ms two new traces, their first halves now to x,
	// their second halves 300 ms later to y; the single collector gets each
	// half at the same moment.
	type half struct {
		due  time.Time
		body []byte
		port int
	}
	var (
		mu       sync.Mutex
		postedAt = map[string]time.Time{} // trace/span id -> when the first tier took it
		sent     []ptrace.Traces
		requests int
	)
	post := func(h half, td ptrace.Traces) {
		if err := postOTLPJSON(context.Background(), h.port, h.body); err != nil {
			t.Errorf("the first tier refused a request: %v", err)
		}
		if err := postOTLPJSON(context.Background(), single.http, h.body); err != nil {
			t.Errorf("the single collector refused a request: %v", err)
		}
		now := time.Now()
		mu.Lock()
		for _, id := range fixtures.SpanIDs(td) {
			postedAt[id] = now
		}
		requests++
		mu.Unlock()
	}
	senderDone := make(chan struct{})
	t.Cleanup(func() { <-senderDone }) // before the collectors are killed, if the test stops early
	start := time.Now()
	go func() {
		defer close(senderDone)
		type pending struct {
			half
			td ptrace.Traces
		}
		var later []pending
		turn := 0
		for tick := time.NewTicker(100 * time.Millisecond); ; <-tick.C {
			now := time.Now()
			for len(later) > 0 && !later[0].due.After(now) {
				post(later[0].half, later[0].td)
				later = later[1:]
			}
			if now.Sub(start) >= sendFor {
				if len(later) == 0 {
					tick.Stop()
					return
				}
				continue
			}
			for range 2 {
				td := gen.Next(now)
				mu.Lock()
				sent = append(sent, td)
				mu.Unlock()
				parts := dealSpans(td, 2, &turn)
				if parts[0].SpanCount() > 0 {
					post(half{now, tracesJSON(t, parts[0]), x.http}, parts[0])
				}
				if parts[1].SpanCount() > 0 {
					later = append(later, pending{half{now.Add(halfGap), tracesJSON(t, parts[1]), y.http}, parts[1]})
				}
			}
		}
	}()

	// The outage.
	time.Sleep(stopAfter)
	stopBegan := time.Now()
	outAtStop := sinkB.Spans()
	b.c.stop(t)
	stopped := time.Now()
	outBefore := sinkB.Spans()
	time.Sleep(downFor)
	restartBegan := time.Now()
	b.start(t)
	up := time.Now()
	// What the restarted collector takes in, every 500 ms for 4 s.
	var timeline []string
	for range 8 {
		time.Sleep(500 * time.Millisecond)
		n, err := b.metric("otelcol_receiver_accepted_spans")
		if err != nil {
			t.Logf("tier2-b's metrics: %v", err)
			continue
		}
		timeline = append(timeline, fmt.Sprintf("+%.1fs:%.0f", time.Since(up).Seconds(), n))
	}
	<-senderDone
	mu.Lock()
	total := fixtures.SpanIDs(sent...)
	mu.Unlock()
	waitForSinkSpans(t, len(total), 30*time.Second, refSink)
	deadline := time.Now().Add(30 * time.Second)
	for sinkA.Spans()+sinkB.Spans() < len(total) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	var outcome [2][2]float64 // first tier x, y: load_balancing backend outcome success, failure
	for i, tr := range []*tierNode{x, y} {
		outcome[i][0], _ = tr.metric("otelcol_loadbalancer_backend_outcome", `success="true"`)
		outcome[i][1], _ = tr.metric("otelcol_loadbalancer_backend_outcome", `success="false"`)
	}
	for _, tr := range []*tierNode{x, y, a, b, single} {
		tr.c.stop(t)
	}

	refOut, _ := refSink.received()
	outA, _ := sinkA.received()
	outB, atB := sinkB.received()
	both := append(append([]ptrace.Traces(nil), outA...), outB...)
	if got := fixtures.SpanIDs(refOut...); fmt.Sprint(got) != fmt.Sprint(total) {
		t.Fatalf("single collector: %d spans out, %d in", len(got), len(total))
	}
	got := fixtures.SpanIDs(both...)
	if fmt.Sprint(got) != fmt.Sprint(total) {
		missing, extra := diff(total, got)
		t.Fatalf("two tiers with a restart: %d spans in, %d out: %d missing, %d extra (e.g. %v %v)",
			len(total), len(got), len(missing), len(extra), first(missing), first(extra))
	}

	// The restarted collector's two lives, and what the first tier held for it.
	lives := map[string]int{} // trace id -> bit 1: out of tier2-b before the stop, bit 2: after the restart
	heldSpans := 0            // taken by the first tier while tier2-b was down, delivered after
	var heldFirst, heldLast time.Time
	for i, td := range outB {
		switch {
		case atB[i].Before(stopped):
			for _, id := range traceIDs([]ptrace.Traces{td}) {
				lives[id] |= 1
			}
		case atB[i].After(restartBegan):
			for _, id := range traceIDs([]ptrace.Traces{td}) {
				lives[id] |= 2
			}
			for _, id := range fixtures.SpanIDs(td) {
				if p := postedAt[id]; p.After(stopped) && p.Before(restartBegan) {
					heldSpans++
					if heldFirst.IsZero() || atB[i].Before(heldFirst) {
						heldFirst = atB[i]
					}
					if atB[i].After(heldLast) {
						heldLast = atB[i]
					}
				}
			}
		default:
			t.Errorf("tier2-b's sink got %d spans while tier2-b was down", td.SpanCount())
		}
	}
	if heldSpans == 0 {
		t.Fatal("no span was held for the stopped collector: the outage proves nothing")
	}
	// Findings: the same as the single collector's for every trace analyzed in
	// one window per request in both layouts. A trace cut in more windows
	// (querylens releases each request's window in one export request, so: its
	// spans came out in more export requests than it has requests) may lose or
	// split a finding.
	cutTwo, cutRef := releaseWindows(both), releaseWindows(refOut)
	bothLives := 0
	for _, l := range lives {
		if l == 3 {
			bothLives++
		}
	}
	refBy, twoBy := findingsByTrace(refOut...), findingsByTrace(both...)
	var cut, differing int
	refCount, twoCount := 0, 0
	for _, id := range traceIDs(sent) {
		refCount += len(refBy[id])
		twoCount += len(twoBy[id])
		isCut := cutTwo[id] > 1 || cutRef[id] > 1
		if isCut {
			cut++
		}
		if strings.Join(refBy[id], "\n") == strings.Join(twoBy[id], "\n") {
			continue
		}
		differing++
		if !isCut {
			t.Errorf("trace %s was analyzed in one window in both layouts, and its findings differ:\n single: %v\n two:    %v", id, refBy[id], twoBy[id])
		}
	}
	for id, n := range cutRef {
		if n > 1 {
			t.Logf("note: the single collector cut trace %s in %d windows (a stall longer than the wait?)", id, n)
		}
	}
	logs := map[string]int{}
	for _, tr := range []*tierNode{x, y} {
		for _, line := range strings.Split(tr.c.log.String(), "\n") {
			switch {
			case strings.Contains(line, "Will retry the request after interval") && strings.Contains(line, b.addr()):
				logs["retry"]++
			case strings.Contains(line, "Dropping data") || strings.Contains(line, "Rejecting data"):
				logs["dropped"]++
				t.Errorf("%s dropped data: %s", tr.name, line)
			}
		}
	}
	if logs["retry"] == 0 {
		t.Error("the first tier never retried for the stopped collector")
	}
	t.Logf("sent for %v: %d traces, %d spans, in %d requests, every one taken by the first tier (HTTP 200); out: single %d spans, two tiers %d (tier2-a %d, tier2-b %d), each exactly once",
		sendFor, len(traceIDs(sent)), len(total), requests, len(total), len(got), sinkA.Spans(), sinkB.Spans())
	t.Logf("tier2-b stopped at +%.1fs (SIGTERM: it had sent %d spans on, %d of them released from its buffer on the way out, in %v), down %.1fs, healthy again at +%.1fs",
		stopBegan.Sub(start).Seconds(), outBefore, outBefore-outAtStop, stopped.Sub(stopBegan).Round(time.Millisecond), up.Sub(stopped).Seconds(), up.Sub(start).Seconds())
	t.Logf("first tier while it was down: %d retry log lines for %s, no data dropped, load_balancing outcome (x, y) success/failure %v/%v %v/%v; %d spans taken during the outage were held in its sending queue and delivered after the restart: they reached tier2-b's trace store %.1f to %.1f s after it was healthy again (its window is %v); tier2-b's accepted spans since: %s",
		logs["retry"], b.addr(), outcome[0][0], outcome[0][1], outcome[1][0], outcome[1][1], heldSpans, heldFirst.Sub(up).Seconds(), heldLast.Sub(up).Seconds(), wait, strings.Join(timeline, " "))
	t.Logf("findings: single %d, two tiers %d; %d traces were cut in several windows (%d of them had spans on both sides of the restart); %d traces' findings differ, none of the traces analyzed whole",
		refCount, twoCount, cut, bothLives, differing)
}

// TestKubernetesManifests checks deploy/kubernetes without a cluster: the
// collector configurations it mounts are valid for the real binary, and what
// the manifests and the configurations name agrees — the resolver reads the
// headless Service of the second tier on the port its pods listen on, the
// Services select the pods, the ConfigMaps mounted are the ones generated,
// the probes and ports are the configuration's, the resolver may read
// EndpointSlices, every container has resource requests and a memory limit
// above its GOMEMLIMIT.
func TestKubernetesManifests(t *testing.T) {
	dir := filepath.Join("..", "deploy", "kubernetes")
	var kust struct {
		Namespace          string   `yaml:"namespace"`
		Resources          []string `yaml:"resources"`
		ConfigMapGenerator []struct {
			Name  string   `yaml:"name"`
			Files []string `yaml:"files"`
		} `yaml:"configMapGenerator"`
		Images []struct {
			Name string `yaml:"name"`
		} `yaml:"images"`
	}
	readYAMLFile(t, filepath.Join(dir, "kustomization.yaml"), &kust)

	// The collector configurations, through the binary's own validation.
	configs := map[string]map[string]any{} // ConfigMap name -> collector config
	for _, g := range kust.ConfigMapGenerator {
		if len(g.Files) != 1 || !strings.HasPrefix(g.Files[0], "config.yaml=") {
			t.Fatalf("ConfigMap %s: files %v, want config.yaml=<file>", g.Name, g.Files)
		}
		path := filepath.Join(dir, strings.TrimPrefix(g.Files[0], "config.yaml="))
		cmd := exec.Command(collectorBinary(t), "validate", "--config", path)
		cmd.Env = append(os.Environ(), "POD_NAMESPACE="+kust.Namespace, "QUERYLENS_TRACES_ENDPOINT=tempo:4317")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", path, err, out)
		}
		var c map[string]any
		readYAMLFile(t, path, &c)
		configs[g.Name] = c
	}

	// The Kubernetes objects.
	type object struct {
		APIVersion string         `yaml:"apiVersion"`
		Kind       string         `yaml:"kind"`
		Metadata   map[string]any `yaml:"metadata"`
		Spec       map[string]any `yaml:"spec"`
		Rules      []struct {
			APIGroups []string `yaml:"apiGroups"`
			Resources []string `yaml:"resources"`
			Verbs     []string `yaml:"verbs"`
		} `yaml:"rules"`
		RoleRef  struct{ Name string }   `yaml:"roleRef"`
		Subjects []struct{ Name string } `yaml:"subjects"`
	}
	objects := map[string]object{} // kind/name
	for _, r := range kust.Resources {
		f, err := os.Open(filepath.Join(dir, r))
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(f)
		for {
			var o object
			if err := dec.Decode(&o); err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("%s: %v", r, err)
				}
				break
			}
			objects[o.Kind+"/"+yamlStr(o.Metadata["name"])] = o
		}
		f.Close()
	}
	get := func(kind, name string) object {
		o, ok := objects[kind+"/"+name]
		if !ok {
			t.Fatalf("no %s %s in %v", kind, name, kust.Resources)
		}
		return o
	}
	at := func(v any, path ...any) any {
		for _, p := range path {
			switch k := p.(type) {
			case string:
				m, _ := v.(map[string]any)
				v = m[k]
			case int:
				l, _ := v.([]any)
				if k >= len(l) {
					return nil
				}
				v = l[k]
			}
		}
		return v
	}
	port := func(endpoint any) string { _, p, _ := strings.Cut(yamlStr(endpoint), ":"); return p }

	// The resolver reads the headless Service of the second tier.
	tier1, tier2 := configs["querylens-tier1"], configs["querylens-tier2"]
	k8s := at(tier1, "exporters", "load_balancing", "resolver", "k8s")
	svcName, _, _ := strings.Cut(yamlStr(at(k8s, "service")), ".")
	headless := get("Service", svcName)
	if yamlStr(at(headless.Spec, "clusterIP")) != "None" {
		t.Errorf("Service %s, which the resolver reads, is not headless", svcName)
	}
	sts := get("StatefulSet", "querylens-tier2")
	if yamlStr(at(sts.Spec, "serviceName")) != svcName {
		t.Errorf("the StatefulSet's serviceName is %v, the resolver reads %s", at(sts.Spec, "serviceName"), svcName)
	}
	resolverPort := fmt.Sprint(at(k8s, "ports", 0))
	if p := port(at(tier2, "receivers", "otlp", "protocols", "grpc", "endpoint")); p != resolverPort {
		t.Errorf("the resolver sends to port %s, the second tier receives on %s", resolverPort, p)
	}
	role := get("Role", "querylens-tier1")
	if len(role.Rules) == 0 || !strings.Contains(fmt.Sprint(role.Rules[0]), "endpointslices") || !strings.Contains(fmt.Sprint(role.Rules[0].Verbs), "watch") {
		t.Errorf("the first tier's Role does not let the resolver watch EndpointSlices: %+v", role.Rules)
	}
	binding := get("RoleBinding", "querylens-tier1")
	sa := yamlStr(at(get("Deployment", "querylens-tier1").Spec, "template", "spec", "serviceAccountName"))
	if binding.RoleRef.Name != "querylens-tier1" || len(binding.Subjects) != 1 || binding.Subjects[0].Name != sa {
		t.Errorf("the RoleBinding binds %s to %+v, the first tier runs as %q", binding.RoleRef.Name, binding.Subjects, sa)
	}

	// Each workload: its Service selects it, it mounts its ConfigMap, its
	// ports and probes are its configuration's, its resources are set.
	for _, w := range []struct{ kind, name, service, configMap string }{
		{"Deployment", "querylens-tier1", "querylens-tier1", "querylens-tier1"},
		{"StatefulSet", "querylens-tier2", "querylens-tier2", "querylens-tier2"},
	} {
		o := get(w.kind, w.name)
		labels := at(o.Spec, "template", "metadata", "labels").(map[string]any)
		for k, v := range at(get("Service", w.service).Spec, "selector").(map[string]any) {
			if labels[k] != v {
				t.Errorf("Service %s selects %s=%v, %s %s's pods have %v", w.service, k, v, w.kind, w.name, labels)
			}
		}
		pod := at(o.Spec, "template", "spec")
		if sa := at(pod, "serviceAccountName"); sa != nil {
			get("ServiceAccount", yamlStr(sa))
		}
		if yamlStr(at(pod, "volumes", 0, "configMap", "name")) != w.configMap {
			t.Errorf("%s mounts ConfigMap %v, want %s", w.name, at(pod, "volumes", 0, "configMap", "name"), w.configMap)
		}
		c := at(pod, "containers", 0)
		if img := yamlStr(at(c, "image")); img != kust.Images[0].Name {
			t.Errorf("%s runs image %s, the kustomization sets %s", w.name, img, kust.Images[0].Name)
		}
		ports := map[string]string{}
		for _, p := range at(c, "ports").([]any) {
			ports[yamlStr(at(p, "name"))] = fmt.Sprint(at(p, "containerPort"))
		}
		cfg := configs[w.configMap]
		want := map[string]string{
			"otlp-grpc": port(at(cfg, "receivers", "otlp", "protocols", "grpc", "endpoint")),
			"health":    port(at(cfg, "extensions", "health_check", "endpoint")),
			"telemetry": fmt.Sprint(at(cfg, "service", "telemetry", "metrics", "readers", 0, "pull", "exporter", "prometheus", "port")),
		}
		if e := at(cfg, "receivers", "otlp", "protocols", "http", "endpoint"); e != nil {
			want["otlp-http"] = port(e)
		}
		if e := at(cfg, "exporters", "prometheus", "endpoint"); e != nil {
			want["metrics"] = port(e)
		}
		for name, p := range want {
			if ports[name] != p {
				t.Errorf("%s: container port %s is %q, its configuration listens on %s", w.name, name, ports[name], p)
			}
		}
		for _, probe := range []string{"readinessProbe", "livenessProbe"} {
			if at(c, probe, "httpGet", "port") != "health" {
				t.Errorf("%s: %s is not on the health_check port", w.name, probe)
			}
		}
		for _, p := range at(get("Service", w.service).Spec, "ports").([]any) {
			if _, ok := ports[yamlStr(at(p, "targetPort"))]; !ok {
				t.Errorf("Service %s targets port %v, which %s does not name", w.service, at(p, "targetPort"), w.name)
			}
		}
		cpu, mem := at(c, "resources", "requests", "cpu"), at(c, "resources", "requests", "memory")
		limit := mebibytesOf(t, yamlStr(at(c, "resources", "limits", "memory")))
		if cpu == nil || mem == nil || limit == 0 {
			t.Errorf("%s: requests cpu %v, memory %v, memory limit %v", w.name, cpu, mem, at(c, "resources", "limits", "memory"))
		}
		for _, e := range at(c, "env").([]any) {
			if at(e, "name") == "GOMEMLIMIT" {
				if m := mebibytesOf(t, yamlStr(at(e, "value"))); m == 0 || m > limit*9/10 {
					t.Errorf("%s: GOMEMLIMIT %v with a memory limit of %d MiB", w.name, at(e, "value"), limit)
				}
			}
		}
		if preStop := at(c, "lifecycle", "preStop", "sleep", "seconds"); preStop == nil {
			t.Errorf("%s: no preStop sleep", w.name)
		} else if grace := at(pod, "terminationGracePeriodSeconds"); grace == nil || grace.(int) <= preStop.(int) {
			t.Errorf("%s: terminationGracePeriodSeconds %v is not longer than the preStop sleep %v", w.name, grace, preStop)
		}
	}
	t.Logf("deploy/kubernetes: %d objects, %d collector configurations valid and consistent", len(objects), len(configs))
}

func readYAMLFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func yamlStr(v any) string {
	s, _ := v.(string)
	return s
}

// mebibytesOf reads a Kubernetes memory quantity (Mi, Gi) or a GOMEMLIMIT
// (MiB, GiB).
func mebibytesOf(t *testing.T, q string) int {
	for suffix, mul := range map[string]int{"GiB": 1024, "MiB": 1, "Gi": 1024, "Mi": 1} {
		if n, ok := strings.CutSuffix(q, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil {
				t.Errorf("memory %q: %v", q, err)
			}
			return v * mul
		}
	}
	t.Errorf("memory %q: want Mi, Gi, MiB or GiB", q)
	return 0
}
