// Package querylensextension serves the querylens findings page: the recent
// requests with their database queries and findings, for local development.
// The querylens processor finds it among the collector's extensions at start
// (TraceRecorder) and hands it every trace it analyzed.
package querylensextension

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
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
	server := confighttp.NewDefaultServerConfig()
	server.NetAddr.Endpoint = "127.0.0.1:8890"
	server.ReadTimeout = 10 * time.Second
	return &Config{ServerConfig: server, MaxRequests: 1000, MaxBytes: 64 << 20, MaxConcurrentRequests: 4, MaxLiveConnections: 16}
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	c := cfg.(*Config)
	return &page{cfg: c, set: set.TelemetrySettings, store: livepage.NewStore(c.MaxRequests, c.MaxBytes)}, nil
}

type page struct {
	cfg    *Config
	set    component.TelemetrySettings
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

// RecordTrace keeps the requests of an analyzed trace, as the page shows
// them, and counts its queries that ran in no request.
func (p *page) RecordTrace(t *traceview.Trace, res engine.Result, analyzedAt time.Time) {
	p.store.Record(livepage.FromAnalysis(t, res, analyzedAt))
	p.store.RecordGaps(res.Gaps, analyzedAt)
}

func (p *page) Start(ctx context.Context, host component.Host) error {
	l, err := p.cfg.ServerConfig.ToListener(ctx)
	if err != nil {
		return err
	}
	handler := livepage.NewHandler(p.store, livepage.Settings{TraceURL: p.cfg.TraceURL,
		Concurrent: p.cfg.MaxConcurrentRequests, Live: p.cfg.MaxLiveConnections})
	if p.server, err = p.cfg.ServerConfig.ToServer(ctx, host.GetExtensions(), p.set, handler); err != nil {
		_ = l.Close()
		return err
	}
	// Shutdown waits for connections to go idle: the live ones end first.
	p.server.RegisterOnShutdown(handler.Close)
	go func() {
		if err := p.server.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.set.Logger.Error("the findings page stopped", zap.Error(err))
		}
	}()
	scheme := "http"
	if p.cfg.ServerConfig.TLS.HasValue() {
		scheme = "https"
	}
	p.set.Logger.Info("querylens findings page", zap.String("url", scheme+"://"+l.Addr().String()+"/"))
	return nil
}

func (p *page) Shutdown(ctx context.Context) error {
	if p.server == nil {
		return nil
	}
	return p.server.Shutdown(ctx)
}
