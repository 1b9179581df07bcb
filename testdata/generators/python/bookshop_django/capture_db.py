"""Capture hooks for the Django app.

* CaptureCursor: a psycopg2 cursor subclass passed as ``cursor_factory``, i.e.
  exactly where opentelemetry-instrumentation-psycopg2 puts its
  TracedCursorFactory; it sees every ``cursor.execute`` (also Django's own
  ``SET TIME ZONE`` on a new connection, which bypasses execute_wrapper).
* an ``connection.execute_wrapper`` per request, to cross-check that the ORM
  statements are the same ones the cursor saw.
* CaptureMiddleware: first in MIDDLEWARE, like the OpenTelemetry middleware.
* capture_http: the ``requests`` hook (``Session.send``, where
  RequestsInstrumentor patches), installed when this module loads.
"""
import time

import psycopg2.extensions
from django.db import connection
from django.urls import Resolver404, resolve

import capture
import capture_http

capture_http.install()


class CaptureCursor(psycopg2.extensions.cursor):
    def _traced(self, method, args, kwargs):
        start = time.time_ns()
        try:
            return method(*args, **kwargs)
        finally:
            end = time.time_ns()
            capture.add(
                "db",
                {
                    "method": method.__name__,
                    "sql": args[0] if args else "",
                    "params": args[1] if len(args) > 1 else None,
                    "start_ns": start,
                    "end_ns": end,
                    "dsn": {
                        "dbname": self.connection.info.dbname,
                        "user": self.connection.info.user,
                        "host": self.connection.info.host,
                        "port": self.connection.info.port,
                    },
                },
            )

    def execute(self, *args, **kwargs):
        return self._traced(super().execute, args, kwargs)

    def executemany(self, *args, **kwargs):
        return self._traced(super().executemany, args, kwargs)


def _execute_wrapper(execute, sql, params, many, context):
    capture.add("execute_wrapper", {"sql": sql, "params": params, "many": many})
    return execute(sql, params, many, context)


class CaptureMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rec = capture.begin(request.META)
        if rec is None:
            return self.get_response(request)
        # _DjangoMiddleware._get_span_name: resolve(request.path).route
        try:
            match = resolve(request.path)
            capture.set_server(name_route=getattr(match, "route", None))
        except Resolver404:
            capture.set_server(name_route=None)
        with connection.execute_wrapper(_execute_wrapper):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        capture.set_server(
            http_route=getattr(match, "route", None) if match else None,
            status_code=response.status_code,
            reason_phrase=response.reason_phrase,
        )
        # Django closes the connection on request_finished (CONN_MAX_AGE=0),
        # after the middleware returned; finish the record here, where
        # _DjangoMiddleware.process_response ends the server span.
        capture.finish()
        return response
