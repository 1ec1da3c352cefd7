"""Scheduled jobs of operations (CELERY_BEAT_SCHEDULE); each is also a management command, except the
heartbeat, which exists to prove that beat and a worker run."""

from celery import shared_task


@shared_task(name="operations.tasks.heartbeat")
def heartbeat() -> None:
    from django.utils import timezone

    from .health import BEAT
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name=BEAT, defaults={"at": timezone.now()})


@shared_task(name="operations.tasks.fold_timings")
def fold_timings() -> int:
    from .timing import fold, purge_old

    written = fold()
    purge_old()
    return written


@shared_task(name="operations.tasks.backup")
def backup() -> int:
    from .backups import backup_create

    return backup_create().pk


@shared_task(name="operations.tasks.rehearse")
def rehearse() -> bool:
    from .backups import rehearsal_run

    return rehearsal_run().record.ok


@shared_task(name="operations.tasks.clear_sessions")
def clear_sessions() -> None:
    """Delete expired sessions (staff and guest self-service share the session table)."""
    from django.core.management import call_command

    call_command("clearsessions")
