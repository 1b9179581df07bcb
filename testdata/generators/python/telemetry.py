"""The OpenTelemetry setup of the apps: the Python SDK with a BatchSpanProcessor
and the OTLP/HTTP exporter, and the instrumentors of the app, each called as
its README says. Run in each gunicorn worker after the fork (gunicorn_conf.py),
before the app is imported, as the SDK's docs advise for fork-based servers.

Configuration comes from the environment, as for any SDK user:
OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
OTEL_SEMCONV_STABILITY_OPT_IN; the generator's own switches are
QUERYLENS_GEN_APP (django, sqlalchemy, inventory) and
QUERYLENS_GEN_SQLCOMMENTER=1 (the ORM instrumentation's sqlcommenter on).
"""
import os

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def setup():
    app = os.environ["QUERYLENS_GEN_APP"]
    commenter = os.environ.get("QUERYLENS_GEN_SQLCOMMENTER") == "1"
    provider = TracerProvider(resource=Resource.create())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)

    from opentelemetry.instrumentation.requests import RequestsInstrumentor

    RequestsInstrumentor().instrument()
    if app == "django":
        from opentelemetry.instrumentation.django import DjangoInstrumentor
        from opentelemetry.instrumentation.psycopg2 import Psycopg2Instrumentor

        DjangoInstrumentor().instrument(is_sql_commentor_enabled=commenter)
        Psycopg2Instrumentor().instrument()
    elif app == "sqlalchemy":
        from opentelemetry.instrumentation.flask import FlaskInstrumentor
        from opentelemetry.instrumentation.psycopg2 import Psycopg2Instrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        FlaskInstrumentor().instrument()
        # Both the ORM's and the driver's instrumentation, as a user has them
        # once opentelemetry-bootstrap installed every instrumentation that
        # matches the installed packages (README: "Both instrumentations").
        SQLAlchemyInstrumentor().instrument(enable_commenter=commenter)
        Psycopg2Instrumentor().instrument()
    elif app == "inventory":
        from opentelemetry.instrumentation.flask import FlaskInstrumentor

        FlaskInstrumentor().instrument()
    else:
        raise ValueError("QUERYLENS_GEN_APP: %r; allowed: django, sqlalchemy, inventory" % app)


def flush():
    trace.get_tracer_provider().force_flush()
