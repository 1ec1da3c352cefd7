"""Reads of the audit trail for the review screens, the API and the export. Reviewing the trail is
itself recorded: each selector writes its own access event, in its transaction (fail closed).

Scope: compliance (review_audit group-wide) sees every property; a manager (review_audit at a
property) sees the events recorded at their properties only; everyone else gets 404.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from pms.crypto import criterion
from pms.permissions import active_memberships, properties_for
from pms.roles import Capability, Role, capabilities_of

from .models import AccessEvent, AccessEventGuest, Action, Alert, AlertStatus, Channel, Outcome
from .services import access_record

TARGET = "access_event"


# ---------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    all_properties: bool
    property_ids: frozenset[int]
    is_compliance: bool

    def events(self) -> QuerySet:
        qs = AccessEvent.objects.all()
        return qs if self.all_properties else qs.filter(actor_property_id__in=self.property_ids)

    def alerts(self) -> QuerySet:
        qs = Alert.objects.all()
        return qs if self.all_properties else qs.filter(property_id__in=self.property_ids)


def review_scope(user) -> Scope | None:
    memberships = active_memberships(user)
    if not memberships:
        return None
    group_wide = any(
        m.property_id is None and Capability.REVIEW_AUDIT in capabilities_of(m.role) for m in memberships
    )
    compliance = any(m.property_id is None and m.role == Role.COMPLIANCE for m in memberships)
    if group_wide:
        return Scope(True, frozenset(), compliance)
    ids = frozenset(p.pk for p in properties_for(user, Capability.REVIEW_AUDIT))
    if not ids:
        return None
    return Scope(False, ids, compliance)


def refuse(
    actor, *, target_type: str, target_ids=(), action: str = Action.VIEW, message: str = "Not available"
):
    """Record a refused look at the trail (it counts towards the denials alert) and answer 404."""
    with transaction.atomic():
        access_record(
            actor=actor,
            action=action,
            target_type=target_type,
            target_ids=list(target_ids),
            outcome=Outcome.DENIED,
        )
    raise Http404(message)


def scope_or_404(user, *, target_type: str = "audit_log", target_ids=()) -> Scope:
    """The reviewer's scope; anyone without one is refused (recorded) with a 404."""
    scope = review_scope(user)
    if scope is None:
        refuse(user, target_type=target_type, target_ids=target_ids)
    return scope


# ---------------------------------------------------------------- filters


class FilterError(ValueError):
    """A filter the user can fix: unknown name, malformed date, unknown choice."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


FILTERS = {"from", "to", "staff", "role", "property", "action", "outcome", "channel", "guest", "before"}
SECRET_FILTERS = {"id_number", "phone"}  # typed values: matched by blind index, never stored or put in a URL


@dataclass
class EventFilter:
    since: datetime | None = None
    until: datetime | None = None
    staff: str = ""
    role: str = ""
    property_id: int | None = None
    property_code: str = ""
    action: str = ""
    outcome: str = ""
    channel: str = ""
    guest: uuid.UUID | None = None
    secret_kind: str = ""
    secret_bidx: str = ""
    secret_masked: str = ""
    before: int | None = None
    raw: dict = field(default_factory=dict)

    def criteria(self) -> dict:
        """What the review's own access event records: never the typed ID number or phone."""
        crit = {k: v for k, v in self.raw.items() if k not in SECRET_FILTERS | {"before"} and v}
        if self.secret_kind:
            crit[self.secret_kind] = {"masked": self.secret_masked, "bidx": self.secret_bidx}
        return crit


def _parse_when(name: str, value: str, *, end: bool) -> datetime:
    """A date or date-time filter. Well-formed but impossible values (30 February, 25:00) are a 400
    like any other bad value: Django's parsers raise ValueError for them."""
    problem = FilterError({name: _("Give a date as YYYY-MM-DD (or a time as YYYY-MM-DDTHH:MM).")})
    try:
        dt = parse_datetime(value) if "T" in value or " " in value else None
        d = None if dt is not None else parse_date(value)
    except ValueError:
        raise problem from None
    if dt is None:
        if d is None:
            raise problem
        dt = datetime.combine(d + timedelta(days=1) if end else d, time.min)
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


def parse_filters(params, scope: Scope, *, allow_secret: bool = False) -> EventFilter:
    """Read filters from a QueryDict or dict. Unknown names and bad values raise FilterError (400);
    a property outside the reviewer's scope raises Http404."""
    from pms.models import Property

    keys = set(params.keys()) - {"page_size", "format", "csrfmiddlewaretoken"}
    unknown = keys - FILTERS - SECRET_FILTERS
    if unknown:
        raise FilterError({k: _("Unknown filter.") for k in sorted(unknown)})
    if keys & SECRET_FILTERS and not allow_secret:
        raise FilterError(
            {
                k: _("Type ID numbers and phone numbers into the form; they are never put in an address.")
                for k in sorted(keys & SECRET_FILTERS)
            }
        )
    raw = {k: (params.get(k) or "").strip() for k in keys}
    f = EventFilter(raw=raw)
    errors: dict[str, str] = {}

    def choice(name, choices):
        value = raw.get(name, "")
        if value and value not in choices:
            errors[name] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}
            return ""
        return value

    try:
        if raw.get("from"):
            f.since = _parse_when("from", raw["from"], end=False)
        if raw.get("to"):
            f.until = _parse_when("to", raw["to"], end=True)
    except FilterError as exc:
        errors.update(exc.errors)
    if f.since and f.until and f.since >= f.until:
        errors["to"] = _("The end of the date range must come after its start.")
    f.role = choice("role", Role.values)
    f.action = choice("action", Action.values)
    f.outcome = choice("outcome", Outcome.values)
    f.channel = choice("channel", Channel.values)
    f.staff = raw.get("staff", "")
    if raw.get("guest"):
        try:
            f.guest = uuid.UUID(raw["guest"])
        except ValueError:
            errors["guest"] = _("A guest is identified by their profile id (a UUID).")
    if raw.get("before"):
        if not raw["before"].isdigit():
            errors["before"] = _("Not a page marker.")
        else:
            f.before = int(raw["before"])
    secrets = [k for k in ("id_number", "phone") if raw.get(k)]
    if len(secrets) > 1:
        errors["phone"] = _("Search by an ID number or a phone number, not both at once.")
    elif secrets:
        kind = secrets[0]
        crit = criterion(kind, raw[kind])
        if not crit["bidx"]:
            errors[kind] = _("Type the whole number.")
        f.secret_kind, f.secret_bidx, f.secret_masked = kind, crit["bidx"], crit["masked"]
    if errors:
        raise FilterError(errors)
    if raw.get("property"):
        prop = Property.objects.filter(code=raw["property"]).first()
        if prop is None or not (scope.all_properties or prop.pk in scope.property_ids):
            raise Http404("No such property")
        f.property_id, f.property_code = prop.pk, prop.code
    return f


def _guests_matching(kind: str, bidx: str) -> list:
    """Guest ids whose ID document or phone has this blind index (empty if the guests app lacks it)."""
    from django.apps import apps

    try:
        if kind == "phone":
            model, fld, guest = apps.get_model("guests", "Guest"), "phone_bidx", "id"
        else:
            model, fld, guest = apps.get_model("guests", "IdentityDocument"), "number_bidx", "guest_id"
        return list(model.objects.filter(**{fld: bidx}).values_list(guest, flat=True)[:100])
    except (LookupError, Exception):  # the guests app is optional to the audit trail
        return []


def apply_filters(qs: QuerySet, f: EventFilter) -> QuerySet:
    if f.since:
        qs = qs.filter(at__gte=f.since)
    if f.until:
        qs = qs.filter(at__lt=f.until)
    if f.staff:
        qs = qs.filter(actor_user_id=int(f.staff)) if f.staff.isdigit() else qs.filter(actor_username=f.staff)
    for name in ("role", "action", "outcome", "channel"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{"actor_role" if name == "role" else name: value})
    if f.property_id:
        qs = qs.filter(actor_property_id=f.property_id)
    if f.guest:
        links = AccessEventGuest.objects.filter(guest_id=f.guest)
        if f.since:
            links = links.filter(at__gte=f.since)
        if f.until:
            links = links.filter(at__lt=f.until)
        qs = qs.filter(id__in=links.values("event_id"))
    if f.secret_kind:
        match = Q(criteria__contains={f.secret_kind: {"bidx": f.secret_bidx}})
        guests = _guests_matching(f.secret_kind, f.secret_bidx)
        if guests:
            match |= Q(id__in=AccessEventGuest.objects.filter(guest_id__in=guests).values("event_id"))
        qs = qs.filter(match)
    return qs


# ---------------------------------------------------------------- pages


@dataclass
class Page:
    events: list
    next_before: int | None


def _page(qs: QuerySet, before: int | None, size: int) -> Page:
    qs = qs.order_by("-at", "-id")
    if before:
        anchor = qs.model.objects.filter(pk=before).values_list("at", flat=True).first()
        if anchor is not None:
            qs = qs.filter(at__lte=anchor).exclude(at=anchor, id__gte=before)
    rows = list(qs[: size + 1])
    return Page(rows[:size], rows[size - 1].pk if len(rows) > size else None)


def event_list(*, actor, filters: EventFilter, size: int = 50, channel: str | None = None) -> Page:
    scope = scope_or_404(actor)
    with transaction.atomic():
        page = _page(apply_filters(scope.events(), filters), filters.before, size)
        access_record(
            actor=actor,
            action=Action.SEARCH,
            target_type=TARGET,
            target_ids=[e.pk for e in page.events],
            criteria=filters.criteria(),
            channel=channel,
        )
    return page


def event_detail(*, actor, event_id: int) -> AccessEvent:
    scope = scope_or_404(actor, target_type="access_event", target_ids=[event_id])
    with transaction.atomic():
        event = scope.events().filter(pk=event_id).first()
        if event is not None:
            access_record(actor=actor, action=Action.VIEW, target_type=TARGET, target_ids=[event.pk])
    if event is None:
        refuse(actor, target_type="access_event", target_ids=[event_id], message="No such event")
    return event


def guest_timeline(*, actor, guest_id: uuid.UUID, before: int | None = None, size: int = 50) -> Page:
    """Who accessed this guest, when and why: newest first, through the (guest_id, at) index."""
    scope = scope_or_404(actor)
    with transaction.atomic():
        qs = scope.events().filter(
            id__in=AccessEventGuest.objects.filter(guest_id=guest_id).values("event_id")
        )
        page = _page(qs, before, size)
        access_record(
            actor=actor,
            action=Action.VIEW,
            target_type="guest_timeline",
            target_ids=[guest_id],
            guest_ids=[guest_id],
        )
    return page


def staff_activity(*, actor, user_id: int, before: int | None = None, size: int = 50) -> Page:
    """A staff member's recorded activity. A manager sees only staff of their own properties."""
    from pms.models import StaffMembership

    scope = scope_or_404(actor, target_type="staff_activity", target_ids=[user_id])
    if (
        not scope.all_properties
        and not StaffMembership.objects.filter(user_id=user_id, property_id__in=scope.property_ids).exists()
    ):
        refuse(actor, target_type="staff_activity", target_ids=[user_id], message="No such staff member")
    with transaction.atomic():
        page = _page(scope.events().filter(actor_user_id=user_id), before, size)
        access_record(actor=actor, action=Action.VIEW, target_type="staff_activity", target_ids=[user_id])
    return page


def export_rows(*, actor, filters: EventFilter, limit: int) -> list[AccessEvent]:
    """Events for the CSV export (compliance only), recorded as an export with its row count."""
    scope = scope_or_404(actor, target_type="access_event")
    if not scope.is_compliance:
        refuse(actor, target_type="access_event", action=Action.EXPORT)
    with transaction.atomic():
        rows = list(apply_filters(scope.events(), filters).order_by("-at", "-id")[:limit])
        access_record(
            actor=actor,
            action=Action.EXPORT,
            target_type=TARGET,
            criteria={**filters.criteria(), "rows": len(rows)},
        )
    return rows


def alert_list(*, actor, status: str = "", record: bool = True) -> list[Alert]:
    scope = scope_or_404(actor)
    qs = scope.alerts()
    if status:
        qs = qs.filter(status=status)
    with transaction.atomic():
        alerts = list(qs.order_by("-created_at", "-id")[:200])
        if record:
            access_record(
                actor=actor, action=Action.SEARCH, target_type="alert", target_ids=[a.pk for a in alerts]
            )
    return alerts


def alert_detail(*, actor, alert_id: int) -> Alert:
    scope = scope_or_404(actor, target_type="alert", target_ids=[alert_id])
    with transaction.atomic():
        alert = scope.alerts().filter(pk=alert_id).first()
        if alert is not None:
            access_record(actor=actor, action=Action.VIEW, target_type="alert", target_ids=[alert.pk])
    if alert is None:
        refuse(actor, target_type="alert", target_ids=[alert_id], message="No such alert")
    return alert


def open_alert_count(user) -> int | None:
    scope = review_scope(user)
    if scope is None or not scope.is_compliance:
        return None
    return scope.alerts().filter(status=AlertStatus.OPEN).count() or None
