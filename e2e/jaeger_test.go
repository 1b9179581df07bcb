//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/internal/testsupport/loopback"
)

// The contract's attributes of a finding event.
var findingEventAttributes = []string{
	contract.AttrFindingType, contract.AttrFindingID, contract.AttrFingerprint, contract.AttrStatement,
	contract.AttrCount, contract.AttrTotalDuration, contract.AttrSuggestion,
}

// The finding types whose member spans carry the finding's id.
var groupFindingTypes = []string{"n_plus_one", "mn_plus_one", "duplicate_query", "n_plus_one_api", "pagination_count"}

// TestJaegerStoresTheFindings runs config/jaeger.yaml — querylens, batch and an
// OTLP gRPC exporter — in front of a real Jaeger v2 with in-memory storage,
// posts every testdata trace, and reads them back through Jaeger's HTTP API, the
// one Grafana's Jaeger data source calls: every span stored; each flagged trace
// found by a tag search on querylens.finding.type, per service, for every type;
// member spans with their finding id; the finding events as logs with every
// contract attribute; a fingerprint on every database span; the query count on
// every local request root; and no literal of the raw SQL in what querylens wrote.
func TestJaegerStoresTheFindings(t *testing.T) {
	jaegerBin := binaryFromEnv(t, "QUERYLENS_JAEGER", "jaeger")
	scenarios, err := fixtures.All()
	if err != nil {
		t.Fatal(err)
	}
	j := startJaeger(t, jaegerBin)

	out := filepath.Join(t.TempDir(), "traces.jsonl")
	// The shipped configuration on free ports, with a file exporter beside the
	// Jaeger exporter to know what was written.
	config, httpPort, healthPort := shippedConfig(t, filepath.Join("..", "config", "jaeger.yaml"),
		[2]string{"${env:JAEGER_OTLP_ENDPOINT:-127.0.0.1:14317}", fmt.Sprintf("127.0.0.1:%d", j.otlpPort)},
		[2]string{"wait_duration: 30s", "wait_duration: 1s"},
		[2]string{"127.0.0.1:8890", fmt.Sprintf("127.0.0.1:%d", freePort(t))}, // the findings page
		[2]string{"http://127.0.0.1:16686/", j.query + "/"},
		[2]string{"exporters: [otlp_grpc/jaeger]", "exporters: [otlp_grpc/jaeger, file]"},
		[2]string{"\nexporters:\n", fmt.Sprintf("\nexporters:\n  file:\n    path: %s\n", out)},
	)
	c := startCollector(t, config, healthPort)

	var sent []ptrace.Traces
	wantTypes := map[string]bool{}
	for _, s := range scenarios {
		for i, line := range s.Lines {
			if err := postOTLPJSON(context.Background(), httpPort, line); err != nil {
				t.Fatalf("%s line %d: %v", s.Path, i+1, err)
			}
		}
		sent = append(sent, s.Requests...)
		for _, f := range s.Expected.Findings {
			wantTypes[f.Type] = true
		}
	}
	// SIGTERM releases every trace held and drains the exporters.
	c.stop(t)
	received := readExported(t, out)
	in := fixtures.SpanIDs(sent...)
	if got := fixtures.SpanIDs(received...); !slices.Equal(in, got) {
		t.Fatalf("the file exporter wrote %d spans, %d were posted", len(got), len(in))
	}

	// The time range and the services, as Grafana asks for them.
	var minStart, maxEnd pcommon.Timestamp
	services := map[string]bool{}
	fixtures.EachSpan(sent, func(r pcommon.Resource, s ptrace.Span) {
		if minStart == 0 || s.StartTimestamp() < minStart {
			minStart = s.StartTimestamp()
		}
		maxEnd = max(maxEnd, s.EndTimestamp(), s.StartTimestamp())
		services[serviceName(r)] = true
	})
	j.start = minStart.AsTime().Add(-time.Second)
	j.end = maxEnd.AsTime().Add(time.Second)

	// Every span stored, once: the span count in is the span count stored.
	var stored map[string]jaegerTrace
	deadline := time.Now().Add(30 * time.Second)
	for {
		stored = j.allTraces(t, sortedKeys(services))
		if n := countSpans(stored); n >= len(in) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	gotServices := j.services(t)
	if !slices.Equal(gotServices, sortedKeys(services)) {
		t.Errorf("Jaeger's services %v, posted %v", gotServices, sortedKeys(services))
	}
	var storedIDs []string
	spans := map[string]jaegerSpan{} // trace/span id -> span
	for id := range stored {
		tr := j.trace(t, id) // the trace as Grafana opens it
		for _, s := range tr.Spans {
			key := padID(s.TraceID, 32) + "/" + padID(s.SpanID, 16)
			storedIDs = append(storedIDs, key)
			s.service = tr.Processes[s.ProcessID].ServiceName
			spans[key] = s
		}
	}
	sort.Strings(storedIDs)
	t.Logf("spans in: %d, spans stored in Jaeger: %d; traces in: %d, stored: %d; services: %d",
		len(in), len(storedIDs), len(traceIDs(sent)), len(stored), len(services))
	if !slices.Equal(in, storedIDs) {
		missing, extra := diff(in, storedIDs)
		t.Fatalf("Jaeger stored %d spans, %d were posted; missing %d (%s), extra %d (%s)",
			len(storedIDs), len(in), len(missing), first(missing), len(extra), first(extra))
	}

	// Each flagged trace is found by a tag search on its finding type, in each
	// service that holds it: the trace ids returned are the traces whose spans
	// of that service carry the type (as a span attribute or on a finding event).
	want := map[string]map[string]map[string]bool{} // type -> service -> trace ids
	fixtures.EachSpan(received, func(r pcommon.Resource, s ptrace.Span) {
		for _, typ := range findingTypesOf(s) {
			if want[typ] == nil {
				want[typ] = map[string]map[string]bool{}
			}
			if want[typ][serviceName(r)] == nil {
				want[typ][serviceName(r)] = map[string]bool{}
			}
			want[typ][serviceName(r)][s.TraceID().String()] = true
		}
	})
	if !reflect.DeepEqual(sortedKeys(want), sortedKeys(wantTypes)) {
		t.Errorf("finding types written %v, the testdata expects %v", sortedKeys(want), sortedKeys(wantTypes))
	}
	var perType []string
	for _, typ := range sortedKeys(want) {
		all := map[string]bool{}
		for _, service := range sortedKeys(services) {
			found := j.search(t, service, map[string]string{contract.AttrFindingType: typ})
			if !reflect.DeepEqual(sortedKeys(found), sortedKeys(want[typ][service])) {
				t.Errorf("tags={%q:%q} in service %s: Jaeger finds %d traces %v, querylens flagged %d %v",
					contract.AttrFindingType, typ, service, len(found), sortedKeys(found), len(want[typ][service]), sortedKeys(want[typ][service]))
			}
			for id := range found {
				all[id] = true
			}
		}
		perType = append(perType, fmt.Sprintf("%s %d", typ, len(all)))
	}
	t.Logf("traces found per finding type: %s", strings.Join(perType, ", "))

	// Every querylens attribute written on a span is stored on it, with its
	// type and value, and nothing else is.
	written := 0
	fixtures.EachSpan(received, func(_ pcommon.Resource, s ptrace.Span) {
		key := s.TraceID().String() + "/" + s.SpanID().String()
		js := spans[key]
		wantTags := map[string]pcommon.Value{}
		s.Attributes().Range(func(k string, v pcommon.Value) bool {
			if strings.HasPrefix(k, "querylens.") {
				wantTags[k] = v
			}
			return true
		})
		for _, kv := range js.Tags {
			if strings.HasPrefix(kv.Key, "querylens.") {
				if _, ok := wantTags[kv.Key]; !ok {
					t.Errorf("span %s %q: Jaeger has %s=%v, querylens did not write it", key, s.Name(), kv.Key, kv.Value)
				}
			}
		}
		for k, v := range wantTags {
			written++
			if kv, ok := js.tag(k); !ok || !sameValue(kv, v) {
				t.Errorf("span %s %q: %s is %v (%s) in Jaeger, querylens wrote %s", key, s.Name(), k, kv.Value, kv.Type, v.AsString())
			}
		}
	})

	// Independently of what was written: every database span with a statement
	// has a fingerprint, and every local request root its query count.
	local := localRoots(sent)
	dbSpans, roots := 0, 0
	fingerprint := regexp.MustCompile(`^[0-9a-f]{16}$`)
	fixtures.EachSpan(sent, func(_ pcommon.Resource, s ptrace.Span) {
		key := s.TraceID().String() + "/" + s.SpanID().String()
		js := spans[key]
		if hasStatement(s) {
			dbSpans++
			if kv, ok := js.tag(contract.AttrFingerprint); !ok || !fingerprint.MatchString(fmt.Sprint(kv.Value)) {
				t.Errorf("database span %s %q: querylens.fingerprint is %v in Jaeger", key, s.Name(), kv.Value)
			}
		}
		if s.ParentSpanID().IsEmpty() && hasStatement(s) { // a query in no request: a gap
			if q, ok := js.tag(contract.AttrGapDBQueries); !ok || q.Type != "int64" {
				t.Errorf("query %s %q with no parent: no %s in Jaeger: %v", key, s.Name(), contract.AttrGapDBQueries, js.Tags)
			}
		}
		if local[key] {
			roots++
			q, ok := js.tag(contract.AttrRequestDBQueries)
			_, okd := js.tag(contract.AttrRequestDBDuration)
			_, okw := js.tag(contract.AttrRequestDBWallDuration)
			if !ok || q.Type != "int64" || !okd || !okw {
				t.Errorf("local request root %s %q (%s): no %s/%s/%s in Jaeger: %v", key, s.Name(), js.service,
					contract.AttrRequestDBQueries, contract.AttrRequestDBDuration, contract.AttrRequestDBWallDuration, js.Tags)
			}
		}
	})

	// Member spans: the spans that carry a group finding's id in Jaeger are
	// its members, two or more, each with the finding's type.
	observed := fixtures.Observe(received...)
	members := map[string][]string{} // finding id (in its trace) -> member span ids
	for key, js := range spans {
		if id, ok := js.tag(contract.AttrFindingID); ok {
			k := padID(js.TraceID, 32) + "/" + fmt.Sprint(id.Value)
			members[k] = append(members[k], strings.SplitN(key, "/", 2)[1])
			if typ, ok := js.tag(contract.AttrFindingType); !ok || typ.Value == "" {
				t.Errorf("span %s carries finding id %v but no finding type", key, id.Value)
			}
		}
	}
	groups, memberSpans := 0, 0
	for _, o := range observed {
		if !slices.Contains(groupFindingTypes, o.Type) {
			continue
		}
		groups++
		got := members[o.TraceID+"/"+o.ID]
		sort.Strings(got)
		memberSpans += len(got)
		if len(got) < 2 || !slices.Equal(got, o.Members) {
			t.Errorf("%s %s in trace %s: members in Jaeger %v, written %v", o.Type, o.ID, o.TraceID, got, o.Members)
		}
	}

	// The finding events come back as logs of their anchor span, with every
	// contract attribute, typed, and the values written.
	events, logs := 0, 0
	fixtures.EachSpan(received, func(_ pcommon.Resource, s ptrace.Span) {
		key := s.TraceID().String() + "/" + s.SpanID().String()
		byID := map[string][]jaegerKV{}
		for _, l := range spans[key].Logs {
			if f, ok := field(l.Fields, "event"); ok && f.Value == contract.EventFinding {
				logs++
				id, _ := field(l.Fields, contract.AttrFindingID)
				byID[fmt.Sprint(id.Value)] = l.Fields
			}
		}
		for i := 0; i < s.Events().Len(); i++ {
			ev := s.Events().At(i)
			if ev.Name() != contract.EventFinding {
				continue
			}
			events++
			id, _ := ev.Attributes().Get(contract.AttrFindingID)
			fields, ok := byID[id.Str()]
			if !ok {
				t.Errorf("span %s %q: finding %s is not among its logs in Jaeger", key, s.Name(), id.Str())
				continue
			}
			for _, k := range findingEventAttributes {
				if _, ok := ev.Attributes().Get(k); !ok {
					t.Errorf("span %s: finding %s was written without %s", key, id.Str(), k)
				}
				if _, ok := field(fields, k); !ok {
					t.Errorf("span %s: the log of finding %s has no %s in Jaeger: %v", key, id.Str(), k, fields)
				}
			}
			ev.Attributes().Range(func(k string, v pcommon.Value) bool {
				if f, ok := field(fields, k); !ok || !sameValue(f, v) {
					t.Errorf("span %s: finding %s: %s is %v (%s) in Jaeger, written %s", key, id.Str(), k, f.Value, f.Type, v.AsString())
				}
				return true
			})
		}
	})
	if events != logs || events == 0 {
		t.Errorf("%d finding events written, %d finding logs in Jaeger", events, logs)
	}

	// No literal of the raw statements in anything querylens wrote: its string
	// tags and the string fields of its finding logs, per trace. (Numbers and
	// durations it computes are not checked: they are not taken from the SQL.)
	lits := literals(sent)
	checked, rawWithLiterals, distinct := 0, 0, map[string]bool{}
	for _, l := range lits {
		for _, q := range l.quoted {
			distinct["'"+q+"'"] = true
		}
		for n := range l.numbers {
			distinct[n] = true
		}
	}
	for key, js := range spans {
		traceLits := lits[padID(js.TraceID, 32)]
		// The check sees the literals where they are: in the raw statements.
		for _, k := range []string{"db.query.text", "db.statement"} {
			if kv, ok := js.tag(k); ok {
				if _, ok := traceLits.in(fmt.Sprint(kv.Value)); ok {
					rawWithLiterals++
				}
			}
		}
		var values []jaegerKV
		for _, kv := range js.Tags {
			if strings.HasPrefix(kv.Key, "querylens.") {
				values = append(values, kv)
			}
		}
		for _, l := range js.Logs {
			if f, ok := field(l.Fields, "event"); ok && f.Value == contract.EventFinding {
				values = append(values, l.Fields...)
			}
		}
		for _, kv := range values {
			if kv.Type != "string" || kv.Key == "event" {
				continue
			}
			checked++
			if lit, ok := traceLits.in(fmt.Sprint(kv.Value)); ok {
				t.Errorf("span %s: %s=%q holds the literal %q of the raw SQL", key, kv.Key, kv.Value, lit)
			}
		}
	}
	if rawWithLiterals == 0 {
		t.Error("no raw statement stored in Jaeger holds a literal the check looks for: the check sees nothing")
	}
	t.Logf("querylens attributes stored as written: %d; database spans with a fingerprint: %d; local request roots with a query count: %d; "+
		"group findings with their members: %d (%d member spans); finding events back as logs: %d of %d; "+
		"string values free of the raw SQL's literals: %d (%d distinct literals, held by %d raw statements)",
		written, dbSpans, roots, groups, memberSpans, logs, events, checked, len(distinct), rawWithLiterals)
}

// TestJaegerDataSourceProvisioning: the Jaeger data source beside Tempo has its
// own uid, reaches Jaeger's query port, and links to the same querylens
// metrics as Tempo (whose queries e2e/dashboards_test.go runs for real).
func TestJaegerDataSourceProvisioning(t *testing.T) {
	type dataSources struct {
		Datasources []struct {
			Name     string         `yaml:"name"`
			Type     string         `yaml:"type"`
			UID      string         `yaml:"uid"`
			URL      string         `yaml:"url"`
			JSONData map[string]any `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	read := func(name string) dataSources {
		b, err := os.ReadFile(filepath.Join("..", "config", "stack", "grafana", "provisioning", "datasources", name))
		if err != nil {
			t.Fatal(err)
		}
		var ds dataSources
		if err := yaml.Unmarshal(b, &ds); err != nil {
			t.Fatal(err)
		}
		return ds
	}
	jaeger, querylens := read("jaeger.yaml"), read("querylens.yaml")
	if len(jaeger.Datasources) != 1 || jaeger.Datasources[0].Type != "jaeger" {
		t.Fatalf("jaeger.yaml provisions %+v, want one Jaeger data source", jaeger.Datasources)
	}
	j := jaeger.Datasources[0]
	u, err := url.Parse(j.URL)
	if err != nil || u.Port() != "16686" || j.UID != "querylens-jaeger" {
		t.Errorf("the Jaeger data source %s (uid %s) does not reach Jaeger's query port 16686 or has another uid than querylens-jaeger", j.URL, j.UID)
	}
	for _, d := range querylens.Datasources {
		if d.UID == j.UID || d.Name == j.Name {
			t.Errorf("the Jaeger data source's name or uid is taken by %s (%s)", d.Name, d.UID)
		}
		if d.Type == "tempo" && !reflect.DeepEqual(d.JSONData["tracesToMetrics"], j.JSONData["tracesToMetrics"]) {
			t.Errorf("Jaeger's traces-to-metrics differ from Tempo's:\n%v\n%v", j.JSONData["tracesToMetrics"], d.JSONData["tracesToMetrics"])
		}
	}
}

// jaeger is one running bin/jaeger, in-memory, on loopback.
type jaeger struct {
	query      string // http://127.0.0.1:port of jaeger_query
	otlpPort   int
	start, end time.Time // the time range of the searches
}

func startJaeger(t *testing.T, bin string) *jaeger {
	t.Helper()
	queryPort, queryGRPCPort, otlpPort, metricsPort := freePort(t), freePort(t), freePort(t), freePort(t)
	path := filepath.Join(t.TempDir(), "jaeger.yaml")
	config := fmt.Sprintf(`
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    logs:
      level: warn
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:%d
    grpc:
      endpoint: 127.0.0.1:%d
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`, metricsPort, queryPort, queryGRPCPort, otlpPort)
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	log := new(bytes.Buffer)
	cmd := exec.Command(bin, "--config", path)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("jaeger log:\n%s", lastLines(log.String(), 40))
		}
	})
	j := &jaeger{query: fmt.Sprintf("http://127.0.0.1:%d", queryPort), otlpPort: otlpPort}
	ready := func() bool {
		if !loopback.Answers(j.query + "/api/services") {
			return false
		}
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", otlpPort))
		if err == nil {
			conn.Close()
		}
		return err == nil
	}
	if err := loopback.WaitReady(ready, done, 60*time.Second); err != nil {
		t.Fatalf("jaeger %v:\n%s", err, log.String())
	}
	return j
}

type jaegerKV struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

type jaegerSpan struct {
	TraceID       string     `json:"traceID"`
	SpanID        string     `json:"spanID"`
	OperationName string     `json:"operationName"`
	ProcessID     string     `json:"processID"`
	Tags          []jaegerKV `json:"tags"`
	Logs          []struct {
		Timestamp int64      `json:"timestamp"`
		Fields    []jaegerKV `json:"fields"`
	} `json:"logs"`
	service string
}

func (s jaegerSpan) tag(key string) (jaegerKV, bool) { return field(s.Tags, key) }

type jaegerTrace struct {
	TraceID   string       `json:"traceID"`
	Spans     []jaegerSpan `json:"spans"`
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
	} `json:"processes"`
}

// get calls Jaeger's HTTP API and decodes the data of its answer.
func (j *jaeger) get(t *testing.T, path string, params url.Values, data any) {
	t.Helper()
	u := j.query + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Code int    `json:"code"`
			Msg  string `json:"msg"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: %s: %v", u, resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || len(body.Errors) > 0 {
		t.Fatalf("GET %s: %s: %+v", u, resp.Status, body.Errors)
	}
	dec := json.NewDecoder(bytes.NewReader(body.Data))
	dec.UseNumber() // int64 values as they are
	if err := dec.Decode(data); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

func (j *jaeger) services(t *testing.T) []string {
	var s []string
	j.get(t, "/api/services", nil, &s)
	sort.Strings(s)
	return s
}

// search is the search of Grafana's Jaeger data source: a service, tags, the
// time range in microseconds, a limit. It returns the traces found by id.
func (j *jaeger) search(t *testing.T, service string, tags map[string]string) map[string]jaegerTrace {
	t.Helper()
	params := url.Values{
		"service": {service},
		"start":   {strconv.FormatInt(j.start.UnixMicro(), 10)},
		"end":     {strconv.FormatInt(j.end.UnixMicro(), 10)},
		"limit":   {"10000"},
	}
	if len(tags) > 0 {
		b, _ := json.Marshal(tags)
		params.Set("tags", string(b))
	}
	var traces []jaegerTrace
	j.get(t, "/api/traces", params, &traces)
	out := map[string]jaegerTrace{}
	for _, tr := range traces {
		out[padID(tr.TraceID, 32)] = tr
	}
	return out
}

// allTraces searches every service without tags.
func (j *jaeger) allTraces(t *testing.T, services []string) map[string]jaegerTrace {
	out := map[string]jaegerTrace{}
	for _, s := range services {
		for id, tr := range j.search(t, s, nil) {
			out[id] = tr
		}
	}
	return out
}

// trace opens one trace by id.
func (j *jaeger) trace(t *testing.T, id string) jaegerTrace {
	var traces []jaegerTrace
	j.get(t, "/api/traces/"+id, nil, &traces)
	if len(traces) != 1 {
		t.Fatalf("GET /api/traces/%s: %d traces", id, len(traces))
	}
	return traces[0]
}

func countSpans(traces map[string]jaegerTrace) int {
	n := 0
	for _, tr := range traces {
		n += len(tr.Spans)
	}
	return n
}

func field(kvs []jaegerKV, key string) (jaegerKV, bool) {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv, true
		}
	}
	return jaegerKV{}, false
}

// sameValue: a Jaeger tag or log field holds the OpenTelemetry value v, with
// its type.
func sameValue(kv jaegerKV, v pcommon.Value) bool {
	s := fmt.Sprint(kv.Value)
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return kv.Type == "string" && s == v.Str()
	case pcommon.ValueTypeInt:
		return kv.Type == "int64" && s == strconv.FormatInt(v.Int(), 10)
	case pcommon.ValueTypeDouble:
		f, err := strconv.ParseFloat(s, 64)
		return kv.Type == "float64" && err == nil && f == v.Double()
	case pcommon.ValueTypeBool:
		return kv.Type == "bool" && s == strconv.FormatBool(v.Bool())
	}
	return s == v.AsString()
}

// padID writes a Jaeger id (which drops the high half when it is zero) in the
// OpenTelemetry form.
func padID(id string, n int) string {
	if len(id) < n {
		return strings.Repeat("0", n-len(id)) + id
	}
	return id
}

func serviceName(r pcommon.Resource) string {
	if v, ok := r.Attributes().Get("service.name"); ok {
		return v.AsString()
	}
	return ""
}

// findingTypesOf: the finding types a span carries, as an attribute or on its
// finding events.
func findingTypesOf(s ptrace.Span) []string {
	var out []string
	if v, ok := s.Attributes().Get(contract.AttrFindingType); ok {
		out = append(out, v.Str())
	}
	for i := 0; i < s.Events().Len(); i++ {
		if v, ok := s.Events().At(i).Attributes().Get(contract.AttrFindingType); ok {
			out = append(out, v.Str())
		}
	}
	return out
}

// statement is a span's raw SQL: db.query.text, else db.statement, when it is a
// database span.
func statement(s ptrace.Span) string {
	a := s.Attributes()
	_, sys := a.Get("db.system.name")
	_, oldSys := a.Get("db.system")
	if !sys && !oldSys {
		return ""
	}
	for _, k := range []string{"db.query.text", "db.statement"} {
		if v, ok := a.Get(k); ok && v.Type() == pcommon.ValueTypeStr && strings.TrimSpace(v.Str()) != "" {
			return v.Str()
		}
	}
	return ""
}

func hasStatement(s ptrace.Span) bool { return statement(s) != "" }

// localRoots are the contract's local request roots, read from the spans as
// posted: a SERVER or CONSUMER span whose parent is missing or of another
// service, and every span without a parent.
func localRoots(tds []ptrace.Traces) map[string]bool {
	service := map[string]string{} // trace/span id -> service
	fixtures.EachSpan(tds, func(r pcommon.Resource, s ptrace.Span) {
		service[s.TraceID().String()+"/"+s.SpanID().String()] = serviceName(r)
	})
	out := map[string]bool{}
	fixtures.EachSpan(tds, func(r pcommon.Resource, s ptrace.Span) {
		key := s.TraceID().String() + "/" + s.SpanID().String()
		if s.ParentSpanID().IsEmpty() {
			_, db := s.Attributes().Get("db.system.name")
			_, oldDB := s.Attributes().Get("db.system")
			out[key] = !db && !oldDB // a query with no parent ran in no request
			return
		}
		parent, ok := service[s.TraceID().String()+"/"+s.ParentSpanID().String()]
		if (s.Kind() == ptrace.SpanKindServer || s.Kind() == ptrace.SpanKindConsumer) && (!ok || parent != serviceName(r)) {
			out[key] = true
		}
	})
	return out
}

// sqlLiterals are the literal values of one trace's raw statements: quoted
// strings, and numbers of three digits or more.
type sqlLiterals struct {
	quoted  []string
	numbers map[string]bool
}

var (
	quotedLiteral = regexp.MustCompile(`'((?:[^']|'')+)'`)
	// A comment is no value of the statement: a sqlcommenter comment quotes
	// the route and the traceparent, which the trace records elsewhere.
	sqlComment    = regexp.MustCompile(`(?s)/\*.*?\*/`)
	numberLiteral = regexp.MustCompile(`\d{3,}`)
	numberToken   = regexp.MustCompile(`[0-9A-Za-z_]+`)
)

func literals(tds []ptrace.Traces) map[string]*sqlLiterals {
	out := map[string]*sqlLiterals{}
	fixtures.EachSpan(tds, func(_ pcommon.Resource, s ptrace.Span) {
		sql := sqlComment.ReplaceAllString(statement(s), " ")
		if strings.TrimSpace(sql) == "" {
			return
		}
		l := out[s.TraceID().String()]
		if l == nil {
			l = &sqlLiterals{numbers: map[string]bool{}}
			out[s.TraceID().String()] = l
		}
		for _, m := range quotedLiteral.FindAllStringSubmatch(sql, -1) {
			if len(m[1]) >= 2 && !slices.Contains(l.quoted, m[1]) {
				l.quoted = append(l.quoted, m[1])
			}
		}
		for _, tok := range numberToken.FindAllString(sql, -1) {
			if numberLiteral.MatchString(tok) && strings.Trim(tok, "0123456789") == "" {
				l.numbers[tok] = true
			}
		}
	})
	return out
}

// in reports the first literal that value holds: a quoted string anywhere in
// it, a number as a whole token.
func (l *sqlLiterals) in(value string) (string, bool) {
	if l == nil {
		return "", false
	}
	for _, q := range l.quoted {
		if strings.Contains(value, q) {
			return q, true
		}
	}
	for _, tok := range numberToken.FindAllString(value, -1) {
		if l.numbers[tok] {
			return tok, true
		}
	}
	return "", false
}

// replaceAll reads a file and replaces each pair in order; each old string
// must be there.
func replaceAll(t *testing.T, path string, pairs [][2]string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, p := range pairs {
		if !strings.Contains(s, p[0]) {
			t.Fatalf("%s no longer holds %q: update the test", path, p[0])
		}
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
