from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=200)
    bio = models.TextField()

    class Meta:
        db_table = "authors"
        app_label = "bookshop_django"


class Tag(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        db_table = "tags"
        app_label = "bookshop_django"


class Book(models.Model):
    title = models.CharField(max_length=300)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    published_at = models.DateField()
    pages = models.IntegerField()
    tags = models.ManyToManyField(Tag, related_name="books", db_table="books_tags")

    class Meta:
        db_table = "books"
        app_label = "bookshop_django"


class Setting(models.Model):
    """Site settings, one row per key (the default currency, the site name)."""

    key = models.CharField(max_length=50)
    value = models.CharField(max_length=200)

    class Meta:
        db_table = "settings"
        app_label = "bookshop_django"
