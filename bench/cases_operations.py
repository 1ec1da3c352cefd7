"""Operations: what the response-time middleware adds to a request (target: under 0.2 ms at p50).

A trivial view runs through Django's handler with only the request-context middleware, and with the
timing middleware in front of it (which records into its buffer and writes the request log line;
the log goes to /dev/null here, formatting and masking included)."""

from __future__ import annotations

import logging
import os

from django.http import HttpResponse
from django.urls import path

from .runner import BenchContext, Case


def _trivial(request, pk: int):
    return HttpResponse(b"ok")


urlpatterns = [path("bench/trivial/<int:pk>/", _trivial, name="bench-trivial")]


def _handler(middleware: list[str]):
    from django.core.handlers.base import BaseHandler
    from django.test import override_settings

    handler = BaseHandler()
    with override_settings(MIDDLEWARE=middleware):
        handler.load_middleware()
    return handler


def cases(ctx: BenchContext) -> list[Case]:
    from django.test import RequestFactory

    from operations import timing

    devnull = open(os.devnull, "w")  # noqa: SIM115  (lives as long as the benchmark process)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)
    factory = RequestFactory()
    plain = _handler(["pms.middleware.RequestContextMiddleware"])
    timed = _handler(
        ["operations.middleware.RequestTimingMiddleware", "pms.middleware.RequestContextMiddleware"]
    )

    def call(handler):
        request = factory.get("/bench/trivial/42/")
        request.urlconf = "bench.cases_operations"
        response = handler.get_response(request)
        assert response.status_code == 200

    def without():
        call(plain)

    def with_timing():
        call(timed)

    timing.flush()
    return [
        Case("operations: trivial view, no timing", without, repeat=2000, warmup=200),
        Case(
            "operations: trivial view + timing middleware",
            with_timing,
            repeat=2000,
            warmup=200,
            baseline="operations: trivial view, no timing",
            target_added_ms=0.2,
        ),
    ]
