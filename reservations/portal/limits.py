"""Attempt limits and the alert on repeated failures.

Counters live in the cache (Redis) under keys that hold only an HMAC of the address, reference or
e-mail (never the value itself). Limits are django-ratelimit rates from the settings; failed
look-ups have their own counters, and reaching `PORTAL_ALERT_FAILURES` raises an `audit.Alert`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_ratelimit.core import get_usage

from pms.crypto import blind_index
from pms.middleware import client_ip

logger = logging.getLogger(__name__)

# audit.Alert needs an operator id; self-service has none. 0 is no user (ids start at 1).
SELF_SERVICE_OPERATOR_ID = 0
SELF_SERVICE_OPERATOR = "self-service"


def _hashed(kind: str, value: str) -> str:
    # A keyed HMAC: a cache dump cannot be turned back into addresses or references by guessing.
    return blind_index(f"portal-{kind}", value) if value else ""


def _address(request) -> str:
    return client_ip(request) or "unknown"


def _over(request, group: str, rate: str, hashed: str) -> bool:
    if not hashed:
        return False
    usage = get_usage(request, group=group, key=lambda _g, _r: hashed, rate=rate, increment=True)
    return bool(usage and usage["should_limit"])


def lookup_limited(request, reference: str) -> bool:
    """Count this look-up against the address and the reference; True when either is over."""
    by_address = _over(
        request,
        "portal.lookup.address",
        settings.PORTAL_LOOKUP_RATE_PER_ADDRESS,
        _hashed("ip", _address(request)),
    )
    by_reference = _over(
        request,
        "portal.lookup.reference",
        settings.PORTAL_LOOKUP_RATE_PER_REFERENCE,
        _hashed("ref", reference),
    )
    return by_address or by_reference


def link_limited(request, email: str) -> bool:
    by_address = _over(
        request,
        "portal.link.address",
        settings.PORTAL_LINK_RATE_PER_ADDRESS,
        _hashed("ip", _address(request)),
    )
    by_email = _over(
        request, "portal.link.email", settings.PORTAL_LINK_RATE_PER_EMAIL, _hashed("email", email)
    )
    return by_address or by_email


def _bump(key: str, seconds: int) -> int:
    try:
        return cache.incr(key)  # one round trip once the window's counter exists
    except ValueError:  # no counter yet (or it just expired)
        if cache.add(key, 1, timeout=seconds):
            return 1
        return cache.incr(key)


def lookup_counted(request, reference: str, *, found: bool) -> None:
    """Count a look-up's outcome per address and per reference (the same two cache writes either
    way, so found and not found take the same time); the `PORTAL_ALERT_FAILURES`-th failure in the
    window raises an alert. Successes are counted too: many bookings found from one address is
    worth a look one day (a leaked list of references)."""
    seconds = settings.PORTAL_ALERT_WINDOW_MINUTES * 60
    outcome = "ok" if found else "fail"
    counts = {
        "address": _bump(f"portal:{outcome}:ip:{_hashed('ip', _address(request))}", seconds),
        "reference": _bump(f"portal:{outcome}:ref:{_hashed('ref', reference)}", seconds),
    }
    if found:
        return
    for kind, n in counts.items():
        if n == settings.PORTAL_ALERT_FAILURES:
            alert_raise(kind=kind, figure=n, request_id=getattr(request, "request_id", ""))


def alert_raise(*, kind: str, figure: int, request_id: str = ""):
    """An anomaly alert for compliance: repeated failed self-service look-ups from one address or on
    one reference. One alert per window (audit.Alert is unique on rule, operator and window start);
    a second finding in the same window adds a note. The events themselves (address, masked
    criteria, request id) are in the access log."""
    from audit.anomalies import notify_compliance
    from audit.models import Alert, AlertRule

    minutes = settings.PORTAL_ALERT_WINDOW_MINUTES
    now = timezone.now()
    start = now.replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % minutes)
    note = (
        f"Self-service: {figure} failed booking look-ups "
        f"{'from one address' if kind == 'address' else 'on one booking reference'} "
        f"within {minutes} minutes (request {request_id})."
    )
    with transaction.atomic():
        alert, created = Alert.objects.select_for_update().get_or_create(
            rule=AlertRule.DENIALS,
            operator_user_id=SELF_SERVICE_OPERATOR_ID,
            window_start=start,
            defaults={
                "operator_username": SELF_SERVICE_OPERATOR,
                "window_end": start + timedelta(minutes=minutes),
                "figure": figure,
                "limit": settings.PORTAL_ALERT_FAILURES,
                "notes": note,
            },
        )
        if created:
            transaction.on_commit(lambda: notify_compliance([alert.pk]))
        else:
            Alert.objects.filter(pk=alert.pk).update(
                figure=max(alert.figure, figure), notes=(alert.notes + "\n" + note).strip(), updated_at=now
            )
    logger.warning("portal: repeated failed look-ups (%s), alert %s", kind, alert.pk)
    return alert
