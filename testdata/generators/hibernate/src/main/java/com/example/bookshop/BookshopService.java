package com.example.bookshop;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.Session;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** One method per scenario; each trap next to its fix. Reads run in a read-only transaction. */
@Service
@Transactional(readOnly = true)
public class BookshopService {
    public record BookRow(long id, String title, String author) {}
    public record BookTags(long id, String title, List<String> tags) {}
    public record BookDetail(long id, String title, String author, List<String> tags) {}
    public record AuthorBooks(long id, String name, int books) {}
    public record AuthorTitles(long id, String name, List<String> titles) {}
    public record PageOut(List<BookRow> rows, Long total) {}

    private final BookRepository books;
    private final AuthorRepository authors;
    private final ImportedBookRepository imported;

    @PersistenceContext
    private EntityManager em;

    public BookshopService(BookRepository books, AuthorRepository authors, ImportedBookRepository imported) {
        this.books = books;
        this.authors = authors;
        this.imported = imported;
    }

    /** forward_fk_loop, below_threshold: book.getAuthor() is a lazy proxy, initialised per book. */
    public List<BookRow> booksWithAuthorsLazy(int n) {
        return books.listOrdered(PageRequest.of(0, n)).stream()
                .map(b -> new BookRow(b.getId(), b.getTitle(), b.getAuthor().getName())).toList();
    }

    /** forward_fk_join: one query, join fetch. */
    public List<BookRow> booksWithAuthorsJoinFetch(int n) {
        return books.listWithAuthor(PageRequest.of(0, n)).stream()
                .map(b -> new BookRow(b.getId(), b.getTitle(), b.getAuthor().getName())).toList();
    }

    /** forward_fk_entity_graph: one query, @EntityGraph(attributePaths = "author"). */
    public List<BookRow> booksWithAuthorsEntityGraph(int n) {
        return books.findByOrderByIdAsc(PageRequest.of(0, n)).stream()
                .map(b -> new BookRow(b.getId(), b.getTitle(), b.getAuthor().getName())).toList();
    }

    /** collection_loop: author.getBooks() is a lazy collection, initialised per author. */
    public List<AuthorBooks> authorsWithBooksLazy(int n) {
        return authors.listOrdered(PageRequest.of(0, n)).stream()
                .map(a -> new AuthorBooks(a.getId(), a.getName(), a.getBooks().size())).toList();
    }

    /** collection_prefetch: the authors, then their books in one IN-list query, grouped here. */
    public List<AuthorBooks> authorsWithBooksInList(int n) {
        List<Author> page = authors.listOrdered(PageRequest.of(0, n));
        Map<Long, Integer> counts = new LinkedHashMap<>();
        for (Book b : books.findByAuthors(page)) {
            counts.merge(b.getAuthor().getId(), 1, Integer::sum);
        }
        return page.stream().map(a -> new AuthorBooks(a.getId(), a.getName(), counts.getOrDefault(a.getId(), 0))).toList();
    }

    /** collection_entity_graph: the author ids, then the authors with their books, @EntityGraph("books"). */
    public List<AuthorBooks> authorsWithBooksEntityGraph(int n) {
        List<Long> ids = authors.pageIds(PageRequest.of(0, n));
        return authors.findByIdInOrderByIdAsc(ids).stream()
                .map(a -> new AuthorBooks(a.getId(), a.getName(), a.getBooks().size())).toList();
    }

    /** m2m_loop: book.getTags() is a lazy many-to-many, initialised per book. */
    public List<BookTags> booksWithTagsLazy(int n) {
        return books.listOrdered(PageRequest.of(0, n)).stream()
                .map(b -> new BookTags(b.getId(), b.getTitle(), b.getTags().stream().map(Tag::getName).toList())).toList();
    }

    /** m2m_prefetch: the page, then one "left join fetch b.tags where b in :books". */
    public List<BookTags> booksWithTagsJoinFetch(int n) {
        List<Book> page = books.listOrdered(PageRequest.of(0, n));
        books.fetchTags(page);
        return page.stream()
                .map(b -> new BookTags(b.getId(), b.getTitle(), b.getTags().stream().map(Tag::getName).toList())).toList();
    }

    /** m2m_batch_size: the lazy loop, with batch fetching on for this session: one query per 16 books. */
    public List<BookTags> booksWithTagsBatchFetch(int n) {
        em.unwrap(Session.class).setFetchBatchSize(16);
        return booksWithTagsLazy(n);
    }

    /** count_loop: one count query per author. */
    public List<AuthorBooks> bookCountsLoop(int n) {
        return authors.listOrdered(PageRequest.of(0, n)).stream()
                .map(a -> new AuthorBooks(a.getId(), a.getName(), (int) books.countByAuthor(a))).toList();
    }

    /** count_annotate: one GROUP BY. */
    public List<AuthorBooks> bookCountsGrouped(int n) {
        Map<Long, Long> counts = new LinkedHashMap<>();
        for (Object[] row : books.countPerAuthor()) {
            counts.put((Long) row[0], (Long) row[1]);
        }
        return authors.listOrdered(PageRequest.of(0, n)).stream()
                .map(a -> new AuthorBooks(a.getId(), a.getName(), counts.getOrDefault(a.getId(), 0L).intValue())).toList();
    }

    /** insert_loop: save() per row; IDENTITY ids make each one an INSERT of its own. */
    @Transactional
    public int importBooksOneByOne(long authorId, int n) {
        Author author = authors.findById(authorId).orElseThrow();
        for (int i = 0; i < n; i++) {
            books.save(new Book("Imported " + i, 100 + i, author));
        }
        return n;
    }

    /** insert_bulk: saveAll() of entities with pooled sequence ids: one JDBC batch at commit. */
    @Transactional
    public int importBooksBatched(long authorId, int n) {
        Author author = authors.findById(authorId).orElseThrow();
        List<ImportedBook> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(new ImportedBook("Imported " + i, 100 + i, author));
        }
        imported.saveAll(rows);
        return n;
    }

    /** mn_plus_one_loop: per book its author and its tags, both lazy. */
    public List<BookDetail> bookDetailsLazy(int n) {
        return books.listOrdered(PageRequest.of(0, n)).stream().map(this::detail).toList();
    }

    /** mn_plus_one_prefetch: the ids, then the books with author and tags, @EntityGraph. */
    public List<BookDetail> bookDetailsEntityGraph(int n) {
        List<Long> ids = books.listOrdered(PageRequest.of(0, n)).stream().map(Book::getId).toList();
        return books.findByIdInOrderByIdAsc(ids).stream().map(this::detail).toList();
    }

    private BookDetail detail(Book b) {
        return new BookDetail(b.getId(), b.getTitle(), b.getAuthor().getName(), b.getTags().stream().map(Tag::getName).toList());
    }

    /** pagination_count: a Page<Book>: the page and its count. */
    public PageOut pageWithTotal(int page, int size) {
        Page<Book> p = books.findByPagesGreaterThan(100, PageRequest.of(page, size, org.springframework.data.domain.Sort.by("id")));
        return new PageOut(p.getContent().stream().map(b -> new BookRow(b.getId(), b.getTitle(), null)).toList(), p.getTotalElements());
    }

    /** deep_offset: a Slice<Book> far into the list: no count, a large offset. */
    public PageOut sliceAt(int page, int size) {
        Pageable pageable = PageRequest.of(page, size, org.springframework.data.domain.Sort.by("id"));
        return new PageOut(books.findSliceByPagesGreaterThan(100, pageable).getContent().stream()
                .map(b -> new BookRow(b.getId(), b.getTitle(), null)).toList(), null);
    }

    /** keyset_page: the next 20 after the last id seen, no count, no offset. */
    public PageOut pageAfter(long afterId) {
        return new PageOut(books.findTop20ByPagesGreaterThanAndIdGreaterThanOrderByIdAsc(100, afterId).stream()
                .map(b -> new BookRow(b.getId(), b.getTitle(), null)).toList(), null);
    }

    /** lazy_init_exception: the entities leave the transaction with their authors uninitialised. */
    public List<Book> booksDetached(int n) {
        return books.listOrdered(PageRequest.of(0, n));
    }

    /** lazy_init_fixed: the authors are fetched before the entities leave the transaction. */
    public List<Book> booksDetachedWithAuthors(int n) {
        return books.listWithAuthor(PageRequest.of(0, n));
    }

    /** in_memory_pagination: a page of a collection fetch join (HHH90003004). */
    public List<AuthorTitles> authorsWithTitlesInMemoryPage(int page, int size) {
        return authors.listWithBooks(PageRequest.of(page, size)).stream().map(this::titles).toList();
    }

    /** in_memory_pagination_fixed: page the ids in SQL, then fetch those authors with their books. */
    public List<AuthorTitles> authorsWithTitlesTwoQueries(int page, int size) {
        return authors.withBooks(authors.pageIds(PageRequest.of(page, size))).stream().map(this::titles).toList();
    }

    private AuthorTitles titles(Author a) {
        return new AuthorTitles(a.getId(), a.getName(), a.getBooks().stream().map(Book::getTitle).toList());
    }

    /** paged_to_many_join: a LIMIT over authors joined to their books (an author per matching book). */
    public List<AuthorBooks> authorsByBookTitle(String q, boolean distinct) {
        List<Author> found = distinct ? authors.searchDistinctByBookTitle("%" + q + "%", PageRequest.of(0, 20))
                : authors.searchByBookTitle("%" + q + "%", PageRequest.of(0, 20));
        return found.stream().map(a -> new AuthorBooks(a.getId(), a.getName(), 0)).toList();
    }

    /** paged_to_one_join: a LIMIT over books joined to their author (one row per book). */
    public List<BookRow> booksByAuthorName(String q) {
        return books.searchByAuthorName("%" + q + "%", PageRequest.of(0, 20)).stream()
                .map(b -> new BookRow(b.getId(), b.getTitle(), null)).toList();
    }
}
