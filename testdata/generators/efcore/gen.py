#!/usr/bin/env python3
"""Hand-shaped OTLP traces of an ASP.NET Core bookshop on EF Core 9 (SQL Server provider)
traced by OpenTelemetry .NET: OpenTelemetry.Instrumentation.AspNetCore and
OpenTelemetry.Instrumentation.EntityFrameworkCore 1.14.0-beta.2.

.NET cannot run here (no NuGet), so the traces follow the instrumentation's source, read
through the project's public-code search; README.md beside this file lists every file
followed and every assumption. Deterministic: ids and timings come from a PRNG seeded
with the scenario name.

    python3 testdata/generators/efcore/gen.py [--out DIR]      # writes DIR/efcore/
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shaped_common import CLIENT, SERVER, TRAPS, Tracer, finding, start_ns, write  # noqa: E402

SC_ASPNET = ("Microsoft.AspNetCore", "")
SC_EF = ("OpenTelemetry.Instrumentation.EntityFrameworkCore", "1.14.0-beta.2")

RESOURCE = [
    ("service.name", "bookshop-efcore"),
    ("service.instance.id", "5b0c7d2e-93a1-4f4e-9f0b-2d6f1c1e8a47"),
    ("telemetry.sdk.name", "opentelemetry"),
    ("telemetry.sdk.language", "dotnet"),
    ("telemetry.sdk.version", "1.14.0"),
]

SOURCE = ("Hand-shaped after source (.NET does not run here): ASP.NET Core 9 minimal API, EF Core 9.0 with "
          "Microsoft.EntityFrameworkCore.SqlServer and lazy-loading proxies (UseLazyLoadingProxies), SQL Server 2022; "
          "OpenTelemetry .NET SDK 1.14.0, OpenTelemetry.Instrumentation.AspNetCore 1.14.0, "
          "OpenTelemetry.Instrumentation.EntityFrameworkCore 1.14.0-beta.2 (EntityFrameworkDiagnosticListener.cs, "
          "SqlProcessor.cs, SqlParameterProcessor.cs, DatabaseSemanticConventionHelper.cs) with "
          "OTEL_SEMCONV_STABILITY_OPT_IN=database and OTEL_DOTNET_EXPERIMENTAL_EFCORE_ENABLE_TRACE_DB_QUERY_PARAMETERS=true. "
          "See testdata/generators/efcore/README.md.")


# ---- OpenTelemetry .NET's SqlProcessor (src/Shared/SqlProcessor.cs), ported -------------

def sanitize(sql):
    """Returns (sanitized text, db.query.summary) as SqlProcessor.SanitizeSql does."""
    out, summary = [], []
    state = {"capture": False}
    i, n = 0, len(sql)

    def look_ahead(word, i, is_operation=True, capture=False):
        j, k = i, 0
        while j < n and k < len(word):
            if sql[j].upper() != word[k]:
                return None
            j += 1
            k += 1
        if k < len(word) or j >= n:
            return None
        ch = sql[j]
        if ch.isalpha() or ch == "_" or ch.isdigit():
            return None
        if is_operation:
            if summary:
                summary.append(" ")
            summary.append(sql[i:j])
        out.append(sql[i:j])
        state["capture"] = capture
        return j

    while i < n:
        ch = sql[i]
        # comments
        if ch == "/" and i + 1 < n and sql[i + 1] == "*":
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if ch == "-" and i + 1 < n and sql[i + 1] == "-":
            while i < n and sql[i] not in "\r\n":
                i += 1
            continue
        # string literal
        if ch == "'":
            j = i + 1
            while j < n:
                if sql[j] == "'" and j + 1 < n and sql[j + 1] == "'":
                    j += 2
                    continue
                if sql[j] == "'":
                    break
                j += 1
            out.append("?")
            i = j + 1
            continue
        # hex literal
        if ch == "0" and i + 1 < n and sql[i + 1] in "xX":
            j = i + 2
            while j < n and sql[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append("?")
            i = j
            continue
        # numeric literal
        j = i
        if ch in "-+" and j + 1 < n and (sql[j + 1].isdigit() or sql[j + 1] == "."):
            j += 1
        period = False
        if sql[j] == "." and j + 1 < n and sql[j + 1].isdigit():
            period = True
            j += 1
        if sql[j].isdigit():
            j += 1
            exp = False
            while j < n:
                c = sql[j]
                if c.isdigit():
                    j += 1
                    continue
                if not period and c == ".":
                    period = True
                    j += 1
                    continue
                if not exp and c in "eE":
                    if j + 1 < n and sql[j + 1] in "-+":
                        j += 1
                    exp = True
                    j += 1
                    continue
                break
            out.append("?")
            i = j
            continue
        # tokens
        j = None
        for word, op, cap in (("SELECT", True, False), ("UPDATE", True, False), ("INSERT", True, False),
                              ("DELETE", True, False), ("INTO", False, True), ("FROM", False, True),
                              ("JOIN", False, True)):
            j = look_ahead(word, i, op, cap)
            if j is not None:
                break
        if j is not None:
            i = j
            continue
        if ch.isalpha() or ch == "_":
            j = i
            while j < n and (sql[j].isalpha() or sql[j] in "_." or sql[j].isdigit()):
                j += 1
            out.append(sql[i:j])
            if state["capture"]:
                state["capture"] = False
                summary.append(" " + sql[i:j])
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out), "".join(summary)


# ---- EF Core 9 SQL (SQL Server provider) --------------------------------------------------
# Columns: the key first, then the others in alphabetical order, as EF Core orders them.
BOOK_COLS = "[b].[Id], [b].[AuthorId], [b].[Pages], [b].[PublishedAt], [b].[Title]"
AUTHOR_COLS = "[a].[Id], [a].[Bio], [a].[Email], [a].[Name]"

BOOKS_PAGE = "SELECT TOP(@__p_0) " + BOOK_COLS + "\nFROM [Books] AS [b]\nORDER BY [b].[Id]"
AUTHORS_PAGE = "SELECT TOP(@__p_0) " + AUTHOR_COLS + "\nFROM [Authors] AS [a]\nORDER BY [a].[Id]"
# Lazy-loading proxies load a navigation through EntityFinder: WHERE key = @__p_0.
AUTHOR_LAZY = "SELECT " + AUTHOR_COLS + "\nFROM [Authors] AS [a]\nWHERE [a].[Id] = @__p_0"
BOOKS_LAZY = "SELECT " + BOOK_COLS + "\nFROM [Books] AS [b]\nWHERE [b].[AuthorId] = @__p_0"
BOOKS_INCLUDE_AUTHOR = ("SELECT TOP(@__p_0) " + BOOK_COLS + ", " + AUTHOR_COLS +
                        "\nFROM [Books] AS [b]\nINNER JOIN [Authors] AS [a] ON [b].[AuthorId] = [a].[Id]\nORDER BY [b].[Id]")
# .Include(a => a.Books).AsSplitQuery(): the page, then the books of the paged authors.
BOOKS_SPLIT = ("SELECT [b].[Id], [b].[AuthorId], [b].[Pages], [b].[PublishedAt], [b].[Title], [a0].[Id]\n"
               "FROM (\n    SELECT TOP(@__p_0) [a].[Id]\n    FROM [Authors] AS [a]\n    ORDER BY [a].[Id]\n) AS [a0]\n"
               "INNER JOIN [Books] AS [b] ON [a0].[Id] = [b].[AuthorId]\nORDER BY [a0].[Id]")
COUNT_BOOKS_OF = "SELECT COUNT(*)\nFROM [Books] AS [b]\nWHERE [b].[AuthorId] = @__author_Id_0"
AUTHORS_WITH_COUNT = ("SELECT TOP(@__p_0) [a].[Id], [a].[Name], (\n    SELECT COUNT(*)\n    FROM [Books] AS [b]\n"
                      "    WHERE [a].[Id] = [b].[AuthorId]) AS [BookCount]\nFROM [Authors] AS [a]\nORDER BY [a].[Id]")
# SaveChanges of one added entity (EF Core 7+ on SQL Server: no transaction, OUTPUT INSERTED).
INSERT_ONE = ("SET IMPLICIT_TRANSACTIONS OFF;\nSET NOCOUNT ON;\nINSERT INTO [Books] ([AuthorId], [Pages], [PublishedAt], [Title])\n"
              "OUTPUT INSERTED.[Id]\nVALUES (@p0, @p1, @p2, @p3);")


def insert_merge(rows):
    """SaveChanges of AddRange(rows): one batched MERGE (EF Core 7+ on SQL Server)."""
    values = ",\n".join("(@p%d, @p%d, @p%d, @p%d, %d)" % (4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3, i) for i in range(rows))
    return ("SET IMPLICIT_TRANSACTIONS OFF;\nSET NOCOUNT ON;\nMERGE [Books] USING (\nVALUES " + values +
            ") AS i ([AuthorId], [Pages], [PublishedAt], [Title], _Position) ON 1=0\nWHEN NOT MATCHED THEN\n"
            "INSERT ([AuthorId], [Pages], [PublishedAt], [Title])\nVALUES (i.[AuthorId], i.[Pages], i.[PublishedAt], i.[Title])\n"
            "OUTPUT INSERTED.[Id], i._Position;")


BOOKS_OFFSET = ("SELECT " + BOOK_COLS + "\nFROM [Books] AS [b]\nORDER BY [b].[Id]\n"
                "OFFSET @__p_0 ROWS FETCH NEXT @__p_1 ROWS ONLY")
COUNT_LONG = "SELECT COUNT(*)\nFROM [Books] AS [b]\nWHERE [b].[Pages] > @__minPages_0"
LONG_PAGE = ("SELECT " + BOOK_COLS + "\nFROM [Books] AS [b]\nWHERE [b].[Pages] > @__minPages_0\nORDER BY [b].[Id]\n"
             "OFFSET @__p_1 ROWS FETCH NEXT @__p_2 ROWS ONLY")
KEYSET = ("SELECT TOP(@__p_2) " + BOOK_COLS + "\nFROM [Books] AS [b]\n"
          "WHERE [b].[Pages] > @__minPages_0 AND [b].[Id] > @__after_1\nORDER BY [b].[Id]")

NEW_BOOKS = [(i % 10 + 1, 200 + i, "2024-06-01T00:00:00.0000000", "New Release %d" % (i + 1)) for i in range(20)]


class App:
    def __init__(self, name, start):
        self.t = Tracer("efcore/" + name, start)

    def request(self, method, path, route, query=None):
        a = [("server.address", "localhost"), ("server.port", 8080), ("http.request.method", method),
             ("url.scheme", "http"), ("url.path", path)]
        if query:
            a.append(("url.query", "?" + query))
        a += [("network.protocol.version", "1.1"), ("user_agent.original", "curl/8.5.0")]
        self.t.open("%s %s" % (method, route), SERVER, SC_ASPNET, a, gap=(0, 0))
        self.route = route
        self.t.us(120, 300)  # routing, endpoint, DbContext from the pool

    def response(self, status=200):
        self.t.us(150, 600)  # System.Text.Json serialisation
        self.t.close(tail=(20, 60), extra_attrs=[("http.route", self.route), ("http.response.status_code", status)])

    def ef(self, sql, params=(), dur=(250, 900), gap=(20, 80)):
        """One EF Core command span: CommandCreated -> Executing -> Executed."""
        text, summary = sanitize(sql)
        a = [("db.system.name", "microsoft.sql_server"), ("server.address", "sqlserver"), ("server.port", 1433),
             ("db.namespace", "Bookshop")]
        a += [("db.query.parameter." + k, str(v)) for k, v in params]
        a += [("db.query.text", text), ("db.query.summary", summary)]
        return self.t.leaf(summary or "Bookshop", CLIENT, SC_EF, a, dur, gap=gap)

    def pause(self, lo=10, hi=40):
        self.t.us(lo, hi)  # application code, proxy interception, change tracking


R = "GET /books"


def forward_fk(app, n):
    app.request("GET", "/books", "/books", None if n != 3 else "per_page=3")
    app.ef(BOOKS_PAGE, [("@__p_0", n)], dur=(500, 1300))
    for i in range(n):  # book.Author.Name: the proxy loads the navigation
        app.pause()
        app.ef(AUTHOR_LAZY, [("@__p_0", i % 10 + 1)])
    app.response()


def scenarios():
    S = {}

    def forward_fk_loop(app):
        forward_fk(app, 10)

    def below_threshold(app):
        forward_fk(app, 3)

    def forward_fk_join(app):
        app.request("GET", "/books", "/books")
        app.ef(BOOKS_INCLUDE_AUTHOR, [("@__p_0", 10)], dur=(700, 1500))
        app.response()

    def collection_loop(app):
        app.request("GET", "/authors", "/authors")
        app.ef(AUTHORS_PAGE, [("@__p_0", 8)], dur=(400, 1000))
        for i in range(8):  # author.Books: the proxy loads the collection
            app.pause()
            app.ef(BOOKS_LAZY, [("@__p_0", i + 1)])
        app.response()

    def collection_prefetch(app):
        app.request("GET", "/authors", "/authors")
        app.ef(AUTHORS_PAGE, [("@__p_0", 8)], dur=(400, 1000))
        app.ef(BOOKS_SPLIT, [("@__p_0", 8)], dur=(600, 1400))
        app.response()

    def count_loop(app):
        app.request("GET", "/authors/stats", "/authors/stats")
        app.ef(AUTHORS_PAGE, [("@__p_0", 7)], dur=(400, 1000))
        for i in range(7):  # await db.Books.CountAsync(b => b.AuthorId == author.Id)
            app.pause()
            app.ef(COUNT_BOOKS_OF, [("@__author_Id_0", i + 1)])
        app.response()

    def count_annotate(app):
        app.request("GET", "/authors/stats", "/authors/stats")
        app.ef(AUTHORS_WITH_COUNT, [("@__p_0", 7)], dur=(600, 1400))
        app.response()

    def insert_loop(app):
        app.request("POST", "/books/import", "/books/import")
        for author, pages, published, title in NEW_BOOKS:  # db.Books.Add(book); await db.SaveChangesAsync();
            app.pause(30, 90)
            app.ef(INSERT_ONE, [("@p0", author), ("@p1", pages), ("@p2", published), ("@p3", title)], dur=(400, 1200))
        app.response(201)

    def insert_bulk(app):
        app.request("POST", "/books/import", "/books/import")
        params = []
        for i, row in enumerate(NEW_BOOKS):
            params += [("@p%d" % (4 * i + k), v) for k, v in enumerate(row)]
        app.ef(insert_merge(len(NEW_BOOKS)), params, dur=(1500, 3000))
        app.response(201)

    def deep_offset(app):
        app.request("GET", "/books/browse", "/books/browse", "page=251")
        app.ef(BOOKS_OFFSET, [("@__p_0", 5000), ("@__p_1", 20)], dur=(2500, 5000))
        app.response()

    def pagination_count(app):
        app.request("GET", "/books/search", "/books/search", "min_pages=100&page=3")
        app.ef(COUNT_LONG, [("@__minPages_0", 100)], dur=(1500, 3000))
        app.ef(LONG_PAGE, [("@__minPages_0", 100), ("@__p_1", 40), ("@__p_2", 20)], dur=(600, 1400))
        app.response()

    def keyset_page(app):
        app.request("GET", "/books/browse", "/books/browse", "min_pages=100&after=5000")
        app.ef(KEYSET, [("@__minPages_0", 100), ("@__after_1", 5000), ("@__p_2", 20)], dur=(500, 1200))
        app.response()

    for f in (forward_fk_loop, forward_fk_join, collection_loop, collection_prefetch, count_loop, count_annotate,
              insert_loop, insert_bulk, below_threshold, deep_offset, pagination_count, keyset_page):
        S[f.__name__] = f
    return S


def summary(sql):
    return sanitize(sql)[1]


FINDINGS = {
    "forward_fk_loop": [finding("n_plus_one", 10, "GET /books", "Authors")],
    "forward_fk_join": [],
    "collection_loop": [finding("n_plus_one", 8, "GET /authors", "Books")],
    "collection_prefetch": [],
    "count_loop": [finding("n_plus_one", 7, "GET /authors/stats", "Books")],
    "count_annotate": [],
    "insert_loop": [finding("n_plus_one", 20, "POST /books/import", "Books")],
    "insert_bulk": [],
    "below_threshold": [],
    "deep_offset": [finding("deep_offset", 1, summary(BOOKS_OFFSET), "Books")],
    "pagination_count": [finding("pagination_count", 2, "GET /books/search", "Books")],
    "keyset_page": [],
}

NOTES = {
    "forward_fk_loop": "10 books (db.Books.OrderBy(b => b.Id).Take(10)), each by a different author, and book.Author.Name "
                       "read through a lazy-loading proxy: one SELECT ... WHERE [a].[Id] = @__p_0 per book, each a CLIENT "
                       "span of the EF Core instrumentation directly under the ASP.NET Core server span (EF Core makes no "
                       "span of its own around a lazy load). Parameter values are recorded (db.query.parameter.@__p_0).",
    "forward_fk_join": "The fix: .Include(b => b.Author): one INNER JOIN.",
    "collection_loop": "8 authors, author.Books read through a lazy-loading proxy: one query per author on [Books] by [AuthorId].",
    "collection_prefetch": "The fix: .Include(a => a.Books).AsSplitQuery(): the page of authors, then the books of those "
                           "authors (the page as a subquery, TOP inside it).",
    "count_loop": "7 authors, await db.Books.CountAsync(b => b.AuthorId == author.Id) per author.",
    "count_annotate": "The fix: a projection with a.Books.Count(): a correlated COUNT subquery in the one query.",
    "insert_loop": "20 books, db.Books.Add(book) and await db.SaveChangesAsync() per row. EF Core 7+ writes each as "
                   "SET IMPLICIT_TRANSACTIONS OFF; SET NOCOUNT ON; INSERT ... OUTPUT INSERTED.[Id] VALUES (@p0, ...): "
                   "the statement's first word is SET, its db.query.summary (the span name) INSERT Books.",
    "insert_bulk": "The fix: db.Books.AddRange(rows) and one SaveChangesAsync(): one MERGE ... OUTPUT command of 20 rows.",
    "below_threshold": "The forward_fk_loop with 3 books: 3 lazy loads, under the threshold of 5.",
    "deep_offset": "Page 251 of 20: .OrderBy(b => b.Id).Skip(5000).Take(20), OFFSET @__p_0 ROWS FETCH NEXT @__p_1 ROWS ONLY; "
                   "the offset is visible only as db.query.parameter.@__p_0 = 5000 (the instrumentation keys the "
                   "parameters by DbParameter.ParameterName, @ included). The span is named after db.query.summary.",
    "pagination_count": "A page with its total: query.CountAsync() then query.OrderBy(b => b.Id).Skip(40).Take(20), both "
                        "WHERE [b].[Pages] > @__minPages_0, under the server span.",
    "keyset_page": "The fix for both: .Where(b => b.Pages > minPages && b.Id > after).OrderBy(b => b.Id).Take(20), no count.",
}


# Scenarios querylens got wrong when they were written (none now): written to pending/
# beside this file, out of testdata/*/, with their true findings.
PENDING = {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = ap.parse_args()
    outdir = os.path.join(args.out, "efcore")
    t0 = 1795600000 * 10**9
    for i, (name, fn) in enumerate(scenarios().items()):
        app = App(name, start_ns("efcore", name, t0, i))
        fn(app)
        note, out = NOTES[name], outdir
        if name in PENDING:
            note, out = note + " Pending: " + PENDING[name], os.path.join(os.path.dirname(os.path.abspath(__file__)), "pending")
        print(("pending/" if name in PENDING else "") +
              write(out, name, app.t, RESOURCE, SOURCE, TRAPS[name], FINDINGS[name], note))


if __name__ == "__main__":
    main()
