package querylensextension

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// Config is the configuration of the findings page.
type Config struct {
	// Endpoint is where the page is served. Default 127.0.0.1:8890: loopback,
	// because the page has no authentication.
	Endpoint string `mapstructure:"endpoint"`
	// MaxRequests bounds the recent requests kept. Default 1000.
	MaxRequests int `mapstructure:"max_requests"`
	// TraceURL links each trace id to Grafana or Jaeger: "{trace_id}" is
	// replaced by the id, e.g. http://localhost:16686/trace/{trace_id}.
	// Default none.
	TraceURL string `mapstructure:"trace_url"`
}

// Validate names each field that is wrong and what it allows.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Endpoint); err != nil {
		errs = append(errs, fmt.Errorf("endpoint must be host:port, got %q", c.Endpoint))
	}
	if c.MaxRequests < 1 {
		errs = append(errs, fmt.Errorf("max_requests must be at least 1, got %d", c.MaxRequests))
	}
	if c.TraceURL != "" && !strings.Contains(c.TraceURL, "{trace_id}") {
		errs = append(errs, fmt.Errorf("trace_url must contain {trace_id}, got %q", c.TraceURL))
	}
	if c.TraceURL != "" && !strings.HasPrefix(c.TraceURL, "http://") && !strings.HasPrefix(c.TraceURL, "https://") {
		errs = append(errs, fmt.Errorf("trace_url must be an http:// or https:// URL, got %q", c.TraceURL))
	}
	return errors.Join(errs...)
}
