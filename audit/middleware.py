"""Middleware of the audit trail (wired in pms/settings.py, block `# --- audit ---`)."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from django.shortcuts import render
from django.utils.translation import gettext as _

from pms.middleware import client_ip

from .services import AuditWriteFailed


class AuditlogMiddleware(_AuditlogMiddleware):
    """django-auditlog's middleware, with the client address taken the way the access log takes it
    (REMOTE_ADDR, or X-Forwarded-For only behind the configured number of proxies) instead of
    trusting the first X-Forwarded-For entry, which any client can set."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)


class FailClosedMiddleware:
    """A read whose access event could not be written ends on the plain error page (or problem 500
    for the API), with DEBUG on as well: the debug page would show the data in its local variables."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, AuditWriteFailed):
            return None
        if request.path_info.startswith("/api/"):
            from pms.problems import problem_response

            return problem_response(
                500,
                _("Server error"),
                _(
                    "The access could not be recorded, so nothing was shown. Try again, and tell IT if it keeps happening."
                ),
            )
        response = render(request, "500.html", status=500)
        response["Cache-Control"] = "no-store, private"
        return response
