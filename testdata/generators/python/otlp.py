"""Shapes OpenTelemetry spans from the captures, the way the Python
instrumentations emit them, and writes them as OTLP JSON (one
ExportTraceServiceRequest per line) plus <scenario>.expected.json.

The OpenTelemetry Python SDK and instrumentations cannot be installed here
(no PyPI), so nothing below runs them: every span name, attribute key, order
and value rule is transcribed from their source, in
open-telemetry/opentelemetry-python-contrib at commit
0047a9627eee2b7201531c8767f6663e43b85f84 (see SOURCES and README.md).
Timestamps, statements, environ values and routes are the captured ones.
"""
import collections
import json
import os
import re
import secrets

CONTRIB_COMMIT = "0047a9627eee2b7201531c8767f6663e43b85f84"
# Version strings reported as instrumentation scope / telemetry.sdk.version.
# The commit's version.py files are not available here; 0.64b0 / 1.43.0 is
# the release pair whose behaviour matches it (sqlalchemy has the database
# semconv opt-in, added by PR #4110 in 2026-01; psycopg2/dbapi do not yet,
# which issue #4980 dates to 1.44.0/0.65b0).
INSTRUMENTATION_VERSION = "0.64b0"
SDK_VERSION = "1.43.0"

SOURCES = {
    "django": [
        "instrumentation/opentelemetry-instrumentation-django/src/opentelemetry/instrumentation/django/__init__.py",
        "instrumentation/opentelemetry-instrumentation-django/src/opentelemetry/instrumentation/django/middleware/otel_middleware.py",
        "instrumentation/opentelemetry-instrumentation-wsgi/src/opentelemetry/instrumentation/wsgi/__init__.py",
        "instrumentation/opentelemetry-instrumentation-psycopg2/src/opentelemetry/instrumentation/psycopg2/__init__.py",
        "instrumentation/opentelemetry-instrumentation-dbapi/src/opentelemetry/instrumentation/dbapi/__init__.py",
        "opentelemetry-instrumentation/src/opentelemetry/instrumentation/_semconv.py",
    ],
    "sqlalchemy": [
        "instrumentation/opentelemetry-instrumentation-flask/src/opentelemetry/instrumentation/flask/__init__.py",
        "instrumentation/opentelemetry-instrumentation-wsgi/src/opentelemetry/instrumentation/wsgi/__init__.py",
        "instrumentation/opentelemetry-instrumentation-sqlalchemy/src/opentelemetry/instrumentation/sqlalchemy/__init__.py",
        "instrumentation/opentelemetry-instrumentation-sqlalchemy/src/opentelemetry/instrumentation/sqlalchemy/engine.py",
        "opentelemetry-instrumentation/src/opentelemetry/instrumentation/_semconv.py",
    ],
}

SOURCE_TEXT = {
    "django": (
        "Django 3.2.25 + psycopg2 2.9.5 (Debian 12 packages) on PostgreSQL 15.18, served by gunicorn 20.1.0, "
        "requested with curl; statements captured at the psycopg2 cursor (cursor_factory, cross-checked with "
        "connection.execute_wrapper). Spans shaped after, not emitted by, the OpenTelemetry Python "
        "instrumentations (the SDK is not installable here): opentelemetry-python-contrib@" + CONTRIB_COMMIT[:12]
        + " instrumentation/opentelemetry-instrumentation-django (middleware/otel_middleware.py, old HTTP semconv), "
        "-wsgi (collect_request_attributes), -psycopg2 + -dbapi (DatabaseApiIntegration/CursorTracer, old DB semconv), "
        "scope version " + INSTRUMENTATION_VERSION + ", SDK " + SDK_VERSION + "; OTEL_SEMCONV_STABILITY_OPT_IN unset"
    ),
    "sqlalchemy": (
        "SQLAlchemy 1.4.46 ORM (2.0-style select) + psycopg2 2.9.5 + Flask 2.2.2 (Debian 12 packages) on PostgreSQL "
        "15.18, served by gunicorn 20.1.0, requested with curl; statements captured in before_cursor_execute/"
        "after_cursor_execute, connects around Engine.connect. Spans shaped after, not emitted by, the OpenTelemetry "
        "Python instrumentations (the SDK is not installable here): opentelemetry-python-contrib@" + CONTRIB_COMMIT[:12]
        + " instrumentation/opentelemetry-instrumentation-sqlalchemy (engine.py EngineTracer, _wrap_connect) and "
        "-flask (+ -wsgi collect_request_attributes), _semconv.py; OTEL_SEMCONV_STABILITY_OPT_IN=database,http "
        "(stable DB and HTTP conventions), scope version " + INSTRUMENTATION_VERSION + ", SDK " + SDK_VERSION
    ),
}

SERVICE = {"django": "bookshop-django", "sqlalchemy": "bookshop-sqlalchemy"}

# scenario -> (seed_trap, table of the repeated statement, finding expected)
SCENARIOS = {
    "forward_fk_loop": ("N+1 on forward FK", "authors", True),
    "forward_fk_join": ("N+1 on forward FK", None, False),
    "collection_loop": ("N+1 on collection / M2M", "books", True),
    "collection_prefetch": ("N+1 on collection / M2M", None, False),
    "m2m_loop": ("N+1 on collection / M2M", "tags", True),
    "m2m_prefetch": ("N+1 on collection / M2M", None, False),
    "count_loop": ("Counting in Python", "books", True),
    "count_annotate": ("Counting in Python", None, False),
    "insert_loop": ("row-at-a-time INSERT in a loop (not in the seed article's checklist)", "books", True),
    "insert_bulk": ("row-at-a-time INSERT in a loop (not in the seed article's checklist)", None, False),
    "below_threshold": ("N+1 on forward FK, 3 items (below the default threshold of 5)", None, False),
}

SERVER, CLIENT = 2, 3  # SpanKind enum values in OTLP
SPAN_FLAGS = 0x100  # SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK, parent not remote
BATCH = 8  # BatchSpanProcessor max_export_batch_size used for the split

_LEADING_COMMENT = re.compile(r"^/\*.*?\*/")


def _first_word(statement):
    # CursorTracer.get_operation_name / EngineTracer._operation_name
    return _LEADING_COMMENT.sub("", statement).split()[0]


def _attr(key, value):
    if isinstance(value, bool):
        v = {"boolValue": value}
    elif isinstance(value, int):
        v = {"intValue": str(value)}
    else:
        v = {"stringValue": value}
    return {"key": key, "value": v}


def _attrs(pairs):
    # Python SDK span attributes keep insertion order; a key set twice keeps
    # its first position (dict semantics), None values are dropped.
    d = {}
    for k, v in pairs:
        if v is None or v == "":
            continue
        d[k] = v
    return [_attr(k, v) for k, v in d.items()]


def _span(trace_id, span_id, parent_id, name, kind, start, end, attrs):
    s = {"traceId": trace_id, "spanId": span_id}
    if parent_id:
        s["parentSpanId"] = parent_id
    s.update(
        {
            "flags": SPAN_FLAGS,
            "name": name,
            "kind": kind,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(end),
            "attributes": attrs,
            "status": {},  # UNSET: http_status_to_status_code(2xx, server_span=True)
        }
    )
    return s


def _http_version(environ):
    flavor = environ.get("SERVER_PROTOCOL", "")
    return flavor[len("HTTP/"):] if flavor.upper().startswith("HTTP/") else flavor


def _target(environ):
    target = environ.get("RAW_URI")
    if target is None:
        target = environ.get("REQUEST_URI")
    return target


# --- Django: otel_middleware.py + wsgi collect_request_attributes (old semconv)
def django_server_span(trace_id, span_id, server):
    env = server["environ"]
    method = env["REQUEST_METHOD"].strip()
    name = f"{method} {server['name_route']}" if server.get("name_route") else method
    pairs = [
        ("http.method", method),
        ("http.server_name", env.get("SERVER_NAME")),
        ("http.scheme", env.get("wsgi.url_scheme")),
        ("net.host.name", env.get("HTTP_HOST")),
        ("http.host", env.get("HTTP_HOST")),
        ("net.host.port", int(env["SERVER_PORT"]) if env.get("SERVER_PORT") else None),
        ("http.target", _target(env)),
        ("net.peer.ip", env.get("REMOTE_ADDR")),
        ("net.peer.port", int(env["REMOTE_PORT"]) if env.get("REMOTE_PORT") else None),
        ("http.user_agent", env.get("HTTP_USER_AGENT")),
        ("http.flavor", _http_version(env)),
        ("http.route", server.get("http_route")),  # process_view
        ("http.status_code", server["status_code"]),  # add_response_attributes
    ]
    return _span(trace_id, span_id, None, name, SERVER, server["start_ns"], server["end_ns"], _attrs(pairs))


# --- psycopg2 / dbapi CursorTracer (old DB semconv) ---------------------------
def psycopg2_span(trace_id, parent_id, q):
    dsn = q["dsn"]
    name = _first_word(q["sql"]) or dsn["dbname"]
    pairs = [
        ("db.system", "postgresql"),
        ("db.name", dsn["dbname"]),
        ("db.statement", q["sql"]),
        # DatabaseApiIntegration.get_connection_attributes: user, host, port
        ("db.user", dsn["user"]),
        ("net.peer.name", dsn["host"]),
        ("net.peer.port", dsn["port"]),
    ]
    return _span(trace_id, secrets.token_hex(8), parent_id, name, CLIENT, q["start_ns"], q["end_ns"], _attrs(pairs))


# --- Flask (+ wsgi collect_request_attributes), new HTTP semconv --------------
def flask_server_span(trace_id, span_id, server):
    env = server["environ"]
    method = env["REQUEST_METHOD"].strip()
    name = f"{method} {server['url_rule']}" if server.get("url_rule") else f"{method} {env.get('PATH_INFO', '')}"
    target = _target(env)
    path, _, query = (target or "").partition("?")
    pairs = [
        ("http.request.method", method),
        ("url.scheme", env.get("wsgi.url_scheme")),
        ("server.address", env.get("HTTP_HOST")),
        ("server.port", int(env["SERVER_PORT"]) if env.get("SERVER_PORT") else None),
        ("url.path", path or None),
        ("url.query", query or None),
        ("client.address", env.get("REMOTE_ADDR")),
        ("client.port", int(env["REMOTE_PORT"]) if env.get("REMOTE_PORT") else None),
        ("user_agent.original", env.get("HTTP_USER_AGENT")),
        ("network.protocol.version", _http_version(env)),
        ("http.route", server.get("url_rule")),
        ("http.response.status_code", server["status_code"]),
    ]
    return _span(trace_id, span_id, None, name, SERVER, server["start_ns"], server["end_ns"], _attrs(pairs))


# --- sqlalchemy engine.py (database + http opt-in) ----------------------------
def _sqlalchemy_url_attrs(url):
    # _get_attributes_from_url(engine.url): host/port through the http helpers
    # (server.address/server.port in http mode), database through _set_db_name
    # (db.namespace), username through _set_db_user (old mode only: dropped).
    assert url["host"], "no url.host: engine.py would read the cursor instead"
    return [("server.address", url["host"]), ("server.port", url["port"]), ("db.namespace", url["database"])]


def sqlalchemy_connect_span(trace_id, parent_id, c):
    # _wrap_connect: attrs from the engine url, then _set_db_system(engine.name)
    pairs = _sqlalchemy_url_attrs(c["url"]) + [("db.system.name", "postgresql")]
    return _span(trace_id, secrets.token_hex(8), parent_id, "connect", CLIENT, c["start_ns"], c["end_ns"], _attrs(pairs))


def sqlalchemy_span(trace_id, parent_id, q):
    name = f"{_first_word(q['sql'])} {q['dbname']}" if q["dbname"] else _first_word(q["sql"])
    pairs = _sqlalchemy_url_attrs(q["url"]) + [
        ("db.query.text", q["sql"]),
        ("db.system.name", "postgresql"),
        ("db.operation.name", name),  # _set_db_operation(self._operation_name(...))
    ]
    return _span(trace_id, secrets.token_hex(8), parent_id, name, CLIENT, q["start_ns"], q["end_ns"], _attrs(pairs))


SCOPES = {
    "django": {"name": "opentelemetry.instrumentation.django", "schema": "https://opentelemetry.io/schemas/1.11.0"},
    "psycopg2": {"name": "opentelemetry.instrumentation.psycopg2", "schema": "https://opentelemetry.io/schemas/1.11.0"},
    "flask": {"name": "opentelemetry.instrumentation.flask", "schema": "https://opentelemetry.io/schemas/1.21.0"},
    "sqlalchemy": {"name": "opentelemetry.instrumentation.sqlalchemy", "schema": "https://opentelemetry.io/schemas/1.25.0"},
}


def build_trace(source, rec):
    """Returns [(scope_key, span)] for one request."""
    trace_id = secrets.token_hex(16)
    server_id = secrets.token_hex(8)
    out = []
    if source == "django":
        out.append(("django", django_server_span(trace_id, server_id, rec["server"])))
        for q in rec["db"]:
            out.append(("psycopg2", psycopg2_span(trace_id, server_id, q)))
    else:
        out.append(("flask", flask_server_span(trace_id, server_id, rec["server"])))
        for c in rec["connect"]:
            out.append(("sqlalchemy", sqlalchemy_connect_span(trace_id, server_id, c)))
        for q in rec["db"]:
            out.append(("sqlalchemy", sqlalchemy_span(trace_id, server_id, q)))
    return out


def export_requests(source, spans):
    """BatchSpanProcessor: spans are queued as they end and exported in
    batches of BATCH; a trace of at most BATCH spans is split before its
    server span (the scheduled export fired while the request was finishing).
    Each request groups spans by resource, then by scope in first-seen order
    (opentelemetry-exporter-otlp-proto-common _encode_resource_spans)."""
    ordered = sorted(spans, key=lambda p: int(p[1]["endTimeUnixNano"]))
    if len(ordered) <= BATCH:
        batches = [ordered[:-1], ordered[-1:]]
    else:
        batches = [ordered[i:i + BATCH] for i in range(0, len(ordered), BATCH)]
    resource = {
        "attributes": [
            _attr("telemetry.sdk.language", "python"),
            _attr("telemetry.sdk.name", "opentelemetry"),
            _attr("telemetry.sdk.version", SDK_VERSION),
            _attr("service.name", SERVICE[source]),
        ]
    }
    lines = []
    for batch in batches:
        by_scope = collections.OrderedDict()
        for key, span in batch:
            by_scope.setdefault(key, []).append(span)
        scope_spans = [
            {
                "scope": {"name": SCOPES[k]["name"], "version": INSTRUMENTATION_VERSION},
                "spans": ss,
                "schemaUrl": SCOPES[k]["schema"],
            }
            for k, ss in by_scope.items()
        ]
        lines.append({"resourceSpans": [{"resource": resource, "scopeSpans": scope_spans}]})
    return lines


def _statement(span):
    for a in span["attributes"]:
        if a["key"] in ("db.statement", "db.query.text"):
            return a["value"]["stringValue"]
    return None


def findings_from_output(lines, scenario):
    """Counts, from the written spans, the DB spans that repeat one statement
    under one parent; checks them against the scenario's expectation."""
    spans = [s for line in lines for rs in line["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
    by_id = {s["spanId"]: s for s in spans}
    groups = collections.Counter(
        (s["parentSpanId"], _statement(s)) for s in spans if _statement(s) is not None and "parentSpanId" in s
    )
    seed_trap, table, expect = SCENARIOS[scenario]
    repeated = [(k, n) for k, n in groups.items() if n >= 2]
    findings = []
    if expect:
        assert len(repeated) == 1, (scenario, repeated)
        (parent, stmt), n = repeated[0]
        assert n >= 5, (scenario, n)
        assert re.search(r'\b(FROM|INTO) "?%s"?' % table, stmt), (scenario, table, stmt)
        findings.append({"type": "n_plus_one", "count": n, "anchor_span_name": by_id[parent]["name"], "table": table})
    else:
        assert all(n < 5 for _, n in repeated), (scenario, repeated)
    return seed_trap, findings, len(spans)


def write_all(work, testdata, scenarios):
    for source in ("django", "sqlalchemy"):
        outdir = os.path.join(testdata, source)
        os.makedirs(outdir, exist_ok=True)
        for scenario in scenarios:
            with open(os.path.join(work, source, scenario + ".capture.json")) as f:
                rec = json.load(f)
            if source == "django":
                # the ORM statements seen by execute_wrapper are the cursor's,
                # minus Django's own SET TIME ZONE on the new connection
                ew = [(e["sql"], e["params"]) for e in rec["execute_wrapper"]]
                cur = [(q["sql"], q["params"]) for q in rec["db"] if not q["sql"].startswith("SET TIME ZONE")]
                assert ew == cur, (scenario, ew, cur)
            spans = build_trace(source, rec)
            lines = export_requests(source, spans)
            seed_trap, findings, n = findings_from_output(lines, scenario)
            with open(os.path.join(outdir, scenario + ".json"), "w") as f:
                for line in lines:
                    f.write(json.dumps(line, separators=(",", ":")) + "\n")
            expected = {
                "source": SOURCE_TEXT[source],
                "scenario": scenario,
                "seed_trap": seed_trap,
                "findings": findings,
            }
            with open(os.path.join(outdir, scenario + ".expected.json"), "w") as f:
                json.dump(expected, f, indent=2)
                f.write("\n")
            print(f"{source}/{scenario}.json: {n} spans in {len(lines)} requests, findings {findings}")
