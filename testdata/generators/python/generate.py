"""Records testdata/django/ and testdata/sqlalchemy/: real traces of a Django
app and of a Flask + SQLAlchemy app, each run under gunicorn with the
OpenTelemetry Python SDK and instrumentations (telemetry.py), against a
PostgreSQL of its own, exported over OTLP/HTTP to a collector whose file
exporter writes each export request as one line (record.yaml).

    /work/venvs/gen-py/bin/python testdata/generators/python/generate.py \\
        --collector bin/otelcol-querylens [--scenarios a,b]

Per scenario: reseed the tables (untraced, from this process), send one
request with curl, flush the spans of the app and of the inventory service
(GET /_flush, see entry.py). Then the collector is stopped, its file split by
trace, each trace matched to the request that made it, checked against
rules.CATALOGUE, and written with its expected findings; manifest.json lists
the versions, the scenarios and a hash per written file (the Go test
internal/testsupport/fixtures TestRecordedTestdataManifest compares it to the directory).
"""
import argparse
import collections
import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
TESTDATA = os.path.join(REPO, "testdata")
MANIFEST = os.path.join(HERE, "manifest.json")
sys.path.insert(0, HERE)

import pgcluster  # noqa: E402
import rules  # noqa: E402

PG = {}  # filled by main: host, port, dbname, user, password

# (scenario, method, path[, query]) in the order they are requested; the
# path is Django's, the Flask app's is the same without the trailing slash.
REQUESTS = [
    ("forward_fk_loop", "GET", "books"),
    ("forward_fk_join", "GET", "books"),
    ("collection_loop", "GET", "authors"),
    ("collection_prefetch", "GET", "authors"),
    ("m2m_loop", "GET", "books/tags"),
    ("m2m_prefetch", "GET", "books/tags"),
    ("count_loop", "GET", "authors/book-counts"),
    ("count_annotate", "GET", "authors/book-counts"),
    ("insert_loop", "POST", "books/import"),
    ("insert_bulk", "POST", "books/import"),
    ("below_threshold", "GET", "books/recent"),
    # the rest of the catalogue, on the large seed; over_fetch_* are not
    # recorded: neither ORM writes SELECT *, both list the columns.
    ("mn_plus_one_loop", "GET", "books/details"),
    ("mn_plus_one_prefetch", "GET", "books/details"),
    ("duplicate_loop", "GET", "books/serialized"),
    ("duplicate_cached", "GET", "books/serialized"),
    ("api_loop", "GET", "books/stock"),
    ("api_batch", "GET", "books/stock"),
    ("deep_offset", "GET", "books/page", "offset=5000"),
    ("pagination_count", "GET", "books/page", "page=3"),
    ("keyset_page", "GET", "books/page", "after=40"),
    ("several_traps", "GET", "books/report", "page=251"),
    # pages over joins, on the small seed
    ("paged_to_many_join", "GET", "authors/search", "q=book"),
    ("paged_to_many_fixed", "GET", "authors/search", "q=book"),
    ("paged_to_one_join", "GET", "books/with-author"),
    ("paged_subquery", "GET", "authors/with-books"),
    # what only the real instrumentations show
    ("lazy_out_of_scope", "GET", {"django": "books/rendered", "sqlalchemy": "books/detached"}),
    ("lazy_in_scope", "GET", {"django": "books/rendered", "sqlalchemy": "books/detached"}),
    ("forward_fk_loop_sqlcommenter", "GET", "books"),
]
_NAMES = [r[0] for r in REQUESTS]
LARGE_SEED = set(_NAMES[_NAMES.index("mn_plus_one_loop"):_NAMES.index("several_traps") + 1])
# scenario -> the apps that produce it (default: both)
ONLY = {"paged_subquery": {"sqlalchemy"}}
# scenarios recorded with the ORM instrumentation's sqlcommenter on (a run of their own)
SQLCOMMENTER = {"forward_fk_loop_sqlcommenter"}
SOURCES = ("django", "sqlalchemy")
SERVICE = {"django": "bookshop-django", "sqlalchemy": "bookshop-sqlalchemy", "inventory": "inventory"}
# OTEL_SEMCONV_STABILITY_OPT_IN per app: Django as most apps run it (unset:
# the old conventions, db.statement), the SQLAlchemy app opted in to the
# stable database and HTTP conventions (db.query.text)
SEMCONV = {"django": None, "sqlalchemy": "database,http", "inventory": "http"}
# BatchSpanProcessor batches of 8 spans, so that a trace spans several export requests
BATCH = "8"
TABLES = ("books_tags", "books", "tags", "authors", "settings")
LARGE_BOOKS = 5120


# --- the database ------------------------------------------------------------
def pg_connect():
    import psycopg2

    return psycopg2.connect(**PG)


def drop_tables():
    with pg_connect() as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS %s CASCADE" % ", ".join(TABLES))
    conn.close()


def _seed_common(cur):
    cur.execute("TRUNCATE %s RESTART IDENTITY CASCADE" % ", ".join(TABLES))
    for a in range(1, 11):
        cur.execute(
            "INSERT INTO authors (name, email, bio) VALUES (%s, %s, %s)",
            (f"Author {a}", f"author{a}@example.com", f"Biography of author {a}."),
        )
    for t in ("fiction", "history", "science", "poetry", "travel", "crime", "essays", "children"):
        cur.execute("INSERT INTO tags (name) VALUES (%s)", (t,))


def seed():
    """10 authors, 25 books, 8 tags; the same for both ORMs, reset before
    every scenario so each request sees the same data."""
    with pg_connect() as conn, conn.cursor() as cur:
        _seed_common(cur)
        base = datetime.date(2015, 1, 1)
        for b in range(1, 26):
            cur.execute(
                "INSERT INTO books (title, author_id, published_at, pages) VALUES (%s, %s, %s, %s)",
                (f"Book {b}", (b - 1) % 10 + 1, base + datetime.timedelta(days=53 * b), 120 + (b * 37) % 400),
            )
            for t in sorted({b % 8 + 1, (b * 3) % 8 + 1}):
                cur.execute("INSERT INTO books_tags (book_id, tag_id) VALUES (%s, %s)", (b, t))
    conn.close()


def seed_large():
    """The small seed grown to 5120 books, so that page 251 of 20 rows
    (OFFSET 5000) exists, plus the site settings rows."""
    with pg_connect() as conn, conn.cursor() as cur:
        _seed_common(cur)
        cur.execute(
            "INSERT INTO books (title, author_id, published_at, pages) "
            "SELECT 'Book ' || b, (b - 1) %% 10 + 1, DATE '2015-01-01' + 53 * b, 120 + (b * 37) %% 400 "
            "FROM generate_series(1, %s) AS b ORDER BY b",
            (LARGE_BOOKS,),
        )
        cur.execute(
            "INSERT INTO books_tags (book_id, tag_id) "
            "SELECT DISTINCT b, t FROM generate_series(1, %s) AS b, "
            "LATERAL (VALUES (b %% 8 + 1), ((b * 3) %% 8 + 1)) AS v(t) ORDER BY b, t",
            (LARGE_BOOKS,),
        )
        for k, v in (("currency", "EUR"), ("site_name", "Bookshop")):
            cur.execute("INSERT INTO settings (key, value) VALUES (%s, %s)", (k, v))
    conn.close()


def import_payload():
    base = datetime.date(2024, 3, 1)
    return {"books": [{"title": f"Imported volume {n}", "author_id": (n - 1) % 10 + 1,
                       "published_at": (base + datetime.timedelta(days=n)).isoformat(), "pages": 200 + n}
                      for n in range(1, 21)]}


def pg_env():
    return {"PGHOST": PG["host"], "PGPORT": str(PG["port"]), "PGDATABASE": PG["dbname"],
            "PGUSER": PG["user"], "PGPASSWORD": PG["password"]}


def sqlalchemy_url():
    # host and port spelled out: the instrumentation reads them from the engine url
    return "postgresql+psycopg2://{user}:{password}@{host}:{port}/{dbname}".format(**PG)


def create_schema(source):
    if source == "django":
        os.environ.update(pg_env(), DJANGO_SETTINGS_MODULE="bookshop_django.settings")
        import django

        django.setup()
        from django.db import connection

        from bookshop_django.models import Author, Book, Setting, Tag

        with connection.schema_editor() as editor:
            for model in (Author, Tag, Book, Setting):
                editor.create_model(model)
        connection.close()
    else:
        from sqlalchemy import create_engine

        from bookshop_sqlalchemy.models import Base

        engine = create_engine(sqlalchemy_url())
        Base.metadata.create_all(engine)
        engine.dispose()


# --- processes -----------------------------------------------------------------
class Process:
    """A server this run starts, in its own process group. Its port lies in
    the ephemeral range, where another program's connection may hold it for
    a while in TIME_WAIT: a start that fails is retried."""

    def __init__(self, name, cmd, env, log_dir, ready_url, attempts=10):
        self.name, self.cmd, self.env, self.ready_url = name, cmd, env, ready_url
        self.log_path = os.path.join(log_dir, name + ".log")
        self.proc = None
        for attempt in range(attempts):
            self.log = open(self.log_path, "w")
            self.proc = subprocess.Popen(cmd, env=env, cwd=HERE, stdout=self.log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
            if self._wait_ready(30):
                return
            self.stop()
            time.sleep(3)
        with open(self.log_path) as f:
            raise RuntimeError(f"{name} did not start:\n{f.read()[-3000:]}")

    def _wait_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                urllib.request.urlopen(self.ready_url, timeout=2).read()
                return True
            except urllib.error.HTTPError:
                return True
            except OSError:
                time.sleep(0.2)
        return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def start_collector(binary, port, out, log_dir):
    env = dict(os.environ, REC_HTTP=str(port), REC_OUT=out)
    # any path answers: the receiver is up when /v1/traces says 405 to a GET
    return Process("collector", [binary, "--config", os.path.join(HERE, "record.yaml")], env, log_dir,
                   f"http://127.0.0.1:{port}/v1/traces")


def start_app(app, port, collector_port, log_dir, name=None, **extra):
    env = dict(os.environ, **pg_env())
    for k in [k for k in env if k.startswith("OTEL_")]:
        del env[k]
    env.update(
        QUERYLENS_GEN_APP=app,
        QUERYLENS_GEN_PORT=str(port),
        PYTHONDONTWRITEBYTECODE="1",
        OTEL_SERVICE_NAME=SERVICE[app],
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{collector_port}",
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE=BATCH,
        BOOKSHOP_DB_URL=sqlalchemy_url(),
        DJANGO_SETTINGS_MODULE="bookshop_django.settings",
        **extra,
    )
    if SEMCONV[app]:
        env["OTEL_SEMCONV_STABILITY_OPT_IN"] = SEMCONV[app]
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    return Process(name or app, [gunicorn, "-c", "gunicorn_conf.py", "entry:application"], env, log_dir,
                   f"http://127.0.0.1:{port}/_flush")


def flush(port):
    urllib.request.urlopen(f"http://127.0.0.1:{port}/_flush", timeout=60).read()


def curl(method, url, scenario, payload):
    cmd = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"X-Scenario: {scenario}"]
    if method == "POST":
        cmd += ["-H", "Content-Type: application/json", "--data-binary", "@" + payload]
    return subprocess.run(cmd + [url], check=True, capture_output=True, text=True).stdout


def path_of(request, source):
    path = request[2][source] if isinstance(request[2], dict) else request[2]
    return path + ("/" if source == "django" else "")


def run_app(source, requests, ports, work, sent, commenter=False):
    """Runs one app under gunicorn and requests each scenario; appends to
    sent, in order, (source, scenario, path) per request, warm-up included."""
    extra = {"QUERYLENS_GEN_SQLCOMMENTER": "1"} if commenter else {}
    port = ports[source]
    app = start_app(source, port, ports["collector"], work, name=source + ("-sqlcommenter" if commenter else ""),
                    INVENTORY_URL=f"http://127.0.0.1:{ports['inventory']}", **extra)
    payload = os.path.join(work, "import.json")
    with open(payload, "w") as f:
        json.dump(import_payload(), f)
    try:
        # warm-up, not kept: the first request of a worker also carries the
        # connection's first queries (the dialect's version checks)
        seed()
        curl("GET", f"http://127.0.0.1:{port}/{path_of(REQUESTS[0], source)}", "warmup", payload)
        flush(port)
        sent.append((source, None, path_of(REQUESTS[0], source)))
        for request in requests:
            scenario, method = request[0], request[1]
            (seed_large if scenario in LARGE_SEED else seed)()
            path = path_of(request, source)
            query = "?" + request[3] if len(request) > 3 else ""
            code = curl(method, f"http://127.0.0.1:{port}/{path}{query}", scenario, payload)
            flush(ports["inventory"])
            flush(port)
            want = "500" if (source, scenario) == ("sqlalchemy", "lazy_out_of_scope") else ("201" if method == "POST" else "200")
            if code != want:
                raise RuntimeError(f"{source}/{scenario}: HTTP {code}, want {want}; see {app.log_path}")
            sent.append((source, scenario, path))
            print(f"{source}/{scenario}: HTTP {code}")
    finally:
        app.stop()


# --- the recorded file ---------------------------------------------------------
def read_traces(path):
    """{trace id: [raw line]} and the root SERVER spans of the bookshops, in
    start order, from the collector's file: every line must hold one trace
    (the apps flush between requests)."""
    traces = collections.defaultdict(list)
    roots = []
    with open(path, "rb") as f:
        for raw in f:
            raw = raw.rstrip(b"\n")
            if not raw.strip():
                continue
            line = json.loads(raw)
            ids = set()
            for rs in line["resourceSpans"]:
                service = next((a["value"]["stringValue"] for a in rs["resource"]["attributes"]
                                if a["key"] == "service.name"), None)
                for ss in rs["scopeSpans"]:
                    for s in ss["spans"]:
                        ids.add(s["traceId"])
                        if not s.get("parentSpanId") and s["kind"] == rules.SERVER and service != "inventory":
                            roots.append((int(s["startTimeUnixNano"]), s["traceId"], s))
            if len(ids) != 1:
                raise RuntimeError(f"an export request holds {len(ids)} traces; the flush between requests failed")
            traces[ids.pop()].append(raw)
    roots.sort(key=lambda r: r[0])
    return traces, roots


def _url_path(span):
    for a in span["attributes"]:
        if a["key"] in ("url.path", "http.target"):
            return a["value"]["stringValue"].split("?")[0]
    return None


def match(sent, traces, roots):
    """[(source, scenario, [raw line])], the roots matched to the requests
    sent, in order; a root whose path is not the request's is an error."""
    if len(roots) != len(sent):
        raise RuntimeError(f"{len(roots)} recorded requests for {len(sent)} sent")
    out = []
    for (source, scenario, path), (_, trace_id, root) in zip(sent, roots):
        if _url_path(root) != "/" + path:
            raise RuntimeError(f"{source}/{scenario}: recorded {_url_path(root)}, requested /{path}")
        if scenario:
            out.append((source, scenario, traces[trace_id]))
    return out


# --- checks and notes ------------------------------------------------------------
def check_pairs(source, scenario, scoped):
    """Each SQLAlchemy statement span has its psycopg2 twin: same parent,
    same statement, inside its time. What both instrumentations on give."""
    if source != "sqlalchemy":
        return
    driver = [s for sc, s in scoped if sc == rules.PSYCOPG2]
    orm = [s for sc, s in scoped if sc == rules.SQLALCHEMY and rules.statement(s) is not None]
    for s in orm:
        twins = [d for d in driver if d.get("parentSpanId") == s.get("parentSpanId")
                 and rules.statement(d) == rules.statement(s)
                 and int(s["startTimeUnixNano"]) <= int(d["startTimeUnixNano"])
                 and int(d["endTimeUnixNano"]) <= int(s["endTimeUnixNano"])]
        if len(twins) != 1:
            raise RuntimeError(f"{scenario}: SQLAlchemy span {s['spanId']} has {len(twins)} psycopg2 twins")
    if len(driver) != len(orm):
        raise RuntimeError(f"{scenario}: {len(orm)} SQLAlchemy statement spans, {len(driver)} psycopg2 spans")


def summary(source, lines, scoped):
    """The note's last sentences: what the recorded trace holds."""
    by_scope = collections.Counter(sc.rsplit(".", 1)[-1] for sc, _ in scoped)
    parts = ", ".join(f"{n} {sc}" for sc, n in sorted(by_scope.items(), key=lambda x: (-x[1], x[0])))
    text = f"Recorded: {len(scoped)} spans ({parts}) in {len(lines)} export request{'s' if len(lines) > 1 else ''}."
    if source == "sqlalchemy":
        text += (" Both instrumentations are on: each statement is a SQLAlchemy span ('SELECT py_testdata') and, "
                 "beside it under the same parent and inside its time, a psycopg2 span ('SELECT') with the same "
                 "db.query.text; counts are statements, not spans. 'connect' is SQLAlchemy's Engine.connect span.")
    elif any((rules.statement(s) or "").startswith("SELECT set_config('TimeZone'") for _, s in scoped):
        text += (" SELECT set_config('TimeZone', %s, false) is Django's own statement on the request's new "
                 "connection (CONN_MAX_AGE=0).")
    return text


def source_text(source, versions, commenter, has_inventory):
    v = versions["packages"]
    common = (f"opentelemetry-sdk {v['opentelemetry-sdk']} with BatchSpanProcessor (max_export_batch_size "
              f"{BATCH}) and opentelemetry-exporter-otlp-proto-http {v['opentelemetry-exporter-otlp-proto-http']} "
              f"to a collector's file exporter; PostgreSQL {versions['postgresql']}, gunicorn {v['gunicorn']}, "
              f"Python {versions['python']}, requested with curl")
    if source == "django":
        text = (f"recorded: Django {v['django']} + psycopg2-binary {v['psycopg2-binary']}, "
                f"opentelemetry-instrumentation-django {v['opentelemetry-instrumentation-django']} + -psycopg2 "
                f"{v['opentelemetry-instrumentation-psycopg2']}"
                + (" (is_sql_commentor_enabled=True)" if commenter else "")
                + "; OTEL_SEMCONV_STABILITY_OPT_IN unset; " + common)
    else:
        text = (f"recorded: SQLAlchemy {v['sqlalchemy']} ORM + psycopg2-binary {v['psycopg2-binary']} + Flask "
                f"{v['flask']}, opentelemetry-instrumentation-sqlalchemy {v['opentelemetry-instrumentation-sqlalchemy']}"
                + (" (enable_commenter=True)" if commenter else "")
                + f" and -psycopg2 {v['opentelemetry-instrumentation-psycopg2']} both on, -flask "
                f"{v['opentelemetry-instrumentation-flask']}; OTEL_SEMCONV_STABILITY_OPT_IN=database,http; " + common)
    if has_inventory:
        text += (f"; HTTP calls by requests {v['requests']} (opentelemetry-instrumentation-requests "
                 f"{v['opentelemetry-instrumentation-requests']}) to a Flask inventory service (service.name "
                 "inventory, OTEL_SEMCONV_STABILITY_OPT_IN=http) traced by its own SDK")
    return text


# --- versions and the manifest ----------------------------------------------------
def versions(collector):
    pkgs = {d.metadata["Name"].lower().replace("_", "-"): d.version for d in importlib.metadata.distributions()}
    for tool in ("pip", "setuptools", "wheel"):
        pkgs.pop(tool, None)
    out = subprocess.run([collector, "--version"], capture_output=True, text=True).stdout.strip()
    with pg_connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW server_version")
        server = cur.fetchone()[0].split()[0]
    conn.close()
    return {"python": platform.python_version(), "postgresql": server,
            "collector": out, "packages": dict(sorted(pkgs.items()))}


def write_scenario(source, scenario, lines, vers, outdir):
    decoded = [json.loads(raw) for raw in lines]
    scoped = rules.spans_of(decoded)
    check_pairs(source, scenario, scoped)
    findings = rules.analyse(scoped, rules.CALL_SCOPE[source])
    seed_trap, want = rules.CATALOGUE[scenario]
    got = sorted((f["type"], f["count"]) for f in findings)
    if got != sorted(want[source]):
        raise RuntimeError(f"{source}/{scenario}: the trace gives {got}, the scenario must give {sorted(want[source])}")
    has_inventory = any(rs_service(rs) == "inventory" for line in decoded for rs in line["resourceSpans"])
    expected = {
        "source": source_text(source, vers, scenario in SQLCOMMENTER, has_inventory),
        "scenario": scenario,
        "seed_trap": seed_trap,
        "findings": findings,
        "note": rules.NOTES[(source, scenario)].rstrip() + " " + summary(source, lines, scoped),
    }
    trace_path = os.path.join(outdir, scenario + ".json")
    with open(trace_path, "wb") as f:
        for raw in lines:
            f.write(raw + b"\n")
    with open(os.path.join(outdir, scenario + ".expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(f"{source}/{scenario}.json: {len(scoped)} spans in {len(lines)} requests, findings {got}")


def rs_service(rs):
    return next((a["value"]["stringValue"] for a in rs["resource"]["attributes"] if a["key"] == "service.name"), None)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_manifest(vers, testdata, partial):
    """manifest.json: the versions, per source the scenarios and the sha256
    of each file written. A partial run must have the versions of the
    manifest it updates."""
    old = None
    if os.path.exists(MANIFEST):
        with open(MANIFEST) as f:
            old = json.load(f)
    if partial and old and {k: old[k] for k in ("python", "packages")} != {k: vers[k] for k in ("python", "packages")}:
        raise RuntimeError("the venv's versions differ from manifest.json's: regenerate every scenario")
    manifest = dict(vers, generator="testdata/generators/python/generate.py", sources={})
    for source in SOURCES:
        scenarios = [r[0] for r in REQUESTS if source in ONLY.get(r[0], {source})]
        files = {}
        for scenario in scenarios:
            for suffix in (".json", ".expected.json"):
                name = scenario + suffix
                files[name] = sha256(os.path.join(testdata, source, name))
        manifest["sources"][source] = {"scenarios": scenarios, "files": files}
    with open(MANIFEST, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


# --- main ---------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--collector", default=os.environ.get("QUERYLENS_COLLECTOR", os.path.join(REPO, "bin", "otelcol-querylens")),
                    help="a collector with the otlp receiver and the file exporter (default bin/otelcol-querylens)")
    ap.add_argument("--scenarios", help="comma-separated scenarios to (re)record; default all")
    ap.add_argument("--keep", help="keep the collector's file, the logs and the PostgreSQL log in this directory")
    ap.add_argument("--external-pg", action="store_true",
                    help="use the PostgreSQL of PGHOST/PGPORT/PGDATABASE/PGUSER/PGPASSWORD instead of a throwaway cluster")
    ap.add_argument("--pg-port", type=int, default=55432)
    ap.add_argument("--collector-port", type=int, default=54318)
    ap.add_argument("--django-port", type=int, default=58080)
    ap.add_argument("--flask-port", type=int, default=58081)
    ap.add_argument("--inventory-port", type=int, default=58082)
    args = ap.parse_args()

    requests = REQUESTS
    if args.scenarios:
        wanted = set(args.scenarios.split(","))
        unknown = wanted - set(_NAMES)
        if unknown:
            ap.error("unknown scenarios: " + ", ".join(sorted(unknown)))
        requests = [r for r in REQUESTS if r[0] in wanted]
    if not os.access(args.collector, os.X_OK):
        ap.error(f"--collector {args.collector}: not an executable (make build writes bin/otelcol-querylens)")
    ports = {"django": args.django_port, "sqlalchemy": args.flask_port, "inventory": args.inventory_port,
             "collector": args.collector_port}

    work = args.keep or tempfile.mkdtemp(prefix="querylens-py-record-")
    os.makedirs(work, exist_ok=True)
    cluster = None
    running = []
    try:
        if args.external_pg:
            PG.update(host=os.environ.get("PGHOST", "127.0.0.1"), port=int(os.environ.get("PGPORT", "5432")),
                      dbname=os.environ.get("PGDATABASE", "py_testdata"), user=os.environ.get("PGUSER", "py_testdata"),
                      password=os.environ.get("PGPASSWORD", "py_testdata"))
        else:
            cluster = pgcluster.Cluster(args.pg_port)
            PG.update(cluster.start())
        out = os.path.join(work, "traces.jsonl")
        if os.path.exists(out):
            os.remove(out)
        collector = start_collector(args.collector, args.collector_port, out, work)
        running.append(collector)
        running.append(start_app("inventory", args.inventory_port, args.collector_port, work))
        sent = []
        for source in SOURCES:
            mine = [r for r in requests if source in ONLY.get(r[0], {source})]
            plain = [r for r in mine if r[0] not in SQLCOMMENTER]
            commented = [r for r in mine if r[0] in SQLCOMMENTER]
            if not mine:
                continue
            drop_tables()
            create_schema(source)
            if plain:
                run_app(source, plain, ports, work, sent)
            if commented:
                run_app(source, commented, ports, work, sent, commenter=True)
        drop_tables()
        vers = versions(args.collector)
        for p in reversed(running):
            p.stop()
        running = []
        traces, roots = read_traces(out)
        for source, scenario, lines in match(sent, traces, roots):
            outdir = os.path.join(TESTDATA, source)
            os.makedirs(outdir, exist_ok=True)
            write_scenario(source, scenario, lines, vers, outdir)
        write_manifest(vers, TESTDATA, partial=requests is not REQUESTS)
    finally:
        for p in reversed(running):
            p.stop()
        if cluster:
            if args.keep:
                shutil.copy(os.path.join(cluster.dir, "log"), os.path.join(work, "postgresql.log"))
            cluster.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
