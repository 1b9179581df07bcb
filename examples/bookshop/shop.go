package main

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"
)

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
	Pages       int
	PublishedAt time.Time
}

func seed(db *gorm.DB) error {
	if err := db.AutoMigrate(&Author{}, &Book{}); err != nil {
		return err
	}
	var authors []Author
	for i := 1; i <= 10; i++ {
		authors = append(authors, Author{Name: fmt.Sprintf("Author %d", i), Email: fmt.Sprintf("author%d@example.com", i), Bio: strings.Repeat("bio ", 50)})
	}
	if err := db.Create(&authors).Error; err != nil {
		return err
	}
	// Authors 1 to 8 wrote five books each; two prolific ones wrote the rest,
	// so that the deep pages exist.
	var books []Book
	for i := 1; i <= 5200; i++ {
		author := 1 + i%8
		if i > 40 {
			author = 9 + i%2
		}
		books = append(books, Book{Title: fmt.Sprintf("Book %d", i), AuthorID: uint(author), Pages: 50 + i%400,
			PublishedAt: time.Date(2000+i%25, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	return db.CreateInBatches(&books, 500).Error
}

type shop struct{ db *gorm.DB }

// endpoint is one route of the demo: a trap, or its fixed twin.
type endpoint struct {
	pattern string // "GET /books/authors/lazy"
	what    string
	handler func(*shop, http.ResponseWriter, *http.Request)
}

func (e endpoint) method() string { m, _, _ := strings.Cut(e.pattern, " "); return m }
func (e endpoint) path() string   { _, p, _ := strings.Cut(e.pattern, " "); return p }

// The traps and their fixed twins. The twins list their columns, so that
// they are clean of every finding.
var endpoints = []endpoint{
	{"GET /books/authors/lazy", "trap: the author of each of 10 books, one query each (N+1)", (*shop).authorsLazy},
	{"GET /books/authors/joins", "fix: Joins(\"Author\")", (*shop).authorsJoins},
	{"GET /authors/books/lazy", "trap: the books of each of 8 authors, one query each (N+1)", (*shop).booksLazy},
	{"GET /authors/books/preload", "fix: Preload(\"Books\")", (*shop).booksPreload},
	{"GET /authors/counts/lazy", "trap: a COUNT per author (N+1)", (*shop).countsLazy},
	{"GET /authors/counts/grouped", "fix: one GROUP BY", (*shop).countsGrouped},
	{"POST /books/import/loop", "trap: 20 books inserted one by one (N+1)", (*shop).importLoop},
	{"POST /books/import/batches", "fix: CreateInBatches", (*shop).importBatches},
	{"GET /books/all", "trap: every book read (5,200 rows) to show the first 50", (*shop).allRows},
	{"GET /books/first", "fix: Limit(50) in the query", (*shop).firstRows},
	{"GET /books/page/deep", "trap: page 251 with Offset(5000) and a Count", (*shop).deepPage},
	{"GET /books/page/keyset", "fix: keyset, WHERE id > last ORDER BY id, no count", (*shop).keysetPage},
}

var bookColumns = []string{"id", "title", "author_id", "pages"}

func (s *shop) authorsLazy(w http.ResponseWriter, r *http.Request) {
	db := s.db.WithContext(r.Context())
	var books []Book
	db.Select(bookColumns).Order("id").Limit(10).Find(&books)
	for i := range books {
		db.First(&books[i].Author, books[i].AuthorID) // a query per book
	}
	reply(w, len(books))
}

func (s *shop) authorsJoins(w http.ResponseWriter, r *http.Request) {
	var books []Book
	s.db.WithContext(r.Context()).Joins("Author").Order("books.id").Limit(10).Find(&books)
	reply(w, len(books))
}

func (s *shop) booksLazy(w http.ResponseWriter, r *http.Request) {
	db := s.db.WithContext(r.Context())
	var authors []Author
	db.Select("id", "name").Order("id").Limit(8).Find(&authors)
	for i := range authors {
		db.Where("author_id = ?", authors[i].ID).Find(&authors[i].Books) // a query per author
	}
	reply(w, len(authors))
}

func (s *shop) booksPreload(w http.ResponseWriter, r *http.Request) {
	var authors []Author
	s.db.WithContext(r.Context()).Select("id", "name").
		Preload("Books", func(db *gorm.DB) *gorm.DB { return db.Select(bookColumns) }).
		Order("id").Limit(8).Find(&authors)
	reply(w, len(authors))
}

func (s *shop) countsLazy(w http.ResponseWriter, r *http.Request) {
	db := s.db.WithContext(r.Context())
	var authors []Author
	db.Select("id", "name").Order("id").Limit(8).Find(&authors)
	for _, a := range authors {
		var n int64
		db.Model(&Book{}).Where("author_id = ?", a.ID).Count(&n) // a COUNT per author
	}
	reply(w, len(authors))
}

func (s *shop) countsGrouped(w http.ResponseWriter, r *http.Request) {
	db := s.db.WithContext(r.Context())
	var authors []Author
	db.Select("id", "name").Order("id").Limit(8).Find(&authors)
	var counts []struct {
		AuthorID uint
		N        int64
	}
	db.Model(&Book{}).Select("author_id, count(*) as n").Group("author_id").Scan(&counts)
	reply(w, len(counts))
}

func newBooks(n int) []Book {
	books := make([]Book, n)
	for i := range books {
		books[i] = Book{Title: fmt.Sprintf("Imported %d", i), AuthorID: uint(1 + i%10), Pages: 100, PublishedAt: time.Now()}
	}
	return books
}

func (s *shop) importLoop(w http.ResponseWriter, r *http.Request) {
	db := s.db.WithContext(r.Context())
	books := newBooks(20)
	for i := range books {
		db.Create(&books[i]) // an INSERT per book
	}
	reply(w, len(books))
}

func (s *shop) importBatches(w http.ResponseWriter, r *http.Request) {
	books := newBooks(20)
	s.db.WithContext(r.Context()).CreateInBatches(&books, 100)
	reply(w, len(books))
}

func (s *shop) allRows(w http.ResponseWriter, r *http.Request) {
	var books []Book
	s.db.WithContext(r.Context()).Select("id", "title").Order("id").Find(&books) // every book, to show 50
	reply(w, min(len(books), 50))
}

func (s *shop) firstRows(w http.ResponseWriter, r *http.Request) {
	var books []Book
	s.db.WithContext(r.Context()).Select("id", "title").Order("id").Limit(50).Find(&books)
	reply(w, len(books))
}

func (s *shop) deepPage(w http.ResponseWriter, r *http.Request) {
	db := s.db.WithContext(r.Context())
	var total int64
	db.Model(&Book{}).Where("pages > ?", 100).Count(&total) // the page total, for every page
	var books []Book
	db.Select(bookColumns).Where("pages > ?", 100).Order("id").Offset(5000).Limit(20).Find(&books)
	reply(w, len(books))
}

func (s *shop) keysetPage(w http.ResponseWriter, r *http.Request) {
	var books []Book
	s.db.WithContext(r.Context()).Select(bookColumns).Where("pages > ? AND id > ?", 100, 5000).Order("id").Limit(20).Find(&books)
	reply(w, len(books))
}

func reply(w http.ResponseWriter, n int) { fmt.Fprintf(w, "%d\n", n) }
