from django.urls import path

from bookshop_django import views

urlpatterns = [
    path("books/", views.books),
    path("books/recent/", views.recent_books),
    path("books/tags/", views.books_with_tags),
    path("books/import/", views.import_books),
    path("authors/", views.authors),
    path("authors/book-counts/", views.author_book_counts),
    path("books/details/", views.book_details),
    path("books/serialized/", views.books_serialized),
    path("books/stock/", views.books_stock),
    path("books/page/", views.books_page),
    path("books/report/", views.books_report),
    path("authors/search/", views.authors_search),
    path("books/with-author/", views.books_with_author),
    path("books/rendered/", views.books_rendered),
]
