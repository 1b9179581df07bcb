package com.example.bookshop;

import java.util.List;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Slice;
import org.springframework.data.jpa.repository.EntityGraph;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface BookRepository extends JpaRepository<Book, Long> {
    @Query("select b from Book b order by b.id")
    List<Book> listOrdered(Pageable limit);

    @Query("select b from Book b join fetch b.author order by b.id")
    List<Book> listWithAuthor(Pageable limit);

    @EntityGraph(attributePaths = "author")
    List<Book> findByOrderByIdAsc(Pageable limit);

    @EntityGraph(attributePaths = {"author", "tags"})
    List<Book> findByIdInOrderByIdAsc(List<Long> ids);

    @Query("select b from Book b where b.author in :authors")
    List<Book> findByAuthors(List<Author> authors);

    @Query("select count(b) from Book b where b.author = :author")
    long countByAuthor(Author author);

    @Query("select b.author.id, count(b) from Book b group by b.author.id")
    List<Object[]> countPerAuthor();

    @Query("select distinct b from Book b left join fetch b.tags where b in :books")
    List<Book> fetchTags(List<Book> books);

    Page<Book> findByPagesGreaterThan(int pages, Pageable page);

    Slice<Book> findSliceByPagesGreaterThan(int pages, Pageable page);

    List<Book> findTop20ByPagesGreaterThanAndIdGreaterThanOrderByIdAsc(int pages, long afterId);

    @Query("select b from Book b join b.author a where a.name like :q order by b.id")
    List<Book> searchByAuthorName(String q, Pageable limit);
}
