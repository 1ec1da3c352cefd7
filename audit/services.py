"""Writes to the audit trail. `access_record` is the one function every selector calls.

Also the writes compliance makes from the review screens: alert status changes and suspending an
operator's account.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from pms import context

from .models import AccessEvent, Action, Alert, AlertHistory, AlertStatus, Outcome

logger = logging.getLogger(__name__)


class AuditWriteFailed(RuntimeError):
    """The access event could not be written, so the read it records must not happen (fail closed).

    `audit.middleware.FailClosedMiddleware` turns it into the plain error page (or problem 500),
    even with DEBUG on, so no debug page with local variables ever shows the data."""


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
    at: datetime | None = None,
) -> AccessEvent:
    """Record one access event (and its guest links) in the caller's transaction.

    Call it inside the same `transaction.atomic` as the read it records: if the insert fails the
    exception propagates, the transaction rolls back and the data never leaves (fail closed).
    `criteria` must already be masked and blind-indexed: `{"id_number": criterion("id_number", v)}`
    (`pms.crypto.criterion`), keyed by the kind, so the review screens can find "who searched for
    this ID number". An export should put its row count in `criteria["rows"]` (or list the ids in
    `target_ids`): the mass-export alert reads it. `at` is for back-filling (demo data) only.
    Raises `AuditWriteFailed` when the event cannot be written.
    """
    ctx = context.current()
    user_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    actor_role, property_id = _actor_role(actor if user_id else None, property)
    now = at or timezone.now()
    try:
        return _insert(
            now=now,
            actor_user_id=user_id,
            actor_username=username if username is not None else (actor.get_username() if user_id else ""),
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
            guest_ids=guest_ids,
        )
    except Exception as exc:
        logger.error("audit: access event not written (%s); the read is refused", exc.__class__.__name__)
        raise AuditWriteFailed("the access event could not be written") from exc


_INSERT_SQL = """
    WITH event AS (
        INSERT INTO audit_accessevent (
            at, actor_user_id, actor_username, actor_role, actor_property_id, channel, action,
            target_type, target_ids, criteria, reason, outcome, request_id, ip, user_agent
        ) VALUES (
            %(at)s, %(actor_user_id)s, %(actor_username)s, %(actor_role)s, %(actor_property_id)s,
            %(channel)s, %(action)s, %(target_type)s, %(target_ids)s::varchar(64)[], %(criteria)s::jsonb,
            %(reason)s, %(outcome)s, %(request_id)s, %(ip)s::inet, %(user_agent)s
        ) RETURNING id, at
    ), links AS (
        INSERT INTO audit_accesseventguest (event_id, guest_id, at)
        SELECT event.id, g, event.at FROM event, unnest(%(guest_ids)s::uuid[]) AS g
    )
    SELECT id FROM event
"""


def _insert(*, now, guest_ids, **fields) -> AccessEvent:
    # One statement, one round trip: the event and its guest links (a selector's hot path; the ORM's
    # two INSERTs cost three times as much). A failure here rolls back the caller's read anyway.
    params = {
        **fields,
        "at": now,
        "criteria": json.dumps(fields["criteria"], cls=DjangoJSONEncoder, ensure_ascii=False),
        "guest_ids": [str(g) for g in dict.fromkeys(guest_ids)],
    }
    with connection.cursor() as cur:
        cur.execute(_INSERT_SQL, params)
        (event_id,) = cur.fetchone()
    event = AccessEvent(id=event_id, at=now, **fields)
    event._state.adding = False
    event._state.db = connection.alias
    return event


# ---------------------------------------------------------------- alerts


def alert_transition(*, actor, alert: Alert, to_status: str, note: str = "") -> Alert:
    """Move an alert to `to_status` (open, acknowledged, resolved) and append the history row."""
    if to_status not in AlertStatus.values:
        raise ValueError(f"unknown alert status {to_status!r}")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        previous = alert.status
        alert.status = to_status
        if note:
            alert.notes = (alert.notes + "\n" if alert.notes else "") + note
        alert.updated_at = timezone.now()
        alert.save(update_fields=["status", "notes", "updated_at"])
        AlertHistory.objects.create(
            alert=alert,
            actor_user_id=actor.pk,
            actor_username=actor.get_username(),
            from_status=previous,
            to_status=to_status,
            note=note,
        )
    return alert


def operator_suspend(*, actor, alert: Alert, reason: str):
    """Deactivate the operator an alert names: they can no longer sign in and their sessions end.

    Recorded as an access event (`suspend`), in the change log (the user's `is_active`), and in the
    alert's history; the alert is acknowledged if it was open."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=alert.operator_user_id)
        user.is_active = False
        user.save(update_fields=["is_active"])
        access_record(
            actor=actor,
            action=Action.SUSPEND,
            target_type="user",
            target_ids=[user.pk],
            reason=reason,
            criteria={"alert": alert.pk},
        )
        to_status = AlertStatus.ACKNOWLEDGED if alert.status == AlertStatus.OPEN else alert.status
        alert_transition(actor=actor, alert=alert, to_status=to_status, note=reason)
    return user
