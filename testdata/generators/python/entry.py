"""The WSGI entry gunicorn serves: the app named by QUERYLENS_GEN_APP, plus
GET /_flush, which exports the spans the BatchSpanProcessor still holds
(TracerProvider.force_flush) so that the generator can close one scenario
before the next. /_flush is answered here, outside the app and so outside
every instrumentation: it makes no span."""
import os

import telemetry


def _load(app):
    if app == "django":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshop_django.settings")
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()
    if app == "sqlalchemy":
        from bookshop_sqlalchemy.app import app as flask_app

        return flask_app
    if app == "inventory":
        from inventory.app import app as flask_app

        return flask_app
    raise ValueError("QUERYLENS_GEN_APP: %r; allowed: django, sqlalchemy, inventory" % app)


_app = _load(os.environ["QUERYLENS_GEN_APP"])


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/_flush":
        telemetry.flush()
        start_response("204 No Content", [])
        return [b""]
    return _app(environ, start_response)
