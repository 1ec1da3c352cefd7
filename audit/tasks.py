"""Scheduled jobs of the audit trail (CELERY_BEAT_SCHEDULE); each is also a management command."""

from celery import shared_task


@shared_task(name="audit.tasks.seal")
def seal() -> int:
    from .integrity import seal as _seal

    return len(_seal())


@shared_task(name="audit.tasks.verify")
def verify() -> bool:
    from .integrity import verify as _verify

    return _verify().ok


@shared_task(name="audit.tasks.purge")
def purge() -> int:
    from .integrity import purge as _purge
    from .integrity import seal as _seal

    _seal()
    return len(_purge())


@shared_task(name="audit.tasks.scan")
def scan() -> int:
    from .anomalies import scan as _scan

    return len(_scan())
