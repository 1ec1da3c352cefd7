"""Anomaly alerts: each operator's lookups against fixed limits and their own baseline.

`scan()` runs every 5 minutes (audit.tasks.scan, `manage.py audit_scan`) over the last two clock
hours. Windows are aligned (clock hours; 10-minute buckets for denials; the event itself for an
export), and an alert is unique on (rule, operator, window start), so scanning twice raises nothing
twice. New alerts are mailed to the compliance officers after the commit.
"""

from __future__ import annotations

import logging
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from .models import AccessEvent, AccessEventGuest, Action, Alert, AlertRule, Outcome

logger = logging.getLogger(__name__)

LOOKUPS = [Action.SEARCH, Action.VIEW, Action.REVEAL, Action.EXPORT, Action.PRINT]
DEFAULT_RULES = {
    "lookups_per_hour": 60,
    "baseline_factor": 5,
    "baseline_days": 30,
    "baseline_min_hours": 10,
    "baseline_min_lookups": 20,
    "distinct_guests_per_hour": 40,
    "denials": 5,
    "denial_window_minutes": 10,
    "export_rows": 500,
}


def rules() -> dict:
    return {**DEFAULT_RULES, **getattr(settings, "AUDIT_ALERT_RULES", {})}


@dataclass(frozen=True)
class Finding:
    rule: str
    user_id: int
    username: str
    property_id: int | None
    start: datetime
    end: datetime
    figure: float
    limit: float


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _lookups(since: datetime, until: datetime):
    return AccessEvent.objects.filter(
        at__gte=since, at__lt=until, action__in=LOOKUPS, actor_user_id__isnull=False
    )


def _volume(since, until, cfg) -> list[Finding]:
    found = []
    hourly = (
        _lookups(since, until)
        .annotate(hour=TruncHour("at"))
        .values("actor_user_id", "hour")
        .annotate(n=Count("id"))
    )
    for row in hourly:
        uid, hour, n = row["actor_user_id"], row["hour"], row["n"]
        if n > cfg["lookups_per_hour"]:
            found.append(
                Finding(
                    AlertRule.VOLUME,
                    uid,
                    "",
                    None,
                    hour,
                    hour + timedelta(hours=1),
                    n,
                    cfg["lookups_per_hour"],
                )
            )
            continue
        if n < cfg["baseline_min_lookups"]:
            continue
        history = list(
            _lookups(hour - timedelta(days=cfg["baseline_days"]), hour)
            .filter(actor_user_id=uid)
            .annotate(h=TruncHour("at"))
            .values("h")
            .annotate(n=Count("id"))
            .values_list("n", flat=True)
        )
        if len(history) < cfg["baseline_min_hours"]:
            continue
        median = statistics.median(history)
        limit = cfg["baseline_factor"] * median
        if n > limit:
            found.append(
                Finding(AlertRule.BASELINE, uid, "", None, hour, hour + timedelta(hours=1), n, limit)
            )
    return found


def _distinct_guests(since, until, cfg) -> list[Finding]:
    rows = (
        AccessEventGuest.objects.filter(
            at__gte=since, at__lt=until, event__action__in=LOOKUPS, event__actor_user_id__isnull=False
        )
        .annotate(hour=TruncHour("at"))
        .values("event__actor_user_id", "hour")
        .annotate(n=Count("guest_id", distinct=True))
        .filter(n__gt=cfg["distinct_guests_per_hour"])
    )
    return [
        Finding(
            AlertRule.DISTINCT_GUESTS,
            r["event__actor_user_id"],
            "",
            None,
            r["hour"],
            r["hour"] + timedelta(hours=1),
            r["n"],
            cfg["distinct_guests_per_hour"],
        )
        for r in rows
    ]


def _after_hours(since, until, cfg) -> list[Finding]:
    from pms.loginlimits import LoginWindow
    from pms.models import StaffMembership

    limited = defaultdict(list)
    for m in StaffMembership.objects.filter(is_active=True).select_related("property"):
        limited[m.user_id].append(m)
    limited = {
        uid: LoginWindow.for_memberships(ms)
        for uid, ms in limited.items()
        if all(m.allowed_from is not None for m in ms)
    }
    if not limited:
        return []
    outside: dict[tuple[int, datetime], int] = defaultdict(int)
    for uid, at in (
        _lookups(since, until).filter(actor_user_id__in=list(limited)).values_list("actor_user_id", "at")
    ):
        if not any(rule.hours_allow(at) for rule in limited[uid].rules):
            outside[(uid, _hour(at))] += 1
    return [
        Finding(AlertRule.AFTER_HOURS, uid, "", None, hour, hour + timedelta(hours=1), n, 0)
        for (uid, hour), n in outside.items()
    ]


def _denials(since, until, cfg) -> list[Finding]:
    window = timedelta(minutes=cfg["denial_window_minutes"])
    per_user = defaultdict(list)
    for uid, at in (
        AccessEvent.objects.filter(at__gte=since - window, at__lt=until, outcome=Outcome.DENIED)
        .exclude(actor_user_id__isnull=True)
        .order_by("at")
        .values_list("actor_user_id", "at")
    ):
        per_user[uid].append(at)
    found = []
    for uid, times in per_user.items():
        i = 0
        while i < len(times):
            j = i
            while j + 1 < len(times) and times[j + 1] - times[i] <= window:
                j += 1
            n = j - i + 1
            if n >= cfg["denials"]:
                minutes = cfg["denial_window_minutes"]
                start = times[i].replace(second=0, microsecond=0)
                start -= timedelta(minutes=start.minute % minutes)
                found.append(
                    Finding(AlertRule.DENIALS, uid, "", None, start, start + window, n, cfg["denials"])
                )
                i = j + 1
            else:
                i += 1
    return found


def _exports(since, until, cfg) -> list[Finding]:
    found = []
    for event in (
        _lookups(since, until)
        .filter(action=Action.EXPORT)
        .only("actor_user_id", "at", "target_ids", "criteria")
    ):
        rows = event.criteria.get("rows") if isinstance(event.criteria, dict) else None
        n = max(len(event.target_ids), rows if isinstance(rows, int) else 0)
        if n > cfg["export_rows"]:
            found.append(
                Finding(
                    AlertRule.MASS_EXPORT,
                    event.actor_user_id,
                    "",
                    None,
                    event.at,
                    event.at,
                    n,
                    cfg["export_rows"],
                )
            )
    return found


def findings(*, now: datetime | None = None) -> list[Finding]:
    now = now or timezone.now()
    cfg = rules()
    since = _hour(now) - timedelta(hours=1)
    until = now + timedelta(seconds=1)
    found = []
    for rule in (_volume, _distinct_guests, _after_hours, _denials, _exports):
        found.extend(rule(since, until, cfg))
    return found


def scan(*, now: datetime | None = None) -> list[Alert]:
    """Raise an alert for each new finding; return the alerts created by this run."""
    found = findings(now=now)
    if not found:
        return []
    latest = {}
    for uid, username, prop in (
        AccessEvent.objects.filter(actor_user_id__in={f.user_id for f in found})
        .order_by("actor_user_id", "-id")
        .distinct("actor_user_id")
        .values_list("actor_user_id", "actor_username", "actor_property_id")
    ):
        latest[uid] = (username, prop)
    created = []
    with transaction.atomic():
        for f in found:
            username, prop = latest.get(f.user_id, ("", None))
            alert, was_created = Alert.objects.get_or_create(
                rule=f.rule,
                operator_user_id=f.user_id,
                window_start=f.start,
                defaults={
                    "operator_username": username,
                    "property_id": prop,
                    "window_end": f.end,
                    "figure": f.figure,
                    "limit": f.limit,
                },
            )
            if was_created:
                created.append(alert)
        if created:
            ids = [a.pk for a in created]
            transaction.on_commit(lambda: notify_compliance(ids))
    return created


def compliance_emails() -> list[str]:
    from pms.models import StaffMembership
    from pms.roles import Role

    return sorted(
        set(
            StaffMembership.objects.filter(
                role=Role.COMPLIANCE, is_active=True, user__is_active=True, property__isnull=True
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def notify_compliance(alert_ids: list[int]) -> None:
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils.translation import gettext as _

    recipients = compliance_emails()
    alerts = list(Alert.objects.filter(pk__in=alert_ids))
    if not recipients or not alerts:
        return
    lines = [
        f"- {a.get_rule_display()}: {a.operator_username} · {a.window_start:%Y-%m-%d %H:%M} · "
        f"{a.figure:g} ({_('limit')} {a.limit:g}) · {reverse('audit:alert', args=[a.pk])}"
        for a in alerts
    ]
    try:
        send_mail(
            _("Access log: %(n)d new alert(s)") % {"n": len(alerts)},
            "\n".join([_("New alerts to review:"), *lines]),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    except Exception:
        logger.exception("audit: could not mail the compliance officers about alerts %s", alert_ids)
