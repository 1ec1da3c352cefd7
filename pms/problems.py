"""API errors as problem details, and the pagination every list uses. Kept apart from the API
views so DRF's settings can import it without a cycle."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler

PROBLEM_TYPES = {
    400: "about:blank#bad-request",
    401: "about:blank#unauthenticated",
    403: "about:blank#forbidden",
    404: "about:blank#not-found",
    405: "about:blank#method-not-allowed",
    409: "about:blank#conflict",
    422: "about:blank#unprocessable",
    429: "about:blank#too-many-requests",
    500: "about:blank#server-error",
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state; reload and try again."
    default_code = "conflict"


def problem(status_code: int, title: str, detail, **extra) -> dict:
    body = {
        "type": PROBLEM_TYPES.get(status_code, "about:blank"),
        "title": title,
        "status": status_code,
        "detail": detail,
    }
    body.update(extra)
    return body


def problem_response(status_code: int, title: str, detail, **extra) -> JsonResponse:
    return JsonResponse(
        problem(status_code, title, detail, **extra),
        status=status_code,
        content_type="application/problem+json",
    )


def _flatten(detail) -> tuple[str, dict | None]:
    if isinstance(detail, dict):
        errors = {k: [str(e) for e in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
        first = next(iter(errors.values()), [""])
        return (first[0] if first else _("The request is not valid.")), errors
    if isinstance(detail, list):
        return "; ".join(str(d) for d in detail), None
    return str(detail), None


def problem_exception_handler(exc, context):
    """Every API error as problem details (`type`, `title`, `status`, `detail`, and `errors` per field)."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail, errors = _flatten(response.data if isinstance(exc, exceptions.ValidationError) else exc.detail)
    titles = {
        400: _("Invalid request"),
        401: _("Not signed in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        422: _("Cannot be processed"),
        429: _("Too many requests"),
    }
    body = problem(response.status_code, titles.get(response.status_code, _("Error")), detail)
    if errors:
        body["errors"] = errors
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        body["retry_after"] = int(exc.wait)
    response.data = body
    response.content_type = "application/problem+json"
    return response


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
