"""Every read of the privacy-request workflow. Each takes `actor`, checks who may see it (compliance
everywhere; a manager for their hotel; anyone else: 404), records its access event with the request
id as the purpose, and returns the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from audit.models import Action
from audit.services import access_record
from pms.permissions import properties_for, require_any

from .models import OPEN_STATUSES, PrivacyChannel, PrivacyRequest, PrivacyRequestType, PrivacyStatus
from .services import HANDLE, handles_everywhere, request_for


def visible_requests(actor):
    """Requests the actor may handle (no event: callers record theirs)."""
    require_any(actor, [HANDLE])
    qs = PrivacyRequest.objects.select_related("property", "guest")
    if handles_everywhere(actor):
        return qs
    return qs.filter(property__in=properties_for(actor, HANDLE))


def request_list(*, actor, filters: dict | None = None, limit: int = 200) -> list[PrivacyRequest]:
    """The register, newest first, filtered by status, type, channel, property (code) and overdue."""
    filters = filters or {}
    qs = visible_requests(actor)
    for key in ("status", "type", "channel"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("property"):
        qs = qs.filter(property__code=filters["property"])
    if filters.get("overdue"):
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
    rows = list(qs.order_by("-received_at")[:limit])
    with transaction.atomic():
        access_record(
            actor=actor,
            action=Action.SEARCH,
            target_type="privacy_request",
            target_ids=[r.pk for r in rows],
            guest_ids=[r.guest_id for r in rows if r.guest_id],
            criteria={k: str(v) for k, v in filters.items() if v},
            reason="privacy request register",
        )
    return rows


def request_detail(*, actor, request_id) -> PrivacyRequest:
    """One request through its whole life (history, verification attempts, exports). An approved
    erasure also carries what still prevents it (`erasure_blockers`: in house, a confirmed booking,
    an open balance, stored value), read under the same access event."""
    from .erasure import erasure_blockers

    require_any(actor, [HANDLE])
    req = request_for(actor, request_id)
    req.erasure_blockers = []
    with transaction.atomic():
        if req.type == PrivacyRequestType.ERASURE and req.status == PrivacyStatus.APPROVED and req.guest_id:
            req.erasure_blockers = erasure_blockers(req.guest)
        access_record(
            actor=actor,
            action=Action.VIEW,
            target_type="privacy_request",
            target_ids=[req.pk],
            guest_ids=[g for g in (req.guest_id, req.about_guest_id) if g],
            reason=req.purpose,
            property=req.property,
        )
    return req


@dataclass
class Summary:
    month: date
    total: int
    by_type: list[dict]
    by_channel: list[dict]
    by_outcome: list[dict]
    average_days: float | None
    overdue: int


def monthly_summary(*, actor, month: date) -> Summary:
    """Requests received in `month`: counts by type, channel and outcome, average days to answer
    (decision or fulfilment), and how many are open past their due date. Aggregates only."""
    start = month.replace(day=1)
    # The first day of the next month (December 9999 has none: the calendar's last day instead).
    if start.month < 12:
        end = start.replace(month=start.month + 1)
    else:
        end = date(start.year + 1, 1, 1) if start.year < date.max.year else date.max
    qs = visible_requests(actor).filter(received_at__date__gte=start, received_at__date__lt=end)
    answered = qs.exclude(decided_at__isnull=True, fulfilled_at__isnull=True).annotate(
        took=ExpressionWrapper(
            Coalesce("decided_at", "fulfilled_at") - F("received_at"), output_field=DurationField()
        )
    )
    avg = answered.aggregate(a=Avg("took"))["a"]

    def counts(field, choices):
        labels = dict(choices.choices)
        rows = qs.order_by().values(field).annotate(n=Count("id")).order_by(field)
        return [{field: r[field], "label": labels.get(r[field], r[field]), "n": r["n"]} for r in rows]

    return Summary(
        month=start,
        total=qs.count(),
        by_type=counts("type", PrivacyRequestType),
        by_channel=counts("channel", PrivacyChannel),
        by_outcome=counts("status", PrivacyStatus),
        average_days=round(avg.total_seconds() / 86400, 1) if avg is not None else None,
        overdue=qs.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate()).count(),
    )


def retention_upcoming(*, actor, days: int = 30, limit: int = 500) -> list:
    """Guests the retention job will anonymise within `days`, at the hotels the actor handles
    (registered there): id, last activity and the day it happens. Names are not shown."""
    from ..models import Guest
    from .erasure import retention_cutoff, retention_due

    require_any(actor, [HANDLE])
    base = Guest.objects.all()
    if not handles_everywhere(actor):
        base = base.filter(home_property__in=properties_for(actor, HANDLE))
    rows = list(retention_due(within_days=days, qs=base).select_related("home_property")[:limit])
    span = timezone.localdate() - retention_cutoff()
    for g in rows:
        g.anonymised_on = max(g.last_activity + span + timedelta(days=1), timezone.localdate())
    with transaction.atomic():
        access_record(
            actor=actor,
            action=Action.SEARCH,
            target_type="guest",
            target_ids=[g.pk for g in rows],
            guest_ids=[g.pk for g in rows],
            criteria={"retention_within_days": days},
            reason="guest retention preview",
        )
    return rows


def export_for(*, actor, request_id, export_id):
    req = request_for(actor, request_id)
    export = req.exports.filter(pk=export_id).first()
    if export is None:
        raise Http404("No such export")
    return req, export
