package querylensextension

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/querylens/querylens/extension/querylensextension/internal/metadata"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startFrom loads the extension's YAML as the collector would and starts it.
func startFrom(t *testing.T, yaml map[string]any, host component.Host) (*Config, error) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	if err := confmap.NewFromStringMap(yaml).Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(metadata.Type), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(context.Background(), host); err != nil {
		return cfg, err
	}
	t.Cleanup(func() { _ = ext.Shutdown(context.Background()) })
	return cfg, nil
}

func TestEndpointAndMaxRequestsStillConfigure(t *testing.T) {
	addr := freeAddr(t)
	cfg, err := startFrom(t, map[string]any{"endpoint": addr, "max_requests": 7, "max_concurrent_requests": 2}, componenttest.NewNopHost())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ServerConfig.NetAddr.Endpoint != addr || cfg.MaxRequests != 7 || cfg.MaxConcurrentRequests != 2 {
		t.Fatalf("config %+v", cfg)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/requests", nil)
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("%d, Access-Control-Allow-Origin %q: CORS must be off unless configured", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestServesTLS(t *testing.T) {
	cert, key := selfSigned(t)
	addr := freeAddr(t)
	if _, err := startFrom(t, map[string]any{"endpoint": addr, "tls": map[string]any{"cert_file": cert, "key_file": key}},
		componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // our own test certificate
	resp, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("https: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if resp, err := http.Get("http://" + addr + "/"); err == nil {
		resp.Body.Close() // whatever the status, or its connection outlives the test (goleak)
		if resp.StatusCode == 200 {
			t.Error("plain http answered with tls configured")
		}
	}
}

// tokenAuth is an authenticator extension that lets in one bearer token.
type tokenAuth struct {
	component.StartFunc
	component.ShutdownFunc
}

func (tokenAuth) Authenticate(ctx context.Context, headers map[string][]string) (context.Context, error) {
	for _, v := range headers["Authorization"] {
		if v == "Bearer let-me-in" {
			return ctx, nil
		}
	}
	return ctx, errors.New("no valid token")
}

type hostWith map[component.ID]component.Component

func (h hostWith) GetExtensions() map[component.ID]component.Component { return h }

func TestAnAuthenticatorExtensionGuardsThePage(t *testing.T) {
	addr := freeAddr(t)
	auth := component.MustNewID("tokenauth")
	host := hostWith{auth: tokenAuth{}}
	if _, err := startFrom(t, map[string]any{"endpoint": addr, "auth": map[string]any{"authenticator": auth.String()}}, host); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/api/requests")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/requests", nil)
	req.Header.Set("Authorization", "Bearer let-me-in")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("with the token: %d", resp.StatusCode)
	}
	// An authenticator the collector does not have is an error at start.
	if _, err := startFrom(t, map[string]any{"endpoint": freeAddr(t), "auth": map[string]any{"authenticator": "missing"}},
		componenttest.NewNopHost()); err == nil {
		t.Error("a missing authenticator was accepted")
	}
}

var _ extension.Extension = tokenAuth{}

func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	write := func(path, typ string, b []byte) {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(certFile, "CERTIFICATE", der)
	write(keyFile, "EC PRIVATE KEY", kder)
	return certFile, keyFile
}

// A live page outlasts the server's write_timeout (each event has its own
// deadline), hears of each trace recorded, and does not hold the collector's
// shutdown.
func TestLivePageThroughTheServer(t *testing.T) {
	addr := freeAddr(t)
	cfg := createDefaultConfig().(*Config)
	if err := confmap.NewFromStringMap(map[string]any{"endpoint": addr, "write_timeout": "1s"}).Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(metadata.Type), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	next := func() string {
		for {
			line, err := events.ReadString('\n')
			if err != nil {
				t.Fatalf("the live connection ended: %v", err)
			}
			if strings.HasPrefix(line, "data: ") {
				return strings.TrimSpace(strings.TrimPrefix(line, "data: "))
			}
		}
	}
	if v := next(); v != "0" {
		t.Fatalf("first event %q", v)
	}
	time.Sleep(1500 * time.Millisecond) // past write_timeout
	view, res := analyzedNPlusOne(t, 11)
	ext.(TraceRecorder).RecordTrace(view, res, time.Now())
	if v := next(); v != "1" {
		t.Fatalf("after a trace, event %q", v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := ext.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a live page open: %v after %s", err, time.Since(start))
	}
}
