"""Django settings for the bookshop app that produces testdata/django/."""
import os

SECRET_KEY = "querylens-testdata-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bookshop_django.urls"
INSTALLED_APPS = ["bookshop_django"]
# DjangoInstrumentor inserts its middleware first (middleware_position 0).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
    }
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
        "PORT": os.environ.get("PGPORT", "55432"),
        # CONN_MAX_AGE left at Django's default (0): a new connection per request.
    }
}
