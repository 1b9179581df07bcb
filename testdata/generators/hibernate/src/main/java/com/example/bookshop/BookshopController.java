package com.example.bookshop;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The scenario endpoints; ?fetch= (or ?mode=) picks the trap or its fix. */
@RestController
public class BookshopController {
    private final BookshopService shop;

    public BookshopController(BookshopService shop) {
        this.shop = shop;
    }

    @GetMapping("/books")
    public Object books(@RequestParam(defaultValue = "lazy") String fetch, @RequestParam(name = "per_page", defaultValue = "12") int n) {
        return switch (fetch) {
            case "join" -> shop.booksWithAuthorsJoinFetch(n);
            case "graph" -> shop.booksWithAuthorsEntityGraph(n);
            default -> shop.booksWithAuthorsLazy(n);
        };
    }

    @GetMapping("/authors")
    public Object authors(@RequestParam(defaultValue = "lazy") String fetch, @RequestParam(name = "per_page", defaultValue = "8") int n) {
        return switch (fetch) {
            case "in" -> shop.authorsWithBooksInList(n);
            case "graph" -> shop.authorsWithBooksEntityGraph(n);
            default -> shop.authorsWithBooksLazy(n);
        };
    }

    @GetMapping("/books/tags")
    public Object bookTags(@RequestParam(defaultValue = "lazy") String fetch) {
        return switch (fetch) {
            case "join" -> shop.booksWithTagsJoinFetch(10);
            case "batch" -> shop.booksWithTagsBatchFetch(10);
            default -> shop.booksWithTagsLazy(10);
        };
    }

    @GetMapping("/authors/stats")
    public Object authorStats(@RequestParam(defaultValue = "loop") String fetch) {
        return "group".equals(fetch) ? shop.bookCountsGrouped(7) : shop.bookCountsLoop(7);
    }

    @PostMapping("/books/import")
    public Object importBooks(@RequestParam(defaultValue = "loop") String mode) {
        return "batch".equals(mode) ? shop.importBooksBatched(1, 20) : shop.importBooksOneByOne(1, 20);
    }

    @GetMapping("/books/details")
    public Object bookDetails(@RequestParam(defaultValue = "lazy") String fetch) {
        return "graph".equals(fetch) ? shop.bookDetailsEntityGraph(10) : shop.bookDetailsLazy(10);
    }

    @GetMapping("/books/page")
    public Object page(@RequestParam(required = false) Integer page, @RequestParam(required = false) Long after,
                       @RequestParam(defaultValue = "true") boolean total) {
        if (after != null) {
            return shop.pageAfter(after);
        }
        return total ? shop.pageWithTotal(page, 20) : shop.sliceAt(page, 20);
    }

    /** Maps the entities here, outside the service's transaction (spring.jpa.open-in-view=false). */
    @GetMapping("/books/detached")
    public Object detached(@RequestParam(defaultValue = "lazy") String fetch) {
        List<Book> found = "join".equals(fetch) ? shop.booksDetachedWithAuthors(12) : shop.booksDetached(12);
        return found.stream().map(b -> new BookshopService.BookRow(b.getId(), b.getTitle(), b.getAuthor().getName())).toList();
    }

    @GetMapping("/authors/with-books")
    public Object authorsWithBooks(@RequestParam(defaultValue = "memory") String paging, @RequestParam(defaultValue = "0") int page) {
        return "ids".equals(paging) ? shop.authorsWithTitlesTwoQueries(page, 5) : shop.authorsWithTitlesInMemoryPage(page, 5);
    }

    @GetMapping("/authors/search")
    public Object authorSearch(@RequestParam String q, @RequestParam(defaultValue = "false") boolean distinct) {
        return shop.authorsByBookTitle(q, distinct);
    }

    @GetMapping("/books/by-author")
    public Object booksByAuthor(@RequestParam String q) {
        return shop.booksByAuthorName(q);
    }
}
