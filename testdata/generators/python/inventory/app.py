"""The "inventory" service the bookshops call in api_loop / api_batch: a
Flask app served by gunicorn, answering stock levels from memory (no
database). Its requests are recorded like the bookshop's Flask requests
(around ``wsgi_app`` and in ``teardown_request``, where the Flask
instrumentation starts and ends its server span), keyed by the W3C
``traceparent`` the caller's HTTP client sent: the server span's remote parent.
"""
from flask import Flask, jsonify, request

import capture

app = Flask(__name__)
_wsgi_app = app.wsgi_app


def _capturing_wsgi_app(environ, start_response):
    traceparent = environ.get("HTTP_TRACEPARENT")
    if traceparent:
        _, trace_id, parent_id, _ = traceparent.split("-")
        rec = capture.begin(environ, name="inventory-%s-%s" % (trace_id, parent_id))
        rec["trace_id"] = trace_id
        rec["server"]["remote_parent"] = parent_id
    else:
        capture.begin(environ, name=None)

    def _sr(status, headers, *a):
        code, reason = status.split(" ", 1)
        capture.set_server(status_code=int(code), reason_phrase=reason)
        return start_response(status, headers, *a)

    return _wsgi_app(environ, _sr)


app.wsgi_app = _capturing_wsgi_app


@app.teardown_request
def _capture_teardown(exc):
    rule = request.url_rule.rule if request.url_rule else None
    capture.set_server(url_rule=rule)
    capture.finish()


def _stock(book_id):
    return (book_id * 7) % 23


@app.get("/stock/<int:book_id>")
def stock(book_id):
    return jsonify(book_id=book_id, in_stock=_stock(book_id))


@app.get("/stock")
def stock_batch():
    ids = [int(i) for i in request.args.get("ids", "").split(",") if i]
    return jsonify(stock=[{"book_id": i, "in_stock": _stock(i)} for i in ids])
