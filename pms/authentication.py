"""API authentication: DRF's token authentication, telling the change log who the caller is.

django-auditlog's middleware takes the actor from `request.user` before DRF has looked at the
`Authorization` header, so a change made with a token would be logged with no actor. Once the token
is accepted, the caller becomes the actor of the request's change-log entries."""

from __future__ import annotations

from auditlog.context import auditlog_value
from rest_framework.authentication import TokenAuthentication as _TokenAuthentication


class TokenAuthentication(_TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        try:
            context = auditlog_value.get()
        except LookupError:  # outside AuditlogMiddleware (a management command, a test client)
            context = None
        if context is not None and context.get("actor") is None:
            context["actor"] = user
        return user, token
