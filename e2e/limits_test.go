//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/querylens/querylens/internal/testsupport/hostile"
	"github.com/querylens/querylens/tools/loadgen"
)

// rawCodec sends bytes as they are: the request pdata could not write.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = data
	return nil
}
func (rawCodec) Name() string { return "proto" }

// postRaw posts body to OTLP/HTTP and returns the status and the answer.
func postRaw(t *testing.T, port int, contentType, encoding string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d/v1/traces", port), bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(msg)
}

// TestMillionLevelRequestIsRefused posts the request whose attribute value
// nests a million arrays (9.5 MB of protobuf, 28 MB of JSON; from 12 MB,
// pdata's decoder overflows its stack and kills the collector) over
// OTLP/HTTP, raw and gzipped, and over gRPC, while other traffic goes on:
// each is refused with an error, the collector stays up, and every span of
// the other requests comes out.
func TestMillionLevelRequestIsRefused(t *testing.T) {
	l := startLocal(t, "300ms")
	gen, err := loadgen.New(11)
	if err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	stop := make(chan struct{})
	var traffic sync.WaitGroup
	traffic.Add(1)
	go func() {
		defer traffic.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			td := gen.Next(time.Now())
			body, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
			if err := postOTLPJSON(context.Background(), l.ports["4318"], body); err != nil {
				t.Errorf("the other traffic: %v", err)
				return
			}
			sent.Add(int64(td.SpanCount()))
		}
	}()

	proto, js := hostile.NestedProto(1_000_000), hostile.NestedJSON(1_000_000)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(proto)
	_ = zw.Close()
	for _, c := range []struct {
		name, contentType, encoding string
		body                        []byte
	}{
		{"protobuf", "application/x-protobuf", "", proto},
		{"protobuf, gzip", "application/x-protobuf", "gzip", zipped.Bytes()},
		{"JSON", "application/json", "", js},
	} {
		code, msg := postRaw(t, l.ports["4318"], c.contentType, c.encoding, c.body)
		if code != http.StatusBadRequest && code != http.StatusRequestEntityTooLarge {
			t.Errorf("OTLP/HTTP %s of %d bytes: %d %q, want a refusal", c.name, len(c.body), code, msg)
		}
		t.Logf("OTLP/HTTP %s, %d bytes: %d %s", c.name, len(c.body), code, strings.TrimSpace(msg))
	}
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", l.ports["4317"]), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}), grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var reply []byte
	err = conn.Invoke(context.Background(), "/opentelemetry.proto.collector.trace.v1.TraceService/Export", &proto, &reply)
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("gRPC: %v, want ResourceExhausted", err)
	}
	t.Logf("gRPC, %d bytes: %v", len(proto), err)

	time.Sleep(time.Second) // more traffic after the refusals
	close(stop)
	traffic.Wait()
	if resp, err := http.Get(l.url("13133", "/")); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the collector is not healthy after the refusals: %v", err)
	}
	l.stop(t) // releases every trace
	_, out := querylensWrote(t, l.traces)
	if int64(out) != sent.Load() || out == 0 {
		t.Fatalf("%d spans sent beside the refused requests, %d came out", sent.Load(), out)
	}
	t.Logf("%d spans of other requests sent, %d came out: none lost", sent.Load(), out)
}

// rss is a process's resident memory, in bytes.
func rss(t *testing.T, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// pageBound is what 200 clients at once may add to the collector's memory
// while the page holds max_requests: at most max_concurrent_requests (4)
// answers are written at a time, each one request at a time, and the other
// clients get 503 at once.
const pageBound = 64 << 20

// heavyRequest is a request of 60 database calls of long statements: the
// page holds 1,000 of them within its max_bytes (about 45 MB counted), and
// its API page of all 1,000 is about 40 MB of JSON.
func heavyRequest(i int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "catalogue")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	trace := pcommon.TraceID{0x77, byte(i >> 8), byte(i)}
	root := spans.AppendEmpty()
	root.SetTraceID(trace)
	root.SetSpanID(pcommon.SpanID{1})
	root.SetKind(ptrace.SpanKindServer)
	root.SetName("GET /catalogue")
	root.Attributes().PutStr("http.route", "/catalogue")
	now := pcommon.NewTimestampFromTime(time.Now())
	root.SetStartTimestamp(now)
	root.SetEndTimestamp(now + 200_000_000)
	columns := make([]string, 20)
	for k := range columns {
		columns[k] = fmt.Sprintf("products.attribute_number_%d", k)
	}
	for k := 0; k < 60; k++ {
		s := spans.AppendEmpty()
		s.SetTraceID(trace)
		s.SetSpanID(pcommon.SpanID{2, byte(k)})
		s.SetParentSpanID(root.SpanID())
		s.SetKind(ptrace.SpanKindClient)
		s.SetName("SELECT products")
		s.SetStartTimestamp(now + pcommon.Timestamp(k)*1_000_000)
		s.SetEndTimestamp(now + pcommon.Timestamp(k)*1_000_000 + 500_000)
		s.Attributes().PutStr("db.system.name", "postgresql")
		s.Attributes().PutStr("db.query.text", fmt.Sprintf("SELECT %s FROM products_%d AS products WHERE products.id = %d",
			strings.Join(columns, ", "), k%40, i*1000+k))
	}
	return td
}

// TestPageUnderLoad fills the findings page to max_requests (1,000) of
// heavy requests, then has 200 clients ask for its largest API page (all
// 1,000 requests) at once, again and again for 15 s: every answer is a page
// or a 503 with Retry-After, and the collector's memory stays within
// pageBound of what it held before.
func TestPageUnderLoad(t *testing.T) {
	l := startLocal(t, "200ms")
	defer l.stop(t)
	fill := time.Now().Add(2 * time.Minute)
	for i, total := 0, ""; total != "1000"; {
		if time.Now().After(fill) {
			t.Fatalf("the page holds %s requests after 2 minutes of traffic", total)
		}
		for k := 0; k < 50; k, i = k+1, i+1 {
			body, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(heavyRequest(i))
			if err := postOTLPJSON(context.Background(), l.ports["4318"], body); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(300 * time.Millisecond)
		_, h := getBody(t, l.url("8890", "/api/requests?limit=1"))
		total = h.Get("X-Total-Count")
	}
	time.Sleep(2 * time.Second) // the last releases
	pid := l.cmd.Process.Pid
	idle := rss(t, pid)
	pageBytes := 0
	{
		body, _ := getBody(t, l.url("8890", "/api/requests?limit=1000"))
		pageBytes = len(body)
	}

	var ok, busy, other atomic.Int64
	var peak atomic.Int64
	peak.Store(idle)
	done := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if r := rss(t, pid); r > peak.Load() {
				peak.Store(r)
			}
		}
	}()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}, Timeout: 60 * time.Second}
	end := time.Now().Add(15 * time.Second)
	var clients sync.WaitGroup
	for i := 0; i < 200; i++ {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for time.Now().Before(end) {
				resp, err := client.Get(l.url("8890", "/api/requests?limit=1000"))
				if err != nil {
					other.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch {
				case resp.StatusCode == 200:
					ok.Add(1)
				case resp.StatusCode == 503 && resp.Header.Get("Retry-After") != "":
					busy.Add(1)
					time.Sleep(50 * time.Millisecond)
				default:
					other.Add(1)
				}
			}
		}()
	}
	clients.Wait()
	close(done)
	sampler.Wait()
	t.Logf("page of 1000 requests: %d bytes of JSON; 200 clients for 15 s: %d answers, %d 503 with Retry-After, %d other; RSS idle %.1f MiB, peak %.1f MiB (+%.1f MiB; bound +%d MiB)",
		pageBytes, ok.Load(), busy.Load(), other.Load(), float64(idle)/(1<<20), float64(peak.Load())/(1<<20),
		float64(peak.Load()-idle)/(1<<20), pageBound>>20)
	if other.Load() > 0 || ok.Load() == 0 || busy.Load() == 0 {
		t.Errorf("%d answers, %d 503, %d other: want answers and 503s only", ok.Load(), busy.Load(), other.Load())
	}
	if peak.Load()-idle > pageBound {
		t.Errorf("the collector grew by %d MiB under 200 clients, bound %d MiB", (peak.Load()-idle)>>20, pageBound>>20)
	}
}

// TestAnalyzeRefusesHostileFiles: querylens analyze exits 2 with a message
// on each file that once killed it, filled its memory or passed as clean.
func TestAnalyzeRefusesHostileFiles(t *testing.T) {
	cli := binaryFromEnv(t, "QUERYLENS_CLI", "querylens")
	dir := t.TempDir()
	for _, f := range hostile.BadFiles() {
		path := filepath.Join(dir, f.Name)
		if err := os.WriteFile(path, f.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("/usr/bin/time", "-f", "maxrss %M kB", cli, "analyze", "--quiet", path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != 2 || !strings.Contains(stderr.String(), path+": ") || !strings.Contains(stderr.String(), f.Reason) ||
			strings.Contains(stderr.String(), "goroutine") {
			t.Errorf("%s: exit %d, %q; want exit 2 naming the file and %q", f.Name, code, stderr.String(), f.Reason)
		}
		t.Logf("%s (%d bytes): exit %d: %s", f.Name, len(f.Data), code, strings.Join(strings.Fields(stderr.String()), " "))
	}
}
