"""Celery tasks of the members app: they take ids and call a service (eager in tests)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils.translation import gettext as _


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


@shared_task(name="members.send_voucher_message")
def send_voucher_message(voucher_id: int) -> bool:
    from .messaging import preferred_channel, send_to_member
    from .models import Voucher

    v = Voucher.objects.select_related("membership__guest", "offer").get(pk=voucher_id)
    channel = preferred_channel(v.membership)
    if channel is None:
        return False
    return send_to_member(
        v.membership,
        channel=channel,
        subject=_("Happy birthday from your hotel"),
        body=_("Happy birthday! Here is a gift for your next stay: %(offer)s.") % {"offer": v.offer.name},
        voucher=v,
    )


@shared_task(name="members.send_tier_notice")
def send_tier_notice(change_id: int) -> bool:
    """The member is told of a tier change by e-mail (a service message: no consent needed)."""
    from .messaging import send_to_member
    from .models import MessageChannel, TierChange

    c = TierChange.objects.select_related("membership__guest", "to_tier").get(pk=change_id)
    name = c.to_tier.display_name if c.to_tier else _("no tier")
    return send_to_member(
        c.membership,
        channel=MessageChannel.EMAIL,
        subject=_("Your membership tier"),
        body=_("Your membership tier is now %(tier)s.") % {"tier": name},
        marketing=False,
    )


@shared_task(name="members.send_expiry_notice")
def send_expiry_notice(notice_id: int) -> bool:
    from .messaging import send_to_member
    from .models import ExpiryNotice, MessageChannel

    n = ExpiryNotice.objects.select_related("membership__guest").get(pk=notice_id)
    return send_to_member(
        n.membership,
        channel=MessageChannel.EMAIL,
        subject=_("Your points expire soon"),
        body=_("%(points)s of your points expire on %(date)s.")
        % {"points": n.points, "date": n.expires_on.isoformat()},
        marketing=False,
    )


@shared_task(name="members.send_tier_notices")
def send_tier_notices(change_ids: list[int]) -> int:
    """The nightly job's notices, one task per batch of changes."""
    return sum(bool(send_tier_notice(cid)) for cid in change_ids)
