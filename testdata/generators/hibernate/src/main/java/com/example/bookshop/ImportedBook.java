package com.example.bookshop;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/**
 * The same books table, mapped for bulk imports: ids from the pooled sequence books_seq (50 per
 * nextval), so that Hibernate can queue the inserts and send them as one JDBC batch
 * (hibernate.jdbc.batch_size). IDENTITY ids (Book) make every persist an immediate INSERT.
 */
@Entity
@Table(name = "books")
public class ImportedBook extends BookColumns {
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "books_seq")
    @SequenceGenerator(name = "books_seq", sequenceName = "books_seq", allocationSize = 50)
    private Long id;

    protected ImportedBook() {
    }

    public ImportedBook(String title, int pages, Author author) {
        super(title, pages, author);
    }

    public Long getId() { return id; }
}
