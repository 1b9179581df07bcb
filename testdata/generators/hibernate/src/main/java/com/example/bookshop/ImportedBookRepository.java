package com.example.bookshop;

import org.springframework.data.jpa.repository.JpaRepository;

public interface ImportedBookRepository extends JpaRepository<ImportedBook, Long> {
}
