package querylensextension

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"go.opentelemetry.io/collector/config/confighttp"
)

// Config is the configuration of the findings page.
type Config struct {
	// ServerConfig is the page's HTTP server, as other collector endpoints
	// configure theirs: endpoint (default 127.0.0.1:8890, loopback, as the
	// page has no authentication of its own), tls, auth (an authenticator
	// extension), cors (off unless set), timeouts.
	ServerConfig confighttp.ServerConfig `mapstructure:",squash"`
	// MaxRequests bounds the recent requests kept. Default 1000.
	MaxRequests int `mapstructure:"max_requests"`
	// MaxBytes bounds what the kept requests hold: the oldest leave first.
	// Default 64 MiB.
	MaxBytes int `mapstructure:"max_bytes"`
	// MaxConcurrentRequests bounds the answers written at a time; past it, a
	// client gets 503 and Retry-After. Default 4.
	MaxConcurrentRequests int `mapstructure:"max_concurrent_requests"`
	// MaxLiveConnections bounds the open pages that update themselves
	// (server-sent events, apart from the answers being written); past it,
	// a page stays as loaded. 0 turns live updates off. Default 16.
	MaxLiveConnections int `mapstructure:"max_live_connections"`
	// TraceURL links each trace id to Grafana or Jaeger: "{trace_id}" is
	// replaced by the id, e.g. http://localhost:16686/trace/{trace_id}.
	// Default none.
	TraceURL string `mapstructure:"trace_url"`
}

// Validate names each field that is wrong and what it allows.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.ServerConfig.NetAddr.Endpoint); err != nil {
		errs = append(errs, fmt.Errorf("endpoint must be host:port, got %q", c.ServerConfig.NetAddr.Endpoint))
	}
	if c.MaxRequests < 1 {
		errs = append(errs, fmt.Errorf("max_requests must be at least 1, got %d", c.MaxRequests))
	}
	if c.MaxBytes < 1<<20 {
		errs = append(errs, fmt.Errorf("max_bytes must be at least 1048576 (1 MiB), got %d", c.MaxBytes))
	}
	if c.MaxConcurrentRequests < 1 || c.MaxConcurrentRequests > 1024 {
		errs = append(errs, fmt.Errorf("max_concurrent_requests must be from 1 to 1024, got %d", c.MaxConcurrentRequests))
	}
	if c.MaxLiveConnections < 0 || c.MaxLiveConnections > 1024 {
		errs = append(errs, fmt.Errorf("max_live_connections must be from 0 (live updates off) to 1024, got %d", c.MaxLiveConnections))
	}
	if c.TraceURL != "" && !strings.Contains(c.TraceURL, "{trace_id}") {
		errs = append(errs, fmt.Errorf("trace_url must contain {trace_id}, got %q", c.TraceURL))
	}
	if c.TraceURL != "" && !strings.HasPrefix(c.TraceURL, "http://") && !strings.HasPrefix(c.TraceURL, "https://") {
		errs = append(errs, fmt.Errorf("trace_url must be an http:// or https:// URL, got %q", c.TraceURL))
	}
	return errors.Join(errs...)
}
