package main

// The rest of the catalogue (testdata/README.md): M+N loops, duplicate
// lookups, an HTTP N+1 to another service, SELECT *, deep offsets, a page with
// its count, and one request with several traps. Each handler holds the code
// with the bug and the code after the fix, picked by app.fixed.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// backlistBooks are the extra books of the catalogue, so that page 251 of 20
// rows (OFFSET 5000) exists. They belong to an 11th author and have no tags,
// so the scenarios of main.go (first 25 books, authors 1..8) read the same rows
// as before.
const backlistBooks = 5400

// defaultCurrency is the shop's currency, a constant of the application.
const defaultCurrency = "EUR"

func seedCatalogue(db *gorm.DB) error {
	currencies := []Currency{
		{Code: "EUR", Symbol: "€", Decimals: 2},
		{Code: "USD", Symbol: "$", Decimals: 2},
		{Code: "GBP", Symbol: "£", Decimals: 2},
		{Code: "JPY", Symbol: "¥", Decimals: 0},
	}
	if err := db.Create(&currencies).Error; err != nil {
		return err
	}
	backlist := Author{Name: "Backlist Press", Email: "backlist@example.com", Bio: "Out-of-print titles."}
	if err := db.Create(&backlist).Error; err != nil {
		return err
	}
	base := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	books := make([]Book, backlistBooks)
	for i := range books {
		books[i] = Book{
			Title:       fmt.Sprintf("Backlist %04d", i+1),
			AuthorID:    backlist.ID,
			PublishedAt: base.AddDate(0, 0, 3*i),
			Pages:       80 + (i*37)%420, // about 5% have 100 pages or fewer
		}
	}
	return db.CreateInBatches(&books, 500).Error
}

// tracer is the application's own tracer, taken from the global provider when
// the request is served (a package-level otel.Tracer would stay bound to the
// first driver's provider, which is shut down before the next driver runs).
func tracer() trace.Tracer { return otel.Tracer("bookshop") }

func (a *app) catalogueRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /books/details", a.bookDetails)
	mux.HandleFunc("GET /books/prices", a.bookPrices)
	mux.HandleFunc("GET /books/stock", a.bookStock)
	mux.HandleFunc("GET /books/titles", a.bookTitles)
	mux.HandleFunc("GET /books/first", a.firstBooks)
	mux.HandleFunc("GET /books/browse", a.browseBooks)
	mux.HandleFunc("GET /books/search", a.searchBooks)
	mux.HandleFunc("GET /dashboard", a.dashboard)
}

func queryInt(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil {
		return v
	}
	return def
}

// GET /books/details: 10 books with their author and their tags.
func (a *app) bookDetails(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	var books []Book
	if a.fixed.Load() {
		if err := db.Preload("Author").Preload("Tags").Order("id").Limit(10).Find(&books).Error; err != nil {
			fail(w, err)
			return
		}
	} else {
		if err := db.Order("id").Limit(10).Find(&books).Error; err != nil {
			fail(w, err)
			return
		}
		for i := range books {
			var author Author
			if err := db.First(&author, books[i].AuthorID).Error; err != nil {
				fail(w, err)
				return
			}
			var tags []Tag
			if err := db.Model(&books[i]).Association("Tags").Find(&tags); err != nil {
				fail(w, err)
				return
			}
			books[i].Author, books[i].Tags = author, tags
		}
	}
	out := []bookOut{}
	for _, b := range books {
		o := bookOut{ID: b.ID, Title: b.Title, Author: b.Author.Name}
		for _, t := range b.Tags {
			o.Tags = append(o.Tags, t.Name)
		}
		out = append(out, o)
	}
	writeJSON(w, out)
}

type pricedOut struct {
	ID    uint   `json:"id"`
	Title string `json:"title"`
	Price string `json:"price"`
}

func formatPrice(b Book, c Currency) string {
	amount := float64(b.Pages) * 0.045
	p := math.Pow(10, float64(c.Decimals))
	return c.Symbol + strconv.FormatFloat(math.Round(amount*p)/p, 'f', c.Decimals, 64)
}

// serializeBook is the serializer before the fix: it looks the default
// currency up itself, for every book it serializes.
func (a *app) serializeBook(ctx context.Context, b Book) (pricedOut, error) {
	ctx, span := tracer().Start(ctx, "serialize book", trace.WithSpanKind(trace.SpanKindInternal))
	defer span.End()
	var cur Currency
	if err := a.db.WithContext(ctx).Where("code = ?", defaultCurrency).First(&cur).Error; err != nil {
		return pricedOut{}, err
	}
	return pricedOut{ID: b.ID, Title: b.Title, Price: formatPrice(b, cur)}, nil
}

// serializeBookIn is the serializer after the fix: the caller passes the
// currency it looked up once.
func serializeBookIn(ctx context.Context, b Book, cur Currency) pricedOut {
	_, span := tracer().Start(ctx, "serialize book", trace.WithSpanKind(trace.SpanKindInternal))
	defer span.End()
	return pricedOut{ID: b.ID, Title: b.Title, Price: formatPrice(b, cur)}
}

// GET /books/prices: 8 books with their price in the default currency.
func (a *app) bookPrices(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	db := a.db.WithContext(ctx)
	var books []Book
	if err := db.Order("id").Limit(8).Find(&books).Error; err != nil {
		fail(w, err)
		return
	}
	out := []pricedOut{}
	if a.fixed.Load() {
		var cur Currency
		if err := db.Where("code = ?", defaultCurrency).First(&cur).Error; err != nil {
			fail(w, err)
			return
		}
		for _, b := range books {
			out = append(out, serializeBookIn(ctx, b, cur))
		}
	} else {
		for _, b := range books {
			o, err := a.serializeBook(ctx, b)
			if err != nil {
				fail(w, err)
				return
			}
			out = append(out, o)
		}
	}
	writeJSON(w, out)
}

func (a *app) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := a.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// GET /books/stock: 8 books with their stock, from the inventory service.
func (a *app) bookStock(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var books []Book
	if err := a.db.WithContext(ctx).Order("id").Limit(8).Find(&books).Error; err != nil {
		fail(w, err)
		return
	}
	type stockOut struct {
		ID    uint   `json:"id"`
		Title string `json:"title"`
		Stock int    `json:"stock"`
	}
	out := []stockOut{}
	if a.fixed.Load() {
		ids := make([]string, len(books))
		for i, b := range books {
			ids[i] = strconv.FormatUint(uint64(b.ID), 10)
		}
		var levels map[string]int
		if err := a.getJSON(ctx, a.inventoryURL+"/stock?ids="+strings.Join(ids, ","), &levels); err != nil {
			fail(w, err)
			return
		}
		for _, b := range books {
			out = append(out, stockOut{ID: b.ID, Title: b.Title, Stock: levels[strconv.FormatUint(uint64(b.ID), 10)]})
		}
	} else {
		for _, b := range books {
			var level struct {
				Stock int `json:"stock"`
			}
			if err := a.getJSON(ctx, fmt.Sprintf("%s/stock/%d", a.inventoryURL, b.ID), &level); err != nil {
				fail(w, err)
				return
			}
			out = append(out, stockOut{ID: b.ID, Title: b.Title, Stock: level.Stock})
		}
	}
	writeJSON(w, out)
}

// GET /books/titles: a page that shows 50 titles.
func (a *app) bookTitles(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	var books []Book
	q := db.Limit(50)
	if a.fixed.Load() {
		q = db.Select("id", "title").Limit(50)
	}
	if err := q.Find(&books).Error; err != nil {
		fail(w, err)
		return
	}
	out := []bookOut{}
	for _, b := range books {
		out = append(out, bookOut{ID: b.ID, Title: b.Title})
	}
	writeJSON(w, out)
}

// GET /books/first: the first 20 books. Before the fix the handler reads every
// book (5,425 rows with the backlist) and keeps the first 20 in Go.
func (a *app) firstBooks(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	var books []Book
	q := db.Select("id", "title").Order("id")
	if a.fixed.Load() {
		q = q.Limit(pageSize)
	}
	if err := q.Find(&books).Error; err != nil {
		fail(w, err)
		return
	}
	out := []bookOut{}
	for _, b := range books[:min(len(books), pageSize)] {
		out = append(out, bookOut{ID: b.ID, Title: b.Title})
	}
	writeJSON(w, out)
}

const pageSize = 20

// GET /books/browse?page=N (before the fix) or ?after=<last id> (keyset, after).
func (a *app) browseBooks(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	var books []Book
	if a.fixed.Load() {
		lastID := queryInt(r, "after", 0)
		if err := db.Where("id > ?", lastID).Order("id").Limit(pageSize).Find(&books).Error; err != nil {
			fail(w, err)
			return
		}
	} else {
		page := queryInt(r, "page", 1)
		if err := db.Order("id").Offset((page - 1) * pageSize).Limit(pageSize).Find(&books).Error; err != nil {
			fail(w, err)
			return
		}
	}
	out := []bookOut{}
	for _, b := range books {
		out = append(out, bookOut{ID: b.ID, Title: b.Title})
	}
	writeJSON(w, out)
}

// bookPage is a page of books with the total the pager shows.
func bookPage(db *gorm.DB, minPages, page int) (books []Book, total int64, err error) {
	if err = db.Model(&Book{}).Where("pages > ?", minPages).Count(&total).Error; err != nil {
		return
	}
	err = db.Where("pages > ?", minPages).Order("id").Offset((page - 1) * pageSize).Limit(pageSize).Find(&books).Error
	return
}

// GET /books/search?min_pages=100&page=3: a page with its total.
func (a *app) searchBooks(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	books, total, err := bookPage(db, queryInt(r, "min_pages", 0), queryInt(r, "page", 1))
	if err != nil {
		fail(w, err)
		return
	}
	out := []bookOut{}
	for _, b := range books {
		out = append(out, bookOut{ID: b.ID, Title: b.Title})
	}
	writeJSON(w, map[string]any{"total": total, "books": out})
}

// GET /dashboard: page 251 of the long books with its total, then the first
// 10 books with their author read lazily.
func (a *app) dashboard(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	page, total, err := bookPage(db, 100, 251)
	if err != nil {
		fail(w, err)
		return
	}
	var featured []Book
	if err := db.Order("id").Limit(10).Find(&featured).Error; err != nil {
		fail(w, err)
		return
	}
	out := []bookOut{}
	for _, b := range featured {
		var author Author
		if err := db.First(&author, b.AuthorID).Error; err != nil {
			fail(w, err)
			return
		}
		out = append(out, bookOut{ID: b.ID, Title: b.Title, Author: author.Name})
	}
	titles := []string{}
	for _, b := range page {
		titles = append(titles, b.Title)
	}
	writeJSON(w, map[string]any{"total": total, "page": titles, "featured": out})
}

// ---------------------------------------------------------------- inventory service

// inventory is a second service, "inventory", with its own TracerProvider
// (exporting to the same sink) and an otelhttp server, serving stock levels
// from memory.
type inventory struct {
	tp       *sdktrace.TracerProvider
	srv      *httptest.Server
	url      string
	inFlight sync.WaitGroup
}

func stockOf(id uint64) int { return int((id*7 + 3) % 23) }

func startInventory(ctx context.Context, sinkURL string) (*inventory, error) {
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(sinkURL))
	if err != nil {
		return nil, err
	}
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", "inventory")),
	)
	if err != nil {
		return nil, err
	}
	inv := &inventory{tp: sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithBatcher(exp,
			sdktrace.WithMaxExportBatchSize(8),
			sdktrace.WithBatchTimeout(time.Minute),
		),
	)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stock/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, "bad id", http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]int{"stock": stockOf(id)})
	})
	mux.HandleFunc("GET /stock", func(w http.ResponseWriter, r *http.Request) {
		levels := map[string]int{}
		for _, s := range strings.Split(r.URL.Query().Get("ids"), ",") {
			id, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				http.Error(w, "bad id", http.StatusBadRequest)
				return
			}
			levels[s] = stockOf(id)
		}
		writeJSON(w, levels)
	})
	h := otelhttp.NewHandler(mux, "inventory", otelhttp.WithTracerProvider(inv.tp))
	inv.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inv.inFlight.Add(1)
		defer inv.inFlight.Done()
		h.ServeHTTP(w, r) // the server span has ended when this returns
	}))
	inv.url = inv.srv.URL
	return inv, nil
}

// wait returns when every inventory request has finished (its span ended).
func (inv *inventory) wait() { inv.inFlight.Wait() }

func (inv *inventory) close() {
	inv.srv.Close()
	_ = inv.tp.Shutdown(context.Background())
}
