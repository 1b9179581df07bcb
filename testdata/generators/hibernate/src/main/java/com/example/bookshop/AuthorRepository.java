package com.example.bookshop;

import java.util.List;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.EntityGraph;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface AuthorRepository extends JpaRepository<Author, Long> {
    @Query("select a from Author a order by a.id")
    List<Author> listOrdered(Pageable limit);

    @EntityGraph(attributePaths = "books")
    List<Author> findByIdInOrderByIdAsc(List<Long> ids);

    @Query("select a.id from Author a order by a.id")
    List<Long> pageIds(Pageable page);

    // A collection fetch with a page: Hibernate cannot page the SQL, it warns HHH90003004 and
    // reads every author with every book, then keeps the page in memory.
    @Query("select a from Author a left join fetch a.books order by a.id")
    List<Author> listWithBooks(Pageable page);

    @Query("select distinct a from Author a left join fetch a.books where a.id in :ids order by a.id")
    List<Author> withBooks(List<Long> ids);

    @Query("select a from Author a join a.books b where b.title like :q order by a.id")
    List<Author> searchByBookTitle(String q, Pageable limit);

    @Query("select distinct a from Author a join a.books b where b.title like :q order by a.id")
    List<Author> searchDistinctByBookTitle(String q, Pageable limit);
}
