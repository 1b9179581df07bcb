package querylensextension

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/querylens/querylens/extension/querylensextension/internal/metadata"
	"github.com/querylens/querylens/internal/livepage"
)

func TestConfigValidation(t *testing.T) {
	if err := confmap.Validate(createDefaultConfig()); err != nil {
		t.Fatal(err)
	}
	bad := createDefaultConfig().(*Config)
	bad.ServerConfig.NetAddr.Endpoint, bad.MaxRequests, bad.MaxBytes, bad.MaxConcurrentRequests, bad.TraceURL = "8890", 0, 10, 0, "javascript:alert(1)"
	err := confmap.Validate(bad)
	for _, want := range []string{"endpoint must be host:port", "max_requests must be at least 1", "max_bytes must be at least",
		"max_concurrent_requests must be from 1 to 1024", "trace_url must contain {trace_id}", "trace_url must be an http:// or https:// URL"} {
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
	rec, ok := ext.(livepage.Recorder)
	if !ok {
		t.Fatal("the extension is not a livepage.Recorder: the processor could not find it")
	}
	rec.Record([]livepage.Request{{TraceID: "0af7651916cd43dd8448eb211c80319c", Service: "shop", Route: "/books", DBQueries: 12,
		Findings: []livepage.Finding{{Type: "n_plus_one", Count: 11, Statement: "SELECT id FROM authors WHERE id = ?"}}}})
	resp, err := http.Get(fmt.Sprintf("http://%s/", addr))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "n_plus_one ×11") || !strings.Contains(string(body), "0af7651916cd43dd8448eb211c80319c") {
		t.Errorf("page: %s", body)
	}
}
