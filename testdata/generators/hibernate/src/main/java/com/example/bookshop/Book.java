package com.example.bookshop;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.Table;
import java.util.LinkedHashSet;
import java.util.Set;

/** A book. Its ids come from the database (IDENTITY): Hibernate inserts each one at persist. */
@Entity
@Table(name = "books")
public class Book extends BookColumns {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToMany
    @JoinTable(name = "books_tags", joinColumns = @JoinColumn(name = "book_id"),
            inverseJoinColumns = @JoinColumn(name = "tag_id"))
    private Set<Tag> tags = new LinkedHashSet<>();

    protected Book() {
    }

    public Book(String title, int pages, Author author) {
        super(title, pages, author);
    }

    public Long getId() { return id; }
    public Set<Tag> getTags() { return tags; }
}
