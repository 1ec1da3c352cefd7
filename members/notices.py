"""The members app's message tasks: a birthday voucher, a tier change, points about to expire. They
take ids, read the member and send through `members.messaging`; services queue them after commit.
They never call a service, so services may queue them without a circle of imports."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext as _


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
