#!/usr/bin/env python3
"""Hand-shaped OTLP traces of a Laravel 11 bookshop (Eloquent on MySQL 8) traced by the
OpenTelemetry PHP auto-instrumentation for Laravel (open-telemetry/opentelemetry-auto-laravel,
scope io.opentelemetry.contrib.php.laravel).

PHP packages cannot be installed here (no Packagist), so the traces follow the
instrumentation's source, read through the project's public-code search; README.md beside
this file lists every file followed and every assumption. Deterministic: ids and timings
come from a PRNG seeded with the scenario name.

    python3 testdata/generators/eloquent/gen.py [--out DIR]      # writes DIR/eloquent/
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "efcore"))
from shaped_common import CLIENT, INTERNAL, SERVER, TRAPS, Tracer, finding, start_ns, write  # noqa: E402

SC = ("io.opentelemetry.contrib.php.laravel", "")  # CachedInstrumentation(name, null version, schema 1.32.0)

RESOURCE = [
    ("host.name", "bookshop-laravel-6f8d9c7b5-q4wzt"),
    ("host.arch", "x86_64"),
    ("os.type", "linux"),
    ("os.description", "6.1.0-31-cloud-amd64"),
    ("os.name", "Linux"),
    ("os.version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.128-1 (2025-02-07)"),
    ("process.runtime.name", "fpm-fcgi"),
    ("process.runtime.version", "8.3.16"),
    ("process.pid", 27),
    ("process.executable.path", "/usr/local/sbin/php-fpm"),
    ("process.owner", "www-data"),
    ("service.name", "bookshop-laravel"),
    ("telemetry.sdk.name", "opentelemetry"),
    ("telemetry.sdk.language", "php"),
    ("telemetry.sdk.version", "1.2.0"),
]

SOURCE = ("Hand-shaped after source (PHP packages are not installable here): Laravel 11 on PHP 8.3 (php-fpm), "
          "Eloquent with the mysql driver on MySQL 8.0; open-telemetry/opentelemetry-auto-laravel as of "
          "opentelemetry-php-contrib src/Instrumentation/Laravel (Hooks/Illuminate/Contracts/Http/Kernel.php, "
          "Hooks/Illuminate/Database/Eloquent/Model.php, Watchers/QueryWatcher.php with the stable DB attributes), "
          "open-telemetry/sdk 1.2, no PDO instrumentation. See testdata/generators/eloquent/README.md.")

KERNEL = "/var/www/html/vendor/laravel/framework/src/Illuminate/Foundation/Http/Kernel.php"
BUILDER = "/var/www/html/vendor/laravel/framework/src/Illuminate/Database/Eloquent/Builder.php"
MODEL = "/var/www/html/vendor/laravel/framework/src/Illuminate/Database/Eloquent/Model.php"


def in_list(ids):
    # Eager loads of integer keys go through whereIntegerInRaw: the keys are inlined.
    return "(" + ", ".join(str(i) for i in ids) + ")"


BOOKS_12 = "select * from `books` order by `id` asc limit %d"
AUTHOR_LAZY = "select * from `authors` where `authors`.`id` = ? limit 1"
AUTHORS_IN = "select * from `authors` where `authors`.`id` in "
AUTHORS_8 = "select * from `authors` order by `id` asc limit %d"
BOOKS_LAZY = "select * from `books` where `books`.`author_id` = ? and `books`.`author_id` is not null"
BOOKS_IN = "select * from `books` where `books`.`author_id` in "
TAGS_SELECT = ("select `tags`.*, `book_tag`.`book_id` as `pivot_book_id`, `book_tag`.`tag_id` as `pivot_tag_id` "
               "from `tags` inner join `book_tag` on `tags`.`id` = `book_tag`.`tag_id` where `book_tag`.`book_id`")
TAGS_LAZY = TAGS_SELECT + " = ?"
TAGS_IN = TAGS_SELECT + " in "
COUNT_BOOKS_OF = ("select count(*) as aggregate from `books` where `books`.`author_id` = ? "
                  "and `books`.`author_id` is not null")
AUTHORS_WITH_COUNT = ("select `authors`.*, (select count(*) from `books` where `authors`.`id` = `books`.`author_id`) "
                      "as `books_count` from `authors` order by `id` asc limit 7")
INSERT_ONE = ("insert into `books` (`title`, `author_id`, `published_at`, `pages`, `updated_at`, `created_at`) "
              "values (?, ?, ?, ?, ?, ?)")
INSERT_ALL = ("insert into `books` (`author_id`, `pages`, `published_at`, `title`) values " +
              ", ".join(["(?, ?, ?, ?)"] * 20))
BOOKS_50 = "select * from `books` limit 50"
BOOKS_50_COLS = "select `id`, `title` from `books` limit 50"
SIMPLE_PAGE = "select * from `books` order by `id` asc limit 21 offset 5000"
COUNT_LONG = "select count(*) as aggregate from `books` where `pages` > ?"
LONG_PAGE = "select * from `books` where `pages` > ? order by `id` asc limit 20 offset 40"
CURSOR_PAGE = "select * from `books` where `pages` > ? and (`id` > ?) order by `id` asc limit 21"


class App:
    def __init__(self, name, start):
        self.t = Tracer("eloquent/" + name, start)

    def request(self, method, path, query=None, body_size=None):
        a = [("code.function.name", "handle"), ("code.namespace", "Illuminate\\Foundation\\Http\\Kernel"),
             ("code.filepath", KERNEL), ("code.line.number", 190),
             ("url.full", "http://localhost" + path + ("?" + query if query else "")),
             ("http.request.method", method)]
        if body_size:
            a.append(("http.request.body.size", body_size))
        a += [("url.scheme", "http"), ("network.protocol.version", "1.1"), ("network.peer.address", "172.18.0.1"),
              ("url.path", path.lstrip("/") + ("?" + query if query else "")), ("server.address", "localhost"),
              ("server.port", 80), ("client.port", "49312"), ("user_agent.original", "curl/8.5.0")]
        # The span starts as "GET" and is renamed "GET /books" when the request ends.
        self.t.open("%s %s" % (method, path), SERVER, SC, a, gap=(0, 0))
        self.route = path.lstrip("/")
        self.t.us(900, 2500)  # bootstrap, middleware, routing

    def response(self, status=200):
        self.t.us(300, 900)  # JSON response
        self.t.close(tail=(50, 150), extra_attrs=[("http.route", self.route), ("http.response.status_code", status),
                                                  ("network.protocol.version", "1.1")])

    def sql(self, text, dur=(250, 900), gap=(15, 60)):
        """QueryWatcher: one CLIENT span per QueryExecuted event, backdated by the query time."""
        op = text.split(" ", 1)[0].upper()
        a = [("db.system.name", "mysql"), ("db.namespace", "bookshop"), ("db.operation.name", op),
             ("db.query.text", text), ("server.address", "mysql"), ("server.port", "3306")]
        return self.t.leaf("sql " + op, CLIENT, SC, a, dur, gap=gap)

    def model(self, cls, table, operation, line, fn, statement=None, suffix=None):
        """An Eloquent hook span (Model.php): Book::get (Builder::getModels), ::create (performInsert)..."""
        a = [("code.function.name", fn), ("code.file.path", BUILDER if fn.startswith("Illuminate\\Database\\Eloquent\\Builder") else MODEL),
             ("code.line.number", line), ("laravel.eloquent.model", cls), ("laravel.eloquent.table", table),
             ("laravel.eloquent.operation", operation)]
        if statement is not None:
            a.append(("db.statement", statement))
        self.t.open("%s::%s" % (cls, suffix or operation), INTERNAL, SC, a, gap=(20, 60))
        self.t.us(30, 90)

    def end(self):
        self.t.us(40, 160)  # hydrating models
        self.t.close(tail=(5, 20))

    def get(self, cls, table, text, dur=(250, 900)):
        """Builder::get -> getModels (hooked) -> one select."""
        self.model(cls, table, "get", 812, "Illuminate\\Database\\Eloquent\\Builder::getModels", statement=to_sql(text))
        self.sql(text, dur)
        self.end()

    def pause(self, lo=10, hi=40):
        self.t.us(lo, hi)


def to_sql(text):
    # Builder::getModels records $builder->getQuery()->toSql(): the statement before the
    # eager-load keys are known is the same text here (integer keys are inlined by then).
    return text


BOOK = ("App\\Models\\Book", "books")
AUTHOR = ("App\\Models\\Author", "authors")
TAG = ("App\\Models\\Tag", "tags")


def forward_fk(app, n):
    app.request("GET", "/books", None if n != 3 else "per_page=3")
    app.get(*BOOK, BOOKS_12 % n, dur=(500, 1300))
    for _ in range(n):  # $book->author->name: a lazy belongsTo, Relation::getResults -> first() -> get()
        app.pause()
        app.get(*AUTHOR, AUTHOR_LAZY)
    app.response()


def scenarios():
    S = {}

    def forward_fk_loop(app):
        forward_fk(app, 12)

    def below_threshold(app):
        forward_fk(app, 3)

    def forward_fk_join(app):
        app.request("GET", "/books")
        app.get(*BOOK, BOOKS_12 % 12, dur=(500, 1300))
        # ->with('author'): eagerLoadRelations runs after getModels, its own get
        app.get(*AUTHOR, AUTHORS_IN + in_list(range(1, 11)), dur=(400, 1000))
        app.response()

    def collection_loop(app):
        app.request("GET", "/authors")
        app.get(*AUTHOR, AUTHORS_8 % 8, dur=(400, 1000))
        for _ in range(8):  # $author->books: a lazy hasMany
            app.pause()
            app.get(*BOOK, BOOKS_LAZY)
        app.response()

    def collection_prefetch(app):
        app.request("GET", "/authors")
        app.get(*AUTHOR, AUTHORS_8 % 8, dur=(400, 1000))
        app.get(*BOOK, BOOKS_IN + in_list(range(1, 9)), dur=(500, 1200))
        app.response()

    def m2m_loop(app):
        app.request("GET", "/books/tags")
        app.get(*BOOK, BOOKS_12 % 10, dur=(500, 1300))
        for _ in range(10):  # $book->tags: a lazy belongsToMany through book_tag
            app.pause()
            app.get(*TAG, TAGS_LAZY)
        app.response()

    def m2m_prefetch(app):
        app.request("GET", "/books/tags")
        app.get(*BOOK, BOOKS_12 % 10, dur=(500, 1300))
        app.get(*TAG, TAGS_IN + in_list(range(1, 11)), dur=(500, 1200))
        app.response()

    def count_loop(app):
        app.request("GET", "/authors/stats")
        app.get(*AUTHOR, AUTHORS_8 % 7, dur=(400, 1000))
        for _ in range(7):  # $author->books()->count(): an aggregate, no getModels, no Model span
            app.pause()
            app.sql(COUNT_BOOKS_OF)
        app.response()

    def count_annotate(app):
        app.request("GET", "/authors/stats")
        app.get(*AUTHOR, AUTHORS_WITH_COUNT, dur=(600, 1400))
        app.response()

    def insert_loop(app):
        app.request("POST", "/books/import", body_size="2412")
        for _ in range(20):  # Book::create($row): save() -> performInsert (hooked) -> insert
            app.pause(40, 120)
            app.model(*BOOK, "create", 1335, "Illuminate\\Database\\Eloquent\\Model::performInsert")
            app.sql(INSERT_ONE, dur=(400, 1200))
            app.end()
        app.response(201)

    def insert_bulk(app):
        app.request("POST", "/books/import", body_size="2412")
        app.sql(INSERT_ALL, dur=(1200, 2500))  # Book::insert($rows): the query builder, no Model span
        app.response(201)

    def mn_plus_one_loop(app):
        app.request("GET", "/books/details")
        app.get(*BOOK, BOOKS_12 % 10, dur=(500, 1300))
        for _ in range(10):  # $book->author->name and $book->tags, both lazy
            app.pause()
            app.get(*AUTHOR, AUTHOR_LAZY)
            app.pause(5, 20)
            app.get(*TAG, TAGS_LAZY)
        app.response()

    def mn_plus_one_prefetch(app):
        app.request("GET", "/books/details")
        app.get(*BOOK, BOOKS_12 % 10, dur=(500, 1300))
        app.get(*AUTHOR, AUTHORS_IN + in_list(range(1, 11)), dur=(400, 1000))
        app.get(*TAG, TAGS_IN + in_list(range(1, 11)), dur=(500, 1200))
        app.response()

    def over_fetch_select_star(app):
        app.request("GET", "/books/titles")
        app.get(*BOOK, BOOKS_50, dur=(600, 1500))
        app.response()

    def over_fetch_columns(app):
        app.request("GET", "/books/titles")
        app.get(*BOOK, BOOKS_50_COLS, dur=(400, 1000))
        app.response()

    def deep_offset(app):
        app.request("GET", "/books/browse", "page=251")
        app.get(*BOOK, SIMPLE_PAGE, dur=(2500, 5000))
        app.response()

    def pagination_count(app):
        app.request("GET", "/books/search", "min_pages=100&page=3")
        app.sql(COUNT_LONG, dur=(1500, 3000))  # paginate(): getCountForPagination, on the base query
        app.get(*BOOK, LONG_PAGE, dur=(600, 1400))
        app.response()

    def keyset_page(app):
        app.request("GET", "/books/browse", "min_pages=100&cursor=eyJpZCI6NTAwMCwiX3BvaW50c1RvTmV4dEl0ZW1zIjp0cnVlfQ")
        app.get(*BOOK, CURSOR_PAGE, dur=(500, 1200))
        app.response()

    for f in (forward_fk_loop, forward_fk_join, collection_loop, collection_prefetch, m2m_loop, m2m_prefetch,
              count_loop, count_annotate, insert_loop, insert_bulk, below_threshold, mn_plus_one_loop,
              mn_plus_one_prefetch, over_fetch_select_star, over_fetch_columns, deep_offset, pagination_count,
              keyset_page):
        S[f.__name__] = f
    return S


def of(table):
    return finding("over_fetch", 1, "sql SELECT", table)


FINDINGS = {
    "forward_fk_loop": [finding("n_plus_one", 12, "GET /books", "authors"), of("books"), of("authors")],
    "forward_fk_join": [of("books"), of("authors")],
    "collection_loop": [finding("n_plus_one", 8, "GET /authors", "books"), of("authors"), of("books")],
    "collection_prefetch": [of("authors"), of("books")],
    "m2m_loop": [finding("n_plus_one", 10, "GET /books/tags", "tags"), of("books"), of("tags")],
    "m2m_prefetch": [of("books"), of("tags")],
    "count_loop": [finding("n_plus_one", 7, "GET /authors/stats", "books"), of("authors")],
    "count_annotate": [of("authors")],
    "insert_loop": [finding("n_plus_one", 20, "POST /books/import", "books")],
    "insert_bulk": [],
    "below_threshold": [of("books"), of("authors")],
    "mn_plus_one_loop": [finding("mn_plus_one", 10, "GET /books/details", "authors"), of("books"), of("authors"), of("tags")],
    "mn_plus_one_prefetch": [of("books"), of("authors"), of("tags")],
    "over_fetch_select_star": [of("books")],
    "over_fetch_columns": [],
    "deep_offset": [finding("deep_offset", 1, "sql SELECT", "books"), of("books")],
    "pagination_count": [finding("pagination_count", 2, "GET /books/search", "books"), of("books")],
    "keyset_page": [of("books")],
}

SELECT_STAR = ("Eloquent selects * unless told otherwise (->select(...)): every distinct select * or `tags`.* "
               "statement is also one over_fetch, on its first span (all QueryWatcher spans are named 'sql SELECT').")
NOTES = {
    "forward_fk_loop": "12 books (Book::orderBy('id')->limit(12)->get()), $book->author->name per book: a lazy belongsTo, "
                       "select * from `authors` where `authors`.`id` = ? limit 1 each time. Every query runs inside an "
                       "INTERNAL App\\Models\\...::get span (the Builder::getModels hook) that wraps only it; the loop's "
                       "parent is the server span. The QueryWatcher records the SQL with ? placeholders and no bindings. " + SELECT_STAR,
    "forward_fk_join": "The fix: ->with('author'): one more query, the author ids inlined (whereIntegerInRaw). " + SELECT_STAR,
    "collection_loop": "8 authors, $author->books per author: a lazy hasMany. " + SELECT_STAR,
    "collection_prefetch": "The fix: ->with('books'). " + SELECT_STAR,
    "m2m_loop": "10 books, $book->tags per book: a lazy belongsToMany through book_tag, whose select list is `tags`.* "
                "and the pivot columns. " + SELECT_STAR,
    "m2m_prefetch": "The fix: ->with('tags'). " + SELECT_STAR,
    "count_loop": "7 authors, $author->books()->count() per author: select count(*) as aggregate, straight on the query "
                  "builder (no getModels, so no Eloquent span around it). " + SELECT_STAR,
    "count_annotate": "The fix: ->withCount('books'): a correlated count subquery; its select list is `authors`.*. " + SELECT_STAR,
    "insert_loop": "20 rows, Book::create($row) each: an INTERNAL App\\Models\\Book::create span (performInsert hook) "
                   "around one insert with the model's timestamps.",
    "insert_bulk": "The fix: Book::insert($rows): one multi-row insert on the query builder (no timestamps).",
    "below_threshold": "The forward_fk_loop with 3 books. " + SELECT_STAR,
    "mn_plus_one_loop": "10 books, per book $book->author and $book->tags, both lazy: two queries per iteration. " + SELECT_STAR,
    "mn_plus_one_prefetch": "The fix: ->with(['author', 'tags']). " + SELECT_STAR,
    "over_fetch_select_star": "Book::limit(50)->get() to show two columns. " + SELECT_STAR,
    "over_fetch_columns": "The fix: Book::select('id', 'title')->limit(50)->get().",
    "deep_offset": "Page 251: Book::orderBy('id')->simplePaginate(20) (no count; it fetches one row more): Laravel inlines "
                   "limit and offset, so the offset 5000 is in the text. " + SELECT_STAR,
    "pagination_count": "Book::where('pages', '>', 100)->orderBy('id')->paginate(20) on page 3: select count(*) as aggregate "
                        "(straight on the query builder) then the page (inside App\\Models\\Book::get), both under the "
                        "server span with the same where. " + SELECT_STAR,
    "keyset_page": "The fix: ->cursorPaginate(20): where ... and (`id` > ?) limit 21, no count, no offset. " + SELECT_STAR,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = ap.parse_args()
    outdir = os.path.join(args.out, "eloquent")
    t0 = 1795700000 * 10**9
    for i, (name, fn) in enumerate(scenarios().items()):
        app = App(name, start_ns("eloquent", name, t0, i))
        fn(app)
        print(write(outdir, name, app.t, RESOURCE, SOURCE, TRAPS[name], FINDINGS[name], NOTES[name]))


if __name__ == "__main__":
    main()
