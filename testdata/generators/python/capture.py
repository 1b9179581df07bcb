"""Per-request capture shared by both apps (runs inside the gunicorn worker).

A request is recorded only when it carries an ``X-Scenario`` header (the
generator sets it; the OpenTelemetry instrumentations never record it because
no custom request headers are configured). Everything recorded is real:
the WSGI environ gunicorn built, the route the framework resolved, the status
line, and every statement as it reached the DB-API cursor, with its params and
``time.time_ns()`` taken immediately before and after the cursor call.
"""

import contextlib
import json
import os
import secrets
import threading
import time

_local = threading.local()

# WSGI environ keys the OpenTelemetry WSGI helpers read
# (opentelemetry-instrumentation-wsgi collect_request_attributes).
ENVIRON_KEYS = (
    "REQUEST_METHOD",
    "SERVER_NAME",
    "SERVER_PORT",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "RAW_URI",
    "REQUEST_URI",
    "PATH_INFO",
    "QUERY_STRING",
    "REMOTE_ADDR",
    "REMOTE_PORT",
    "REMOTE_HOST",
    "HTTP_USER_AGENT",
    "SERVER_PROTOCOL",
    # W3C trace context, read by the callee (inventory) only
    "HTTP_TRACEPARENT",
)


def begin(environ, name=None):
    """Starts the record of one request. ``name`` names the capture file; by
    default the request's X-Scenario header, and no record without one.

    The trace id and the server span id are drawn here, as the SDK draws them
    when the server span starts, so that spans started during the request
    (``Tracer``, the HTTP client hook in capture_http.py) can name their
    parent and propagate the context to another service."""
    scenario = name or environ.get("HTTP_X_SCENARIO")
    _local.stack = []
    if not scenario:
        _local.rec = None
        return None
    _local.rec = {
        "scenario": scenario,
        "trace_id": secrets.token_hex(16),
        "server": {
            "span_id": secrets.token_hex(8),
            "start_ns": time.time_ns(),
            "environ": {k: environ[k] for k in ENVIRON_KEYS if k in environ},
        },
        "db": [],
        "connect": [],
        "execute_wrapper": [],
        # spans the application or another instrumentation starts under the
        # server span: the user's INTERNAL spans, HTTP CLIENT spans
        "spans": [],
    }
    return _local.rec


def current():
    return getattr(_local, "rec", None)


def set_server(**kw):
    rec = current()
    if rec is not None:
        rec["server"].update(kw)


def current_parent():
    """The span id of the current span: the innermost open span (``Tracer``
    or HTTP client), else the server span (None outside a recorded request)."""
    rec = current()
    if rec is None:
        return None
    stack = getattr(_local, "stack", None) or []
    return stack[-1] if stack else rec["server"]["span_id"]


def add(kind, item):
    rec = current()
    if rec is not None:
        item.setdefault("parent", current_parent())
        rec[kind].append(item)


@contextlib.contextmanager
def open_span(item):
    """Makes item["span_id"] the current span while the block runs (as
    start_as_current_span attaches the span to the context), and records
    item in rec["spans"] with its parent and start/end times."""
    rec = current()
    if rec is None:
        yield item
        return
    item["span_id"] = secrets.token_hex(8)
    item["parent"] = current_parent()
    item["start_ns"] = time.time_ns()
    _local.stack.append(item["span_id"])
    try:
        yield item
    finally:
        _local.stack.pop()
        item["end_ns"] = time.time_ns()
        rec["spans"].append(item)


class Tracer:
    """Stands for ``opentelemetry.trace.get_tracer(scope)`` in the app code:
    ``tracer.start_as_current_span(name, attributes=...)`` records an
    INTERNAL span under the current span."""

    def __init__(self, scope):
        self.scope = scope

    def start_as_current_span(self, name, attributes=None):
        return open_span({"type": "internal", "scope": self.scope, "name": name,
                          "attributes": dict(attributes or {})})


def _jsonable(v):
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return repr(v)


def finish():
    rec = current()
    _local.rec = None
    if rec is None:
        return
    rec["server"]["end_ns"] = time.time_ns()
    out = os.path.join(os.environ["CAPTURE_DIR"], rec["scenario"] + ".capture.json")
    with open(out, "w") as f:
        json.dump(_jsonable(rec), f, indent=1)
