// Package querylensextension serves the querylens findings page: the recent
// requests with their database queries and findings, for local development.
// The querylens processor finds it among the collector's extensions at start
// (TraceRecorder) and hands it every trace it analyzed.
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
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/livepage"
	"github.com/querylens/querylens/internal/traceview"
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

// TraceRecorder is what the querylens processor looks for among the
// collector's extensions: it hands each trace it analyzed to RecordTrace,
// which must not keep t or res beyond the call.
type TraceRecorder interface {
	RecordTrace(t *traceview.Trace, res engine.Result, analyzedAt time.Time)
}

var _ TraceRecorder = (*page)(nil)

// RecordTrace keeps the requests of an analyzed trace, as the page shows them.
func (p *page) RecordTrace(t *traceview.Trace, res engine.Result, analyzedAt time.Time) {
	p.store.Record(livepage.FromAnalysis(t, res, analyzedAt))
}

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
