"""Views of the Django bookshop. Each endpoint has the N+1 form and its fix,
picked by the X-Scenario header the generator sends (same URL, same span name:
the fix is the same endpoint after the code change)."""
import datetime
import json

from django.db.models import Count
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from bookshop_django.models import Author, Book


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
