"""What starts background work in the members app: a service, then its task queued after commit.

Services never import tasks (tasks run services), so the two steps meet here, the one place that
imports both. Callers (the settlement hook, the campaign screen) use these, not the bare services.
"""

from __future__ import annotations

from django.db import transaction

from . import services, tasks


def stay_settled(*, booking, actor=None):
    """Check-out of a member's stay: the stay and its points now, the member's tier after commit."""
    stay = services.stay_settle(booking=booking, actor=actor)
    if stay is not None:
        day, membership_id = stay.settled_on.isoformat(), str(stay.membership_id)
        transaction.on_commit(lambda: tasks.recalculate_tiers.delay(day, [membership_id]))
    return stay


def campaign_start(**kwargs):
    """Create a campaign (see `services.campaign_create`) and send it in the background."""
    campaign = services.campaign_create(**kwargs)
    transaction.on_commit(lambda: tasks.send_campaign.delay(campaign.pk))
    return campaign
