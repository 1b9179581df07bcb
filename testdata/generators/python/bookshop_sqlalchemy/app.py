"""Flask + SQLAlchemy 2 bookshop that produces
testdata/sqlalchemy/. Each endpoint has the N+1 form and its fix, picked by
the X-Scenario header the generator sends."""
import datetime
import os

import requests
from flask import Flask, jsonify, request
from opentelemetry import trace
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from bookshop_sqlalchemy.models import Author, Book, Setting

tracer = trace.get_tracer("bookshop")
INVENTORY_URL = os.environ.get("INVENTORY_URL", "http://127.0.0.1:58082")
DB_URL = os.environ.get(
    "BOOKSHOP_DB_URL",
    "postgresql+psycopg2://py_testdata:py_testdata@127.0.0.1:55432/py_testdata",
)
engine = create_engine(DB_URL)
app = Flask(__name__)


def _scenario():
    return request.headers.get("X-Scenario", "")


# --- views -------------------------------------------------------------------
@app.get("/books")
def books():
    with Session(engine) as session:
        stmt = select(Book).order_by(Book.id).limit(10)
        if _scenario() == "forward_fk_join":
            stmt = stmt.options(joinedload(Book.author))
        rows = [
            {"title": b.title, "author": b.author.name}
            for b in session.execute(stmt).scalars()
        ]
    return jsonify(books=rows)


@app.get("/books/recent")
def recent_books():  # below_threshold: a lazy loop over 3 books
    with Session(engine) as session:
        stmt = select(Book).order_by(Book.published_at.desc()).limit(3)
        rows = [
            {"title": b.title, "author": b.author.name}
            for b in session.execute(stmt).scalars()
        ]
    return jsonify(books=rows)


@app.get("/books/tags")
def books_with_tags():
    with Session(engine) as session:
        stmt = select(Book).order_by(Book.id).limit(10)
        if _scenario() == "m2m_prefetch":
            stmt = stmt.options(selectinload(Book.tags))
        rows = [
            {"title": b.title, "tags": [t.name for t in b.tags]}
            for b in session.execute(stmt).scalars()
        ]
    return jsonify(books=rows)


@app.get("/authors")
def authors():
    with Session(engine) as session:
        stmt = select(Author).order_by(Author.id).limit(8)
        if _scenario() == "collection_prefetch":
            stmt = stmt.options(selectinload(Author.books))
        rows = [
            {"name": a.name, "books": [b.title for b in a.books]}
            for a in session.execute(stmt).scalars()
        ]
    return jsonify(authors=rows)


@app.get("/authors/book-counts")
def author_book_counts():
    with Session(engine) as session:
        if _scenario() == "count_annotate":
            stmt = (
                select(Author.id, Author.name, func.count(Book.id))
                .outerjoin(Author.books)
                .group_by(Author.id)
                .order_by(Author.id)
                .limit(7)
            )
            rows = [{"name": name, "books": n} for _, name, n in session.execute(stmt)]
        else:  # count_loop
            rows = []
            for a in session.execute(select(Author).order_by(Author.id).limit(7)).scalars():
                n = session.scalar(
                    select(func.count(Book.id)).where(Book.author_id == a.id)
                )
                rows.append({"name": a.name, "books": n})
    return jsonify(authors=rows)


@app.post("/books/import")
def import_books():
    items = [
        dict(
            title=it["title"],
            author_id=it["author_id"],
            published_at=datetime.date.fromisoformat(it["published_at"]),
            pages=it["pages"],
        )
        for it in request.get_json()["books"]
    ]
    with Session(engine) as session:
        if _scenario() == "insert_bulk":
            session.add_all([Book(**it) for it in items])
            session.flush()
        else:  # insert_loop
            for it in items:
                session.add(Book(**it))
                session.flush()
        session.commit()
    return jsonify(imported=len(items)), 201


@app.get("/books/details")
def book_details():
    with Session(engine) as session:
        stmt = select(Book).order_by(Book.id).limit(10)
        if _scenario() == "mn_plus_one_prefetch":
            stmt = stmt.options(joinedload(Book.author), selectinload(Book.tags))
        # mn_plus_one_loop: book.author and book.tags both load lazily
        rows = [
            {"title": b.title, "author": b.author.name, "tags": [t.name for t in b.tags]}
            for b in session.execute(stmt).scalars()
        ]
    return jsonify(books=rows)


def site_settings(session):
    # the site settings row. Not .limit(1): SQLAlchemy binds LIMIT as
    # %(param_1)s, and a statement whose values are unseen is never a
    # duplicate; Result.first() fetches one row of the unlimited select.
    return session.scalars(select(Setting).order_by(Setting.id)).first()


def serialize_book(session, book, settings=None):
    with tracer.start_as_current_span("serialize book", attributes={"book.id": book.id}):
        if settings is None:
            settings = site_settings(session)
        return {"title": book.title, "pages": book.pages, "currency": settings.value}


@app.get("/books/serialized")
def books_serialized():
    with Session(engine) as session:
        books = session.scalars(select(Book).order_by(Book.id).limit(8)).all()
        if _scenario() == "duplicate_cached":
            settings = site_settings(session)
            rows = [serialize_book(session, b, settings) for b in books]
        else:  # duplicate_loop: the serializer looks the settings up again per book
            rows = [serialize_book(session, b) for b in books]
    return jsonify(books=rows)


@app.get("/books/stock")
def books_stock():
    with Session(engine) as session:
        books = session.scalars(select(Book).order_by(Book.id).limit(8)).all()
        if _scenario() == "api_batch":
            ids = ",".join(str(b.id) for b in books)
            stock = {s["book_id"]: s["in_stock"] for s in requests.get(f"{INVENTORY_URL}/stock?ids={ids}", timeout=5).json()["stock"]}
        else:  # api_loop: one call to the inventory service per book
            stock = {b.id: requests.get(f"{INVENTORY_URL}/stock/{b.id}", timeout=5).json()["in_stock"] for b in books}
        rows = [{"title": b.title, "in_stock": stock[b.id]} for b in books]
    return jsonify(books=rows)


def _page_with_count(session, page, per_page=20):
    where = Book.pages > 100
    total = session.scalar(select(func.count()).select_from(Book).where(where))
    stmt = select(Book).where(where).order_by(Book.id).offset((page - 1) * per_page).limit(per_page)
    return session.scalars(stmt).all(), total


@app.get("/books/page")
def books_page():
    scenario = _scenario()
    with Session(engine) as session:
        if scenario == "pagination_count":  # ?page=3: count(*) + the page
            books, total = _page_with_count(session, int(request.args["page"]))
            return jsonify(books=[b.title for b in books], total=total)
        if scenario == "keyset_page":  # ?after=40: WHERE id > 40 ORDER BY id LIMIT 20, no count
            stmt = select(Book).where(Book.id > int(request.args["after"])).order_by(Book.id).limit(20)
            books = session.scalars(stmt).all()
            return jsonify(books=[b.title for b in books], next=books[-1].id if books else None)
        # deep_offset: ?offset=5000, page 251 of 20 rows
        stmt = select(Book).order_by(Book.id).offset(int(request.args["offset"])).limit(20)
        return jsonify(books=[b.title for b in session.scalars(stmt)])


@app.get("/books/report")
def books_report():  # several_traps
    with Session(engine) as session:
        rows = [
            {"title": b.title, "author": b.author.name}
            for b in session.scalars(select(Book).order_by(Book.id).limit(10))
        ]
        books, total = _page_with_count(session, int(request.args["page"]))
    return jsonify(latest=rows, page=[b.title for b in books], total=total)


# --- pages over joins (testdata/README.md, last section) ---------------------
@app.get("/authors/search")
def authors_search():
    """A page of 20 authors with a book whose title contains ?q=. The join to
    books (a to-many relation) is inside the page, so the LIMIT counts
    (author, book) rows: paged_to_many_join; the fix, paged_to_many_fixed, is
    .distinct()."""
    with Session(engine) as session:
        stmt = (
            select(Author)
            .join(Author.books)
            .where(Book.title.ilike(f"%{request.args['q']}%"))
            .order_by(Author.id)
            .limit(20)
        )
        if _scenario() == "paged_to_many_fixed":
            stmt = stmt.distinct()
        rows = [{"id": a.id, "name": a.name} for a in session.scalars(stmt)]
    return jsonify(authors=rows)


@app.get("/authors/with-books")
def authors_with_books():
    """paged_subquery: joinedload of a collection with a LIMIT; SQLAlchemy pages
    the authors in a subquery and joins the books outside it."""
    with Session(engine) as session:
        stmt = select(Author).options(joinedload(Author.books)).order_by(Author.id).limit(20)
        rows = [
            {"name": a.name, "books": [b.title for b in a.books]}
            for a in session.scalars(stmt).unique()
        ]
    return jsonify(authors=rows)


@app.get("/books/with-author")
def books_with_author():  # paged_to_one_join: a to-one join, the LIMIT is right
    with Session(engine) as session:
        stmt = select(Book).options(joinedload(Book.author)).order_by(Book.id).limit(20)
        rows = [{"title": b.title, "author": b.author.name} for b in session.scalars(stmt)]
    return jsonify(books=rows)


# --- lazy loads out of the session's scope (issue 22, lazy_load_out_of_scope)
@app.get("/books/detached")
def books_detached():
    """The books are loaded in a session that closes before they are
    serialized; reading book.author then is a lazy load on a detached
    instance: DetachedInstanceError, HTTP 500 (lazy_out_of_scope). The fix,
    lazy_in_scope, eager-loads the author inside the session."""
    stmt = select(Book).order_by(Book.id).limit(12)
    if _scenario() == "lazy_in_scope":
        stmt = stmt.options(selectinload(Book.author))
    with Session(engine) as session:
        books = session.scalars(stmt).all()
    return jsonify(books=[{"title": b.title, "author": b.author.name} for b in books])
