"""HTTP client capture hook, installed by both bookshop apps.

It wraps ``requests.Session.send``, which is exactly what
opentelemetry-instrumentation-requests patches (``_instrument`` replaces
``Session.send`` with ``instrumented_send``), and records what that wrapper
reads: the method, the URL, the ``User-Agent`` request header, the response's
status code and ``raw.version``, and the time around the real send. Like the
instrumentation, it opens the CLIENT span before the send and injects the W3C
``traceparent`` of that span into the request headers (``inject(headers)``
with the default tracecontext propagator; the baggage propagator adds nothing
when there is no baggage), so the called service sees the real context.
"""
import functools
import time

import requests.sessions

import capture

_wrapped_send = requests.sessions.Session.send


@functools.wraps(_wrapped_send)
def _capturing_send(self, request, **kwargs):
    if capture.current() is None:
        return _wrapped_send(self, request, **kwargs)
    headers = request.headers
    item = {
        "type": "http_client",
        "method": request.method,
        "url": request.url,
        "user_agent": headers.get("User-Agent"),
    }
    with capture.open_span(item):
        rec = capture.current()
        # tracecontext propagator: version 00, sampled (flags 01)
        headers["traceparent"] = "00-%s-%s-01" % (rec["trace_id"], item["span_id"])
        result = _wrapped_send(self, request, **kwargs)
        item["status_code"] = result.status_code
        raw = result.raw
        item["raw_version"] = getattr(raw, "version", None) if raw is not None else None
    return result


def install():
    requests.sessions.Session.send = _capturing_send
