"""Writes to the audit trail. `access_record` is the one function every selector calls."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from pms import context

from .models import AccessEvent, AccessEventGuest, Outcome


def _actor_role(actor, prop) -> tuple[str, int | None]:
    from pms.permissions import active_memberships

    memberships = active_memberships(actor) if actor is not None else []
    if not memberships:
        return "", getattr(prop, "pk", None)
    pid = getattr(prop, "pk", None)
    at_prop = [m for m in memberships if m.property_id == pid] or [
        m for m in memberships if m.property_id is None
    ]
    chosen = (at_prop or memberships)[0]
    return chosen.role, pid if pid is not None else chosen.property_id


def access_record(
    *,
    actor,
    action: str,
    target_type: str = "",
    target_ids: Sequence[object] = (),
    guest_ids: Iterable[object] = (),
    criteria: dict | None = None,
    reason: str = "",
    outcome: str = Outcome.OK,
    property=None,
    role: str | None = None,
    channel: str | None = None,
    username: str | None = None,
) -> AccessEvent:
    """Record one access event (and its guest links) in the caller's transaction.

    Call it inside the same `transaction.atomic` as the read it records: if the insert fails the
    exception propagates, the transaction rolls back and the data never leaves (fail closed).
    `criteria` must already be masked and blind-indexed (`pms.crypto.criterion`).
    """
    ctx = context.current()
    user_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    actor_role, property_id = _actor_role(actor if user_id else None, property)
    now = timezone.now()
    with transaction.atomic():
        event = AccessEvent.objects.create(
            at=now,
            actor_user_id=user_id,
            actor_username=username
            if username is not None
            else (getattr(actor, "username", "") if user_id else ""),
            actor_role=role if role is not None else actor_role,
            actor_property_id=property_id,
            channel=channel or ctx.channel,
            action=action,
            target_type=target_type,
            target_ids=[str(t) for t in target_ids],
            criteria=criteria or {},
            reason=reason,
            outcome=outcome,
            request_id=ctx.request_id,
            ip=ctx.ip,
            user_agent=ctx.user_agent,
        )
        links = [AccessEventGuest(event=event, guest_id=g, at=now) for g in dict.fromkeys(guest_ids)]
        if links:
            AccessEventGuest.objects.bulk_create(links)
    return event
