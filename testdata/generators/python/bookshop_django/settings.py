"""Django settings for the bookshop app that produces testdata/django/."""
import os

from bookshop_django.capture_db import CaptureCursor

SECRET_KEY = "querylens-testdata-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bookshop_django.urls"
WSGI_APPLICATION = "bookshop_django.wsgi.application"
INSTALLED_APPS = ["bookshop_django"]
# The capture middleware stands first, where DjangoInstrumentor inserts
# _DjangoMiddleware (middleware_position defaults to 0).
MIDDLEWARE = [
    "bookshop_django.capture_db.CaptureMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("PGDATABASE", "py_testdata"),
        "USER": os.environ.get("PGUSER", "py_testdata"),
        "PASSWORD": os.environ.get("PGPASSWORD", "py_testdata"),
        "HOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PORT": os.environ.get("PGPORT", "5432"),
        # CONN_MAX_AGE left at Django's default (0): a new connection per request.
        # cursor_factory: the same hook the psycopg2 instrumentation uses
        # (it passes cursor_factory=TracedCursorFactory to psycopg2.connect).
        "OPTIONS": {"cursor_factory": CaptureCursor},
    }
}
