// Package querylensextension serves the querylens findings page: the recent
// requests with their database queries and findings, for local development.
// The querylens processor finds it among the collector's extensions at start
// and records every analyzed trace in it.
package querylensextension

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
	"go.uber.org/zap"

	"github.com/querylens/querylens/extension/querylensextension/internal/metadata"
	"github.com/querylens/querylens/internal/livepage"
)

// NewFactory returns the factory of the findings page.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, create, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	return &Config{Endpoint: "127.0.0.1:8890", MaxRequests: 1000}
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	c := cfg.(*Config)
	return &page{cfg: c, logger: set.Logger, store: livepage.NewStore(c.MaxRequests)}, nil
}

type page struct {
	cfg    *Config
	logger *zap.Logger
	store  *livepage.Store
	server *http.Server
}

var _ livepage.Recorder = (*page)(nil)

// Record keeps the requests of an analyzed trace.
func (p *page) Record(requests []livepage.Request) { p.store.Record(requests) }

func (p *page) Start(context.Context, component.Host) error {
	l, err := net.Listen("tcp", p.cfg.Endpoint)
	if err != nil {
		return err
	}
	p.server = &http.Server{Handler: livepage.NewHandler(p.store, p.cfg.TraceURL), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := p.server.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.logger.Error("the findings page stopped", zap.Error(err))
		}
	}()
	p.logger.Info("querylens findings page", zap.String("url", "http://"+l.Addr().String()+"/"))
	return nil
}

func (p *page) Shutdown(ctx context.Context) error {
	if p.server == nil {
		return nil
	}
	return p.server.Shutdown(ctx)
}
