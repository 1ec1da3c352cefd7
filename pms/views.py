"""Back-office shell: the dashboard, the property switcher, a property's home page, health."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .permissions import active_memberships, get_property_or_404, property_required, roles_at
from .roles import Role


@login_required
def dashboard(request):
    memberships = active_memberships(request.user)
    if not memberships:
        return render(request, "pms/no_role.html", status=403)
    return render(request, "pms/dashboard.html", {"memberships": memberships})


@login_required
@require_POST
def switch_property(request):
    prop = get_property_or_404(request.user, request.POST.get("property", ""))
    request.session["pms_property"] = prop.code
    messages.success(request, _("You are now working at %(name)s.") % {"name": prop.display_name})
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_required
@property_required()
def property_home(request):
    prop = request.property
    roles = sorted(Role(r).label for r in roles_at(request.user, prop))
    return render(request, "pms/property_home.html", {"property": prop, "roles_here": roles})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception as exc:
        return f"database: {exc.__class__.__name__}"
    return None


def _check_redis() -> str | None:
    from django.core.cache import cache

    try:
        cache.set("pms:healthz", "1", 10)
        if cache.get("pms:healthz") != "1":
            return "redis: value not read back"
    except Exception as exc:
        return f"redis: {exc.__class__.__name__}"
    return None


HEALTH_CHECKS = {"database": _check_database, "redis": _check_redis}


@never_cache
def healthz(request):
    """200 when the database and Redis answer; 503 naming what failed. No personal data."""
    failures = {name: err for name, check in HEALTH_CHECKS.items() if (err := check())}
    body = {
        "status": "ok" if not failures else "unhealthy",
        "checks": {name: failures.get(name, "ok") for name in HEALTH_CHECKS},
    }
    return JsonResponse(body, status=503 if failures else 200)


def error_404(request, exception=None):
    if request.path_info.startswith("/api/"):
        from .problems import problem_response

        return problem_response(
            404, _("Not found"), _("There is nothing at this address, or you may not see it.")
        )
    return render(request, "404.html", status=404)


def _database_unreachable(exc) -> bool:
    """A lost or refused connection, not a query's own failure (a deadlock or a lock timeout is an
    OperationalError too, with a more specific cause: those stay a 500)."""
    import psycopg
    from django.db import InterfaceError, OperationalError

    if isinstance(exc, InterfaceError):
        return True
    cause = exc.__cause__ if isinstance(exc, OperationalError) else None
    return isinstance(exc, OperationalError) and (cause is None or type(cause) is psycopg.OperationalError)


def error_500(request):
    """500, or 503 when the database cannot be reached. Rendered without the request's context
    processors, which would ask the (maybe unreachable) database who the user is."""
    import sys

    from django.http import HttpResponse
    from django.template.loader import render_to_string

    down = _database_unreachable(sys.exc_info()[1])
    if request.path_info.startswith("/api/"):
        from .problems import problem_response

        if down:
            response = problem_response(
                503,
                _("Service unavailable"),
                _("The database cannot be reached; nothing was shown or changed. Try again in a minute."),
            )
            response["Retry-After"] = "60"
            return response
        return problem_response(
            500,
            _("Server error"),
            _(
                "Something went wrong on our side; nothing was shown. "
                "Try again, and tell IT if it keeps happening."
            ),
        )
    home = "/my-booking/" if request.path_info.startswith(("/my-booking", "/my-bookings")) else "/"
    response = HttpResponse(
        render_to_string("503.html" if down else "500.html", {"home": home}), status=503 if down else 500
    )
    response["Cache-Control"] = "no-store, private"
    if down:
        response["Retry-After"] = "60"
    return response


def error_403(request, exception=None):
    if request.path_info.startswith("/api/"):
        from .problems import problem_response

        return problem_response(403, _("Not allowed"), _("Your role does not allow this."))
    return render(request, "403.html", status=403)


def error_400(request, exception=None):
    if request.path_info.startswith("/api/"):
        from .problems import problem_response

        return problem_response(400, _("Invalid request"), _("The request could not be understood."))
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
