"""Response-time measurement and the one log line per request (wired in pms/settings.py, block
`# --- operations ---`, first in MIDDLEWARE so it measures the whole stack)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils.functional import empty

from . import timing

request_log = logging.getLogger("pms.request")


def _user_id(request):
    """The user's id if authentication already ran; never forces a session or database read."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:
        return None
    return getattr(wrapped, "pk", None)


class RequestTimingMiddleware:
    """Records route name (never the raw path), method, status and duration of every request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL or "/static/"
        self.log_requests = getattr(settings, "REQUEST_LOG", True)

    def __call__(self, request):
        if request.path_info.startswith(self.static_prefix):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        ms = (time.perf_counter() - started) * 1000.0
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match is not None else None) or timing.UNRESOLVED
        timing.record(route, request.method, response.status_code, ms)
        if self.log_requests and request_log.isEnabledFor(logging.INFO):
            request_log.info(
                "%s %s %s %.1fms",
                request.method,
                route,
                response.status_code,
                ms,
                extra={
                    "request_id": getattr(request, "request_id", None),
                    "user_id": _user_id(request),
                    "route": route,
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(ms, 2),
                },
            )
        return response
