"""The project's URLs plus ``/bench/insert/``: a bare Django endpoint that inserts one row, the
baseline of ``submit_load.py``. Served only with ``benchmarks.bench_settings``."""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from onevisit.urls import urlpatterns as project_urlpatterns

TABLE = "bench_insert"
CREATE_TABLE = f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, at timestamptz NOT NULL)"


@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    """One row in one transaction; the same middleware (sessions, CSRF, auth) as every page."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (at) VALUES (%s)", [timezone.now()])
    return HttpResponse(status=204)


urlpatterns = [path("bench/insert/", insert), *project_urlpatterns]
