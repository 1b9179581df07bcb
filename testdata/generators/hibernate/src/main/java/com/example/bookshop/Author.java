package com.example.bookshop;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;
import java.util.ArrayList;
import java.util.List;

@Entity
@Table(name = "authors")
public class Author {
    @Id
    private Long id;

    private String name;

    // @OneToMany is lazy by default: author.getBooks() runs its own query.
    @OneToMany(mappedBy = "author")
    private List<Book> books = new ArrayList<>();

    public Long getId() { return id; }
    public String getName() { return name; }
    public List<Book> getBooks() { return books; }
}
