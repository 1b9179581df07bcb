"""The "inventory" service the bookshops call in api_loop / api_batch: a
Flask app answering stock levels from memory (no database), traced by the
Flask instrumentation; its server spans continue the trace from the
traceparent the caller's requests instrumentation injected."""
from flask import Flask, jsonify, request

app = Flask(__name__)


def _stock(book_id):
    return (book_id * 7) % 23


@app.get("/stock/<int:book_id>")
def stock(book_id):
    return jsonify(book_id=book_id, in_stock=_stock(book_id))


@app.get("/stock")
def stock_batch():
    ids = [int(i) for i in request.args.get("ids", "").split(",") if i]
    return jsonify(stock=[{"book_id": i, "in_stock": _stock(i)} for i in ids])
