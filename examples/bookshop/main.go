// Command bookshop is the querylens demo: a small real service on GORM, with
// gorm.io/plugin/opentelemetry and a pure-Go SQLite, whose endpoints fall into
// the seed article's traps, each beside its fixed twin. It exports its traces
// over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (default http://127.0.0.1:4318,
// the collector of `make run`).
//
//	bookshop            serve on -addr
//	bookshop -drive     serve, call every endpoint once, flush the traces, exit
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/glebarez/sqlite"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/opentelemetry/tracing"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to serve on")
	drive := flag.Bool("drive", false, "call every endpoint once, flush the traces and exit")
	flag.Parse()
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
		os.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
	}
	if err := run(*addr, *drive); err != nil {
		log.Fatal(err)
	}
}

func run(addr string, drive bool) error {
	ctx := context.Background()
	db, err := gorm.Open(sqlite.Open("file:bookshop?mode=memory&cache=shared"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return err
	}
	// Seed before the plugin: the seeding is not traced.
	if err := seed(db); err != nil {
		return err
	}
	tp, err := tracerProvider(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tp.Shutdown(context.Background()) }()
	if err := db.Use(tracing.NewPlugin()); err != nil {
		return err
	}

	shop := &shop{db: db}
	mux := http.NewServeMux()
	for _, e := range endpoints {
		handle := e.handler
		mux.Handle(e.pattern, otelhttp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handle(shop, w, r)
		}), e.pattern, otelhttp.WithTracerProvider(tp)))
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	log.Printf("bookshop on http://%s, exporting traces to %s", l.Addr(), os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
	if !drive {
		select {}
	}
	client := &http.Client{Timeout: 30 * time.Second} // not instrumented: each request is its own trace
	for _, e := range endpoints {
		method, path := e.method(), e.path()
		req, _ := http.NewRequest(method, "http://"+l.Addr().String()+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Printf("%-7s %-32s %d  %s\n", method, path, resp.StatusCode, e.what)
	}
	_ = srv.Shutdown(ctx)
	return tp.ForceFlush(ctx)
}

func tracerProvider(ctx context.Context) (*sdktrace.TracerProvider, error) {
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", "bookshop")))
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithBatcher(exp))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return tp, nil
}
