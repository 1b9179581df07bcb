#!/usr/bin/env python3
"""Hand-shaped OTLP traces for Hibernate 6 (OpenTelemetry Java agent) and Rails
ActiveRecord (opentelemetry-ruby contrib instrumentations).

Neither the Java agent nor the Ruby SDK can run on this machine (no Maven Central, no
RubyGems), so these traces are built by following the instrumentations' source code;
see README.md beside this file for every source file followed and every assumption.

Writes:
  ../../hibernate/<scenario>.json            one ExportTraceServiceRequest per line
  ../../hibernate/<scenario>.expected.json
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
# Hibernate 6 + OpenTelemetry Java agent 2.12.0
# ======================================================================================

JAVA_AGENT = "2.12.0"
JAVA_SCOPE_VERSION = "2.12.0-alpha"  # instrumentation modules are published as -alpha
SC_TOMCAT = ("io.opentelemetry.tomcat-10.0", JAVA_SCOPE_VERSION)
SC_HIBERNATE = ("io.opentelemetry.hibernate-6.0", JAVA_SCOPE_VERSION)
SC_JDBC = ("io.opentelemetry.jdbc", JAVA_SCOPE_VERSION)

JAVA_RESOURCE = [
    ("host.arch", "amd64"),
    ("host.name", "bookshop-hibernate-7d9f6c5b8-x2kqp"),
    ("os.description", "Linux 6.1.0-31-cloud-amd64"),
    ("os.type", "linux"),
    ("process.command_args", ["/opt/java/openjdk/bin/java",
                              "-javaagent:/otel/opentelemetry-javaagent.jar",
                              "-jar", "/app/bookshop.jar"]),
    ("process.executable.path", "/opt/java/openjdk/bin/java"),
    ("process.pid", 1),
    ("process.runtime.description", "Eclipse Adoptium OpenJDK 64-Bit Server VM 21.0.6+7-LTS"),
    ("process.runtime.name", "OpenJDK Runtime Environment"),
    ("process.runtime.version", "21.0.6+7-LTS"),
    ("service.name", "bookshop-hibernate"),
    ("telemetry.distro.name", "opentelemetry-java-instrumentation"),
    ("telemetry.distro.version", JAVA_AGENT),
    ("telemetry.sdk.language", "java"),
    ("telemetry.sdk.name", "opentelemetry"),
    ("telemetry.sdk.version", "1.46.0"),
]

ENT = "com.example.bookshop."  # Hibernate entity names are the fully-qualified class names
DB_NAME = "bookshop"


def java_db_attrs(statement, operation, table):
    # SqlClientAttributesExtractor (old DB semconv, the 2.x default) + ServerAttributesExtractor
    a = [
        ("db.system", "postgresql"),
        ("db.connection_string", "postgresql://postgres:5432"),
        ("db.name", DB_NAME),
        ("db.user", "bookshop"),
        ("db.statement", statement),
        ("db.operation", operation),
    ]
    if table:
        a.append(("db.sql.table", table))
    a += [("server.address", "postgres"), ("server.port", 5432)]
    return a


def jdbc_span_name(operation, table):
    # DbClientSpanNameExtractor (old semconv): "<op> <db.name>.<table>" or "<op> <db.name>"
    return "%s %s.%s" % (operation, DB_NAME, table) if table else "%s %s" % (operation, DB_NAME)


class JavaApp:
    def __init__(self, scenario, start_ns):
        thread = [("thread.id", 47), ("thread.name", "http-nio-8080-exec-3")]
        self.t = Tracer("hibernate/" + scenario, start_ns, flags=257, common_attrs=thread)

    # ---- server span: Tomcat creates it, Spring MVC sets the route and renames it
    def request(self, method, path, route, query=None):
        a = [("http.request.method", method), ("url.path", path)]
        if query:
            a.append(("url.query", query))
        a += [
            ("url.scheme", "http"),
            ("server.address", "localhost"),
            ("server.port", 8080),
            ("network.protocol.version", "1.1"),
            ("network.peer.address", "172.18.0.1"),
            ("network.peer.port", 51000 + self.t.rng.randrange(9000)),
            ("client.address", "172.18.0.1"),
            ("user_agent.original", "curl/8.5.0"),
            ("http.route", route),
        ]
        self.t.open("%s %s" % (method, route), SERVER, SC_TOMCAT, a, gap=(0, 0))
        self.t.us(180, 420)  # filter chain, DispatcherServlet, Spring tx interceptor

    def response(self, status):
        self.t.us(250, 900)  # Jackson serialisation
        self.t.close(tail=(20, 80), extra_attrs=[("http.response.status_code", status)])

    # ---- JDBC CLIENT span
    def jdbc(self, sanitized, operation, table, dur=(280, 900), gap=(15, 60)):
        return self.t.leaf(jdbc_span_name(operation, table), CLIENT, SC_JDBC,
                           java_db_attrs(sanitized, operation, table), dur, gap=gap)

    # ---- Hibernate INTERNAL spans (no attributes: hibernate.session_id is opt-in)
    def hql(self, op_name, jdbc_calls):
        """Query.getResultList()/getSingleResult(): span named from the HQL, JDBC inside."""
        self.t.open(op_name, INTERNAL, SC_HIBERNATE, [], gap=(20, 70))
        self.t.us(60, 160)  # SQM -> SQL AST translation (plan cache hit), auto-flush check
        for call in jdbc_calls:
            self.jdbc(*call)
        self.t.us(40, 180)  # hydrating entities
        self.t.close(tail=(5, 20))

    def session_op(self, op_name, jdbc_calls):
        self.t.open(op_name, INTERNAL, SC_HIBERNATE, [], gap=(15, 50))
        self.t.us(20, 70)
        for call in jdbc_calls:
            self.jdbc(*call)
        self.t.close(tail=(10, 40))

    def commit(self, jdbc_calls=()):
        self.t.open("Transaction.commit", INTERNAL, SC_HIBERNATE, [], gap=(20, 60))
        self.t.us(30, 90)  # flush (dirty check)
        for call in jdbc_calls:
            self.jdbc(*call)
        self.t.close(tail=(60, 200))  # JDBC commit (not traced: jdbc transaction spans are opt-in)

    def pause(self, lo=8, hi=40):
        self.t.us(lo, hi)  # application code between lazy loads


# Hibernate 6.6 SQL (PostgreSQLDialect) and the agent's sanitized form ---------------
# JDBC statements are already parameterised; the sanitizer only rewrites literals and
# collapses "in (?,?,...)" to "in (?)".
H_BOOKS_PAGE = "select b1_0.id,b1_0.author_id,b1_0.title from books b1_0 order by b1_0.id fetch first ? rows only"
H_AUTHORS_PAGE = "select a1_0.id,a1_0.name from authors a1_0 order by a1_0.id fetch first ? rows only"
H_AUTHOR_BY_ID = "select a1_0.id,a1_0.name from authors a1_0 where a1_0.id=?"
H_BOOKS_JOIN_AUTHOR = ("select b1_0.id,a1_0.id,a1_0.name,b1_0.title from books b1_0 "
                       "join authors a1_0 on a1_0.id=b1_0.author_id order by b1_0.id fetch first ? rows only")
H_BOOKS_OF_AUTHOR = "select b1_0.author_id,b1_0.id,b1_0.title from books b1_0 where b1_0.author_id=?"
H_BOOKS_IN_AUTHORS_RAW = ("select b1_0.id,b1_0.author_id,b1_0.title from books b1_0 "
                          "where b1_0.author_id in (?,?,?,?,?,?,?,?)")
H_BOOKS_IN_AUTHORS = "select b1_0.id,b1_0.author_id,b1_0.title from books b1_0 where b1_0.author_id in (?)"
H_TAGS_OF_BOOK = ("select t1_0.book_id,t1_1.id,t1_1.name from books_tags t1_0 "
                  "join tags t1_1 on t1_1.id=t1_0.tag_id where t1_0.book_id=?")
H_TAGS_OF_BOOKS_BATCH = ("select t1_0.book_id,t1_1.id,t1_1.name from books_tags t1_0 "
                         "join tags t1_1 on t1_1.id=t1_0.tag_id where t1_0.book_id = any (?)")
H_COUNT_BOOKS = "select count(b1_0.id) from books b1_0 where b1_0.author_id=?"
H_COUNT_GROUPED = "select b1_0.author_id,count(b1_0.id) from books b1_0 group by b1_0.author_id"
H_INSERT_IDENTITY = "insert into books (author_id,title) values (?,?)"
H_NEXTVAL_RAW = "select nextval('books_seq')"
H_NEXTVAL = "select nextval(?)"
H_INSERT_SEQ = "insert into books (author_id,title,id) values (?,?,?)"

JAVA_SOURCE = ("Hand-shaped after source (agents not run here): OpenTelemetry Java agent "
               "2.12.0 (SDK 1.46.0) with default settings, i.e. the old (pre-stable) DB "
               "semantic conventions: io.opentelemetry.tomcat-10.0 server span renamed by "
               "spring-webmvc-6.0, io.opentelemetry.hibernate-6.0 INTERNAL spans, "
               "io.opentelemetry.jdbc CLIENT spans; app: Spring Boot 3.4 / Hibernate ORM 6.6 "
               "(PostgreSQLDialect) / pgjdbc 42.7 / HikariCP on PostgreSQL 16. "
               "See testdata/generators/handshaped/README.md.")


def hib_forward_fk(app, n, query=None):
    app.request("GET", "/books", "/books", query)
    app.hql("SELECT " + ENT + "Book", [(H_BOOKS_PAGE, "SELECT", "books", (600, 1400))])
    for _ in range(n):  # book.getAuthor().getName(): proxy initialisation, no Hibernate span
        app.pause()
        app.jdbc(H_AUTHOR_BY_ID, "SELECT", "authors", (260, 750), gap=(25, 70))
    app.commit()
    app.response(200)


def java_scenarios():
    S = {}

    def forward_fk_loop(app):
        hib_forward_fk(app, 12)

    def forward_fk_join(app):
        app.request("GET", "/books", "/books")
        # HQL "select b from Book b join fetch b.author order by b.id": the JOIN makes the
        # sanitizer drop the main table, so the Hibernate span is just "SELECT" and the
        # JDBC span "SELECT bookshop" without db.sql.table.
        app.hql("SELECT", [(H_BOOKS_JOIN_AUTHOR, "SELECT", None, (700, 1600))])
        app.commit()
        app.response(200)

    def collection_loop(app):
        app.request("GET", "/authors", "/authors")
        app.hql("SELECT " + ENT + "Author", [(H_AUTHORS_PAGE, "SELECT", "authors", (450, 1100))])
        for _ in range(8):  # author.getBooks().size(): PersistentBag initialisation
            app.pause()
            app.jdbc(H_BOOKS_OF_AUTHOR, "SELECT", "books", (300, 850), gap=(25, 70))
        app.commit()
        app.response(200)

    def collection_prefetch(app):
        app.request("GET", "/authors", "/authors")
        app.hql("SELECT " + ENT + "Author", [(H_AUTHORS_PAGE, "SELECT", "authors", (450, 1100))])
        # "select b from Book b where b.author in :authors" -> in (?,?,?,?,?,?,?,?), which
        # the agent's sanitizer collapses to "in (?)"
        app.hql("SELECT " + ENT + "Book", [(H_BOOKS_IN_AUTHORS, "SELECT", "books", (700, 1500))])
        app.commit()
        app.response(200)

    def m2m_loop(app):
        app.request("GET", "/books/tags", "/books/tags")
        app.hql("SELECT " + ENT + "Book", [(H_BOOKS_PAGE, "SELECT", "books", (600, 1300))])
        for _ in range(10):  # book.getTags().size(): lazy @ManyToMany, JOIN -> no db.sql.table
            app.pause()
            app.jdbc(H_TAGS_OF_BOOK, "SELECT", None, (320, 900), gap=(25, 70))
        app.commit()
        app.response(200)

    def m2m_prefetch(app):
        app.request("GET", "/books/tags", "/books/tags")
        app.hql("SELECT " + ENT + "Book", [(H_BOOKS_PAGE, "SELECT", "books", (600, 1300))])
        app.pause()
        # @BatchSize(size = 16) on Book.tags: the first access initialises all 10 bags with
        # one query; on PostgreSQL Hibernate >= 6.2 binds the keys as one SQL array
        app.jdbc(H_TAGS_OF_BOOKS_BATCH, "SELECT", None, (800, 1700), gap=(25, 70))
        app.commit()
        app.response(200)

    def count_loop(app):
        app.request("GET", "/authors/stats", "/authors/stats")
        app.hql("SELECT " + ENT + "Author", [(H_AUTHORS_PAGE, "SELECT", "authors", (450, 1000))])
        for _ in range(7):  # "select count(b) from Book b where b.author = :a" per author
            app.pause()
            app.hql("SELECT " + ENT + "Book", [(H_COUNT_BOOKS, "SELECT", "books", (300, 800))])
        app.commit()
        app.response(200)

    def count_annotate(app):
        app.request("GET", "/authors/stats", "/authors/stats")
        app.hql("SELECT " + ENT + "Author", [(H_AUTHORS_PAGE, "SELECT", "authors", (450, 1000))])
        # "select b.author.id, count(b) from Book b group by b.author.id"
        app.hql("SELECT " + ENT + "Book", [(H_COUNT_GROUPED, "SELECT", "books", (600, 1400))])
        app.commit()
        app.response(200)

    def insert_loop(app):
        app.request("POST", "/books/import", "/books/import")
        app.session_op("Session.find " + ENT + "Author",
                       [(H_AUTHOR_BY_ID, "SELECT", "authors", (280, 700))])
        for _ in range(20):  # em.persist(book), @GeneratedValue(IDENTITY): INSERT at once
            app.pause(10, 30)
            app.session_op("Session.persist " + ENT + "Book",
                           [(H_INSERT_IDENTITY, "INSERT", "books", (450, 1300))])
        app.commit()
        app.response(201)

    def insert_bulk(app):
        app.request("POST", "/books/import", "/books/import")
        app.session_op("Session.find " + ENT + "Author",
                       [(H_AUTHOR_BY_ID, "SELECT", "authors", (280, 700))])
        for i in range(20):  # SEQUENCE ids (pooled, allocationSize 50): persist only queues
            app.pause(6, 20)
            calls = [(H_NEXTVAL, "SELECT", None, (250, 600))] if i == 0 else []
            app.session_op("Session.persist " + ENT + "Book", calls)
        # flush at commit: hibernate.jdbc.batch_size=50 -> one PreparedStatement, 20
        # addBatch(), one executeBatch() -> ONE jdbc span; in the old semconv it carries
        # the plain statement, name "INSERT bookshop.books", no db.operation.batch.size
        app.commit([(H_INSERT_SEQ, "INSERT", "books", (1800, 3200))])
        app.response(201)

    def below_threshold(app):
        hib_forward_fk(app, 3, query="per_page=3")

    for f in (forward_fk_loop, forward_fk_join, collection_loop, collection_prefetch, m2m_loop,
              m2m_prefetch, count_loop, count_annotate, insert_loop, insert_bulk, below_threshold):
        S[f.__name__] = f
    return S


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
    "hibernate": {
        "forward_fk_loop": "em.createQuery(\"select b from Book b order by b.id\").setMaxResults(12), then book.getAuthor().getName() per book (@ManyToOne(fetch = LAZY), 12 distinct authors). Proxy initialisation goes through no instrumented Session method, so the 12 'SELECT bookshop.authors' JDBC spans are direct children of the server span; the list query is the JDBC child of the Hibernate span 'SELECT com.example.bookshop.Book'. A childless 'Transaction.commit' closes the @Transactional(readOnly = true) service call.",
        "forward_fk_join": "\"select b from Book b join fetch b.author order by b.id\": one JOIN query. The JOIN makes the agent's sanitizer drop the table, so the Hibernate span is named just 'SELECT' and the JDBC span 'SELECT bookshop' with no db.sql.table.",
        "collection_loop": "8 authors, author.getBooks().size() on a lazy @OneToMany: 8 'SELECT bookshop.books' JDBC spans (where b1_0.author_id=?) directly under the server span (collection initialisation makes no Hibernate span).",
        "collection_prefetch": "Authors, then one \"select b from Book b where b.author in :authors\" (Hibernate span 'SELECT com.example.bookshop.Book'): Hibernate renders in (?,?,?,?,?,?,?,?) and the agent's sanitizer records it as 'in (?)'.",
        "m2m_loop": "10 books, book.getTags().size() on a lazy @ManyToMany (join table books_tags): 10 identical JDBC spans directly under the server span. The statement joins books_tags and tags, so the agent records no db.sql.table and names the span 'SELECT bookshop'; the table must come from the statement.",
        "m2m_prefetch": "@BatchSize(size = 16) on Book.tags: the first access initialises all 10 collections with one query. On PostgreSQL Hibernate >= 6.2 binds the keys as one SQL array ('t1_0.book_id = any (?)') instead of an IN list.",
        "count_loop": "7 authors, then \"select count(b) from Book b where b.author = :a\" per author. Each count JDBC span is the only child of its own Hibernate span 'SELECT com.example.bookshop.Book'; the 7 Hibernate spans are children of the server span, which is the common ancestor of the 7 repeated JDBC spans (anchor).",
        "count_annotate": "Authors, then one \"select b.author.id, count(b) from Book b group by b.author.id\".",
        "insert_loop": "em.find(Author), then 20 em.persist(book) with @GeneratedValue(strategy = IDENTITY): each INSERT runs immediately, as the only JDBC child of its own 'Session.persist com.example.bookshop.Book' span; those 20 spans are children of the server span, the common ancestor (anchor). 'Transaction.commit' has nothing left to flush.",
        "insert_bulk": "SEQUENCE ids (pooled, allocationSize 50) and hibernate.jdbc.batch_size=50: persist() only queues (the first one fetches a block: 'select nextval(?)'), and the flush inside 'Transaction.commit' runs one PreparedStatement with 20 addBatch() and one executeBatch(). Agent 2.12 records that as ONE JDBC span; with the default (old) DB semconv it is named 'INSERT bookshop.books', carries the plain statement and no db.operation.batch.size (that attribute and the 'BATCH INSERT' name exist only with otel.semconv-stability.opt-in=database).",
        "below_threshold": "Same code as forward_fk_loop for 3 books (?per_page=3): 3 author loads under the server span, below the default threshold of 5.",
    },
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

# 2025-03-18T09:14:00Z and 09:31:00Z
JAVA_T0 = 1742289240 * 10**9
RUBY_T0 = 1742290260 * 10**9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = ap.parse_args()

    for framework, scenarios, mk, resource, source, t0 in (
        ("hibernate", java_scenarios(), JavaApp, JAVA_RESOURCE, JAVA_SOURCE, JAVA_T0),
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
