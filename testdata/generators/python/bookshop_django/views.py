"""Views of the Django bookshop. Each endpoint has the N+1 form and its fix,
picked by the X-Scenario header the generator sends (same URL, same span name:
the fix is the same endpoint after the code change)."""
import datetime
import json
import os

import requests
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from opentelemetry import trace

from bookshop_django.models import Author, Book, Setting

tracer = trace.get_tracer("bookshop")
INVENTORY_URL = os.environ.get("INVENTORY_URL", "http://127.0.0.1:58082")


def _scenario(request):
    return request.META.get("HTTP_X_SCENARIO", "")


def books(request):
    if _scenario(request) == "forward_fk_join":
        qs = Book.objects.select_related("author")[:12]
    else:  # forward_fk_loop
        qs = Book.objects.all()[:12]
    rows = []
    for b in qs:
        rows.append({"title": b.title, "author": b.author.name})
    return JsonResponse({"books": rows})


def recent_books(request):  # below_threshold: a lazy loop over 3 books
    rows = []
    for b in Book.objects.order_by("-published_at")[:3]:
        rows.append({"title": b.title, "author": b.author.name})
    return JsonResponse({"books": rows})


def books_with_tags(request):
    if _scenario(request) == "m2m_prefetch":
        qs = Book.objects.prefetch_related("tags")[:10]
    else:  # m2m_loop
        qs = Book.objects.all()[:10]
    rows = []
    for b in qs:
        rows.append({"title": b.title, "tags": [t.name for t in list(b.tags.all())]})
    return JsonResponse({"books": rows})


def authors(request):
    if _scenario(request) == "collection_prefetch":
        qs = Author.objects.prefetch_related("books")[:8]
    else:  # collection_loop
        qs = Author.objects.all()[:8]
    rows = []
    for a in qs:
        rows.append({"name": a.name, "books": [b.title for b in list(a.books.all())]})
    return JsonResponse({"authors": rows})


def author_book_counts(request):
    rows = []
    if _scenario(request) == "count_annotate":
        for a in Author.objects.annotate(num_books=Count("books"))[:7]:
            rows.append({"name": a.name, "books": a.num_books})
    else:  # count_loop
        for a in Author.objects.all()[:7]:
            rows.append({"name": a.name, "books": a.books.count()})
    return JsonResponse({"authors": rows})


@csrf_exempt
def import_books(request):
    payload = json.loads(request.body)
    items = [
        dict(
            title=it["title"],
            author_id=it["author_id"],
            published_at=datetime.date.fromisoformat(it["published_at"]),
            pages=it["pages"],
        )
        for it in payload["books"]
    ]
    if _scenario(request) == "insert_bulk":
        Book.objects.bulk_create([Book(**it) for it in items])
    else:  # insert_loop
        for it in items:
            Book.objects.create(**it)
    return JsonResponse({"imported": len(items)}, status=201)


def book_details(request):
    if _scenario(request) == "mn_plus_one_prefetch":
        qs = Book.objects.select_related("author").prefetch_related("tags").order_by("id")[:10]
    else:  # mn_plus_one_loop: two lazy loads per book
        qs = Book.objects.order_by("id")[:10]
    rows = []
    for b in qs:
        rows.append({"title": b.title, "author": b.author.name, "tags": [t.name for t in list(b.tags.all())]})
    return JsonResponse({"books": rows})


def site_settings():
    # the site settings row; Django inlines first()'s LIMIT 1
    return Setting.objects.order_by("id").first()


def serialize_book(book, settings=None):
    with tracer.start_as_current_span("serialize book", attributes={"book.id": book.id}):
        if settings is None:
            settings = site_settings()
        return {"title": book.title, "pages": book.pages, "currency": settings.value}


def books_serialized(request):
    books = Book.objects.order_by("id")[:8]
    if _scenario(request) == "duplicate_cached":
        settings = site_settings()
        rows = [serialize_book(b, settings) for b in books]
    else:  # duplicate_loop: the serializer looks the settings up again per book
        rows = [serialize_book(b) for b in books]
    return JsonResponse({"books": rows})


def books_stock(request):
    books = list(Book.objects.order_by("id")[:8])
    if _scenario(request) == "api_batch":
        ids = ",".join(str(b.id) for b in books)
        stock = {s["book_id"]: s["in_stock"] for s in requests.get(f"{INVENTORY_URL}/stock?ids={ids}", timeout=5).json()["stock"]}
    else:  # api_loop: one call to the inventory service per book
        stock = {b.id: requests.get(f"{INVENTORY_URL}/stock/{b.id}", timeout=5).json()["in_stock"] for b in books}
    return JsonResponse({"books": [{"title": b.title, "in_stock": stock[b.id]} for b in books]})


def books_page(request):
    scenario = _scenario(request)
    if scenario == "pagination_count":  # ?page=3: COUNT(*) + LIMIT 20 OFFSET 40
        page = Paginator(Book.objects.filter(pages__gt=100).order_by("id"), 20).page(int(request.GET["page"]))
        return JsonResponse({"books": [b.title for b in page], "pages": page.paginator.num_pages})
    if scenario == "keyset_page":  # ?after=40: WHERE id > 40 ORDER BY id LIMIT 20, no count
        after = int(request.GET["after"])
        books = list(Book.objects.filter(id__gt=after).order_by("id")[:20])
        return JsonResponse({"books": [b.title for b in books], "next": books[-1].id if books else None})
    # deep_offset: ?offset=5000, page 251 of 20 rows
    offset = int(request.GET["offset"])
    return JsonResponse({"books": [b.title for b in Book.objects.order_by("id")[offset:offset + 20]]})


def books_report(request):  # several_traps
    rows = [{"title": b.title, "author": b.author.name} for b in Book.objects.order_by("id")[:10]]
    page = Paginator(Book.objects.filter(pages__gt=100).order_by("id"), 20).page(int(request.GET["page"]))
    return JsonResponse({"latest": rows, "page": [b.title for b in page], "pages": page.paginator.num_pages})


# --- pages over joins (testdata/README.md, last section) ---------------------
def authors_search(request):
    """A page of 20 authors with a book whose title contains ?q=. The filter
    joins books (a to-many relation), so the LIMIT counts (author, book) rows:
    paged_to_many_join; the fix, paged_to_many_fixed, is .distinct()."""
    qs = Author.objects.filter(books__title__icontains=request.GET["q"]).order_by("id")
    if _scenario(request) == "paged_to_many_fixed":
        qs = qs.distinct()
    return JsonResponse({"authors": [{"id": a.id, "name": a.name} for a in qs[:20]]})


def books_with_author(request):  # paged_to_one_join: a to-one join, the LIMIT is right
    qs = Book.objects.select_related("author").order_by("id")[:20]
    return JsonResponse({"books": [{"title": b.title, "author": b.author.name} for b in qs]})


# --- lazy loads out of the view's scope (issue 22, lazy_load_out_of_scope) ---
def books_rendered(request):
    """The view hands a queryset to a template, which reads each book's
    author: lazy_out_of_scope, the queries run while the template renders,
    after the view's own code. The fix, lazy_in_scope, is select_related in
    the view."""
    qs = Book.objects.order_by("id")
    if _scenario(request) == "lazy_in_scope":
        qs = qs.select_related("author")
    return render(request, "bookshop_django/books.html", {"books": qs[:12]})
