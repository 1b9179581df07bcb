//go:build e2e

// Package e2e runs the real bin/otelcol-querylens on loopback: `make e2e` builds
// it and sets QUERYLENS_COLLECTOR.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/testsupport/fixtures"
	"github.com/querylens/querylens/internal/testsupport/loopback"
)

// collectorBinary is the binary under test.
func collectorBinary(t *testing.T) string {
	return binaryFromEnv(t, "QUERYLENS_COLLECTOR", "otelcol-querylens")
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	port, err := loopback.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// collector is one running bin/otelcol-querylens.
type collector struct {
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan error
}

// startCollector writes config to a file, starts the collector on it and waits
// until its health_check at healthPort answers.
func startCollector(t *testing.T, config string, healthPort int) *collector {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &collector{log: new(bytes.Buffer), done: make(chan error, 1)}
	c.cmd = exec.Command(collectorBinary(t), "--config", path)
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("collector log:\n%s", c.log.String())
		}
	})
	health := fmt.Sprintf("http://127.0.0.1:%d/", healthPort)
	if err := loopback.WaitReady(func() bool { return loopback.Answers(health) }, c.done, 30*time.Second); err != nil {
		t.Fatalf("collector %v:\n%s", err, c.log.String())
	}
	return c
}

// stop sends SIGTERM and waits for a clean exit.
func (c *collector) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("collector exited with %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("collector did not stop within 60s of SIGTERM")
	}
}

// postOTLPJSON posts one OTLP JSON ExportTraceServiceRequest.
func postOTLPJSON(ctx context.Context, port int, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d/v1/traces", port), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("POST /v1/traces: %s: %s", resp.Status, msg)
	}
	return nil
}

// shippedConfig reads a configuration of config/ and moves it to free ports:
// OTLP gRPC and HTTP, health_check and the collector's own metrics; extra are
// further replacements. It returns the config, the OTLP HTTP port and the
// health_check port.
func shippedConfig(t *testing.T, path string, extra ...[2]string) (config string, httpPort, healthPort int) {
	t.Helper()
	if out, err := exec.Command(collectorBinary(t), "validate", "--config="+path).CombinedOutput(); err != nil {
		t.Fatalf("%s does not validate: %v\n%s", path, err, out)
	}
	httpPort, healthPort = freePort(t), freePort(t)
	pairs := [][2]string{
		{"127.0.0.1:4317", fmt.Sprintf("127.0.0.1:%d", freePort(t))},
		{"127.0.0.1:4318", fmt.Sprintf("127.0.0.1:%d", httpPort)},
		{"127.0.0.1:13133", fmt.Sprintf("127.0.0.1:%d", healthPort)},
		{"port: 8888", fmt.Sprintf("port: %d", freePort(t))},
	}
	return replaceAll(t, path, append(pairs, extra...)), httpPort, healthPort
}

// selfMetrics is the service.telemetry block of a test's collector config:
// the collector's own metrics, served on port for the tests that read them.
func selfMetrics(port int) string {
	return fmt.Sprintf(`  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
`, port)
}

// pipeline is what a test's collector does with the traces it receives;
// startPipeline adds the rest on free loopback ports: the OTLP receiver,
// health_check, and the collector's own metrics.
type pipeline struct {
	grpc       bool   // OTLP in over gRPC; over HTTP if false
	processors string // YAML: the processors block's entries, if any
	connectors string // YAML: the connectors block's entries, if any
	exporters  string // YAML: the exporters block's entries
	// The traces pipeline's processors, in order, and exporters: "querylens, batch".
	traceProcessors, traceExporters string
	// If not empty, the exporters of a metrics pipeline from the querylens connector.
	metricExporters string
	// No metrics of the collector's own (telemetry level none), and no port for them.
	noOwnMetrics bool
}

// startPipeline starts the real collector on the pipeline p and returns it,
// the port of its OTLP receiver and that of its own metrics.
func startPipeline(t *testing.T, p pipeline) (c *collector, otlpPort, metricsPort int) {
	t.Helper()
	protocol := "http"
	if p.grpc {
		protocol = "grpc"
	}
	otlpPort, healthPort := freePort(t), freePort(t)
	var config strings.Builder
	fmt.Fprintf(&config, `
receivers:
  otlp:
    protocols:
      %s:
        endpoint: 127.0.0.1:%d
`, protocol, otlpPort)
	for _, block := range [][2]string{{"processors", p.processors}, {"connectors", p.connectors}, {"exporters", p.exporters}} {
		if entries := strings.Trim(block[1], "\n"); entries != "" {
			fmt.Fprintf(&config, "%s:\n%s\n", block[0], entries)
		}
	}
	fmt.Fprintf(&config, `extensions:
  health_check:
    endpoint: 127.0.0.1:%d
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
`, healthPort)
	if p.traceProcessors != "" {
		fmt.Fprintf(&config, "      processors: [%s]\n", p.traceProcessors)
	}
	fmt.Fprintf(&config, "      exporters: [%s]\n", p.traceExporters)
	if p.metricExporters != "" {
		fmt.Fprintf(&config, "    metrics:\n      receivers: [querylens]\n      exporters: [%s]\n", p.metricExporters)
	}
	if p.noOwnMetrics {
		config.WriteString("  telemetry:\n    metrics:\n      level: none\n")
	} else {
		metricsPort = freePort(t)
		config.WriteString(selfMetrics(metricsPort))
	}
	return startCollector(t, config.String(), healthPort), otlpPort, metricsPort
}

// fileExporter is the YAML entry of a file exporter that writes to out, a
// file of the test's own.
func fileExporter(t *testing.T) (entry, out string) {
	out = filepath.Join(t.TempDir(), "traces.jsonl")
	return fmt.Sprintf("  file:\n    path: %s\n", out), out
}

// readExported is what a file exporter wrote to out.
func readExported(t *testing.T, out string) []ptrace.Traces {
	t.Helper()
	_, received, err := fixtures.ReadLines(out)
	if err != nil {
		t.Fatal(err)
	}
	return received
}
