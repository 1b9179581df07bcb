package com.example.bookshop;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "tags")
public class Tag {
    @Id
    private Long id;

    private String name;

    public Long getId() { return id; }
    public String getName() { return name; }
}
