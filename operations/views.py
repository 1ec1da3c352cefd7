"""The operations page (IT and compliance) and the Prometheus endpoint `/metrics`."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pms.permissions import capability_required, has_capability_anywhere
from pms.roles import Capability

from . import health, timing
from . import metrics as metrics_text
from .models import BackupRecord, RehearsalRecord, RouteTiming

SLOWEST = 15


@login_required
@capability_required(Capability.VIEW_OPERATIONS)
@require_GET
def index(request):
    now = timezone.now()
    routes = timing.summarise(RouteTiming.objects.filter(hour__gte=now - timedelta(hours=24)))[:SLOWEST]
    good = health.last_good_rehearsal()
    rehearsal_age = (now - good.started_at) if good else None
    chart = {
        "labels": [f"{r.method} {r.route}" for r in routes],
        "p50": [r.p50_ms for r in routes],
        "p95": [r.p95_ms for r in routes],
    }
    context = {
        "routes": routes,
        "chart": chart,
        "backups": BackupRecord.objects.all()[:20],
        "rehearsals": RehearsalRecord.objects.all()[:20],
        "last_good_rehearsal": good,
        "rehearsal_age_days": round(rehearsal_age.total_seconds() / 86400, 1) if rehearsal_age else None,
        "rehearsal_overdue": rehearsal_age is None
        or rehearsal_age > timedelta(days=settings.HEALTH_MAX_REHEARSAL_AGE_DAYS),
        "max_rehearsal_days": settings.HEALTH_MAX_REHEARSAL_AGE_DAYS,
        "job_health": [(name, check()) for name, check in health.checks().items()],
        "health_required": settings.HEALTH_REQUIRE_JOBS,
        "timing_stats": timing.stats,
    }
    return render(request, "operations/index.html", context)


def _token_user(key: str):
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed

    try:
        user, _token = TokenAuthentication().authenticate_credentials(key)
    except AuthenticationFailed:
        return None
    return user


def metrics_allowed(request) -> bool:
    """The IT token (`Authorization: Bearer <METRICS_TOKEN>`), a DRF token (`Authorization: Token
    <key>`) of a user who may see operations, or such a user's session."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme == "bearer":
        expected = settings.METRICS_TOKEN
        return bool(expected and value) and hmac.compare_digest(value.encode(), expected.encode())
    if scheme == "token":
        user = _token_user(value) if value else None
        return user is not None and has_capability_anywhere(user, Capability.VIEW_OPERATIONS)
    user = request.user
    return user.is_authenticated and has_capability_anywhere(user, Capability.VIEW_OPERATIONS)


@never_cache
@require_GET
def metrics(request):
    """Prometheus text exposition; 404 for anyone else, so the endpoint does not announce itself."""
    if not metrics_allowed(request):
        raise Http404("Not available")
    return HttpResponse(metrics_text.render(), content_type="text/plain; version=0.0.4; charset=utf-8")
