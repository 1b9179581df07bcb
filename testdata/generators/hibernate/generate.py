#!/usr/bin/env python3
"""Records testdata/hibernate/: real traces of a Spring Boot + Spring Data JPA bookshop
(Hibernate ORM on PostgreSQL) run with the OpenTelemetry Java agent, one request (one trace)
per scenario, each <scenario>.expected.json, and manifest.json. See README.md.

    python3 testdata/generators/hibernate/generate.py --collector bin/otelcol-querylens \\
        [--scenarios a,b] [--out DIR] [--no-build]

Steps: mvn package (the app, and the agent copied next to it); a throwaway PostgreSQL
cluster (initdb, a free loopback port); the recording collector (record.yaml, a free
port); the app under the agent. Per scenario the tables are reseeded with psql (untraced),
then one request is sent with urllib (untraced, so the app's server span is the root).
Then the app is stopped (the agent flushes), the collector is stopped, its file is split
by trace, each trace is matched to its request, checked (one SERVER root, no orphan span,
the declared loops are exactly the repeated statements of 5 or more) and written.
Python 3 standard library only.
"""
import argparse
import collections
import glob
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
MANIFEST = os.path.join(HERE, "manifest.json")
SERVICE = "bookshop-hibernate"
DB = "bookshop"

FK = "N+1 on forward FK"
COL = "N+1 on collection / M2M"
CNT = "Counting in Python"
INS = "not in the seed list: row-at-a-time inserts (N+1 on writes)"
MN = "N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N+1)"
PAGE = "Pagination pitfalls"


def n1(count, anchor, table):
    return [{"type": "n_plus_one", "count": count, "anchor_span_name": anchor, "table": table}]


# (name, method, path, seed trap, findings, note). The findings are the README's rules applied
# to what the handler does; the run checks them against the repeated statements it recorded.
SCENARIOS = [
    ("forward_fk_loop", "GET", "/books?per_page=12", FK, n1(12, "GET /books", "authors"),
     "BookRepository.listOrdered (\"select b from Book b order by b.id\", 12 rows), then book.getAuthor().getName() per "
     "book: Book.author is @ManyToOne(fetch = LAZY), so each proxy is initialised with its own SELECT. Proxy "
     "initialisation goes through no instrumented Hibernate method: the 12 author JDBC spans are children of the "
     "server span."),
    ("forward_fk_join", "GET", "/books?fetch=join", FK, [],
     "The fix: \"select b from Book b join fetch b.author order by b.id\": one query."),
    ("forward_fk_entity_graph", "GET", "/books?fetch=graph", FK, [],
     "The fix with @EntityGraph(attributePaths = \"author\") on the derived query findByOrderByIdAsc: one query with a left join."),
    ("collection_loop", "GET", "/authors", COL, n1(8, "GET /authors", "books"),
     "8 authors, author.getBooks().size() per author: Author.books is a lazy @OneToMany, each collection is "
     "initialised with its own SELECT (children of the server span)."),
    ("collection_prefetch", "GET", "/authors?fetch=in", COL, [],
     "The fix: the authors, then \"select b from Book b where b.author in :authors\": Hibernate renders one "
     "IN list, the agent's sanitizer records it as in (?)."),
    ("collection_entity_graph", "GET", "/authors?fetch=graph", COL, [],
     "The fix with @EntityGraph(attributePaths = \"books\"): the page of author ids, then findByIdInOrderByIdAsc(ids) "
     "with the books joined."),
    ("m2m_loop", "GET", "/books/tags", COL, n1(10, "GET /books/tags", "tags"),
     "10 books, book.getTags() per book: a lazy @ManyToMany (join table books_tags), one SELECT per book."),
    ("m2m_prefetch", "GET", "/books/tags?fetch=join", COL, [],
     "The fix: the page, then \"select distinct b from Book b left join fetch b.tags where b in :books\": one query "
     "initialises every book's tags."),
    ("m2m_batch_size", "GET", "/books/tags?fetch=batch", COL, [],
     "The fix with batch fetching: the same lazy loop after Session.setFetchBatchSize(16): the first book.getTags() "
     "initialises the tags of all 10 books with one query, which Hibernate >= 6.2 binds on PostgreSQL as one array "
     "(t1_0.book_id = any (?)), not an IN list."),
    ("count_loop", "GET", "/authors/stats", CNT, n1(7, "GET /authors/stats", "books"),
     "7 authors, \"select count(b) from Book b where b.author = :author\" per author: each count is a Spring Data "
     "span (BookRepository.countByAuthor) around a Hibernate query span around the JDBC span; the server span is the "
     "common ancestor of the 7 counts."),
    ("count_annotate", "GET", "/authors/stats?fetch=group", CNT, [],
     "The fix: \"select b.author.id, count(b) from Book b group by b.author.id\"."),
    ("insert_loop", "POST", "/books/import", INS, n1(20, "POST /books/import", "books"),
     "authors.findById, then books.save(new Book(...)) 20 times: Book has IDENTITY ids, so every persist is an "
     "immediate INSERT ... RETURNING (Hibernate cannot batch them), each under its own Spring Data and Session.persist "
     "spans; the server span is their common ancestor."),
    ("insert_bulk", "POST", "/books/import?mode=batch", INS, [],
     "The fix: the same 20 rows as ImportedBook (ids from the pooled sequence books_seq, allocationSize 50) and "
     "saveAll with hibernate.jdbc.batch_size=50: one nextval, then one JDBC batch at commit, recorded as one span."),
    ("below_threshold", "GET", "/books?per_page=3", "N+1 on forward FK, 3 items (below the default threshold of 5)", [],
     "forward_fk_loop with 3 books."),
    ("mn_plus_one_loop", "GET", "/books/details", MN,
     [{"type": "mn_plus_one", "count": 10, "anchor_span_name": "GET /books/details", "table": "authors"}],
     "10 books, per book book.getAuthor().getName() and book.getTags(): two lazy loads per iteration."),
    ("mn_plus_one_prefetch", "GET", "/books/details?fetch=graph", MN, [],
     "The fix: the ids, then findByIdInOrderByIdAsc(ids) with @EntityGraph(attributePaths = {\"author\", \"tags\"})."),
    ("pagination_count", "GET", "/books/page?page=2", PAGE + ": counting for pagination is a full second query",
     [{"type": "pagination_count", "count": 2, "anchor_span_name": "BookRepository.findByPagesGreaterThan", "table": "books"}],
     "A Spring Data Page: findByPagesGreaterThan(100, PageRequest.of(2, 20, Sort.by(\"id\"))) runs the page "
     "(offset ? rows fetch first ? rows only) and \"select count(b1_0.id) from books b1_0 where b1_0.pages>?\", each "
     "under its own Hibernate query span, both under the Spring Data span (the anchor)."),
    ("deep_offset", "GET", "/books/page?page=250&total=false", "Deep OFFSET pagination", [],
     "Page 251 as a Slice (no count): Hibernate binds the offset (offset ? rows fetch first ? rows only) and the "
     "agent records no parameter value, so the depth is not in the trace: nothing to find."),
    ("keyset_page", "GET", "/books/page?after=5000", "Deep OFFSET pagination and counting for pagination: the fix, keyset pagination", [],
     "The fix for both: findTop20ByPagesGreaterThanAndIdGreaterThanOrderByIdAsc(100, 5000), no count."),
    ("lazy_init_exception", "GET", "/books/detached", "Lazy loading outside the session (LazyInitializationException)",
     [{"type": "lazy_load_out_of_scope", "count": 1, "anchor_span_name": "GET /books/detached"}],
     "The service returns 12 books from its read-only transaction; the controller reads book.getAuthor().getName() "
     "after it closed (spring.jpa.open-in-view=false): the first proxy throws LazyInitializationException, the "
     "request fails with 500 and the server span carries the exception event (exception.type "
     "org.hibernate.LazyInitializationException, message \"Could not initialize proxy [com.example.bookshop.Author#1] - "
     "no session\"). One query ran: lazy_load_out_of_scope, count 1, on the server span, from the exception event."),
    ("lazy_init_fixed", "GET", "/books/detached?fetch=join", "Lazy loading outside the session (LazyInitializationException)", [],
     "The fix: the service join-fetches the authors before the entities leave the transaction."),
    ("in_memory_pagination", "GET", "/authors/with-books", PAGE + ": a page of a collection fetch join", [],
     "\"select a from Author a left join fetch a.books order by a.id\" with PageRequest.of(0, 5): Hibernate cannot "
     "page rows of a collection fetch, logs HHH90003004 (firstResult/maxResults specified with collection fetch; "
     "applying in memory) and reads every author with every book (6,000 rows) to keep 5 authors. The SQL has no "
     "LIMIT and the warning is a log record, not in the trace: querylens has nothing to read it from."),
    ("in_memory_pagination_fixed", "GET", "/authors/with-books?paging=ids", PAGE + ": a page of a collection fetch join", [],
     "The fix: page the ids in SQL (\"select a.id from Author a order by a.id\", fetch first ? rows only), then "
     "\"select distinct a from Author a left join fetch a.books where a.id in :ids\"."),
    ("paged_to_many_join", "GET", "/authors/search?q=Book", PAGE + ": LIMIT over a to-many join",
     [{"type": "paged_to_many_join", "count": 1, "anchor_span_name": "SELECT bookshop", "table": "authors"}],
     "\"select a from Author a join a.books b where b.title like :q order by a.id\" with 20 rows: the SQL limits "
     "rows of authors joined to books, so one author fills the page once per matching book. The JDBC span of a "
     "joined statement has no db.sql.table and is named \"SELECT bookshop\"."),
    ("paged_to_many_fixed", "GET", "/authors/search?q=Book&distinct=true", PAGE + ": LIMIT over a to-many join", [],
     "The fix: select distinct a ... (Hibernate 6 renders select distinct, one row per author)."),
    ("paged_to_one_join", "GET", "/books/by-author?q=Author", PAGE + ": LIMIT over a to-many join", [],
     "\"select b from Book b join b.author a where a.name like :q order by b.id\" with 20 rows: a to-one join pages "
     "exactly."),
]


# The app's start-up: the traces recorded before the first request, none with a server span.
STARTUP = ("startup", "The application's start-up (introspection is not a trap)", [],
           "The traces recorded before the first request: Hibernate and pgjdbc read the server's metadata when the "
           "pool opens its first connection (select version(), current_schema(), pg_catalog.pg_get_keywords(), "
           "SHOW TRANSACTION ISOLATION LEVEL, and \"select * from information_schema.sequences\" for the sequence "
           "generators), each a parentless trace of one JDBC span; HikariCP's connection checks are JDBC spans with an "
           "empty db.statement. Reading a catalog view whole is introspection, not over_fetch: nothing to find.")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("%s exited with %s" % (what, proc.returncode))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("%s did not listen on %d within %ds" % (what, port, timeout))


class Postgres:
    """A throwaway cluster: initdb in a temporary directory, a server on 127.0.0.1 only.
    As root, the server runs as the user postgres (initdb refuses root)."""

    def __init__(self, port):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
        self.bin = os.path.dirname(found[-1]) if found else os.path.dirname(shutil.which("initdb") or "")
        if not self.bin:
            raise RuntimeError("no initdb: apt-get install postgresql")
        self.port = port
        self.user = "postgres" if os.geteuid() == 0 else None
        self.dir = None

    def run(self, *cmd, **kw):
        if self.user:
            cmd = ("runuser", "-u", self.user, "--") + cmd
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="querylens-hibernate-pg-")
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = os.path.join(self.dir, "data")
        self.run(os.path.join(self.bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--no-sync", "--locale=C")
        self.run(os.path.join(self.bin, "pg_ctl"), "-D", data, "-l", os.path.join(self.dir, "log"), "-w", "-o",
                 "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off" % (self.port, self.dir), "start")
        self.psql("postgres", "-c", "CREATE ROLE %s LOGIN PASSWORD '%s'" % (DB, DB), "-c",
                  "CREATE DATABASE %s OWNER %s" % (DB, DB))

    def psql(self, db, *args, user="postgres", **kw):
        return self.run(os.path.join(self.bin, "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", user,
                        "-d", db, "-v", "ON_ERROR_STOP=1", "-q", *args, **kw)

    def sql_file(self, path):
        with open(path) as f:
            return self.psql(DB, user=DB, input=f.read())

    def version(self):
        return self.psql("postgres", "-At", "-c", "SHOW server_version").stdout.strip()

    def stop(self):
        if self.dir:
            try:
                self.run(os.path.join(self.bin, "pg_ctl"), "-D", os.path.join(self.dir, "data"), "-m", "fast", "-w", "stop")
            finally:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None


def stop(proc, timeout=60):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def attrs(kvs):
    out = {}
    for kv in kvs or []:
        v = kv.get("value", {})
        out[kv["key"]] = next(iter(v.values()), None) if v else None
    return out


def read_export(path):
    """The collector's file: one ExportTraceServiceRequest per line."""
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def spans_of(requests):
    for req in requests:
        for rs in req.get("resourceSpans", []):
            for ss in rs.get("scopeSpans", []):
                for s in ss.get("spans", []):
                    yield ss["scope"]["name"], s


def only_trace(requests, trace_ids):
    """The export requests restricted to some traces: same resources, scopes and span order."""
    if isinstance(trace_ids, str):
        trace_ids = {trace_ids}
    out = []
    for req in requests:
        rss = []
        for rs in req.get("resourceSpans", []):
            sss = []
            for ss in rs.get("scopeSpans", []):
                spans = [s for s in ss.get("spans", []) if s["traceId"] in trace_ids]
                if spans:
                    sss.append(dict(ss, spans=spans))
            if sss:
                rss.append(dict(rs, scopeSpans=sss))
        if rss:
            out.append({"resourceSpans": rss})
    return out


def check_trace(name, requests, findings):
    """One SERVER root, every parent present, and the loops: the JDBC spans grouped by
    statement; the declared n_plus_one / mn_plus_one counts are exactly the groups of 5+."""
    spans = {s["spanId"]: (scope, s) for scope, s in spans_of(requests)}
    roots = [s for _, s in spans.values() if not s.get("parentSpanId")]
    if len(roots) != 1 or roots[0]["kind"] != 2:
        raise RuntimeError("%s: %d roots, want one SERVER span" % (name, len(roots)))
    orphans = [s["name"] for _, s in spans.values() if s.get("parentSpanId") and s["parentSpanId"] not in spans]
    if orphans:
        raise RuntimeError("%s: spans without their parent: %s" % (name, orphans))
    groups = collections.Counter(attrs(s.get("attributes")).get("db.statement") for scope, s in spans.values()
                                 if scope == "io.opentelemetry.jdbc")
    loops = sorted(n for st, n in groups.items() if st and n >= 5)
    want = []
    for f in findings:
        if f["type"] == "n_plus_one":
            want.append(f["count"])
        elif f["type"] == "mn_plus_one":
            want += [f["count"]] * sum(1 for st, n in groups.items() if n == f["count"])
    if loops != sorted(want):
        raise RuntimeError("%s: repeated statements %s, declared loops %s" % (name, loops, sorted(want)))
    return roots[0]


def maven_versions():
    """The resolved versions of the libraries that shape the traces."""
    out = subprocess.run(["mvn", "-B", "-q", "dependency:list", "-DoutputFile=/dev/stdout", "-DincludeScope=runtime"],
                         cwd=HERE, check=True, capture_output=True, text=True).stdout
    keep = {"org.hibernate.orm:hibernate-core", "org.springframework.data:spring-data-jpa",
            "org.springframework.boot:spring-boot", "org.springframework:spring-webmvc",
            "org.apache.tomcat.embed:tomcat-embed-core", "com.zaxxer:HikariCP", "org.postgresql:postgresql"}
    versions = {}
    for line in out.splitlines():
        parts = line.strip().split(":")
        if len(parts) >= 4 and ":".join(parts[:2]) in keep:
            versions[":".join(parts[:2])] = parts[3]
    return versions


def pom_pins():
    with open(os.path.join(HERE, "pom.xml")) as f:
        pom = f.read()
    parent = re.search(r"<artifactId>spring-boot-starter-parent</artifactId>\s*<version>([^<]+)</version>", pom).group(1)
    agent = re.search(r"<opentelemetry-javaagent.version>([^<]+)</opentelemetry-javaagent.version>", pom).group(1)
    return {"org.springframework.boot:spring-boot-starter-parent": parent,
            "io.opentelemetry.javaagent:opentelemetry-javaagent": agent}


def write_scenario(out_dir, trace, expected, written):
    """<scenario>.json (one export request per line) and <scenario>.expected.json; their
    sha256 go into written."""
    name = expected["scenario"]
    trace_path = os.path.join(out_dir, name + ".json")
    with open(trace_path, "w") as f:
        for req in trace:
            f.write(json.dumps(req, separators=(",", ":")) + "\n")
    exp_path = os.path.join(out_dir, name + ".expected.json")
    with open(exp_path, "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    written[name + ".json"] = sha256(trace_path)
    written[name + ".expected.json"] = sha256(exp_path)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--collector", default=os.path.join(REPO, "bin", "otelcol-querylens"),
                    help="a collector with the otlp receiver and the file exporter")
    ap.add_argument("--scenarios", help="comma-separated names (default: all; the manifest is then not rewritten)")
    ap.add_argument("--out", default=os.path.join(REPO, "testdata"), help="writes <out>/hibernate/")
    ap.add_argument("--no-build", action="store_true", help="use target/ as it is")
    ap.add_argument("--java", default=os.environ.get("JAVA", "java"))
    args = ap.parse_args()
    selected = [s for s in SCENARIOS if not args.scenarios or s[0] in args.scenarios.split(",")]
    out_dir = os.path.join(args.out, "hibernate")
    os.makedirs(out_dir, exist_ok=True)

    if not args.no_build:
        subprocess.run(["mvn", "-B", "-q", "package", "-DskipTests"], cwd=HERE, check=True)
    jar = os.path.join(HERE, "target", "bookshop-hibernate.jar")
    agent = os.path.join(HERE, "target", "opentelemetry-javaagent.jar")

    work = tempfile.mkdtemp(prefix="querylens-hibernate-")
    pg = Postgres(free_port())
    collector = app = None
    try:
        pg.start()
        pg.sql_file(os.path.join(HERE, "schema.sql"))
        rec_port, app_port = free_port(), free_port()
        rec_out = os.path.join(work, "traces.jsonl")
        collector = subprocess.Popen([args.collector, "--config", os.path.join(HERE, "record.yaml")],
                                     env=dict(os.environ, REC_HTTP=str(rec_port), REC_OUT=rec_out),
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "collector.log"), "w"))
        wait_port(rec_port, collector, "the collector")
        env = dict(os.environ, SERVER_PORT=str(app_port),
                   SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:%d/%s" % (pg.port, DB),
                   SPRING_DATASOURCE_USERNAME=DB, SPRING_DATASOURCE_PASSWORD=DB,
                   OTEL_SERVICE_NAME=SERVICE, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:%d" % rec_port,
                   OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf", OTEL_METRICS_EXPORTER="none",
                   OTEL_LOGS_EXPORTER="none")
        app_log = os.path.join(work, "app.log")
        app = subprocess.Popen([args.java, "-javaagent:" + agent, "-jar", jar], env=env, cwd=work,
                               stdout=open(app_log, "w"), stderr=subprocess.STDOUT)
        wait_port(app_port, app, "the bookshop")

        sent = []
        for name, method, path, _, _, _ in selected:
            pg.sql_file(os.path.join(HERE, "seed.sql"))
            with open(app_log) as f:
                log_from = len(f.read())
            req = urllib.request.Request("http://127.0.0.1:%d%s" % (app_port, path), method=method,
                                         data=b"" if method == "POST" else None)
            try:
                with urllib.request.urlopen(req, timeout=120) as resp:
                    status = resp.status
            except urllib.error.HTTPError as e:
                status = e.code
            time.sleep(0.3)  # the app's log lines of this request
            with open(app_log) as f:
                log = f.read()[log_from:]
            sent.append((name, method, path, status, log))
            print("%-28s %s %-40s %d" % (name, method, path, status), file=sys.stderr)
        stop(app)
        stop(collector)
        versions = {"java": subprocess.run([args.java, "-version"], capture_output=True, text=True).stderr.splitlines()[0],
                    "postgresql": pg.version(),
                    "collector": subprocess.run([args.collector, "--version"], capture_output=True, text=True).stdout.strip()}
    finally:
        stop(app)
        stop(collector)
        pg.stop()

    requests = read_export(rec_out)
    # The server spans of the scenarios, in the order they were sent; the start-up's traces
    # (the pool's first connection) have none and are dropped.
    servers = sorted((s for scope, s in spans_of(requests) if s["kind"] == 2 and not s.get("parentSpanId")),
                     key=lambda s: int(s["startTimeUnixNano"]))
    if len(servers) != len(sent):
        raise RuntimeError("%d server spans for %d requests" % (len(servers), len(sent)))
    declared = {s[0]: s for s in selected}
    agent_version = pom_pins()["io.opentelemetry.javaagent:opentelemetry-javaagent"]
    libs = maven_versions()
    source = ("Recorded: OpenTelemetry Java agent %s (default settings, old database semantic conventions) on a "
              "Spring Boot %s bookshop, Hibernate ORM %s, Spring Data JPA %s, pgjdbc %s, HikariCP %s, Tomcat %s, "
              "PostgreSQL %s, %s. See testdata/generators/hibernate/README.md." % (
                  agent_version, libs.get("org.springframework.boot:spring-boot"),
                  libs.get("org.hibernate.orm:hibernate-core"), libs.get("org.springframework.data:spring-data-jpa"),
                  libs.get("org.postgresql:postgresql"), libs.get("com.zaxxer:HikariCP"),
                  libs.get("org.apache.tomcat.embed:tomcat-embed-core"), versions["postgresql"], versions["java"]))
    if not args.scenarios:  # a full run replaces the directory
        for old in glob.glob(os.path.join(out_dir, "*.json")):
            os.remove(old)
    written = {}
    for server, (name, method, path, status, log) in zip(servers, sent):
        a = attrs(server.get("attributes"))
        url = a.get("url.path", "") + ("?" + a["url.query"] if a.get("url.query") else "")
        if a.get("http.request.method") != method or url != path:
            raise RuntimeError("%s: the trace is of %s %s, not %s %s" % (name, a.get("http.request.method"), url, method, path))
        _, _, _, trap, findings, note = declared[name]
        trace = only_trace(requests, server["traceId"])
        check_trace(name, trace, findings)
        if name == "in_memory_pagination" and "HHH90003004" not in log:
            raise RuntimeError("in_memory_pagination: no HHH90003004 warning in the app's log")
        if name == "lazy_init_exception" and status != 500:
            raise RuntimeError("lazy_init_exception: status %d, want 500" % status)
        write_scenario(out_dir, trace, {"source": source, "scenario": name, "seed_trap": trap, "findings": findings,
                                        "note": note}, written)
    if not args.scenarios:
        name, trap, findings, note = STARTUP
        first = int(servers[0]["startTimeUnixNano"]) if servers else None
        with_server = {s["traceId"] for s in servers}
        boot = {s["traceId"] for _, s in spans_of(requests)
                if s["traceId"] not in with_server and (first is None or int(s["startTimeUnixNano"]) < first)}
        trace = only_trace(requests, boot)
        if not boot or any(s["kind"] == 2 for _, s in spans_of(trace)):
            raise RuntimeError("startup: %d traces" % len(boot))
        write_scenario(out_dir, trace, {"source": source, "scenario": name, "seed_trap": trap, "findings": findings,
                                        "note": note}, written)
    shutil.rmtree(work, ignore_errors=True)

    if args.scenarios or os.path.abspath(args.out) != os.path.join(REPO, "testdata"):
        return  # a partial or side run: the manifest describes the committed directory only
    manifest = dict(versions, packages=dict(sorted(dict(pom_pins(), **libs).items())),
                    generator="testdata/generators/hibernate/generate.py",
                    sources={"hibernate": {"scenarios": [s[0] for s in SCENARIOS] + [STARTUP[0]], "files": dict(sorted(written.items()))}})
    with open(MANIFEST, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
