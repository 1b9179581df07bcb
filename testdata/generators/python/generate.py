#!/usr/bin/python3
"""Regenerates testdata/django/ and testdata/sqlalchemy/.

Run with Debian's python3 (python3-django 3.2, python3-sqlalchemy 1.4,
python3-psycopg2, python3-flask, gunicorn) against a PostgreSQL where the role
and database ``py_testdata`` exist (see README.md):

    /usr/bin/python3 testdata/generators/python/generate.py

Phase 1 runs the real apps under gunicorn and records, per scenario request,
the WSGI environ, the resolved route and every statement as it reached the
DB-API cursor (captures/ in a temporary directory, kept with --keep).
Phase 2 (otlp.py) shapes the OpenTelemetry spans from the captures, following
the Python instrumentations' source, and writes the OTLP JSON files.
"""
import argparse
import datetime
import json
import os
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
TESTDATA = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import otlp  # noqa: E402

PG = dict(
    host=os.environ.get("PGHOST", "127.0.0.1"),
    port=int(os.environ.get("PGPORT", "5432")),
    dbname=os.environ.get("PGDATABASE", "py_testdata"),
    user=os.environ.get("PGUSER", "py_testdata"),
    password=os.environ.get("PGPASSWORD", "py_testdata"),
)

# (scenario, method, path[, query]) in the order they are requested.
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
    # the rest of the catalogue (testdata/README.md); these run on the large
    # seed (seed_large). over_fetch_select_star / over_fetch_columns are not
    # generated: neither ORM writes SELECT *, both list the columns.
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
    # pages over joins (testdata/README.md, last section), on the small seed;
    # paged_subquery is SQLAlchemy's only (ONLY): Django has no join-loading
    # of a collection.
    ("paged_to_many_join", "GET", "authors/search", "q=book"),
    ("paged_to_many_fixed", "GET", "authors/search", "q=book"),
    ("paged_to_one_join", "GET", "books/with-author"),
    ("paged_subquery", "GET", "authors/with-books"),
]
_CATALOGUE_REQUESTS = [r[0] for r in REQUESTS]
LARGE_SEED = set(_CATALOGUE_REQUESTS[_CATALOGUE_REQUESTS.index("mn_plus_one_loop"):
                                     _CATALOGUE_REQUESTS.index("several_traps") + 1])
# scenario -> the apps that produce it (default: both)
ONLY = {"paged_subquery": {"sqlalchemy"}}

TABLES = ("books_tags", "books", "tags", "authors", "settings")


def pg_connect():
    import psycopg2

    return psycopg2.connect(**PG)


def drop_tables():
    with pg_connect() as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS %s CASCADE" % ", ".join(TABLES))


def seed():
    """10 authors, 25 books, 8 tags; identical for both ORMs, reset before
    every scenario so each request sees the same data."""
    with pg_connect() as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE %s RESTART IDENTITY CASCADE" % ", ".join(TABLES))
        for a in range(1, 11):
            cur.execute(
                "INSERT INTO authors (name, email, bio) VALUES (%s, %s, %s)",
                (f"Author {a}", f"author{a}@example.com", f"Biography of author {a}."),
            )
        for t in ("fiction", "history", "science", "poetry", "travel", "crime", "essays", "children"):
            cur.execute("INSERT INTO tags (name) VALUES (%s)", (t,))
        base = datetime.date(2015, 1, 1)
        for b in range(1, 26):
            cur.execute(
                "INSERT INTO books (title, author_id, published_at, pages) VALUES (%s, %s, %s, %s)",
                (f"Book {b}", (b - 1) % 10 + 1, base + datetime.timedelta(days=53 * b), 120 + (b * 37) % 400),
            )
            for t in sorted({b % 8 + 1, (b * 3) % 8 + 1}):
                cur.execute("INSERT INTO books_tags (book_id, tag_id) VALUES (%s, %s)", (b, t))


def seed_large():
    """The seed of the first catalogue scenarios (same authors, tags and first
    25 books) grown to 5120 books, so that page 251 of 20 rows (OFFSET 5000)
    exists, plus the site settings rows. Written in a few set-based
    statements, untraced, before each scenario."""
    with pg_connect() as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE %s RESTART IDENTITY CASCADE" % ", ".join(TABLES))
        for a in range(1, 11):
            cur.execute(
                "INSERT INTO authors (name, email, bio) VALUES (%s, %s, %s)",
                (f"Author {a}", f"author{a}@example.com", f"Biography of author {a}."),
            )
        for t in ("fiction", "history", "science", "poetry", "travel", "crime", "essays", "children"):
            cur.execute("INSERT INTO tags (name) VALUES (%s)", (t,))
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


LARGE_BOOKS = 5120


def import_payload():
    base = datetime.date(2024, 3, 1)
    return {
        "books": [
            {
                "title": f"Imported volume {n}",
                "author_id": (n - 1) % 10 + 1,
                "published_at": (base + datetime.timedelta(days=n)).isoformat(),
                "pages": 200 + n,
            }
            for n in range(1, 21)
        ]
    }


def create_schema_django():
    os.environ["DJANGO_SETTINGS_MODULE"] = "bookshop_django.settings"
    import django

    django.setup()
    from django.db import connection

    from bookshop_django.models import Author, Book, Setting, Tag

    with connection.schema_editor() as editor:
        for model in (Author, Tag, Book, Setting):
            editor.create_model(model)
    connection.close()


def sqlalchemy_url():
    # host and port spelled out: EngineTracer takes server.address/server.port
    # from the engine url
    return "postgresql+psycopg2://{user}:{password}@{host}:{port}/{dbname}".format(**PG)


def create_schema_sqlalchemy():
    from sqlalchemy import create_engine

    from bookshop_sqlalchemy.models import Base

    engine = create_engine(sqlalchemy_url(), future=True)
    Base.metadata.create_all(engine)
    engine.dispose()


def wait_http(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up")


def start_gunicorn(wsgi, port, capture_dir, **extra_env):
    """gunicorn 20.1.0, one sync worker, on 127.0.0.1:port."""
    os.makedirs(capture_dir, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=HERE, CAPTURE_DIR=capture_dir,
               BOOKSHOP_DB_URL=sqlalchemy_url(), PYTHONDONTWRITEBYTECODE="1", **extra_env)
    log = open(os.path.join(capture_dir, "gunicorn.log"), "w")
    proc = subprocess.Popen(
        ["/usr/bin/gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--chdir", HERE, wsgi],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    return proc, log


def stop_gunicorn(proc, log):
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    log.close()


def run_phase(name, wsgi, port, capture_dir, path_suffix, requests, inventory_url):
    """Start gunicorn (one sync worker) on the app, request every scenario with
    curl, stop gunicorn; captures land in capture_dir/<scenario>.capture.json."""
    proc, log = start_gunicorn(wsgi, port, capture_dir, INVENTORY_URL=inventory_url)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_http(base + "books" + path_suffix)  # warm-up, not recorded
        payload = os.path.join(capture_dir, "import.json")
        with open(payload, "w") as f:
            json.dump(import_payload(), f)
        for scenario, method, path, *query in requests:
            if name not in ONLY.get(scenario, {name}):
                continue
            if scenario in LARGE_SEED:
                seed_large()
            else:
                seed()
            cmd = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                   "-H", f"X-Scenario: {scenario}"]
            if method == "POST":
                cmd += ["-H", "Content-Type: application/json", "--data-binary", "@" + payload]
            cmd.append(base + path + path_suffix + ("?" + query[0] if query else ""))
            code = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            out = os.path.join(capture_dir, scenario + ".capture.json")
            for _ in range(100):
                if os.path.exists(out):
                    break
                time.sleep(0.05)
            if not os.path.exists(out) or code not in ("200", "201"):
                raise RuntimeError(f"{name}/{scenario}: HTTP {code}, capture {os.path.exists(out)}")
            print(f"{name}/{scenario}: HTTP {code}")
    finally:
        stop_gunicorn(proc, log)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="keep the raw captures in this directory")
    ap.add_argument("--django-port", type=int, default=18731)
    ap.add_argument("--flask-port", type=int, default=18732)
    ap.add_argument("--inventory-port", type=int, default=18733)
    ap.add_argument("--scenarios", help="comma-separated scenarios to (re)generate; default all")
    args = ap.parse_args()

    requests = REQUESTS
    if args.scenarios:
        wanted = args.scenarios.split(",")
        unknown = set(wanted) - {r[0] for r in REQUESTS}
        if unknown:
            ap.error("unknown scenarios: " + ", ".join(sorted(unknown)))
        requests = [r for r in REQUESTS if r[0] in wanted]

    work = args.keep or tempfile.mkdtemp(prefix="querylens-py-capture-")
    inventory_url = f"http://127.0.0.1:{args.inventory_port}"
    # the inventory service (Flask, no database) that api_loop / api_batch call
    inventory = start_gunicorn("inventory.app:app", args.inventory_port,
                               os.path.join(work, "inventory"))
    try:
        wait_http(inventory_url + "/stock/1")
        drop_tables()
        create_schema_django()
        run_phase("django", "bookshop_django.wsgi:application", args.django_port,
                  os.path.join(work, "django"), "/", requests, inventory_url)
        drop_tables()
        create_schema_sqlalchemy()
        run_phase("sqlalchemy", "bookshop_sqlalchemy.app:app", args.flask_port,
                  os.path.join(work, "sqlalchemy"), "", requests, inventory_url)
        drop_tables()
        stop_gunicorn(*inventory)
        inventory = None
        otlp.write_all(work, TESTDATA, [r[0] for r in requests], ONLY)
    finally:
        if inventory:
            stop_gunicorn(*inventory)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
