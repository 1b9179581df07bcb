package main

// Pages over joins and the parallel N+1 (testdata/README.md, last section):
// a LIMIT over a join to a to-many child (the page counts joined rows), its
// fix, a to-one join with a LIMIT (right), and the N+1 of GET /books run in
// goroutines, with its fix.

import (
	"net/http"
	"sync"
)

func (a *app) pagedParallelRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /authors/with-books", a.authorsWithBooks)
	mux.HandleFunc("GET /books/with-author", a.booksWithAuthor)
	mux.HandleFunc("GET /books/parallel", a.booksParallel)
}

type authorBooksOut struct {
	ID    uint     `json:"id"`
	Name  string   `json:"name"`
	Books []string `json:"books"`
}

// GET /authors/with-books: a page of 20 authors with their books.
func (a *app) authorsWithBooks(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	out := []authorBooksOut{}
	if a.fixed.Load() {
		// paged_to_many_fixed: page the authors, then their books in one
		// IN-list query (Preload).
		var authors []Author
		if err := db.Preload("Books").Order("id").Limit(pageSize).Find(&authors).Error; err != nil {
			fail(w, err)
			return
		}
		for _, au := range authors {
			o := authorBooksOut{ID: au.ID, Name: au.Name, Books: []string{}}
			for _, b := range au.Books {
				o.Books = append(o.Books, b.Title)
			}
			out = append(out, o)
		}
	} else {
		// paged_to_many_join: the authors who have books, joined to them
		// inside the page; the LIMIT counts (author, book) rows, so an
		// author with three books takes three of the 20 slots and is
		// listed three times.
		var authors []Author
		if err := db.Joins("JOIN books ON books.author_id = authors.id").
			Order("authors.id").Limit(pageSize).Find(&authors).Error; err != nil {
			fail(w, err)
			return
		}
		for _, au := range authors {
			out = append(out, authorBooksOut{ID: au.ID, Name: au.Name, Books: []string{}})
		}
	}
	writeJSON(w, out)
}

// GET /books/with-author: paged_to_one_join, 20 books with their author
// joined (a to-one join: one row per book, the LIMIT is right).
func (a *app) booksWithAuthor(w http.ResponseWriter, r *http.Request) {
	db := a.db.WithContext(r.Context())
	var books []Book
	if err := db.Joins("Author").Order("books.id").Limit(pageSize).Find(&books).Error; err != nil {
		fail(w, err)
		return
	}
	out := []bookOut{}
	for _, b := range books {
		out = append(out, bookOut{ID: b.ID, Title: b.Title, Author: b.Author.Name})
	}
	writeJSON(w, out)
}

// GET /books/parallel: 12 books with their author's name; the authors are
// read in goroutines, one per book (parallel_n_plus_one), or in one IN-list
// query (parallel_fixed).
func (a *app) booksParallel(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var books []Book
	if err := a.db.WithContext(ctx).Order("id").Limit(12).Find(&books).Error; err != nil {
		fail(w, err)
		return
	}
	names := make([]string, len(books))
	if a.fixed.Load() {
		ids := make([]uint, 0, len(books))
		seen := map[uint]bool{}
		for _, b := range books {
			if !seen[b.AuthorID] {
				seen[b.AuthorID] = true
				ids = append(ids, b.AuthorID)
			}
		}
		var authors []Author
		if err := a.db.WithContext(ctx).Where("id IN ?", ids).Find(&authors).Error; err != nil {
			fail(w, err)
			return
		}
		byID := map[uint]string{}
		for _, au := range authors {
			byID[au.ID] = au.Name
		}
		for i, b := range books {
			names[i] = byID[b.AuthorID]
		}
	} else {
		var wg sync.WaitGroup
		errs := make([]error, len(books))
		for i, b := range books {
			wg.Add(1)
			go func(i int, id uint) {
				defer wg.Done()
				var author Author
				errs[i] = a.db.WithContext(ctx).First(&author, id).Error
				names[i] = author.Name
			}(i, b.AuthorID)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				fail(w, err)
				return
			}
		}
	}
	out := []bookOut{}
	for i, b := range books {
		out = append(out, bookOut{ID: b.ID, Title: b.Title, Author: names[i]})
	}
	writeJSON(w, out)
}
