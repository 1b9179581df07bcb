#!/usr/bin/env python3
"""Hand-shaped OTLP traces for Rails ActiveRecord (opentelemetry-ruby contrib
instrumentations).

The Ruby SDK cannot run on this machine (no RubyGems), so these traces are built by
following the instrumentations' source code; see README.md beside this file for every
source file followed and every assumption. (The Hibernate traces that this file also
shaped once are recorded now: ../hibernate/.)

Writes:
  ../../activerecord/<scenario>.json
  ../../activerecord/<scenario>.expected.json

Standard library only.  Deterministic: ids and timings come from a PRNG seeded with
the output file name, so re-running rewrites identical files.

    python3 gen.py [--out DIR]
"""

import argparse
import json
import os
import random
import zlib

# --------------------------------------------------------------------------------------
# generic span model

SERVER, INTERNAL, CLIENT = 2, 1, 3


class Span:
    __slots__ = ("trace_id", "span_id", "parent", "name", "kind", "scope", "attrs",
                 "start", "end", "children")

    def __init__(self, trace_id, span_id, parent, name, kind, scope, attrs, start):
        self.trace_id = trace_id
        self.span_id = span_id
        self.parent = parent
        self.name = name
        self.kind = kind
        self.scope = scope
        self.attrs = attrs  # list of (key, value) in emission order
        self.start = start
        self.end = None
        self.children = []

    def attr(self, key):
        for k, v in self.attrs:
            if k == key:
                return v
        return None


class Tracer:
    """Builds one trace on a simulated clock (ns).  open()/close() nest spans; the clock
    only moves forward, so children are sequential and inside their parents."""

    def __init__(self, seed_name, start_ns, flags=None, common_attrs=None):
        self.rng = random.Random(zlib.crc32(seed_name.encode()))
        self.trace_id = "%032x" % self.rng.getrandbits(128)
        self.now = start_ns
        self.spans = []
        self.stack = []
        self.flags = flags
        self.common_attrs = common_attrs or []

    def _span_id(self):
        while True:
            v = self.rng.getrandbits(64)
            if v:
                return "%016x" % v

    def us(self, lo, hi):
        """advance the clock by a random number of microseconds in [lo, hi]"""
        self.now += int(self.rng.uniform(lo, hi) * 1000)

    def open(self, name, kind, scope, attrs, gap=(2, 15)):
        self.us(*gap)
        parent = self.stack[-1] if self.stack else None
        s = Span(self.trace_id, self._span_id(), parent, name, kind, scope,
                 list(attrs) + list(self.common_attrs), self.now)
        if parent:
            parent.children.append(s)
        self.spans.append(s)
        self.stack.append(s)
        return s

    def close(self, tail=(3, 20), extra_attrs=None):
        self.us(*tail)
        s = self.stack.pop()
        if extra_attrs:
            # attributes added at span end (e.g. http status) go before the common ones
            n = len(self.common_attrs)
            s.attrs[len(s.attrs) - n:len(s.attrs) - n] = extra_attrs
        s.end = self.now
        return s

    def leaf(self, name, kind, scope, attrs, dur_us, gap=(2, 15)):
        self.open(name, kind, scope, attrs, gap=gap)
        self.us(*dur_us)
        return self.close(tail=(0, 0))


# --------------------------------------------------------------------------------------
# OTLP JSON encoding


def any_value(v):
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, (list, tuple)):
        return {"arrayValue": {"values": [any_value(x) for x in v]}}
    return {"stringValue": str(v)}


def kv(attrs):
    return [{"key": k, "value": any_value(v)} for k, v in attrs]


def span_json(s, flags):
    d = {"traceId": s.trace_id, "spanId": s.span_id}
    if s.parent is not None:
        d["parentSpanId"] = s.parent.span_id
    if flags is not None:
        d["flags"] = flags
    d.update({
        "name": s.name,
        "kind": s.kind,
        "startTimeUnixNano": str(s.start),
        "endTimeUnixNano": str(s.end),
        "attributes": kv(s.attrs),
        "status": {},
    })
    return d


def export_lines(tracer, resource_attrs, n_batches):
    """Batch span processor: spans are queued when they end and exported in that order;
    each export is one ExportTraceServiceRequest, grouped by resource then scope."""
    ended = sorted(tracer.spans, key=lambda s: (s.end, s.start))
    n = len(ended)
    bounds = [round(i * n / n_batches) for i in range(n_batches + 1)]
    lines = []
    for i in range(n_batches):
        batch = ended[bounds[i]:bounds[i + 1]]
        scopes = []
        by_scope = {}
        for s in batch:
            if s.scope not in by_scope:
                by_scope[s.scope] = []
                scopes.append(s.scope)
            by_scope[s.scope].append(s)
        req = {"resourceSpans": [{
            "resource": {"attributes": kv(resource_attrs)},
            "scopeSpans": [{
                "scope": {"name": sc[0], "version": sc[1]},
                "spans": [span_json(s, tracer.flags) for s in by_scope[sc]],
            } for sc in scopes],
        }]}
        lines.append(json.dumps(req, separators=(",", ":")))
    return lines


def n_batches_for(tracer):
    return 3 if len(tracer.spans) > 20 else 2


def common_ancestor(spans):
    paths = []
    for s in spans:
        p, chain = s, []
        while p is not None:
            chain.append(p)
            p = p.parent
        paths.append(list(reversed(chain)))
    anc = None
    for level in zip(*paths):
        if all(x is level[0] for x in level):
            anc = level[0]
        else:
            break
    return anc


def repeated_db_group(tracer, statement_key):
    """The largest group of CLIENT spans sharing one statement (the would-be N+1);
    transaction control statements (BEGIN/COMMIT) are not candidates."""
    groups = {}
    for s in tracer.spans:
        if s.kind == CLIENT and s.attr("db.operation") not in ("BEGIN", "COMMIT"):
            groups.setdefault(s.attr(statement_key), []).append(s)
    stmt, group = max(groups.items(), key=lambda kvp: len(kvp[1]))
    return stmt, group


# ======================================================================================
# Rails 7.2 ActiveRecord + opentelemetry-ruby contrib
# ======================================================================================

SC_RACK = ("OpenTelemetry::Instrumentation::Rack", "0.26.0")
SC_AR = ("OpenTelemetry::Instrumentation::ActiveRecord", "0.9.0")
SC_PG = ("OpenTelemetry::Instrumentation::PG", "0.30.0")

RUBY_RESOURCE = [
    ("service.name", "bookshop-rails"),
    ("process.pid", 1),
    ("process.command", "bin/rails"),
    ("process.runtime.name", "ruby"),
    ("process.runtime.version", "3.3.7"),
    ("process.runtime.description", "ruby 3.3.7 (2025-01-15 revision be31f993d7) +YJIT [x86_64-linux]"),
    ("telemetry.sdk.name", "opentelemetry"),
    ("telemetry.sdk.language", "ruby"),
    ("telemetry.sdk.version", "1.8.0"),
]

RDB = "bookshop_production"

# Rails 7.2 SQL on PostgreSQL (prepared statements on).  config.active_record.
# query_log_tags_enabled = true appends a sqlcommenter comment to every statement
# (BEGIN/COMMIT included); the pg instrumentation's obfuscator (postgres dialect:
# single_quotes, dollar_quotes, uuids, numeric_literals, boolean_literals, comments,
# multi_line_comments) turns "$1" into "$?" and the whole trailing comment into "?".
R_BOOKS_PAGE = 'SELECT "books".* FROM "books" ORDER BY "books"."id" ASC LIMIT $1'
R_AUTHORS_PAGE = 'SELECT "authors".* FROM "authors" ORDER BY "authors"."id" ASC LIMIT $1'
R_AUTHOR_BY_ID = 'SELECT "authors".* FROM "authors" WHERE "authors"."id" = $1 LIMIT $2'
R_BOOKS_OF_AUTHOR = 'SELECT "books".* FROM "books" WHERE "books"."author_id" = $1'
R_TAGS_OF_BOOK = ('SELECT "tags".* FROM "tags" INNER JOIN "books_tags" ON "tags"."id" = '
                  '"books_tags"."tag_id" WHERE "books_tags"."book_id" = $1')
R_COUNT_BOOKS = 'SELECT COUNT(*) FROM "books" WHERE "books"."author_id" = $1'
R_COUNT_GROUPED = ('SELECT COUNT(*) AS "count_all", "books"."author_id" AS "books_author_id" '
                   'FROM "books" GROUP BY "books"."author_id"')
R_INSERT = ('INSERT INTO "books" ("title", "author_id", "created_at", "updated_at") '
            'VALUES ($1, $2, $3, $4) RETURNING "id"')


def r_in(prefix, n):
    return prefix + "(" + ", ".join("$%d" % (i + 1) for i in range(n)) + ")"


def r_insert_all(rows):
    vals = ", ".join("('%s', %d, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)" % (t.replace("'", "''"), a)
                     for t, a in rows)
    return ('INSERT INTO "books" ("title","author_id","created_at","updated_at") VALUES '
            + vals + ' ON CONFLICT  DO NOTHING RETURNING "id"')


def sqlcommenter(controller, action):
    # ActiveRecord::QueryLogs, sqlcommenter format (Rails >= 7.1 default), tags
    # [:application, :controller, :action], appended (query_log_tags_prepend_comment = false)
    return "/*action='%s',application='Bookshop',controller='%s'*/" % (action, controller)


def pg_obfuscate(sql):
    """OpenTelemetry::Helpers::SqlProcessor::Obfuscator, adapter :postgres."""
    import re
    comps = [
        r"'(?:[^']|'')*?(?:\\'.*|'(?!'))",                  # single_quotes
        r"(\$(?!\d)[^$]*?\$).*?(?:\1|$)",                    # dollar_quotes
        r"\{?(?:[0-9a-fA-F]\-*){32}\}?",                     # uuids
        r"-?\b(?:[0-9]+\.)?[0-9]+([eE][+-]?[0-9]+)?\b",      # numeric_literals
        r"(?i:\b(?:true|false|null)\b)",                     # boolean_literals
        r"(?:#|--).*?(?=\r|\n|$)",                           # comments
        r"(?s:(?:\/\*.*?\*\/))",                             # multi_line_comments
    ]
    # Ruby's Regexp.union renumbers nothing: the backreference \1 in dollar_quotes refers
    # to the first group overall, which is dollar_quotes' own group (single_quotes has none)
    rx = re.compile("|".join("(?:%s)" % c for c in comps))
    out = rx.sub("?", sql)
    if re.search(r"'|\/\*|\*\/|\$(?!\?)", out):
        return "Failed to obfuscate SQL query - quote characters remained after obfuscation"
    return out


TABLE_NAME = None


def pg_collection_name(text):
    import re
    global TABLE_NAME
    if TABLE_NAME is None:
        TABLE_NAME = re.compile(
            r"\b(?:FROM|INTO|UPDATE|CREATE\s+TABLE(?:\s+IF\s+NOT\s+EXISTS)?|DROP\s+TABLE"
            r"(?:\s+IF\s+EXISTS)?|ALTER\s+TABLE(?:\s+IF\s+EXISTS)?)\s+\"?([\w\.]+)\"?", re.I)
    m = TABLE_NAME.search(text)
    return m.group(1) if m else None


PG_SQL_COMMANDS = {"ABORT", "ALTER", "ANALYZE", "BEGIN", "CALL", "CHECKPOINT", "CLOSE", "CLUSTER",
                   "COMMENT", "COMMIT", "COPY", "CREATE", "DEALLOCATE", "DECLARE", "DELETE",
                   "DISCARD", "DO", "DROP", "END", "EXECUTE", "EXPLAIN", "FETCH", "GRANT",
                   "IMPORT", "INSERT", "LISTEN", "LOAD", "LOCK", "MOVE", "NOTIFY", "PREPARE",
                   "REASSIGN", "REFRESH", "REINDEX", "RELEASE", "RESET", "REVOKE", "ROLLBACK",
                   "SAVEPOINT", "SECURITY", "SELECT", "SET", "SHOW", "START", "TRUNCATE",
                   "UNLISTEN", "UPDATE", "VACUUM", "VALUES"}


class RubyApp:
    def __init__(self, scenario, start_ns):
        self.t = Tracer("activerecord/" + scenario, start_ns, flags=None)
        self.stmt_names = {}
        self.next_stmt = 17  # per-connection StatementPool counter ("a1", "a2", ...)
        self.comment = None

    def request(self, method, path, route, controller, action, query=None):
        self.comment = sqlcommenter(controller, action)
        target = path + ("?" + query if query else "")
        a = [
            ("http.method", method),
            ("http.host", "localhost:3000"),
            ("http.scheme", "http"),
            ("http.target", target),
            ("http.user_agent", "curl/8.5.0"),
        ]
        # Rack creates "HTTP GET"; ActionPack's process_action.action_controller handler
        # renames it (span_naming :semconv) and adds code.* and http.route.
        self.t.open("%s %s" % (method, route.replace("(.:format)", "")), SERVER, SC_RACK, a,
                    gap=(0, 0))
        self.t.spans[0].attrs += [
            ("code.namespace", "%sController" % controller.capitalize()),
            ("code.function", action),
            ("http.route", route),
        ]
        self.t.us(350, 900)  # middleware stack, routing, before_action

    def response(self, status):
        self.t.us(300, 1200)  # render json
        self.t.close(tail=(60, 250), extra_attrs=[("http.status_code", status)])

    def _client_attrs(self):
        # Patches::Connection#client_attributes + transport_attrs (TCP)
        return [
            ("db.system", "postgresql"),
            ("db.user", "bookshop"),
            ("db.name", RDB),
            ("net.transport", "ip_tcp"),
            ("net.peer.name", "postgres"),
            ("net.peer.ip", "172.18.0.3"),
            ("net.peer.port", 5432),
        ]

    def exec_prepared(self, sql, dur=(250, 900), gap=(20, 80)):
        """exec_cache -> PG::Connection#exec_prepared(stmt_key, binds); the statement was
        prepared earlier on this (warm) connection, so no PREPARE span here and the pg
        instrumentation's LRU cache supplies db.statement."""
        full = sql + " " + self.comment
        if full not in self.stmt_names:
            self.stmt_names[full] = "a%d" % self.next_stmt
            self.next_stmt += 1
        name = self.stmt_names[full]
        attrs = self._client_attrs() + [
            ("db.operation", "EXECUTE"),
            ("db.postgresql.prepared_statement_name", name),
            ("db.statement", pg_obfuscate(full)),
            # db.collection.name is scanned from args[0] = the statement NAME: never found
        ]
        return self.t.leaf("EXECUTE " + RDB, CLIENT, SC_PG, attrs, dur, gap=gap)

    def exec_text(self, sql, dur=(250, 900), gap=(20, 80)):
        """exec_params / async_exec (no binds, BEGIN/COMMIT, insert_all, group count)."""
        full = sql + " " + self.comment
        op = full.split()[0].upper()
        op = op if op in PG_SQL_COMMANDS else None
        attrs = self._client_attrs()
        if op:
            attrs.append(("db.operation", op))
        attrs.append(("db.statement", pg_obfuscate(full)))
        coll = pg_collection_name(full)
        if coll:
            attrs.append(("db.collection.name", coll))
        name = (op + " " + RDB) if op else RDB
        return self.t.leaf(name, CLIENT, SC_PG, attrs, dur, gap=gap)

    def ar_query(self, model, sql, dur=(250, 900), gap=(30, 120)):
        """Patches::Querying#_query_by_sql -> "<Model> query" around the adapter call."""
        self.t.open("%s query" % model, INTERNAL, SC_AR, [], gap=gap)
        self.t.us(40, 140)  # sanitize_sql, with_connection, log subscriber
        self.exec_prepared(sql, dur=dur, gap=(10, 40))
        self.t.us(40, 260)  # instantiate records
        self.t.close(tail=(3, 15))

    def pause(self, lo=15, hi=70):
        self.t.us(lo, hi)


RUBY_SOURCE = ("Hand-shaped after source (SDK not run here): Rails 7.2 / ActiveRecord on "
               "PostgreSQL 16 via pg 1.5 (prepared statements on, query_log_tags_enabled with "
               "the sqlcommenter format), opentelemetry-sdk 1.8.0, "
               "opentelemetry-instrumentation-rack 0.26 + action_pack 0.12 (server span), "
               "active_record 0.9 (INTERNAL '<Model> query' / '<Model>.create!' / "
               "'<Model>#save!' / '<Model>.insert_all' spans), pg 0.30 (CLIENT spans, "
               "db_statement: :obfuscate). See testdata/generators/handshaped/README.md.")


def rails_forward_fk(app, n, query=None):
    app.request("GET", "/books", "/books(.:format)", "books", "index", query)
    app.ar_query("Book", R_BOOKS_PAGE, dur=(500, 1300))
    for _ in range(n):  # book.author.name: belongs_to reader -> StatementCache -> find_by_sql
        app.pause()
        app.ar_query("Author", R_AUTHOR_BY_ID)
    app.response(200)


def ruby_scenarios():
    S = {}

    def forward_fk_loop(app):
        rails_forward_fk(app, 12)

    def forward_fk_join(app):
        # Book.includes(:author).order(:id).limit(12): preload = a second query with IN
        app.request("GET", "/books", "/books(.:format)", "books", "index")
        app.ar_query("Book", R_BOOKS_PAGE, dur=(500, 1300))
        app.ar_query("Author", r_in('SELECT "authors".* FROM "authors" WHERE "authors"."id" IN ', 12),
                     dur=(600, 1400))
        app.response(200)

    def collection_loop(app):
        app.request("GET", "/authors", "/authors(.:format)", "authors", "index")
        app.ar_query("Author", R_AUTHORS_PAGE, dur=(400, 1100))
        for _ in range(8):  # author.books.to_a
            app.pause()
            app.ar_query("Book", R_BOOKS_OF_AUTHOR)
        app.response(200)

    def collection_prefetch(app):
        app.request("GET", "/authors", "/authors(.:format)", "authors", "index")
        app.ar_query("Author", R_AUTHORS_PAGE, dur=(400, 1100))
        app.ar_query("Book", r_in('SELECT "books".* FROM "books" WHERE "books"."author_id" IN ', 8),
                     dur=(600, 1500))
        app.response(200)

    def m2m_loop(app):
        app.request("GET", "/books/tags", "/books/tags(.:format)", "books", "tags")
        app.ar_query("Book", R_BOOKS_PAGE, dur=(500, 1200))
        for _ in range(10):  # has_and_belongs_to_many :tags; book.tags.to_a
            app.pause()
            app.ar_query("Tag", R_TAGS_OF_BOOK)
        app.response(200)

    def m2m_prefetch(app):
        # Book.includes(:tags): HABTM preloads through its anonymous join model
        # Book::HABTM_Tags (table books_tags), then the tags
        app.request("GET", "/books/tags", "/books/tags(.:format)", "books", "tags")
        app.ar_query("Book", R_BOOKS_PAGE, dur=(500, 1200))
        app.ar_query("Book::HABTM_Tags",
                     r_in('SELECT "books_tags".* FROM "books_tags" WHERE "books_tags"."book_id" IN ', 10),
                     dur=(500, 1200))
        app.ar_query("Tag", r_in('SELECT "tags".* FROM "tags" WHERE "tags"."id" IN ', 6),
                     dur=(400, 1000))
        app.response(200)

    def count_loop(app):
        app.request("GET", "/authors/stats", "/authors/stats(.:format)", "authors", "stats")
        app.ar_query("Author", R_AUTHORS_PAGE, dur=(400, 1000))
        for _ in range(7):  # author.books.count: Calculations -> select_all, no AR span
            app.pause(30, 90)
            app.exec_prepared(R_COUNT_BOOKS, dur=(300, 800), gap=(60, 160))
        app.response(200)

    def count_annotate(app):
        app.request("GET", "/authors/stats", "/authors/stats(.:format)", "authors", "stats")
        app.ar_query("Author", R_AUTHORS_PAGE, dur=(400, 1000))
        app.pause(30, 90)
        # Book.group(:author_id).count: no binds -> exec_no_cache -> exec_params
        app.exec_text(R_COUNT_GROUPED, dur=(700, 1600), gap=(60, 160))
        app.response(200)

    def insert_loop(app):
        app.request("POST", "/books/import", "/books/import(.:format)", "books", "import")
        app.ar_query("Author", R_AUTHOR_BY_ID)  # Author.find(params[:author_id])
        for _ in range(20):  # Book.create!(title:, author:)
            app.pause(20, 60)
            app.t.open("Book.create!", INTERNAL, SC_AR, [], gap=(5, 20))
            app.t.us(30, 90)  # new(attributes)
            app.t.open("Book#save!", INTERNAL, SC_AR, [], gap=(5, 20))
            app.t.us(40, 120)  # validations (author already loaded), before_save
            # with_transaction_returning_status -> lazy transaction materialised by the INSERT
            app.exec_text("BEGIN", dur=(90, 250), gap=(20, 60))
            app.exec_prepared(R_INSERT, dur=(400, 1100), gap=(15, 50))
            app.exec_text("COMMIT", dur=(300, 900), gap=(20, 70))
            app.t.close(tail=(15, 50))
            app.t.close(tail=(3, 10))
        app.response(201)

    def insert_bulk(app):
        app.request("POST", "/books/import", "/books/import(.:format)", "books", "import")
        app.ar_query("Author", R_AUTHOR_BY_ID)
        app.pause(40, 120)
        rows = [("Imported Book %d" % (i + 1), 4) for i in range(20)]
        app.t.open("Book.insert_all", INTERNAL, SC_AR, [], gap=(10, 30))
        app.t.us(150, 400)  # InsertAll builder, type casting
        app.exec_text(r_insert_all(rows), dur=(1500, 3000), gap=(20, 60))
        app.t.close(tail=(20, 60))
        app.response(201)

    def below_threshold(app):
        rails_forward_fk(app, 3, query="per_page=3")

    for f in (forward_fk_loop, forward_fk_join, collection_loop, collection_prefetch, m2m_loop,
              m2m_prefetch, count_loop, count_annotate, insert_loop, insert_bulk, below_threshold):
        S[f.__name__] = f
    return S


# ======================================================================================
# expected findings

SEED = {
    "forward_fk_loop": "N+1 on forward FK",
    "forward_fk_join": "N+1 on forward FK",
    "below_threshold": "N+1 on forward FK",
    "collection_loop": "N+1 on collection / M2M",
    "collection_prefetch": "N+1 on collection / M2M",
    "m2m_loop": "N+1 on collection / M2M",
    "m2m_prefetch": "N+1 on collection / M2M",
    "count_loop": "Counting in Python",
    "count_annotate": "Counting in Python",
    "insert_loop": "not in the seed list: row-at-a-time inserts (N+1 on writes)",
    "insert_bulk": "not in the seed list: row-at-a-time inserts (N+1 on writes)",
}

LOOPS = {"forward_fk_loop": ("authors", 12), "collection_loop": ("books", 8),
         "m2m_loop": ("tags", 10), "count_loop": ("books", 7), "insert_loop": ("books", 20)}

NOTES = {
    "activerecord": {
        "forward_fk_loop": "Book.order(:id).limit(12).each { |b| b.author.name }: every load goes through _query_by_sql, so each of the 12 'EXECUTE bookshop_production' pg spans (the repeated authors statement) is the only child of its own INTERNAL 'Author query' span; the 12 'Author query' spans are children of the server span 'GET /books', the common ancestor (anchor).",
        "forward_fk_join": "Book.includes(:author).order(:id).limit(12): the preloader runs a second query, WHERE \"authors\".\"id\" IN ($?, ... 12 binds), under its own 'Author query' span.",
        "collection_loop": "Author.order(:id).limit(8).each { |a| a.books.to_a }: 8 'Book query' spans under the server span, each wrapping one EXECUTE of SELECT \"books\".* ... WHERE \"books\".\"author_id\" = $?.",
        "collection_prefetch": "Author.includes(:books): one extra query WHERE \"books\".\"author_id\" IN ($?, ... 8 binds).",
        "m2m_loop": "has_and_belongs_to_many :tags; Book.order(:id).limit(10).each { |b| b.tags.to_a }: 10 'Tag query' spans under the server span, each wrapping one EXECUTE of the INNER JOIN books_tags statement.",
        "m2m_prefetch": "Book.includes(:tags): HABTM preloads through its anonymous join model, so one 'Book::HABTM_Tags query' (books_tags IN 10 binds) and one 'Tag query' (tags IN 6 binds).",
        "count_loop": "Author.limit(7).each { |a| a.books.count }: Calculations call select_all directly (no _query_by_sql), so the 7 EXECUTE spans of SELECT COUNT(*) FROM \"books\" WHERE \"books\".\"author_id\" = $? are direct children of the server span (no ActiveRecord wrapper).",
        "count_annotate": "Book.group(:author_id).count: one statement without binds, sent with exec_params, so the pg span is 'SELECT bookshop_production' with db.operation SELECT and db.collection.name books.",
        "insert_loop": "Author.find, then 20 Book.create!(title:, author:). Each create! is 'Book.create!' > 'Book#save!' > three pg spans: 'BEGIN bookshop_production', 'EXECUTE bookshop_production' (INSERT ... RETURNING \"id\"), 'COMMIT bookshop_production'. The 20 INSERT spans are the finding; their common ancestor is the server span (anchor), two ActiveRecord levels up. The 20 BEGIN and 20 COMMIT spans repeat too but are the transaction wrapper of each insert and name no table: they must not produce a finding of their own.",
        "insert_bulk": "Book.insert_all(20 rows): one 'Book.insert_all' span wrapping one 'INSERT bookshop_production' pg span (no binds -> exec_params; literals obfuscated to ?, timestamps are CURRENT_TIMESTAMP, ON CONFLICT  DO NOTHING RETURNING \"id\"). No transaction spans.",
        "below_threshold": "Same code as forward_fk_loop for 3 books (?per_page=3): 3 'Author query' spans, below the default threshold of 5.",
    },
}


def expected(framework, scenario, tracer, source):
    findings = []
    stmt_key = "db.statement"
    if scenario in LOOPS:
        table, n = LOOPS[scenario]
        stmt, group = repeated_db_group(tracer, stmt_key)
        assert len(group) == n, (framework, scenario, len(group), n)
        anc = common_ancestor(group)
        findings.append({"type": "n_plus_one", "count": len(group),
                         "anchor_span_name": anc.name, "table": table})
    else:
        # fixed forms and below_threshold: no statement may repeat 5 or more times
        stmt, group = repeated_db_group(tracer, stmt_key)
        assert len(group) < 5, (framework, scenario, len(group))
    return {
        "source": source,
        "scenario": scenario,
        "seed_trap": SEED[scenario],
        "findings": findings,
        "note": NOTES[framework][scenario],
    }


ORDER = ["forward_fk_loop", "forward_fk_join", "collection_loop", "collection_prefetch",
         "m2m_loop", "m2m_prefetch", "count_loop", "count_annotate", "insert_loop",
         "insert_bulk", "below_threshold"]

# 2025-03-18T09:31:00Z
RUBY_T0 = 1742290260 * 10**9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = ap.parse_args()

    for framework, scenarios, mk, resource, source, t0 in (
        ("activerecord", ruby_scenarios(), RubyApp, RUBY_RESOURCE, RUBY_SOURCE, RUBY_T0),
    ):
        outdir = os.path.join(args.out, framework)
        os.makedirs(outdir, exist_ok=True)
        for i, name in enumerate(ORDER):
            rng = random.Random(zlib.crc32(("start/" + framework + name).encode()))
            start = t0 + i * 41 * 10**9 + rng.randrange(10**9)
            app = mk(name, start)
            scenarios[name](app)
            tr = app.t
            assert not tr.stack
            lines = export_lines(tr, resource, n_batches_for(tr))
            with open(os.path.join(outdir, name + ".json"), "w") as f:
                f.write("\n".join(lines) + "\n")
            with open(os.path.join(outdir, name + ".expected.json"), "w") as f:
                json.dump(expected(framework, name, tr, source), f, indent=2)
                f.write("\n")
            print("%s/%s.json: %d spans, %d lines" % (framework, name, len(tr.spans), len(lines)))


if __name__ == "__main__":
    main()
