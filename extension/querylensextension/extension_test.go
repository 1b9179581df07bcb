package querylensextension

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/querylens/querylens/extension/querylensextension/internal/metadata"
	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

func TestConfigValidation(t *testing.T) {
	if err := confmap.Validate(createDefaultConfig()); err != nil {
		t.Fatal(err)
	}
	bad := createDefaultConfig().(*Config)
	bad.ServerConfig.NetAddr.Endpoint, bad.MaxRequests, bad.MaxBytes, bad.MaxConcurrentRequests, bad.TraceURL = "8890", 0, 10, 0, "javascript:alert(1)"
	bad.MaxLiveConnections = -1
	err := confmap.Validate(bad)
	for _, want := range []string{"endpoint must be host:port", "max_requests must be at least 1", "max_bytes must be at least",
		"max_concurrent_requests must be from 1 to 1024", "max_live_connections must be from 0 (live updates off) to 1024, got -1",
		"trace_url must contain {trace_id}", "trace_url must be an http:// or https:// URL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

func TestServesWhatIsRecorded(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = addr
	ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(metadata.Type), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ext.Shutdown(context.Background()) }()
	rec, ok := ext.(TraceRecorder)
	if !ok {
		t.Fatal("the extension is not a TraceRecorder: the processor could not find it")
	}
	view, res := analyzedNPlusOne(t, 11)
	rec.RecordTrace(view, res, time.Now())
	resp, err := http.Get(fmt.Sprintf("http://%s/", addr))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `<span class="f t-n_plus_one" title="11 queries, 10 wasted">n_plus_one</span>`) ||
		!strings.Contains(string(body), "0af7651916cd43dd8448eb211c80319c") {
		t.Errorf("page: %s", body)
	}
	resp, err = http.Get(fmt.Sprintf("http://%s/requests/0af7651916cd43dd8448eb211c80319c", addr))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if n := strings.Count(string(body), `<li class="s db m t-n_plus_one"`); n != 11 {
		t.Errorf("%d spans of the loop highlighted on the waterfall, want 11", n)
	}
}

// analyzedNPlusOne is a trace of one request that looks n authors up one by
// one, analyzed as the processor would.
func analyzedNPlusOne(t *testing.T, n int) (*traceview.Trace, engine.Result) {
	t.Helper()
	traceID, _ := hex.DecodeString("0af7651916cd43dd8448eb211c80319c")
	spans := []traceview.Span{{ID: traceview.SpanID{1}, Name: "GET /books", Kind: traceview.KindServer, Start: 0, End: 100_000, Service: "shop", Route: "/books"}}
	for i := range n {
		raw := fmt.Sprintf("SELECT id FROM authors WHERE id = %d", i)
		spans = append(spans, traceview.Span{ID: traceview.SpanID{2, byte(i)}, ParentID: traceview.SpanID{1}, Name: "SELECT", Kind: traceview.KindClient,
			Start: int64(1000 * (i + 1)), End: int64(1000*(i+1) + 500), Service: "shop",
			DB: &traceview.DBCall{System: "postgresql", Raw: raw, Statement: sqlnorm.Normalize("postgresql", raw), ReturnedRows: -1, RowsAffected: -1}})
	}
	view, _ := traceview.New(traceview.TraceID(traceID), spans)
	e, err := engine.New(detect.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return view, e.Analyze(view)
}
