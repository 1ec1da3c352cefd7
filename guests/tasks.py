"""Scheduled work of the guests app (listed in CELERY_BEAT_SCHEDULE; also `manage.py expire_grants`)."""

from celery import shared_task


@shared_task(name="guests.expire_grants")
def expire_grants() -> int:
    """Mark expired access grants and remove their guardian permissions. Reads check expiry
    themselves, so this is housekeeping, not the safeguard."""
    from .services import grants_expire

    return grants_expire()
