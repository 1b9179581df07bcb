// Command gorm generates querylens test traces from a real GORM application
// instrumented with gorm.io/plugin/opentelemetry and otelhttp.
//
// For each driver (PostgreSQL, SQLite) it seeds a small bookshop schema, serves
// an in-process net/http application wrapped in otelhttp, calls one endpoint
// per scenario through a plain http.Client, and writes every OTLP export
// request the SDK sends (protobuf, decoded with pdata) as one JSON line into
// ../../gorm-<driver>/<scenario>.json. The endpoints of the rest of the
// catalogue, and a second service ("inventory") they call over HTTP, are in
// catalogue.go.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/opentelemetry/tracing"
)

// ---------------------------------------------------------------- models

type Author struct {
	ID    uint
	Name  string
	Email string
	Bio   string
	Books []Book
}

type Book struct {
	ID          uint
	Title       string
	AuthorID    uint
	Author      Author
	PublishedAt time.Time
	Pages       int
	Tags        []Tag `gorm:"many2many:book_tags"`
}

type Tag struct {
	ID   uint
	Name string
}

// Currency is the shop's currency table; the serializer of GET /books/prices
// formats prices in the default currency.
type Currency struct {
	ID       uint
	Code     string `gorm:"size:3;uniqueIndex"`
	Symbol   string
	Decimals int
}

// ---------------------------------------------------------------- seeding

var tagNames = []string{"fiction", "classic", "science", "history", "poetry", "mystery", "fantasy", "biography"}

func seed(db *gorm.DB) error {
	m := db.Migrator()
	if err := m.DropTable("book_tags", &Book{}, &Tag{}, &Author{}, &Currency{}); err != nil {
		return fmt.Errorf("drop: %w", err)
	}
	if err := db.AutoMigrate(&Author{}, &Tag{}, &Book{}, &Currency{}); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	authors := make([]Author, 10)
	for i := range authors {
		authors[i] = Author{
			Name:  fmt.Sprintf("Author %02d", i+1),
			Email: fmt.Sprintf("author%02d@example.com", i+1),
			Bio:   fmt.Sprintf("Bio of author %02d.", i+1),
		}
	}
	if err := db.Create(&authors).Error; err != nil {
		return err
	}
	tags := make([]Tag, len(tagNames))
	for i, n := range tagNames {
		tags[i] = Tag{Name: n}
	}
	if err := db.Create(&tags).Error; err != nil {
		return err
	}
	base := time.Date(2001, 1, 15, 0, 0, 0, 0, time.UTC)
	books := make([]Book, 25)
	for i := range books {
		books[i] = Book{
			Title:       fmt.Sprintf("Book %02d", i+1),
			AuthorID:    authors[i%len(authors)].ID,
			PublishedAt: base.AddDate(i, i%12, 0),
			Pages:       120 + 17*i,
			Tags:        []Tag{tags[i%len(tags)], tags[(i+3)%len(tags)]},
		}
	}
	if err := db.Create(&books).Error; err != nil {
		return err
	}
	return seedCatalogue(db)
}

// ---------------------------------------------------------------- application

// app is the bookshop HTTP application. fixed selects the handler code: false
// is the version with the N+1 bug, true the version after the fix (what a
// redeploy of the same endpoints would do).
type app struct {
	db      *gorm.DB
	fixed   atomic.Bool
	limit   atomic.Int64 // books listed by GET /books
	nextISB atomic.Int64

	// The inventory service called by GET /books/stock, through an
	// otelhttp-instrumented client (see catalogue.go).
	inventoryURL string
	httpClient   *http.Client
}

type bookOut struct {
	ID     uint     `json:"id"`
	Title  string   `json:"title"`
	Author string   `json:"author,omitempty"`
	Tags   []string `json:"tags,omitempty"`
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	log.Printf("handler error: %v", err)
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

// GET /books: books with their author's name.
func (a *app) listBooks(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	var books []Book
	out := []bookOut{}
	if a.fixed.Load() {
		if err := db.Joins("Author").Order("books.id").Limit(int(a.limit.Load())).Find(&books).Error; err != nil {
			fail(w, err)
			return
		}
		for _, b := range books {
			out = append(out, bookOut{ID: b.ID, Title: b.Title, Author: b.Author.Name})
		}
	} else {
		if err := db.Order("id").Limit(int(a.limit.Load())).Find(&books).Error; err != nil {
			fail(w, err)
			return
		}
		for _, b := range books {
			var author Author
			if err := db.First(&author, b.AuthorID).Error; err != nil {
				fail(w, err)
				return
			}
			out = append(out, bookOut{ID: b.ID, Title: b.Title, Author: author.Name})
		}
	}
	writeJSON(w, out)
}

// GET /authors: authors with their books.
func (a *app) listAuthors(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	type authorOut struct {
		ID    uint     `json:"id"`
		Name  string   `json:"name"`
		Books []string `json:"books"`
	}
	var authors []Author
	out := []authorOut{}
	if a.fixed.Load() {
		if err := db.Preload("Books").Order("id").Limit(8).Find(&authors).Error; err != nil {
			fail(w, err)
			return
		}
	} else {
		if err := db.Order("id").Limit(8).Find(&authors).Error; err != nil {
			fail(w, err)
			return
		}
		for i := range authors {
			var books []Book
			if err := db.Where("author_id = ?", authors[i].ID).Find(&books).Error; err != nil {
				fail(w, err)
				return
			}
			authors[i].Books = books
		}
	}
	for _, au := range authors {
		o := authorOut{ID: au.ID, Name: au.Name, Books: []string{}}
		for _, b := range au.Books {
			o.Books = append(o.Books, b.Title)
		}
		out = append(out, o)
	}
	writeJSON(w, out)
}

// GET /books/tags: books with their tags (many-to-many).
func (a *app) listBookTags(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	var books []Book
	if a.fixed.Load() {
		if err := db.Preload("Tags").Order("id").Limit(10).Find(&books).Error; err != nil {
			fail(w, err)
			return
		}
	} else {
		if err := db.Order("id").Limit(10).Find(&books).Error; err != nil {
			fail(w, err)
			return
		}
		for i := range books {
			var tags []Tag
			if err := db.Model(&books[i]).Association("Tags").Find(&tags); err != nil {
				fail(w, err)
				return
			}
			books[i].Tags = tags
		}
	}
	out := []bookOut{}
	for _, b := range books {
		o := bookOut{ID: b.ID, Title: b.Title}
		for _, t := range b.Tags {
			o.Tags = append(o.Tags, t.Name)
		}
		out = append(out, o)
	}
	writeJSON(w, out)
}

// GET /authors/stats: authors with their number of books.
func (a *app) authorStats(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	type statOut struct {
		ID    uint   `json:"id"`
		Name  string `json:"name"`
		Books int64  `json:"books"`
	}
	var authors []Author
	if err := db.Order("id").Limit(7).Find(&authors).Error; err != nil {
		fail(w, err)
		return
	}
	out := []statOut{}
	if a.fixed.Load() {
		ids := make([]uint, len(authors))
		for i, au := range authors {
			ids[i] = au.ID
		}
		var rows []struct {
			AuthorID uint
			N        int64
		}
		if err := db.Model(&Book{}).Select("author_id, count(*) as n").Where("author_id IN ?", ids).Group("author_id").Scan(&rows).Error; err != nil {
			fail(w, err)
			return
		}
		counts := map[uint]int64{}
		for _, row := range rows {
			counts[row.AuthorID] = row.N
		}
		for _, au := range authors {
			out = append(out, statOut{ID: au.ID, Name: au.Name, Books: counts[au.ID]})
		}
	} else {
		for _, au := range authors {
			var n int64
			if err := db.Model(&Book{}).Where("author_id = ?", au.ID).Count(&n).Error; err != nil {
				fail(w, err)
				return
			}
			out = append(out, statOut{ID: au.ID, Name: au.Name, Books: n})
		}
	}
	writeJSON(w, out)
}

// POST /books/import: inserts 20 books.
func (a *app) importBooks(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	batch := a.nextISB.Add(1)
	books := make([]Book, 20)
	for i := range books {
		books[i] = Book{
			Title:       fmt.Sprintf("Imported %d-%02d", batch, i+1),
			AuthorID:    uint(i%10 + 1),
			PublishedAt: base.AddDate(0, 0, i),
			Pages:       200 + i,
		}
	}
	if a.fixed.Load() {
		if err := db.Create(&books).Error; err != nil {
			fail(w, err)
			return
		}
	} else {
		for i := range books {
			if err := db.Create(&books[i]).Error; err != nil {
				fail(w, err)
				return
			}
		}
	}
	w.WriteHeader(http.StatusCreated)
	writeJSON(w, map[string]int{"imported": len(books)})
}

func (a *app) mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /books", a.listBooks)
	mux.HandleFunc("GET /books/tags", a.listBookTags)
	mux.HandleFunc("GET /authors", a.listAuthors)
	mux.HandleFunc("GET /authors/stats", a.authorStats)
	mux.HandleFunc("POST /books/import", a.importBooks)
	a.catalogueRoutes(mux)
	a.pagedParallelRoutes(mux)
	return mux
}

// ---------------------------------------------------------------- OTLP sink

// sink is an OTLP/HTTP receiver that appends every export request, as OTLP
// JSON, as one line to the current output file.
type sink struct {
	mu  sync.Mutex
	out *os.File
	n   int
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	js, err := req.MarshalJSON()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	if s.out == nil {
		s.mu.Unlock()
		log.Printf("sink: export request with no open scenario file (%d spans) dropped", req.Traces().SpanCount())
	} else {
		_, err = s.out.Write(append(js, '\n'))
		s.n++
		s.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

func (s *sink) switchTo(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out != nil {
		if err := s.out.Close(); err != nil {
			return err
		}
		s.out = nil
	}
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	s.out, s.n = f, 0
	return nil
}

// ---------------------------------------------------------------- scenarios

type scenario struct {
	name   string
	method string
	path   string
	fixed  bool
	limit  int64
}

var scenarios = []scenario{
	{"forward_fk_loop", "GET", "/books", false, 12},
	{"forward_fk_join", "GET", "/books", true, 12},
	{"collection_loop", "GET", "/authors", false, 0},
	{"collection_prefetch", "GET", "/authors", true, 0},
	{"m2m_loop", "GET", "/books/tags", false, 0},
	{"m2m_prefetch", "GET", "/books/tags", true, 0},
	{"count_loop", "GET", "/authors/stats", false, 0},
	{"count_annotate", "GET", "/authors/stats", true, 0},
	{"below_threshold", "GET", "/books", false, 3},
	{"insert_loop", "POST", "/books/import", false, 0},
	{"insert_bulk", "POST", "/books/import", true, 0},
	// The rest of the catalogue (handlers in catalogue.go).
	{"mn_plus_one_loop", "GET", "/books/details", false, 0},
	{"mn_plus_one_prefetch", "GET", "/books/details", true, 0},
	{"duplicate_loop", "GET", "/books/prices", false, 0},
	{"duplicate_cached", "GET", "/books/prices", true, 0},
	{"api_loop", "GET", "/books/stock", false, 0},
	{"api_batch", "GET", "/books/stock", true, 0},
	{"over_fetch_select_star", "GET", "/books/titles", false, 0},
	{"over_fetch_columns", "GET", "/books/titles", true, 0},
	{"over_fetch_all_rows", "GET", "/books/first", false, 0},
	{"over_fetch_limited", "GET", "/books/first", true, 0},
	{"deep_offset", "GET", "/books/browse?page=251", false, 0},
	{"pagination_count", "GET", "/books/search?min_pages=100&page=3", false, 0},
	{"keyset_page", "GET", "/books/browse?after=5000", true, 0},
	{"several_traps", "GET", "/dashboard", false, 0},
	// Pages over joins and the parallel N+1 (handlers in paged_parallel.go).
	{"paged_to_many_join", "GET", "/authors/with-books", false, 0},
	{"paged_to_many_fixed", "GET", "/authors/with-books", true, 0},
	{"paged_to_one_join", "GET", "/books/with-author", false, 0},
	{"parallel_n_plus_one", "GET", "/books/parallel", false, 0},
	{"parallel_fixed", "GET", "/books/parallel", true, 0},
}

// scenarioGroups are shorthands accepted by -only.
var scenarioGroups = map[string][]string{
	"core": {"forward_fk_loop", "forward_fk_join", "collection_loop", "collection_prefetch",
		"m2m_loop", "m2m_prefetch", "count_loop", "count_annotate", "below_threshold",
		"insert_loop", "insert_bulk"},
	"catalogue": {"mn_plus_one_loop", "mn_plus_one_prefetch", "duplicate_loop", "duplicate_cached",
		"api_loop", "api_batch", "over_fetch_select_star", "over_fetch_columns", "over_fetch_all_rows", "over_fetch_limited",
		"deep_offset", "pagination_count", "keyset_page", "several_traps"},
	"paged-parallel": {"paged_to_many_join", "paged_to_many_fixed", "paged_to_one_join",
		"parallel_n_plus_one", "parallel_fixed"},
}

type driver struct {
	name    string // directory suffix and service name suffix
	open    func() (gorm.Dialector, error)
	cleanup func()
}

func run(ctx context.Context, d driver, outRoot string, only map[string]bool) error {
	dial, err := d.open()
	if err != nil {
		return err
	}
	if d.cleanup != nil {
		defer d.cleanup()
	}
	db, err := gorm.Open(dial, &gorm.Config{Logger: logger.Default.LogMode(logger.Warn)})
	if err != nil {
		return fmt.Errorf("%s: open: %w", d.name, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	defer sqlDB.Close()

	// Seed before the plugin is registered: none of this reaches the files.
	if err := seed(db); err != nil {
		return fmt.Errorf("%s: seed: %w", d.name, err)
	}

	outDir := filepath.Join(outRoot, "gorm-"+d.name)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}

	sk := &sink{}
	sinkSrv := httptest.NewServer(sk)
	defer sinkSrv.Close()

	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(sinkSrv.URL+"/v1/traces"))
	if err != nil {
		return err
	}
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", "bookshop-gorm-"+d.name)),
	)
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithBatcher(exp,
			sdktrace.WithMaxExportBatchSize(8),
			sdktrace.WithBatchTimeout(time.Minute), // export on size or ForceFlush only
		),
	)
	defer func() { _ = tp.Shutdown(context.Background()) }()
	otel.SetTracerProvider(tp)
	// W3C trace context, so that the otelhttp client of GET /books/stock
	// propagates the trace to the inventory service.
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))

	// The inventory service: another service with its own TracerProvider,
	// exporting to the same sink.
	inv, err := startInventory(ctx, sinkSrv.URL+"/v1/traces")
	if err != nil {
		return err
	}
	defer inv.close()

	// What a user writes: the plugin with its defaults (global provider,
	// query variables inlined into the statement).
	if err := db.Use(tracing.NewPlugin()); err != nil {
		return fmt.Errorf("%s: plugin: %w", d.name, err)
	}

	a := &app{
		db:           db,
		inventoryURL: inv.url,
		httpClient: &http.Client{
			Transport: otelhttp.NewTransport(http.DefaultTransport),
			Timeout:   30 * time.Second,
		},
	}
	served := make(chan struct{}, 1)
	instrumented := otelhttp.NewHandler(a.mux(), "bookshop")
	appSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		instrumented.ServeHTTP(w, r) // the server span has ended when this returns
		served <- struct{}{}
	}))
	defer appSrv.Close()
	client := &http.Client{Timeout: 30 * time.Second} // un-instrumented: the server span is the root

	for _, sc := range scenarios {
		if len(only) > 0 && !only[sc.name] {
			continue
		}
		path := filepath.Join(outDir, sc.name+".json")
		if err := sk.switchTo(path); err != nil {
			return err
		}
		a.fixed.Store(sc.fixed)
		if sc.limit > 0 {
			a.limit.Store(sc.limit)
		}
		req, err := http.NewRequestWithContext(ctx, sc.method, appSrv.URL+sc.path, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("%s %s: %w", d.name, sc.name, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		<-served
		inv.wait() // inventory server spans (api_*) have ended
		if resp.StatusCode >= 300 && resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("%s %s: status %s", d.name, sc.name, resp.Status)
		}
		if err := inv.tp.ForceFlush(ctx); err != nil {
			return fmt.Errorf("%s %s: flush inventory: %w", d.name, sc.name, err)
		}
		if err := tp.ForceFlush(ctx); err != nil {
			return fmt.Errorf("%s %s: flush: %w", d.name, sc.name, err)
		}
		n := sk.n
		if err := sk.switchTo(""); err != nil {
			return err
		}
		log.Printf("%s/%s: %s %s -> %d, %d export requests", d.name, sc.name, sc.method, sc.path, resp.StatusCode, n)
	}
	return nil
}

func main() {
	outRoot := flag.String("out", "../..", "testdata directory that receives gorm-<driver>/")
	pgDSN := flag.String("pg-dsn", envOr("GORM_TESTDATA_PG_DSN",
		"host=127.0.0.1 port=5432 user=gorm_testdata password=gorm_testdata dbname=gorm_testdata sslmode=disable"),
		"PostgreSQL DSN")
	drivers := flag.String("drivers", "postgres,sqlite", "comma-separated: postgres, sqlite")
	onlyFlag := flag.String("only", "", "comma-separated scenario names or groups (core, catalogue, paged-parallel); default: all")
	flag.Parse()

	only := map[string]bool{}
	for _, s := range splitComma(*onlyFlag) {
		if g, ok := scenarioGroups[s]; ok {
			for _, n := range g {
				only[n] = true
			}
			continue
		}
		only[s] = true
	}
	ctx := context.Background()
	for _, name := range splitComma(*drivers) {
		var d driver
		switch name {
		case "postgres":
			d = driver{name: "postgres", open: func() (gorm.Dialector, error) {
				return postgres.Open(*pgDSN), nil
			}}
		case "sqlite":
			dir, err := os.MkdirTemp("", "gorm-testdata-")
			if err != nil {
				log.Fatal(err)
			}
			d = driver{name: "sqlite",
				open: func() (gorm.Dialector, error) {
					return sqlite.Open(filepath.Join(dir, "bookshop.db") + "?_pragma=foreign_keys(1)"), nil
				},
				cleanup: func() { os.RemoveAll(dir) },
			}
		default:
			log.Fatalf("unknown driver %q", name)
		}
		if err := run(ctx, d, *outRoot, only); err != nil {
			log.Fatal(err)
		}
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
