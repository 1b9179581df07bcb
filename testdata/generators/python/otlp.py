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

INVENTORY_SOURCE_TEXT = (
    "; HTTP calls made with requests 2.28.1 (Debian 12) to a real local inventory service (Flask 2.2.2 under "
    "gunicorn 20.1.0, service.name inventory), client spans shaped after instrumentation/"
    "opentelemetry-instrumentation-requests (instrumented_send), the callee's server spans after -flask "
    "(OTEL_SEMCONV_STABILITY_OPT_IN=http), remote parent from the traceparent the client injected"
)

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

INTERNAL, SERVER, CLIENT = 1, 2, 3  # SpanKind enum values in OTLP
SPAN_FLAGS = 0x100  # SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK, parent not remote
# ... | SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK: a server span whose parent came in a
# traceparent header (the exporter's _span_flags(parent_span_context))
SPAN_FLAGS_REMOTE_PARENT = 0x300
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


def _span(trace_id, span_id, parent_id, name, kind, start, end, attrs, flags=SPAN_FLAGS):
    s = {"traceId": trace_id, "spanId": span_id}
    if parent_id:
        s["parentSpanId"] = parent_id
    s.update(
        {
            "flags": flags,
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
def flask_server_span(trace_id, span_id, server, parent_id=None, flags=SPAN_FLAGS):
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
    return _span(trace_id, span_id, parent_id, name, SERVER, server["start_ns"], server["end_ns"], _attrs(pairs), flags)


# --- requests (instrumentation/opentelemetry-instrumentation-requests) -------
def requests_client_span(trace_id, c, new_semconv):
    """instrumented_send: name get_default_span_name(method) (the method alone),
    kind CLIENT; the attributes given to start_as_current_span, in this order:
    _set_http_method, _set_http_url (redact_url: no credentials, no signed
    query parameters here), user_agent.original (set in both modes), then in
    the new mode only server.address, network.peer.address, server.port,
    network.peer.port (the old mode puts host and port in the metric labels
    only); after the response _set_status (http.status_code /
    http.response.status_code, status UNSET below 400) and, new mode only,
    network.protocol.version from result.raw.version. No net.peer.ip: that
    needs HttpClientInstrumentor, which nothing enables."""
    from urllib.parse import urlparse

    method = c["method"].strip().upper()
    url = urlparse(c["url"])
    pairs = [("http.request.method" if new_semconv else "http.method", method),
             ("url.full" if new_semconv else "http.url", c["url"]),
             ("user_agent.original", c["user_agent"])]
    if new_semconv:
        pairs += [("server.address", url.hostname), ("network.peer.address", url.hostname),
                  ("server.port", url.port), ("network.peer.port", url.port)]
    pairs.append(("http.response.status_code" if new_semconv else "http.status_code", c["status_code"]))
    if new_semconv and c.get("raw_version"):
        pairs.append(("network.protocol.version", "1.1" if c["raw_version"] == 11 else "1.0"))
    assert c["status_code"] < 400, c  # an error status would set status ERROR
    return _span(trace_id, c["span_id"], c["parent"], method, CLIENT, c["start_ns"], c["end_ns"], _attrs(pairs))


# --- the application's own spans (tracer.start_as_current_span) -------------
def internal_span(trace_id, c):
    pairs = list(c["attributes"].items())
    return _span(trace_id, c["span_id"], c["parent"], c["name"], INTERNAL, c["start_ns"], c["end_ns"], _attrs(pairs))


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
    # requests: _get_schema_url(http mode): 1.11.0 (Django app, no opt-in),
    # 1.21.0 (Flask/SQLAlchemy app, OTEL_SEMCONV_STABILITY_OPT_IN=database,http)
    "requests-old": {"name": "opentelemetry.instrumentation.requests", "schema": "https://opentelemetry.io/schemas/1.11.0"},
    "requests-new": {"name": "opentelemetry.instrumentation.requests", "schema": "https://opentelemetry.io/schemas/1.21.0"},
    # the app's own tracer: get_tracer("bookshop"), no version, no schema URL
    "bookshop": {"name": "bookshop", "version": None, "schema": None},
    "django": {"name": "opentelemetry.instrumentation.django", "schema": "https://opentelemetry.io/schemas/1.11.0"},
    "psycopg2": {"name": "opentelemetry.instrumentation.psycopg2", "schema": "https://opentelemetry.io/schemas/1.11.0"},
    "flask": {"name": "opentelemetry.instrumentation.flask", "schema": "https://opentelemetry.io/schemas/1.21.0"},
    "sqlalchemy": {"name": "opentelemetry.instrumentation.sqlalchemy", "schema": "https://opentelemetry.io/schemas/1.25.0"},
}


def build_trace(source, rec):
    """Returns [(scope_key, span)] for one request. The trace id and the server
    span id are the ones drawn at capture time (capture.begin), which the
    HTTP client hook propagated to the inventory service; every recorded call
    names the span that was current when it ran (capture.current_parent)."""
    trace_id = rec.get("trace_id") or secrets.token_hex(16)
    server_id = rec["server"].get("span_id") or secrets.token_hex(8)
    out = []
    if source == "django":
        out.append(("django", django_server_span(trace_id, server_id, rec["server"])))
        for q in rec["db"]:
            out.append(("psycopg2", psycopg2_span(trace_id, q.get("parent") or server_id, q)))
    else:
        out.append(("flask", flask_server_span(trace_id, server_id, rec["server"])))
        for c in rec["connect"]:
            out.append(("sqlalchemy", sqlalchemy_connect_span(trace_id, c.get("parent") or server_id, c)))
        for q in rec["db"]:
            out.append(("sqlalchemy", sqlalchemy_span(trace_id, q.get("parent") or server_id, q)))
    for c in rec.get("spans", []):
        if c["type"] == "internal":
            out.append((c["scope"], internal_span(trace_id, c)))
        elif c["type"] == "http_client":
            new = source == "sqlalchemy"  # OTEL_SEMCONV_STABILITY_OPT_IN=database,http
            out.append(("requests-new" if new else "requests-old", requests_client_span(trace_id, c, new)))
        else:
            raise ValueError(c["type"])
    return out


def build_inventory(recs):
    """The inventory service's server spans: Flask instrumentation with
    OTEL_SEMCONV_STABILITY_OPT_IN=http, each the child of the remote client
    span named in the traceparent it received."""
    out = []
    for rec in recs:
        span = flask_server_span(rec["trace_id"], rec["server"]["span_id"], rec["server"],
                                 parent_id=rec["server"]["remote_parent"], flags=SPAN_FLAGS_REMOTE_PARENT)
        out.append(("flask", span))
    return out


def _resource(service):
    return {
        "attributes": [
            _attr("telemetry.sdk.language", "python"),
            _attr("telemetry.sdk.name", "opentelemetry"),
            _attr("telemetry.sdk.version", SDK_VERSION),
            _attr("service.name", service),
        ]
    }


def _scope_spans(key, spans):
    sc = SCOPES[key]
    version = sc.get("version", INSTRUMENTATION_VERSION)
    scope = {"name": sc["name"]}
    if version:
        scope["version"] = version
    out = {"scope": scope, "spans": spans}
    if sc["schema"]:
        out["schemaUrl"] = sc["schema"]
    return out


def _batches(spans, split_small):
    ordered = sorted(spans, key=lambda p: int(p[1]["endTimeUnixNano"]))
    if split_small and len(ordered) <= BATCH:
        return [ordered[:-1], ordered[-1:]]
    return [ordered[i:i + BATCH] for i in range(0, len(ordered), BATCH)]


def export_requests(source, spans, inventory_spans=()):
    """BatchSpanProcessor: spans are queued as they end and exported in
    batches of BATCH; a trace of at most BATCH spans is split before its
    server span (the scheduled export fired while the request was finishing).
    Each request groups spans by resource, then by scope in first-seen order
    (opentelemetry-exporter-otlp-proto-common _encode_resource_spans).
    The inventory service is another process with its own SDK: its spans go
    in requests of their own (batches of BATCH in end order); the lines of
    both services are ordered by the end of each batch's last span."""
    batches = [(SERVICE[source], b) for b in _batches(spans, split_small=True)]
    if inventory_spans:
        batches += [("inventory", b) for b in _batches(list(inventory_spans), split_small=False)]
    batches.sort(key=lambda sb: int(sb[1][-1][1]["endTimeUnixNano"]))
    lines = []
    for service, batch in batches:
        by_scope = collections.OrderedDict()
        for key, span in batch:
            by_scope.setdefault(key, []).append(span)
        scope_spans = [_scope_spans(k, ss) for k, ss in by_scope.items()]
        lines.append({"resourceSpans": [{"resource": _resource(service), "scopeSpans": scope_spans}]})
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


def _load_inventory(work):
    by_trace = collections.defaultdict(list)
    d = os.path.join(work, "inventory")
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else ():
        if name.startswith("inventory-") and name.endswith(".capture.json"):
            with open(os.path.join(d, name)) as f:
                rec = json.load(f)
            by_trace[rec["trace_id"]].append(rec)
    return by_trace


def _catalogue_findings(lines, source, scenario):
    spans = [s for line in lines for rs in line["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
    assert len({s["traceId"] for s in spans}) == 1, scenario
    findings = analyse(spans)
    seed_trap, want = CATALOGUE[scenario]
    got = [(f["type"], f["count"]) for f in findings]
    assert sorted(got) == sorted(want[source]), (source, scenario, findings)
    return seed_trap, findings, len(spans)


def write_all(work, testdata, scenarios, only=None):
    inventory = _load_inventory(work)
    for source in ("django", "sqlalchemy"):
        outdir = os.path.join(testdata, source)
        os.makedirs(outdir, exist_ok=True)
        for scenario in scenarios:
            if source not in (only or {}).get(scenario, {source}):
                continue
            with open(os.path.join(work, source, scenario + ".capture.json")) as f:
                rec = json.load(f)
            if source == "django":
                # the ORM statements seen by execute_wrapper are the cursor's,
                # minus Django's own SET TIME ZONE on the new connection
                ew = [(e["sql"], e["params"]) for e in rec["execute_wrapper"]]
                cur = [(q["sql"], q["params"]) for q in rec["db"] if not q["sql"].startswith("SET TIME ZONE")]
                assert ew == cur, (scenario, ew, cur)
            spans = build_trace(source, rec)
            callee = build_inventory(inventory.pop(rec.get("trace_id"), []))
            lines = export_requests(source, spans, callee)
            if scenario in CATALOGUE:
                seed_trap, findings, n = _catalogue_findings(lines, source, scenario)
            else:
                seed_trap, findings, n = findings_from_output(lines, scenario)
            with open(os.path.join(outdir, scenario + ".json"), "w") as f:
                for line in lines:
                    f.write(json.dumps(line, separators=(",", ":")) + "\n")
            expected = {
                "source": SOURCE_TEXT[source] + (INVENTORY_SOURCE_TEXT if callee else ""),
                "scenario": scenario,
                "seed_trap": seed_trap,
                "findings": findings,
            }
            if scenario in CATALOGUE:
                expected["note"] = NOTES[(source, scenario)]
            with open(os.path.join(outdir, scenario + ".expected.json"), "w") as f:
                json.dump(expected, f, indent=2)
                f.write("\n")
            print(f"{source}/{scenario}.json: {n} spans in {len(lines)} requests, findings {findings}")


# --- the rest of the catalogue -----------------------------------------------
# Findings of the scenarios below are derived from the written spans by the
# rules of testdata/README.md ("Rules the expected files follow"), and then
# checked against what each scenario is meant to produce (CATALOGUE), so a
# regeneration fails if an app stops producing its trap.

_CONTROL = re.compile(r"^\s*(SET|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SHOW)\b", re.I)
# psycopg2 placeholders (format / pyformat): values not recorded on the span,
# so unseen (neither instrumentation records db.query.parameter.*)
_PLACEHOLDER = re.compile(r"%s|%\(\w+\)s")
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.I)
_OFFSET = re.compile(r"\bOFFSET\s+(\d+)\b", re.I)
_COUNT_STAR = re.compile(r"^\s*SELECT\s+COUNT\(\*\)", re.I)
_FROM_WHERE = re.compile(r"\bFROM\s+(.*?)(?:\s+WHERE\s+(.*?))?\s*(?:\bGROUP BY\b|\bORDER BY\b|\bLIMIT\b|\bOFFSET\b|$)", re.I | re.S)
MIN_REPEATS, MIN_DUPLICATES = 5, 3


def _norm_ws(sql):
    return " ".join(sql.split())


def _table(sql):
    m = _TABLE.search(sql)
    return m.group(1) if m else None


def _http_url(span):
    for a in span["attributes"]:
        if a["key"] in ("http.url", "url.full"):
            return a["value"]["stringValue"]
    return None


# paged_to_many_join: a top-level LIMIT (literal or placeholder), no top-level
# DISTINCT or GROUP BY, a FROM that starts with a table T (not a subquery) and
# a JOIN of a table U whose ON condition equates a column of U other than its
# key to T's key (key: the column "id"); one finding per statement, table T.
_IDENT = r'(?:"([^"]+)"|(\w+))'
_TABLE_REF = re.compile(r"^\s*" + _IDENT + r"(?:\s+(?:AS\s+)?" + _IDENT + r")?\s*$", re.I)
_COLUMN_REF = re.compile(r"^\s*" + _IDENT + r"\s*\.\s*" + _IDENT + r"\s*$", re.I)
_JOIN_KW = re.compile(r"\s+(?:(?:INNER|CROSS|(?:LEFT|RIGHT|FULL)(?:\s+OUTER)?)\s+)?JOIN\s+", re.I)
_CLAUSE_KW = re.compile(r"(select|from|where|group\s+by|order\s+by|limit|offset|having)\b", re.I)


def _top_level_clauses(sql):
    """{keyword: text} of the clauses at parenthesis depth 0."""
    marks, depth, quote, i = [], 0, None, 0
    while i < len(sql):
        c = sql[i]
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0 and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            m = _CLAUSE_KW.match(sql, i)
            if m:
                kw = " ".join(m.group(1).lower().split())
                if kw not in {k for _, _, k in marks}:
                    marks.append((i, m.end(), kw))
                i = m.end()
                continue
        i += 1
    out = {}
    for n, (_, end, kw) in enumerate(marks):
        nxt = marks[n + 1][0] if n + 1 < len(marks) else len(sql)
        out[kw] = sql[end:nxt].strip().rstrip(";").strip()
    return out


def _table_ref(text):
    m = _TABLE_REF.match(text)
    if not m:
        return None
    table = m.group(1) or m.group(2)
    return table, (m.group(3) or m.group(4) or table)


def _paged_to_many_join(sql):
    c = _top_level_clauses(sql)
    if c.get("select") is None or c.get("from") is None or c.get("limit") is None:
        return None
    if re.match(r"DISTINCT\b", c["select"], re.I) or c.get("group by") is not None or c["from"].startswith("("):
        return None
    parts = _JOIN_KW.split(c["from"])
    base = _table_ref(parts[0])
    if base is None or len(parts) < 2:
        return None
    for part in parts[1:]:
        m = re.match(r"^(.*?)\s+ON\s+(.*)$", part, re.I | re.S)
        joined = m and _table_ref(m.group(1))
        if not joined:
            continue
        for eq in re.split(r"\s+AND\s+", m.group(2), flags=re.I):
            sides = eq.replace("(", "").replace(")", "").split("=")
            if len(sides) != 2:
                continue
            refs = [_COLUMN_REF.match(x) for x in sides]
            if not all(refs):
                continue
            (lq, lc), (rq, rc) = [(r.group(1) or r.group(2), r.group(3) or r.group(4)) for r in refs]
            for (aq, ac), (bq, bc) in (((lq, lc), (rq, rc)), ((rq, rc), (lq, lc))):
                if aq == joined[1] and ac != "id" and bq == base[1] and bc == "id":
                    return base[0]
    return None


def analyse(spans):
    """[{type, count, anchor_span_name, table?}] by the README's rules."""
    by_id = {s["spanId"]: s for s in spans}

    def parent(s):
        return by_id.get(s.get("parentSpanId"))

    def ancestors(s):
        out, p = [], parent(s)
        while p is not None:
            out.append(p)
            p = parent(p)
        return out

    def start(s):
        return int(s["startTimeUnixNano"])

    data = sorted((s for s in spans if _statement(s) is not None and not _CONTROL.match(_statement(s))), key=start)
    # loop parent: through the spans that wrap this one call only
    held = collections.Counter()
    for s in data:
        for a in [s] + ancestors(s):
            held[a["spanId"]] += 1

    def loop_parent(s):
        p = parent(s)
        while p is not None and held[p["spanId"]] == 1 and parent(p) is not None:
            p = parent(p)
        return p

    findings, claimed = [], set()
    by_loop = collections.OrderedDict()
    for s in data:
        by_loop.setdefault(loop_parent(s)["spanId"], []).append(s)

    # mn_plus_one: a sequence of 2+ distinct statements repeated 5+ times in a row
    for lp, calls in by_loop.items():
        seq = [_statement(c) for c in calls]
        best = None
        for p in range(2, len(seq) // MIN_REPEATS + 1):
            for i in range(0, len(seq) - p * MIN_REPEATS + 1):
                cycle = seq[i:i + p]
                if len(set(cycle)) != p:
                    continue
                k = 0
                while seq[i + k * p:i + (k + 1) * p] == cycle:
                    k += 1
                if k >= MIN_REPEATS and (best is None or k * p > best[0] * best[1]):
                    best = (k, p, i)
        if best:
            k, p, i = best
            members = calls[i:i + k * p]
            claimed.update(m["spanId"] for m in members)
            findings.append({"type": "mn_plus_one", "count": k, "anchor_span_name": by_id[lp]["name"],
                             "table": _table(seq[i])})

    # duplicate_query: same statement, same (inline) values, 3+ times, outside a loop finding
    groups = collections.OrderedDict()
    for s in data:
        if s["spanId"] not in claimed and not _PLACEHOLDER.search(_statement(s)):
            groups.setdefault(_statement(s), []).append(s)
    for stmt, members in groups.items():
        if len(members) >= MIN_DUPLICATES:
            common = [a["spanId"] for a in ancestors(members[0])]
            for m in members[1:]:
                ids = {a["spanId"] for a in ancestors(m)}
                common = [c for c in common if c in ids]
            claimed.update(m["spanId"] for m in members)
            findings.append({"type": "duplicate_query", "count": len(members),
                             "anchor_span_name": by_id[common[0]]["name"], "table": _table(stmt)})

    # n_plus_one: one statement with unseen values, 5+ times under one loop parent
    for lp, calls in by_loop.items():
        per_stmt = collections.OrderedDict()
        for c in calls:
            if c["spanId"] not in claimed and _PLACEHOLDER.search(_statement(c)):
                per_stmt.setdefault(_statement(c), []).append(c)
        for stmt, members in per_stmt.items():
            if len(members) >= MIN_REPEATS:
                claimed.update(m["spanId"] for m in members)
                findings.append({"type": "n_plus_one", "count": len(members),
                                 "anchor_span_name": by_id[lp]["name"], "table": _table(stmt)})

    # n_plus_one_api: one HTTP route (ids in the path) called 5+ times under one parent
    api = collections.OrderedDict()
    for s in spans:
        url = _http_url(s)
        if s["kind"] == CLIENT and url:
            template = re.sub(r"/\d+(?=/|$|\?)", "/{id}", url.split("?")[0])
            api.setdefault((s.get("parentSpanId"), s["name"], template), []).append(s)
    for (pid, _, _), members in api.items():
        if len(members) >= MIN_REPEATS:
            findings.append({"type": "n_plus_one_api", "count": len(members), "anchor_span_name": by_id[pid]["name"]})

    # deep_offset: a literal OFFSET of 1000 or more, one per statement
    seen = set()
    for s in data:
        m = _OFFSET.search(_statement(s))
        if m and int(m.group(1)) >= 1000 and _statement(s) not in seen:
            seen.add(_statement(s))
            findings.append({"type": "deep_offset", "count": 1, "anchor_span_name": s["name"],
                             "table": _table(_statement(s))})

    # pagination_count: COUNT(*) without GROUP BY + a LIMIT page, same FROM and WHERE, one parent
    by_parent = collections.OrderedDict()
    for s in data:
        by_parent.setdefault(s.get("parentSpanId"), []).append(s)
    for pid, calls in by_parent.items():
        counts = [c for c in calls if _COUNT_STAR.match(_statement(c)) and not re.search(r"\bGROUP BY\b", _statement(c), re.I)]
        pages = [c for c in calls if re.search(r"\bLIMIT\b", _statement(c), re.I) and not _COUNT_STAR.match(_statement(c))]
        for c in counts:
            fc = _FROM_WHERE.search(_norm_ws(_statement(c))).groups()
            for pg in pages:
                if _FROM_WHERE.search(_norm_ws(_statement(pg))).groups() == fc:
                    findings.append({"type": "pagination_count", "count": 2, "anchor_span_name": by_id[pid]["name"],
                                     "table": _table(_statement(c))})
                    pages.remove(pg)
                    break

    # paged_to_many_join: one per statement, on its earliest span
    seen = set()
    for s in data:
        table = _paged_to_many_join(_statement(s))
        if table and _statement(s) not in seen:
            seen.add(_statement(s))
            findings.append({"type": "paged_to_many_join", "count": 1, "anchor_span_name": s["name"], "table": table})
    return findings


# scenario -> (seed_trap, {source: [(type, count)]} it must produce)
def _both(findings):
    return {"django": findings, "sqlalchemy": findings}


CATALOGUE = {
    "mn_plus_one_loop": ("N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N queries per item)",
                         _both([("mn_plus_one", 10)])),
    "mn_plus_one_prefetch": ("N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N queries per item)",
                             _both([])),
    "duplicate_loop": ("not in the seed list: the same query repeated in one request (the article's "
                       "'counts and duplicates per request')", _both([("duplicate_query", 8)])),
    "duplicate_cached": ("not in the seed list: the same query repeated in one request (the article's "
                         "'counts and duplicates per request')", _both([])),
    "api_loop": ("not in the seed list: N+1 over HTTP (one call to another service per item)",
                 _both([("n_plus_one_api", 8)])),
    "api_batch": ("not in the seed list: N+1 over HTTP (one call to another service per item)", _both([])),
    "deep_offset": ("Deep OFFSET pagination", {"django": [("deep_offset", 1)], "sqlalchemy": []}),
    "pagination_count": ("Pagination pitfalls: counting for pagination is a full second query",
                         _both([("pagination_count", 2)])),
    "keyset_page": ("Deep OFFSET pagination / counting for pagination (the fix: keyset pagination)", _both([])),
    "several_traps": ("N+1 on forward FK, Deep OFFSET pagination and counting for pagination, in one request",
                      {"django": [("n_plus_one", 10), ("deep_offset", 1), ("pagination_count", 2)],
                       "sqlalchemy": [("n_plus_one", 10), ("pagination_count", 2)]}),
}

_PAGED = "Pagination pitfalls: slicing after a to-many prefetch/join can multiply or mis-limit rows"
CATALOGUE.update({
    "paged_to_many_join": (_PAGED, _both([("paged_to_many_join", 1)])),
    "paged_to_many_fixed": (_PAGED, _both([])),
    "paged_to_one_join": (_PAGED, _both([])),
    "paged_subquery": (_PAGED, {"sqlalchemy": []}),
})

_SEED = ("Seeded untraced before the request: 10 authors, 8 tags, 5120 books (2 tags each), settings rows "
         "(currency, site_name). ")
_SMALL_SEED = ("Seeded untraced before the request: 10 authors, 8 tags, 25 books (authors 1-5 have 3 books, 6-10 have 2). ")
_DJ_SET = "SET TIME ZONE %s is Django's own statement on the request's new connection (CONN_MAX_AGE=0). "
_SA_CONNECT = "The 'connect' CLIENT span is the instrumentation's Engine.connect span. "
_INVENTORY = ("Each client span has one child, the inventory service's SERVER span 'GET {route}' (service.name "
              "inventory, scope opentelemetry.instrumentation.flask, new HTTP semconv, flags 768: remote "
              "parent), from the traceparent the client injected; the inventory is a real Flask app under gunicorn, "
              "so the timings are real. ")

NOTES = {
    ("django", "mn_plus_one_loop"): (
        _SEED + "Book.objects.order_by(\"id\")[:10], then per book b.author.name and list(b.tags.all()): 20 lazy "
        "queries, alternating SELECT ... FROM \"authors\" WHERE \"authors\".\"id\" = %s LIMIT 21 and SELECT ... "
        "FROM \"tags\" INNER JOIN \"books_tags\" ... WHERE \"books_tags\".\"book_id\" = %s, all children of the "
        "server span: 10 iterations of a 2-statement sequence, one mn_plus_one (table authors, the sequence's "
        "first statement; tags is the other). Its 20 spans are not also two n_plus_one. " + _DJ_SET +
        "23 spans (server, SET, the book list, 20 lazy loads) in 3 export requests."),
    ("sqlalchemy", "mn_plus_one_loop"): (
        _SEED + "session.execute(select(Book).order_by(Book.id).limit(10)).scalars(), then per book the lazy "
        "book.author (SELECT ... FROM authors WHERE authors.id = %(pk_1)s) and book.tags (SELECT ... FROM tags, "
        "books_tags WHERE %(param_1)s = books_tags.book_id AND tags.id = books_tags.tag_id): books 1-10 have 10 "
        "different authors, so the identity map saves no query. 10 iterations of a 2-statement sequence under the "
        "server span: one mn_plus_one (table authors, the sequence's first statement; tags is the other), not "
        "also two n_plus_one. " + _SA_CONNECT + "23 spans in 3 export requests."),
    ("django", "mn_plus_one_prefetch"): (
        _SEED + "The fix: Book.objects.select_related(\"author\").prefetch_related(\"tags\").order_by(\"id\")[:10]: "
        "one INNER JOIN query for books and authors, one IN-list query for the tags (WHERE "
        "\"books_tags\".\"book_id\" IN (%s x10)). " + _DJ_SET + "4 spans. No group finding."),
    ("sqlalchemy", "mn_plus_one_prefetch"): (
        _SEED + "The fix: select(Book).options(joinedload(Book.author), selectinload(Book.tags)).order_by(Book.id)"
        ".limit(10): one LEFT OUTER JOIN query for books and authors, one selectin query for the tags (WHERE "
        "books_1.id IN (%(primary_keys_1)s ... %(primary_keys_10)s)). " + _SA_CONNECT + "4 spans. No group finding."),
    ("django", "duplicate_loop"): (
        _SEED + "Book.objects.order_by(\"id\")[:8], then per book an INTERNAL span 'serialize book' (scope "
        "'bookshop', the app's tracer.start_as_current_span, attribute book.id) in which the serializer runs "
        "Setting.objects.order_by(\"id\").first(): SELECT \"settings\".\"id\", \"settings\".\"key\", "
        "\"settings\".\"value\" FROM \"settings\" ORDER BY \"settings\".\"id\" ASC LIMIT 1, with no "
        "parameter (Django inlines the LIMIT), so the very same statement and values 8 times: duplicate_query, "
        "count 8, anchored on the nearest common ancestor of the 8 spans, the server span (each span's parent is "
        "its own 'serialize book'). Not an n_plus_one: the values are seen and the same. " + _DJ_SET +
        "19 spans (server, SET, book list, 8 serialize book, 8 settings lookups) in 3 export requests."),
    ("sqlalchemy", "duplicate_loop"): (
        _SEED + "session.scalars(select(Book).order_by(Book.id).limit(8)).all(), then per book an INTERNAL span "
        "'serialize book' (scope 'bookshop', the app's tracer.start_as_current_span, attribute book.id) in which "
        "the serializer runs session.scalars(select(Setting).order_by(Setting.id)).first(): SELECT settings.id, "
        "settings.key, settings.value FROM settings ORDER BY settings.id, no parameter, 8 times: duplicate_query, "
        "count 8, anchored on the server span, the nearest common ancestor. Not .limit(1): SQLAlchemy binds it "
        "as LIMIT %(param_1)s, the instrumentation records no parameter values, and a statement with unseen "
        "values is never a duplicate (it would be an n_plus_one); Result.first() fetches one row of the unlimited "
        "select instead. " + _SA_CONNECT + "19 spans in 3 export requests."),
    ("django", "duplicate_cached"): (
        _SEED + "The fix: the settings row is looked up once before the loop (the queryset of books is lazy, so "
        "the settings SELECT runs first), then passed to the serializer; the 8 'serialize book' INTERNAL spans "
        "remain, with no query in them. " + _DJ_SET + "12 spans. No group finding."),
    ("sqlalchemy", "duplicate_cached"): (
        _SEED + "The fix: session.scalars(select(Setting).order_by(Setting.id)).first() once before the loop, "
        "passed to the serializer; the 8 'serialize book' INTERNAL spans remain, with no query in them. " +
        _SA_CONNECT + "12 spans. No group finding."),
    ("django", "api_loop"): (
        _SEED + "list(Book.objects.order_by(\"id\")[:8]), then per book requests.get(f\"{INVENTORY_URL}/stock/"
        "{b.id}\"): 8 CLIENT spans 'GET' (opentelemetry-instrumentation-requests, old HTTP semconv as "
        "OTEL_SEMCONV_STABILITY_OPT_IN is unset: http.method, http.url, user_agent.original, http.status_code; "
        "no host or port attribute, which the old mode puts in the metrics only), children of the server span "
        "'GET books/stock/', with http.url http://127.0.0.1:18733/stock/1 ... /stock/8. " +
        _INVENTORY.format(route="/stock/<int:book_id>") + "n_plus_one_api, count 8, anchored on the server span "
        "(no table: not a database call). " + _DJ_SET + "19 spans (11 bookshop-django, 8 inventory) in 3 export "
        "requests, one of them the inventory's."),
    ("sqlalchemy", "api_loop"): (
        _SEED + "session.scalars(select(Book).order_by(Book.id).limit(8)).all(), then per book requests.get(f\""
        "{INVENTORY_URL}/stock/{b.id}\"): 8 CLIENT spans 'GET' (opentelemetry-instrumentation-requests, new HTTP "
        "semconv as OTEL_SEMCONV_STABILITY_OPT_IN=database,http: http.request.method, url.full, "
        "user_agent.original, server.address, network.peer.address, server.port, network.peer.port, "
        "http.response.status_code, network.protocol.version; no url.template), children of the server span "
        "'GET /books/stock', with url.full http://127.0.0.1:18733/stock/1 ... /stock/8. " +
        _INVENTORY.format(route="/stock/<int:book_id>") + "n_plus_one_api, count 8, anchored on the server span "
        "(no table: not a database call). " + _SA_CONNECT + "19 spans (11 bookshop-sqlalchemy, 8 inventory) in 3 "
        "export requests, one of them the inventory's."),
    ("django", "api_batch"): (
        _SEED + "The fix: one requests.get(f\"{INVENTORY_URL}/stock?ids=1,2,3,4,5,6,7,8\"), one CLIENT span 'GET' "
        "(http.url with the query string). " + _INVENTORY.format(route="/stock").replace("Each client span has",
        "The client span has") + _DJ_SET + "5 spans. No finding."),
    ("sqlalchemy", "api_batch"): (
        _SEED + "The fix: one requests.get(f\"{INVENTORY_URL}/stock?ids=1,2,3,4,5,6,7,8\"), one CLIENT span 'GET' "
        "(url.full with the query string). " + _INVENTORY.format(route="/stock").replace("Each client span has",
        "The client span has") + _SA_CONNECT + "5 spans. No finding."),
    ("django", "deep_offset"): (
        _SEED + "Page 251 of 20 rows: Book.objects.order_by(\"id\")[5000:5020] (from ?offset=5000), and Django "
        "writes the slice as literals: SELECT \"books\".\"id\", ... FROM \"books\" ORDER BY \"books\".\"id\" "
        "ASC LIMIT 20 OFFSET 5000. deep_offset, count 1, on that span (named 'SELECT', the first word, as the "
        "psycopg2 instrumentation names its spans). No count query, so no pagination_count. " + _DJ_SET +
        "3 spans."),
    ("sqlalchemy", "deep_offset"): (
        _SEED + "Page 251 of 20 rows: select(Book).order_by(Book.id).offset(5000).limit(20) (from ?offset=5000). "
        "SQLAlchemy binds both: SELECT books.id, ... FROM books ORDER BY books.id LIMIT %(param_1)s OFFSET "
        "%(param_2)s, and the instrumentation records no parameter values (no db.query.parameter.*), so the "
        "offset is unseen and, per the rules, querylens reports nothing: findings []. The trap is real (the page "
        "has 20 rows at offset 5000) but invisible in this trace. " + _SA_CONNECT + "3 spans."),
    ("django", "pagination_count"): (
        _SEED + "Paginator(Book.objects.filter(pages__gt=100).order_by(\"id\"), 20).page(3) (from ?page=3), "
        "iterated: SELECT COUNT(*) AS \"__count\" FROM \"books\" WHERE \"books\".\"pages\" > %s, then SELECT "
        "... FROM \"books\" WHERE \"books\".\"pages\" > %s ORDER BY \"books\".\"id\" ASC LIMIT 20 OFFSET 40: "
        "same table, same WHERE, both children of the server span: pagination_count, count 2, anchored on "
        "'GET books/page/'. Offset 40 < 1000: no deep_offset. " + _DJ_SET + "4 spans."),
    ("sqlalchemy", "pagination_count"): (
        _SEED + "Page 3 with its total (from ?page=3): session.scalar(select(func.count()).select_from(Book)"
        ".where(Book.pages > 100)), then select(Book).where(Book.pages > 100).order_by(Book.id).offset(40)"
        ".limit(20): SELECT count(*) AS count_1 FROM books WHERE books.pages > %(pages_1)s and SELECT ... FROM "
        "books WHERE books.pages > %(pages_1)s ORDER BY books.id LIMIT %(param_1)s OFFSET %(param_2)s: same "
        "table, same WHERE, both children of the server span: pagination_count, count 2, anchored on "
        "'GET /books/page'. The offset is bound and unseen: no deep_offset (it is 40 anyway). " + _SA_CONNECT +
        "4 spans."),
    ("django", "keyset_page"): (
        _SEED + "The fix for both: Book.objects.filter(id__gt=40).order_by(\"id\")[:20] (from ?after=40, the "
        "same rows as page 3): SELECT ... FROM \"books\" WHERE \"books\".\"id\" > %s ORDER BY "
        "\"books\".\"id\" ASC LIMIT 20, no OFFSET, no count. " + _DJ_SET + "3 spans. No finding."),
    ("sqlalchemy", "keyset_page"): (
        _SEED + "The fix for both: select(Book).where(Book.id > 40).order_by(Book.id).limit(20) (from ?after=40, "
        "the same rows as page 3): SELECT ... FROM books WHERE books.id > %(id_1)s ORDER BY books.id LIMIT "
        "%(param_1)s, no OFFSET, no count. " + _SA_CONNECT + "3 spans. No finding."),
    ("django", "several_traps"): (
        _SEED + "GET books/report/?page=251: the latest 10 books with b.author.name read lazily (10 x SELECT ... "
        "FROM \"authors\" WHERE \"authors\".\"id\" = %s LIMIT 21: n_plus_one, count 10), then "
        "Paginator(Book.objects.filter(pages__gt=100).order_by(\"id\"), 20).page(251): SELECT COUNT(*) AS "
        "\"__count\" FROM \"books\" WHERE \"books\".\"pages\" > %s and SELECT ... WHERE \"books\".\"pages\" "
        "> %s ORDER BY \"books\".\"id\" ASC LIMIT 20 OFFSET 5000 (pagination_count, count 2, on the server span; "
        "deep_offset, count 1, on the page span 'SELECT'). Neither ORM writes SELECT *, so the catalogue's "
        "SELECT * part has no counterpart here. " + _DJ_SET + "15 spans, exported in 2 requests (8 + 7)."),
    ("django", "paged_to_many_join"): (
        _SMALL_SEED + "GET authors/search/?q=book: Author.objects.filter(books__title__icontains=q).order_by(\"id\")[:20]. "
        "The filter across the reverse FK makes Django join books: SELECT \"authors\".\"id\", ... FROM \"authors\" INNER JOIN "
        "\"books\" ON (\"authors\".\"id\" = \"books\".\"author_id\") WHERE UPPER(\"books\".\"title\"::text) LIKE "
        "UPPER(%s) ORDER BY \"authors\".\"id\" ASC LIMIT 20: the LIMIT (inlined by Django) counts (author, book) rows, so the "
        "page holds 20 rows for 8 authors (authors 1-5 three times each, 6 and 7 twice, 8 once: one row per matching book). paged_to_many_join, count 1, on "
        "that span ('SELECT'), table authors (the FROM table; books.author_id is tied to its key). " + _DJ_SET + "3 spans."),
    ("django", "paged_to_many_fixed"): (
        _SMALL_SEED + "The fix when filtering across the relation: .distinct(): SELECT DISTINCT \"authors\".\"id\", ... FROM "
        "\"authors\" INNER JOIN \"books\" ON (...) WHERE ... ORDER BY \"authors\".\"id\" ASC LIMIT 20: the top-level DISTINCT "
        "makes the LIMIT count authors. No finding. " + _DJ_SET + "3 spans."),
    ("django", "paged_to_one_join"): (
        _SMALL_SEED + "GET books/with-author/: Book.objects.select_related(\"author\").order_by(\"id\")[:20]: SELECT ... FROM "
        "\"books\" INNER JOIN \"authors\" ON (\"books\".\"author_id\" = \"authors\".\"id\") ORDER BY \"books\".\"id\" "
        "ASC LIMIT 20 (INNER, as the FK is NOT NULL): a to-one join on the key of the joined table, one row per book, the "
        "LIMIT is right. No finding. " + _DJ_SET + "3 spans."),
    ("sqlalchemy", "paged_to_many_join"): (
        _SMALL_SEED + "GET /authors/search?q=book: select(Author).join(Author.books).where(Book.title.ilike(f\"%{q}%\"))"
        ".order_by(Author.id).limit(20): SELECT authors.id, ... FROM authors JOIN books ON authors.id = books.author_id WHERE "
        "books.title ILIKE %(title_1)s ORDER BY authors.id LIMIT %(param_1)s (multi-line, as SQLAlchemy writes it). The LIMIT "
        "is a bound parameter (20, not recorded) and still a top-level LIMIT over the join: the page counts (author, book) "
        "rows, 20 rows for 8 authors (1-5 three times each, 6 and 7 twice, 8 once; session.scalars() of a 2.0-style select does not uniquify). "
        "paged_to_many_join, count 1, on that span ('SELECT py_testdata'), table authors. " + _SA_CONNECT + "3 spans."),
    ("sqlalchemy", "paged_to_many_fixed"): (
        _SMALL_SEED + "The fix when filtering across the relation: the same select with .distinct(): SELECT DISTINCT authors.id, "
        "... FROM authors JOIN books ON authors.id = books.author_id WHERE ... ORDER BY authors.id LIMIT %(param_1)s: the "
        "top-level DISTINCT makes the LIMIT count authors. No finding. " + _SA_CONNECT + "3 spans."),
    ("sqlalchemy", "paged_to_one_join"): (
        _SMALL_SEED + "GET /books/with-author: select(Book).options(joinedload(Book.author)).order_by(Book.id).limit(20): "
        "SELECT ... FROM books LEFT OUTER JOIN authors AS authors_1 ON authors_1.id = books.author_id ORDER BY books.id LIMIT "
        "%(param_1)s: a to-one join on the key of the joined table, one row per book, the LIMIT is right. No finding. " +
        _SA_CONNECT + "3 spans."),
    ("sqlalchemy", "paged_subquery"): (
        _SMALL_SEED + "GET /authors/with-books: select(Author).options(joinedload(Author.books)).order_by(Author.id).limit(20), "
        "then .unique(): SQLAlchemy pages the authors in a subquery and joins the collection outside it: SELECT anon_1.id, ..., "
        "books_1.id AS id_1, ... FROM (SELECT authors.id AS id, ... FROM authors ORDER BY authors.id LIMIT %(param_1)s) AS anon_1 "
        "LEFT OUTER JOIN books AS books_1 ON anon_1.id = books_1.author_id ORDER BY anon_1.id. The LIMIT is inside the "
        "subquery, none at the top level: no finding. " + _SA_CONNECT + "3 spans."),
    ("sqlalchemy", "several_traps"): (
        _SEED + "GET /books/report?page=251: the latest 10 books with the lazy book.author (10 x SELECT ... FROM "
        "authors WHERE authors.id = %(pk_1)s: n_plus_one, count 10), then the page with its total: SELECT "
        "count(*) AS count_1 FROM books WHERE books.pages > %(pages_1)s and SELECT ... WHERE books.pages > "
        "%(pages_1)s ORDER BY books.id LIMIT %(param_1)s OFFSET %(param_2)s (pagination_count, count 2, on the "
        "server span). The offset is 5000 but bound and unseen, so no deep_offset; neither ORM writes SELECT *, "
        "so no over_fetch. " + _SA_CONNECT + "15 spans, exported in 2 requests (8 + 7)."),
}
