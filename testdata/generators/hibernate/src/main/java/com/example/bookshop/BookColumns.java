package com.example.bookshop;

import jakarta.persistence.FetchType;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.MappedSuperclass;

/** The columns of the books table that Book and ImportedBook share; they differ in their ids. */
@MappedSuperclass
public abstract class BookColumns {
    private String title;

    private int pages;

    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "author_id")
    private Author author;

    protected BookColumns() {
    }

    protected BookColumns(String title, int pages, Author author) {
        this.title = title;
        this.pages = pages;
        this.author = author;
    }

    public String getTitle() { return title; }
    public int getPages() { return pages; }
    public Author getAuthor() { return author; }
}
