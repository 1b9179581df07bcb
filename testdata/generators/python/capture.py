"""Per-request capture shared by both apps (runs inside the gunicorn worker).

A request is recorded only when it carries an ``X-Scenario`` header (the
generator sets it; the OpenTelemetry instrumentations never record it because
no custom request headers are configured). Everything recorded is real:
the WSGI environ gunicorn built, the route the framework resolved, the status
line, and every statement as it reached the DB-API cursor, with its params and
``time.time_ns()`` taken immediately before and after the cursor call.
"""

import json
import os
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
)


def begin(environ):
    scenario = environ.get("HTTP_X_SCENARIO")
    if not scenario:
        _local.rec = None
        return None
    _local.rec = {
        "scenario": scenario,
        "server": {
            "start_ns": time.time_ns(),
            "environ": {k: environ[k] for k in ENVIRON_KEYS if k in environ},
        },
        "db": [],
        "connect": [],
        "execute_wrapper": [],
    }
    return _local.rec


def current():
    return getattr(_local, "rec", None)


def set_server(**kw):
    rec = current()
    if rec is not None:
        rec["server"].update(kw)


def add(kind, item):
    rec = current()
    if rec is not None:
        rec[kind].append(item)


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
