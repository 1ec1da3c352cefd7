"""Every read of booking data that names a guest: search, detail, print, the desk's lists, the room
chart. Each takes `actor`, checks the right at the property, and records its access event (with the
guest ids it returned) in the same transaction as the read, so a failed record means no data
(fail closed). Another property's booking answers 404, and the attempt is recorded as denied.

Privacy by screen: lists, search results and the room chart show masked names (`mask_name`); the
booking itself (detail, check-in, check-out, print) shows the booking guest's full name, which the
desk needs to check against the person in front of it. Phone and documents stay masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.utils.translation import gettext as _

from audit.models import Action, Outcome
from audit.services import access_record
from pms.crypto import criterion, mask_name
from pms.models import Property
from pms.permissions import has_property_perm, properties_for
from pms.roles import Capability

from .models import (
    ACTIVE_STATUSES,
    CHARGE_KINDS,
    SETTLEMENT_KINDS,
    ZERO,
    Booking,
    BookingStatus,
    FolioLine,
    Room,
    RoomBlock,
    RoomMove,
)

VIEW_CAPABILITIES = (Capability.MANAGE_BOOKINGS, Capability.CHECK_IN_OUT)
TARGET = "booking"


def may_view_bookings(actor, prop: Property | None) -> bool:
    return prop is not None and any(has_property_perm(actor, c, prop) for c in VIEW_CAPABILITIES)


def booking_properties(actor) -> list[Property]:
    """Properties whose bookings the actor may see."""
    return [p for p in properties_for(actor) if may_view_bookings(actor, p)]


def normalise_reference(value: str) -> str:
    """Upper case, spaces and dashes dropped: what the guest reads out, as stored."""
    return re.sub(r"[\s-]", "", (value or "").upper())[:12]


@dataclass(frozen=True)
class BookingRow:
    """A booking as lists show it: the guest's name masked."""

    id: str
    reference: str
    property_code: str
    guest_id: str
    guest_masked: str
    room_type: str
    room: str
    arrival: date
    departure: date
    nights: int
    adults: int
    children: int
    status: str
    status_label: str
    total: Decimal
    currency: str
    version: int
    overdue: bool = False  # still in house after the departure date


def _row(b: Booking) -> BookingRow:
    return BookingRow(
        id=str(b.pk),
        reference=b.reference,
        property_code=b.property.code,
        guest_id=str(b.guest_id),
        guest_masked=mask_name(b.guest.display_name),
        room_type=b.room_type.display_name,
        room=b.room.number if b.room_id else "",
        arrival=b.arrival,
        departure=b.departure,
        nights=b.nights,
        adults=b.adults,
        children=b.children,
        status=b.status,
        status_label=b.get_status_display(),
        total=b.total,
        currency=b.currency,
        version=b.version,
    )


def _base():
    return Booking.objects.select_related("property", "guest", "room_type", "room", "rate_plan")


# What a list row needs (`_row`), and nothing else: fewer joins to plan and fewer columns to load.
_ROW_COLUMNS = (
    "reference", "property_id", "guest_id", "room_type_id", "room_id", "arrival", "departure", "adults",
    "children", "status", "total", "currency", "version",
    "property__code",
    "guest__family_name", "guest__given_name",
    "room_type__name", "room_type__name_en",
    "room__number",
)  # fmt: skip


def _rows_base():
    return Booking.objects.select_related("property", "guest", "room_type", "room").only(*_ROW_COLUMNS)


def booking_search(
    *,
    actor,
    properties: list[Property] | None = None,
    reference: str = "",
    name: str = "",
    arrival_from: date | None = None,
    arrival_to: date | None = None,
    status: str = "",
    limit: int = 50,
) -> list[BookingRow]:
    """Bookings by reference, guest name, arrival date or range and status, at the given properties
    among those the actor may see (all of them when none given). Names come back masked."""
    allowed = booking_properties(actor)
    allowed_ids = {p.pk for p in allowed}
    props = [p for p in (properties or allowed) if p.pk in allowed_ids]
    criteria: dict = {}
    qs = _rows_base().filter(property__in=props)
    ref = normalise_reference(reference)
    if reference:
        qs = qs.filter(reference=ref)
        criteria["reference"] = criterion("card_number", ref)
    if name.strip():
        n = name.strip()
        qs = qs.annotate(
            _cjk=Concat("guest__family_name", "guest__given_name"),
            _latin=Concat("guest__given_name", Value(" "), "guest__family_name"),
        ).filter(Q(_cjk__icontains=n) | Q(_latin__icontains=n) | Q(guest__family_name__iexact=n))
        criteria["name"] = criterion("name", n)
    if arrival_from:
        qs = qs.filter(arrival__gte=arrival_from)
        criteria["arrival_from"] = arrival_from.isoformat()
    if arrival_to:
        qs = qs.filter(arrival__lte=arrival_to)
        criteria["arrival_to"] = arrival_to.isoformat()
    if status:
        qs = qs.filter(status=status)
        criteria["status"] = status
    criteria["properties"] = [p.code for p in props]
    with transaction.atomic():
        rows = [_row(b) for b in qs.order_by("arrival", "reference")[:limit]] if props else []
        access_record(
            actor=actor,
            action=Action.SEARCH,
            target_type=TARGET,
            target_ids=[r.id for r in rows],
            guest_ids=[r.guest_id for r in rows],
            criteria=criteria,
            property=props[0] if len(props) == 1 else None,
        )
    return rows


@dataclass
class BookingDetail:
    booking: Booking
    lines: list[FolioLine] = field(default_factory=list)
    moves: list[RoomMove] = field(default_factory=list)
    companions: list[tuple[str, str]] = field(default_factory=list)  # (guest id, masked name)
    charges: Decimal = ZERO
    payments: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.charges - self.payments

    @property
    def guest_masked(self) -> str:
        return mask_name(self.booking.guest.display_name)


def _record_refusal(actor, booking_id, action, prop) -> None:
    access_record(
        actor=actor,
        action=action,
        target_type=TARGET,
        target_ids=[booking_id],
        outcome=Outcome.DENIED,
        property=prop,
    )


def booking_detail(
    *,
    actor,
    booking_id,
    property: Property | None = None,
    capability: str | None = None,
    action: str = Action.VIEW,
    reason: str = "",
) -> BookingDetail:
    """One booking with its folio, if the actor may see bookings at its property (and do
    `capability` there, when given); else 404 with a denied event. `action` is view or print."""
    booking = _base().filter(pk=booking_id).first() if _is_uuid(booking_id) else None
    ok = (
        booking is not None
        and (property is None or booking.property_id == property.pk)
        and may_view_bookings(actor, booking.property)
        and (capability is None or has_property_perm(actor, capability, booking.property))
    )
    with transaction.atomic():
        if not ok:
            if booking is not None:
                _record_refusal(actor, booking_id, action, property)
        else:
            detail = BookingDetail(
                booking=booking,
                lines=list(booking.folio_lines.order_by("posted_at", "id")),
                moves=list(booking.room_moves.select_related("from_room", "to_room")),
            )
            detail.charges = sum((ln.amount for ln in detail.lines if ln.kind in CHARGE_KINDS), ZERO)
            detail.payments = sum((ln.amount for ln in detail.lines if ln.kind in SETTLEMENT_KINDS), ZERO)
            links = list(booking.companion_links.select_related("guest").order_by("id"))
            detail.companions = [(str(c.guest_id), mask_name(c.guest.display_name)) for c in links]
            guest_ids = [booking.guest_id, *(c.guest_id for c in links)]
            access_record(
                actor=actor,
                action=action,
                target_type=TARGET,
                target_ids=[booking.pk],
                guest_ids=guest_ids,
                reason=reason,
                property=booking.property,
            )
            return detail
    raise Http404("No such booking")


def booking_print(*, actor, booking_id, property: Property | None = None, document: str) -> BookingDetail:
    """A confirmation, registration card or receipt to print: recorded as a print event."""
    return booking_detail(
        actor=actor, booking_id=booking_id, property=property, action=Action.PRINT, reason=document
    )


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _require(actor, prop: Property) -> None:
    if not may_view_bookings(actor, prop):
        raise Http404("Not available")


LIST_KINDS = ("arrivals", "departures", "in_house")


def front_desk_list(*, actor, property: Property, day: date, kind: str) -> list[BookingRow]:
    """Arrivals, departures or guests in house on a day (property time), names masked. Today's
    departures and in-house lists also hold the guests still in house after their departure date
    (overdue), so the desk sees every room that is still occupied."""
    from .services import local_today

    _require(actor, property)
    qs = _rows_base().filter(property=property)
    today = local_today(property)
    overdue = Q(status=BookingStatus.CHECKED_IN, departure__lt=day) if day == today else Q(pk__in=[])
    if kind == "arrivals":
        qs = qs.filter(arrival=day, status__in=[*ACTIVE_STATUSES, BookingStatus.CHECKED_OUT])
    elif kind == "departures":
        qs = qs.filter(
            Q(departure=day, status__in=[BookingStatus.CHECKED_IN, BookingStatus.CHECKED_OUT]) | overdue
        )
    elif kind == "in_house":
        qs = qs.filter(Q(status=BookingStatus.CHECKED_IN, arrival__lte=day, departure__gt=day) | overdue)
    else:
        raise Http404("No such list")
    with transaction.atomic():
        rows = [
            replace(r, overdue=r.status == BookingStatus.CHECKED_IN and r.departure < today)
            for r in map(_row, qs.order_by("room__number", "reference")[:500])
        ]
        access_record(
            actor=actor,
            action=Action.VIEW,
            target_type=TARGET,
            target_ids=[r.id for r in rows],
            guest_ids=[r.guest_id for r in rows],
            criteria={"list": kind, "date": day.isoformat()},
            property=property,
        )
    return rows


def companion_by_document(*, actor, booking: Booking, doc_type: str, number: str):
    """The live profile holding this identity document, for adding it to `booking` as a companion,
    or None. A search by ID number, recorded like the guest search (the number masked and
    blind-indexed, the profile found as its target). The caller has checked its right to the booking."""
    from .services import guest_by_document

    with transaction.atomic():
        guest = guest_by_document(doc_type, number)
        access_record(
            actor=actor,
            action=Action.SEARCH,
            target_type="guest",
            target_ids=[guest.pk] if guest else [],
            guest_ids=[guest.pk] if guest else [],
            criteria={"id_number": criterion("id_number", number), "for": "companion"},
            outcome=Outcome.OK if guest else Outcome.NOT_FOUND,
            property=booking.property,
        )
    return guest


@dataclass
class ChartCell:
    booking_id: str = ""
    label: str = ""
    status: str = ""
    starts: bool = False
    span: int = 1


def room_chart(*, actor, property: Property, start: date, days: int = 14) -> dict:
    """Rooms by days: which stay holds each room each night (names masked)."""
    _require(actor, property)
    end = start + timedelta(days=days)
    dates = [start + timedelta(days=i) for i in range(days)]
    rooms = list(Room.objects.filter(property=property, is_active=True).select_related("room_type"))
    stays = list(
        _base().filter(
            property=property,
            room__isnull=False,
            status__in=[*ACTIVE_STATUSES, BookingStatus.CHECKED_OUT],
            arrival__lt=end,
            departure__gt=start,
        )
    )
    by_room: dict[int, list[Booking]] = {}
    for b in stays:
        by_room.setdefault(b.room_id, []).append(b)
    blocks_by_room: dict[int, list[RoomBlock]] = {}
    for blk in RoomBlock.objects.filter(
        room__property=property, released_at__isnull=True, start__lt=end, end__gt=start
    ):
        blocks_by_room.setdefault(blk.room_id, []).append(blk)
    table = []
    for room in rooms:
        cells: list[ChartCell] = []
        i = 0
        while i < days:
            night = dates[i]
            b = next((s for s in by_room.get(room.pk, []) if s.arrival <= night < s.departure), None)
            blk = next((k for k in blocks_by_room.get(room.pk, []) if k.start <= night < k.end), None)
            if b is None and blk is not None:
                span = 1
                while span < min((blk.end - night).days, days - i) and not any(
                    s.arrival == night + timedelta(days=span) for s in by_room.get(room.pk, [])
                ):
                    span += 1
                cells.append(ChartCell(label=blk.reason, status="out_of_order", span=span, starts=True))
                i += span
                continue
            if b is None:
                cells.append(ChartCell())
                i += 1
                continue
            span = min((b.departure - night).days, days - i)
            cells.append(
                ChartCell(
                    booking_id=str(b.pk),
                    label=mask_name(b.guest.display_name),
                    status=b.status,
                    starts=True,
                    span=span,
                )
            )
            i += span
        table.append({"room": room, "cells": cells})
    unassigned = list(
        _base().filter(
            property=property,
            room__isnull=True,
            status=BookingStatus.CONFIRMED,
            arrival__lt=end,
            departure__gt=start,
        )[:200]
    )
    with transaction.atomic():
        access_record(
            actor=actor,
            action=Action.VIEW,
            target_type=TARGET,
            target_ids=[b.pk for b in stays + unassigned],
            guest_ids=[b.guest_id for b in stays + unassigned],
            criteria={"chart_from": start.isoformat(), "days": days},
            property=property,
        )
    return {"dates": dates, "rows": table, "unassigned": [_row(b) for b in unassigned]}


# ------------------------------------------------------------------ reports (aggregates, no personal data)


def occupancy_report(*, property: Property, start: date, end: date, by: str = "day") -> list[dict]:
    """Occupancy, average daily rate (ADR) and revenue per available room (RevPAR) per day or month,
    from the nights sold (prices fixed at booking) of stays that were not cancelled. Rooms out of
    order are not available (the usual hotel convention): their nights are left out of the rooms
    available, and counted apart."""
    trunc = "month" if by == "month" else "day"
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH nights AS (
                SELECT n::date AS night,
                       (b.nightly_prices ->> (n::date - b.arrival))::numeric AS price
                FROM reservations_booking b
                CROSS JOIN LATERAL generate_series(
                    GREATEST(b.arrival, %(start)s::date), LEAST(b.departure, %(end)s::date) - 1, '1 day') AS n
                WHERE b.property_id = %(prop)s
                  AND b.status IN ('confirmed', 'checked_in', 'checked_out')
                  AND b.arrival < %(end)s AND b.departure > %(start)s
            ), days AS (
                SELECT d::date AS night FROM generate_series(%(start)s::date, %(end)s::date - 1, '1 day') d
            )
            SELECT date_trunc(%(trunc)s, days.night)::date AS period,
                   COUNT(DISTINCT days.night) AS days,
                   COUNT(nights.night) AS sold,
                   COALESCE(SUM(nights.price), 0) AS revenue
            FROM days LEFT JOIN nights ON nights.night = days.night
            GROUP BY 1 ORDER BY 1
            """,
            {"start": start, "end": end, "prop": property.pk, "trunc": trunc},
        )
        rows = cur.fetchall()
        # Out-of-order room-nights: each period's nights from the block's start until its end, or
        # until the day it was returned to sale (hotel time).
        cur.execute(
            """
            SELECT date_trunc(%(trunc)s, n)::date, count(*)
            FROM reservations_roomblock k
            JOIN reservations_room r ON r.id = k.room_id
            CROSS JOIN LATERAL generate_series(
                GREATEST(k.start, %(start)s::date),
                LEAST(k."end", %(end)s::date, COALESCE((k.released_at AT TIME ZONE %(tz)s)::date, k."end")) - 1,
                '1 day') AS n
            WHERE r.property_id = %(prop)s AND r.is_active AND k.start < %(end)s AND k."end" > %(start)s
            GROUP BY 1
            """,
            {"start": start, "end": end, "prop": property.pk, "trunc": trunc, "tz": str(property.tz)},
        )
        out_of_order = dict(cur.fetchall())
    rooms = Room.objects.filter(property=property, is_active=True).count()
    out = []
    for period, ndays, sold, revenue in rows:
        ooo = out_of_order.get(period, 0)
        available = rooms * ndays - ooo
        revenue = Decimal(revenue).quantize(Decimal("0.01"))
        out.append(
            {
                "period": period,
                "rooms_out_of_order": ooo,
                "rooms_available": available,
                "rooms_sold": sold,
                "occupancy": round(100 * sold / available, 1) if available else 0.0,
                "adr": (revenue / sold).quantize(Decimal("0.01")) if sold else Decimal("0.00"),
                "revpar": (revenue / available).quantize(Decimal("0.01")) if available else Decimal("0.00"),
                "revenue": revenue,
            }
        )
    return out


def report_export(*, actor, property: Property, start: date, end: date, by: str) -> list[dict]:
    """The report for a CSV export: aggregates only, still recorded as an export."""
    if not has_property_perm(actor, Capability.EXPORT_DATA, property):
        raise Http404("Not available")
    with transaction.atomic():
        rows = occupancy_report(property=property, start=start, end=end, by=by)
        access_record(
            actor=actor,
            action=Action.EXPORT,
            target_type="occupancy_report",
            criteria={"from": start.isoformat(), "to": end.isoformat(), "by": by},
            property=property,
        )
    return rows


def arrivals_forecast(*, property: Property, start: date, days: int = 14) -> list[dict]:
    """Arrivals, departures and rooms occupied per day ahead: counts only."""
    end = start + timedelta(days=days)
    active = [*ACTIVE_STATUSES]
    qs = Booking.objects.filter(property=property, status__in=active)
    arr_counts: dict[date, int] = {}
    for d in qs.filter(arrival__gte=start, arrival__lt=end).values_list("arrival", flat=True):
        arr_counts[d] = arr_counts.get(d, 0) + 1
    dep_counts: dict[date, int] = {}
    for d in qs.filter(departure__gte=start, departure__lt=end).values_list("departure", flat=True):
        dep_counts[d] = dep_counts.get(d, 0) + 1
    rooms = Room.objects.filter(property=property, is_active=True).count()
    blocks = list(
        RoomBlock.objects.filter(
            room__property=property,
            room__is_active=True,
            released_at__isnull=True,
            start__lt=end,
            end__gt=start,
        ).values_list("start", "end")
    )
    out = []
    for i in range(days):
        day = start + timedelta(days=i)
        occupied = qs.filter(arrival__lte=day, departure__gt=day).count()
        available = rooms - sum(1 for s, e in blocks if s <= day < e)  # out of order: not available
        out.append(
            {
                "date": day,
                "arrivals": arr_counts.get(day, 0),
                "departures": dep_counts.get(day, 0),
                "occupied": occupied,
                "out_of_order": rooms - available,
                "occupancy": round(100 * occupied / available, 1) if available else 0.0,
            }
        )
    return out


# ------------------------------------------------------------------ for the guest profile (no events:
# the profile selector records one event for the whole page)


def guest_stays(*, guest, properties: list[Property] | None = None) -> dict:
    qs = (
        Booking.objects.filter(guest=guest, status__in=[BookingStatus.CHECKED_OUT, BookingStatus.CHECKED_IN])
        .select_related("property", "room_type")
        .order_by("-arrival")
    )
    if properties is not None:
        qs = qs.filter(property__in=properties)
    stays = list(qs[:200])
    total_spent = sum((b.total for b in stays), ZERO)
    nights = sum(b.nights for b in stays)
    counts: dict[str, int] = {}
    for b in stays:
        counts[b.room_type.display_name] = counts.get(b.room_type.display_name, 0) + b.nights
    favourite = max(counts, key=counts.get) if counts else ""
    return {
        "stays": stays,
        "stay_count": len(stays),
        "nights": nights,
        "total_spent": total_spent,
        "last_stay": stays[0] if stays else None,
        "favourite_room_type": favourite,
    }


def guest_upcoming(*, guest, property: Property) -> list[Booking]:
    from .services import local_today

    return list(
        Booking.objects.filter(
            guest=guest, property=property, status__in=ACTIVE_STATUSES, departure__gte=local_today(property)
        )
        .select_related("room_type", "room")
        .order_by("arrival")[:50]
    )


def bookable_guest(*, actor, property: Property, guest_id, document_pass: str = ""):
    """The guest a booking may be taken for at `property`: one the actor can find there (linked to
    the hotel, or group-wide visible), or one found at another hotel of the group by an exact
    ID-document search, proved by the document pass that search handed out (guests.access). Any
    other id is refused as if the guest did not exist: booking them would link them to this hotel
    and open their profile."""
    from guests.access import document_pass_guest_id, visible_guests
    from guests.models import Guest

    guest = visible_guests(actor, property, Capability.SEARCH_GUESTS).filter(pk=guest_id).first()
    if (
        guest is None
        and document_pass
        and document_pass_guest_id(document_pass, actor, property) == str(guest_id)
        and has_property_perm(actor, Capability.SEARCH_GUESTS, property)
    ):
        guest = Guest.objects.filter(pk=guest_id, merged_into__isnull=True, erased_at__isnull=True).first()
    if guest is None:
        raise ValidationError({"guest": [_("Find the guest again; this one is not available.")]})
    return guest


def booking_for_change(*, actor, booking_id, capability: str) -> Booking:
    """The booking a change is made to: at a hotel where the actor sees bookings and may do
    `capability`, else 404 (the change's service records it; the answer goes through booking_detail)."""
    booking = Booking.objects.select_related("property").filter(pk=booking_id).first()
    if (
        booking is None
        or not may_view_bookings(actor, booking.property)
        or not has_property_perm(actor, capability, booking.property)
    ):
        raise Http404("No such booking")
    return booking
