"""Health of the scheduled jobs, for `/healthz` (registered into `pms.views.HEALTH_CHECKS` when
`HEALTH_REQUIRE_JOBS` is on) and for the operations page (always).

Each check returns None when fine, else a short reason without personal data. With
`HEALTH_REQUIRE_JOBS` on, a job that never ran counts as overdue: a monitor should page until the
first backup and rehearsal have run."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

BEAT = "beat"


def _age_text(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _guarded(name: str, fn):
    def check() -> str | None:
        try:
            return fn()
        except Exception as exc:  # a check must report, never raise
            return f"{name}: {exc.__class__.__name__}"

    check.__name__ = f"check_{name}"
    return check


def last_good_backup():
    from .models import BackupRecord

    return BackupRecord.objects.filter(ok=True).order_by("-started_at").first()


def last_rehearsal():
    from .models import RehearsalRecord

    return RehearsalRecord.objects.order_by("-started_at").first()


def last_good_rehearsal():
    from .models import RehearsalRecord

    return RehearsalRecord.objects.filter(ok=True).order_by("-started_at").first()


def _backup() -> str | None:
    last = last_good_backup()
    if last is None:
        return "backup: no complete backup yet"
    age = timezone.now() - last.started_at
    if age > timedelta(hours=settings.HEALTH_MAX_BACKUP_AGE_HOURS):
        return f"backup: last complete backup {_age_text(age)} ago (limit {settings.HEALTH_MAX_BACKUP_AGE_HOURS} h)"
    return None


def _rehearsal() -> str | None:
    latest = last_rehearsal()
    if latest is None:
        return "rehearsal: no restore rehearsal yet"
    if not latest.ok and latest.finished_at is not None:
        return "rehearsal: the last restore rehearsal failed"
    good = last_good_rehearsal()
    if good is None:
        return "rehearsal: no restore rehearsal has passed yet"
    age = timezone.now() - good.started_at
    if age > timedelta(days=settings.HEALTH_MAX_REHEARSAL_AGE_DAYS):
        return (
            f"rehearsal: last good rehearsal {_age_text(age)} ago "
            f"(limit {settings.HEALTH_MAX_REHEARSAL_AGE_DAYS} days)"
        )
    return None


def audit_available() -> bool:
    from django.apps import apps

    try:
        apps.get_model("audit", "Checkpoint")
        apps.get_model("audit", "AccessEvent")
    except LookupError:
        return False
    return True


def last_audit_seal():
    from django.apps import apps

    if not audit_available():
        return None
    return apps.get_model("audit", "Checkpoint").objects.order_by("-last_id").first()


def _audit_seal() -> str | None:
    """Overdue when an event older than the limit is still unsealed (a quiet night seals nothing,
    and that is fine)."""
    from django.apps import apps

    if not audit_available():
        return None
    limit = timedelta(minutes=settings.HEALTH_MAX_SEAL_AGE_MINUTES)
    seal = last_audit_seal()
    event = apps.get_model("audit", "AccessEvent").objects.filter(at__lt=timezone.now() - limit)
    if seal is not None:
        event = event.filter(id__gt=seal.last_id)
    if event.exists():
        since = f"since {seal.created_at:%Y-%m-%d %H:%M} UTC" if seal else "ever"
        return f"audit_seal: events older than {settings.HEALTH_MAX_SEAL_AGE_MINUTES} min are unsealed (no seal {since})"
    return None


def beat_heartbeat():
    from .models import Heartbeat

    return Heartbeat.objects.filter(name=BEAT).first()


def _beat() -> str | None:
    beat = beat_heartbeat()
    if beat is None:
        return "beat: no heartbeat yet (is celery beat running?)"
    age = timezone.now() - beat.at
    if age > timedelta(minutes=settings.HEALTH_MAX_BEAT_AGE_MINUTES):
        return f"beat: last heartbeat {age.total_seconds() / 60:.0f} min ago (limit {settings.HEALTH_MAX_BEAT_AGE_MINUTES} min)"
    return None


CHECKS = {
    "backup": _guarded("backup", _backup),
    "rehearsal": _guarded("rehearsal", _rehearsal),
    "audit_seal": _guarded("audit_seal", _audit_seal),
    "beat": _guarded("beat", _beat),
}


def checks() -> dict:
    """The job checks that apply here (the audit seal only when the audit app is installed)."""
    return {k: v for k, v in CHECKS.items() if k != "audit_seal" or audit_available()}


def register() -> None:
    """Add the job checks to `/healthz` when `HEALTH_REQUIRE_JOBS` is on (see docs/operations.md)."""
    if not settings.HEALTH_REQUIRE_JOBS:
        return
    from pms.views import HEALTH_CHECKS

    HEALTH_CHECKS.update(checks())
