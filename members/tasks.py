"""Celery tasks of the members app that run a service: the nightly jobs and a campaign's sending.
They take ids and dates (eager in tests). The message tasks are in `members.notices`, imported here so
that a worker, which discovers `<app>.tasks` modules, registers them too."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from . import notices  # noqa: F401  (registers the message tasks with the worker)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@shared_task(name="members.recalculate_tiers")
def recalculate_tiers(day: str | None = None, membership_ids: list[str] | None = None) -> dict:
    from .services import tiers_recalculate

    r = tiers_recalculate(today=_day(day), membership_ids=membership_ids)
    return {"members": r.members, "upgraded": r.upgraded, "downgraded": r.downgraded}


@shared_task(name="members.expire_points")
def expire_points(day: str | None = None) -> dict:
    from .services import points_expiry_run

    return points_expiry_run(today=_day(day))


@shared_task(name="members.birthday_offers")
def birthday_offers(day: str | None = None) -> int:
    from .services import birthday_offers_issue

    return len(birthday_offers_issue(today=_day(day)))


@shared_task(name="members.send_campaign")
def send_campaign(campaign_id: int) -> dict:
    from .services import campaign_send

    c = campaign_send(campaign_id=campaign_id)
    return {"sent": c.sent, "failed": c.failed}
