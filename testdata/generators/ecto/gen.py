#!/usr/bin/env python3
"""Hand-shaped OTLP traces of a Phoenix 1.7 bookshop (Ecto 3.12, Postgrex, PostgreSQL) traced
by the OpenTelemetry Erlang SDK with opentelemetry_ecto 1.2.0 (db_statement: :enabled),
opentelemetry_phoenix and opentelemetry_bandit.

Hex is not reachable here, so the traces follow the instrumentation's source, read
through the project's public-code search; README.md beside this file lists every file
followed and every assumption. Deterministic: ids and timings come from a PRNG seeded
with the scenario name.

    python3 testdata/generators/ecto/gen.py [--out DIR]      # writes DIR/ecto/
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "efcore"))
from shaped_common import CLIENT, SERVER, TRAPS, Tracer, finding, start_ns, write  # noqa: E402

SC_ECTO = ("opentelemetry_ecto", "1.2.0")
SC_BANDIT = ("opentelemetry_bandit", "0.2.0")

RESOURCE = [
    ("process.executable.name", "bookshop"),
    ("process.runtime.name", "BEAM"),
    ("process.runtime.version", "14.2.5"),
    ("process.runtime.description", "Erlang/OTP 26 erts-14.2.5"),
    ("service.name", "bookshop"),
    ("service.version", "0.1.0"),
    ("service.instance.id", "bookshop@10.0.3.17"),
    ("telemetry.sdk.name", "opentelemetry"),
    ("telemetry.sdk.language", "erlang"),
    ("telemetry.sdk.version", "1.4.0"),
]

SOURCE = ("Hand-shaped after source (Hex is not reachable here): Phoenix 1.7 on Bandit, Ecto 3.12 with "
          "Ecto.Adapters.Postgres (Postgrex) on PostgreSQL 16, Elixir 1.17 / OTP 26; OpenTelemetry Erlang SDK 1.4, "
          "opentelemetry_ecto 1.2.0 (lib/opentelemetry_ecto.ex: span <event prefix>:<source>, db.statement only with "
          "db_statement: :enabled, which this app sets), opentelemetry_phoenix 2.0 with adapter: :bandit and "
          "opentelemetry_bandit 0.2. See testdata/generators/ecto/README.md.")

BOOK_FIELDS = ['"id"', '"title"', '"published_at"', '"pages"', '"author_id"', '"inserted_at"', '"updated_at"']
AUTHOR_FIELDS = ['"id"', '"name"', '"email"', '"bio"', '"inserted_at"', '"updated_at"']


def cols(alias, fields):
    return ", ".join("%s.%s" % (alias, f) for f in fields)


BOOKS = cols("b0", BOOK_FIELDS)
AUTHORS = cols("a0", AUTHOR_FIELDS)

BOOKS_PAGE = 'SELECT ' + BOOKS + ' FROM "books" AS b0 ORDER BY b0."id" LIMIT %d'
AUTHOR_GET = 'SELECT ' + AUTHORS + ' FROM "authors" AS a0 WHERE (a0."id" = $1)'
AUTHORS_ANY = 'SELECT ' + AUTHORS + ' FROM "authors" AS a0 WHERE (a0."id" = ANY($1))'
BOOKS_JOIN_AUTHOR = ('SELECT ' + BOOKS + ', ' + cols("a1", AUTHOR_FIELDS) +
                     ' FROM "books" AS b0 INNER JOIN "authors" AS a1 ON a1."id" = b0."author_id" ORDER BY b0."id" LIMIT 12')
AUTHORS_PAGE = 'SELECT ' + AUTHORS + ' FROM "authors" AS a0 ORDER BY a0."id" LIMIT %d'
# Repo.preload of a has_many: the foreign key selected again, ordered by it.
BOOKS_OF = 'SELECT ' + BOOKS + ', b0."author_id" FROM "books" AS b0 WHERE (b0."author_id" = $1) ORDER BY b0."author_id"'
BOOKS_OF_ANY = 'SELECT ' + BOOKS + ', b0."author_id" FROM "books" AS b0 WHERE (b0."author_id" = ANY($1)) ORDER BY b0."author_id"'
COUNT_OF = 'SELECT count(*) FROM "books" AS b0 WHERE (b0."author_id" = $1)'
COUNT_GROUPED = ('SELECT b0."author_id", count(b0."id") FROM "books" AS b0 WHERE (b0."author_id" = ANY($1)) '
                 'GROUP BY b0."author_id"')
INSERT_ONE = ('INSERT INTO "books" ("title","published_at","pages","author_id","inserted_at","updated_at") '
              'VALUES ($1,$2,$3,$4,$5,$6) RETURNING "id"')
INSERT_ALL = ('INSERT INTO "books" ("author_id","inserted_at","pages","published_at","title","updated_at") VALUES ' +
              ",".join("($%d,$%d,$%d,$%d,$%d,$%d)" % tuple(range(6 * i + 1, 6 * i + 7)) for i in range(20)))
BOOKS_OFFSET = 'SELECT ' + BOOKS + ' FROM "books" AS b0 ORDER BY b0."id" LIMIT $1 OFFSET $2'
COUNT_LONG = 'SELECT count(*) FROM "books" AS b0 WHERE (b0."pages" > $1)'
LONG_PAGE = 'SELECT ' + BOOKS + ' FROM "books" AS b0 WHERE (b0."pages" > $1) ORDER BY b0."id" LIMIT $2 OFFSET $3'
KEYSET = ('SELECT ' + BOOKS + ' FROM "books" AS b0 WHERE (b0."pages" > $1) AND (b0."id" > $2) ORDER BY b0."id" LIMIT $3')


class App:
    def __init__(self, name, start):
        self.t = Tracer("ecto/" + name, start)

    def request(self, method, path, query=None):
        a = [("http.request.method", method), ("url.path", path), ("url.scheme", "http")]
        if query:
            a.append(("url.query", query))
        a += [("server.address", "localhost"), ("server.port", 4000), ("network.peer.address", "10.0.3.1"),
              ("network.peer.port", 51734), ("network.protocol.version", "1.1"), ("user_agent.original", "curl/8.5.0"),
              ("client.address", "10.0.3.1")]
        self.t.open("%s %s" % (method, path), SERVER, SC_BANDIT, a, gap=(0, 0))
        self.route = path
        self.t.us(200, 500)  # endpoint plugs, router

    def response(self, status=200):
        self.t.us(150, 500)  # Jason encoding
        self.t.close(tail=(20, 60), extra_attrs=[("http.route", self.route), ("http.response.status_code", status)])

    def q(self, sql, source, dur=(250, 900), gap=(15, 60)):
        """One [:bookshop, :repo, :query] event: a CLIENT span, backdated by total_time."""
        total = int(self.t.rng.uniform(*dur))
        queue = int(self.t.rng.uniform(8, 40))
        decode = int(self.t.rng.uniform(4, 30))
        a = [("db.instance", "bookshop_prod"), ("db.name", "bookshop_prod"), ("db.statement", sql),
             ("db.system", "postgresql"), ("db.type", "sql"), ("db.url", "ecto://postgres"),
             ("decode_time_microseconds", decode), ("idle_time_microseconds", int(self.t.rng.uniform(200, 90000))),
             ("query_time_microseconds", total - queue - decode), ("queue_time_microseconds", queue),
             ("source", source), ("total_time_microseconds", total)]
        return self.t.leaf("bookshop.repo.query:" + source, CLIENT, SC_ECTO, a, (total, total), gap=gap)

    def pause(self, lo=8, hi=30):
        self.t.us(lo, hi)


def forward_fk(app, n):
    app.request("GET", "/books", None if n != 3 else "per_page=3")
    app.q(BOOKS_PAGE % n, "books", dur=(500, 1300))
    for _ in range(n):  # Repo.get!(Author, book.author_id) per book
        app.pause()
        app.q(AUTHOR_GET, "authors")
    app.response()


def scenarios():
    S = {}

    def forward_fk_loop(app):
        forward_fk(app, 12)

    def below_threshold(app):
        forward_fk(app, 3)

    def forward_fk_join(app):
        app.request("GET", "/books")
        app.q(BOOKS_JOIN_AUTHOR, "books", dur=(700, 1500))
        app.response()

    def collection_loop(app):
        app.request("GET", "/authors")
        app.q(AUTHORS_PAGE % 8, "authors", dur=(400, 1000))
        for _ in range(8):  # Repo.preload(author, :books) per author
            app.pause()
            app.q(BOOKS_OF, "books")
        app.response()

    def collection_prefetch(app):
        app.request("GET", "/authors")
        app.q(AUTHORS_PAGE % 8, "authors", dur=(400, 1000))
        app.q(BOOKS_OF_ANY, "books", dur=(500, 1200))  # preload: [:books] in the query
        app.response()

    def count_loop(app):
        app.request("GET", "/authors/stats")
        app.q(AUTHORS_PAGE % 7, "authors", dur=(400, 1000))
        for _ in range(7):  # Repo.aggregate(from(b in Book, where: b.author_id == ^id), :count)
            app.pause()
            app.q(COUNT_OF, "books")
        app.response()

    def count_annotate(app):
        app.request("GET", "/authors/stats")
        app.q(AUTHORS_PAGE % 7, "authors", dur=(400, 1000))
        app.q(COUNT_GROUPED, "books", dur=(500, 1200))
        app.response()

    def insert_loop(app):
        app.request("POST", "/books/import")
        for _ in range(20):  # Repo.insert!(Book.changeset(%Book{}, attrs)) per row
            app.pause(30, 90)
            app.q(INSERT_ONE, "books", dur=(400, 1200))
        app.response(201)

    def insert_bulk(app):
        app.request("POST", "/books/import")
        app.q(INSERT_ALL, "books", dur=(1200, 2500))  # Repo.insert_all(Book, rows)
        app.response(201)

    def deep_offset(app):
        app.request("GET", "/books/browse", "page=251")
        app.q(BOOKS_OFFSET, "books", dur=(2500, 5000))
        app.response()

    def pagination_count(app):
        app.request("GET", "/books/search", "min_pages=100&page=3")
        app.q(COUNT_LONG, "books", dur=(1500, 3000))
        app.q(LONG_PAGE, "books", dur=(600, 1400))
        app.response()

    def keyset_page(app):
        app.request("GET", "/books/browse", "min_pages=100&after=5000")
        app.q(KEYSET, "books", dur=(500, 1200))
        app.response()

    for f in (forward_fk_loop, forward_fk_join, collection_loop, collection_prefetch, count_loop, count_annotate,
              insert_loop, insert_bulk, below_threshold, deep_offset, pagination_count, keyset_page):
        S[f.__name__] = f
    return S


FINDINGS = {
    "forward_fk_loop": [finding("n_plus_one", 12, "GET /books", "authors")],
    "forward_fk_join": [],
    "collection_loop": [finding("n_plus_one", 8, "GET /authors", "books")],
    "collection_prefetch": [],
    "count_loop": [finding("n_plus_one", 7, "GET /authors/stats", "books")],
    "count_annotate": [],
    "insert_loop": [finding("n_plus_one", 20, "POST /books/import", "books")],
    "insert_bulk": [],
    "below_threshold": [],
    "deep_offset": [],
    "pagination_count": [finding("pagination_count", 2, "GET /books/search", "books")],
    "keyset_page": [],
}

NOTES = {
    "forward_fk_loop": "12 books (Repo.all(from b in Book, order_by: b.id, limit: 12): a literal limit is written into the "
                       "SQL), then Repo.get!(Author, book.author_id) per book. Ecto emits its telemetry event after each query: "
                       "opentelemetry_ecto starts the span then, backdated by total_time, as a child of the request span "
                       "(the process's current span). There is no Ecto span around a call.",
    "forward_fk_join": "The fix, one query: join: a in assoc(b, :author), preload: [author: a].",
    "collection_loop": "8 authors, Repo.preload(author, :books) per author: WHERE (b0.\"author_id\" = $1) ORDER BY the key.",
    "collection_prefetch": "The fix: preload: :books in the query: one = ANY($1) query for the 8 authors.",
    "count_loop": "7 authors, Repo.aggregate(from(b in Book, where: b.author_id == ^author.id), :count) per author.",
    "count_annotate": "The fix: one grouped count, group_by: b.author_id, select: {b.author_id, count(b.id)}.",
    "insert_loop": "20 rows, Repo.insert!(changeset) each: one INSERT ... RETURNING \"id\", no transaction.",
    "insert_bulk": "The fix: Repo.insert_all(Book, rows): one multi-row INSERT.",
    "below_threshold": "The forward_fk_loop with 3 books.",
    "deep_offset": "Page 251 of 20 with pinned values, limit: ^20, offset: ^5000: LIMIT $1 OFFSET $2. opentelemetry_ecto "
                   "records no parameters (Ecto's telemetry metadata has them, the instrumentation does not copy them), "
                   "so the offset is invisible: no deep_offset.",
    "pagination_count": "A page with its total: Repo.aggregate(query, :count) then Repo.all(query |> order_by(:id) |> "
                        "limit(^20) |> offset(^40)), same WHERE, under the request span.",
    "keyset_page": "The fix for both: where: b.id > ^after, order_by: b.id, limit: ^20, no count.",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = ap.parse_args()
    outdir = os.path.join(args.out, "ecto")
    t0 = 1795800000 * 10**9
    for i, (name, fn) in enumerate(scenarios().items()):
        app = App(name, start_ns("ecto", name, t0, i))
        fn(app)
        print(write(outdir, name, app.t, RESOURCE, SOURCE, TRAPS[name], FINDINGS[name], NOTES[name]))


if __name__ == "__main__":
    main()
