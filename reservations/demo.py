"""Demo data of the reservations app: room types, rooms and rate plans for both demo hotels, and a
year of bookings (past and future) for the demo guests, with guests in house today and their
folios. Idempotent: a second run finds the room types and adds nothing. Bulk inserts throughout;
inventory is rebuilt from the bookings at the end in one statement."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from pms.models import Property

from .models import (
    Booking,
    BookingStatus,
    FolioLine,
    Housekeeping,
    LineKind,
    NightAuditRun,
    RatePlan,
    RatePrice,
    Room,
    RoomType,
    new_reference,
)
from .services import room_block_create

ROOM_TYPES = [
    # code, name, English name, adults, children, rooms, price
    ("std", "标准大床房", "Standard King", 2, 1, 20, "588.00"),
    ("twn", "标准双床房", "Standard Twin", 2, 1, 16, "588.00"),
    ("dlx", "豪华江景房", "Deluxe View", 2, 2, 10, "888.00"),
    ("ste", "行政套房", "Executive Suite", 3, 2, 4, "1688.00"),
]
PLANS = [
    # code, name, English name, meal plan, free hours, price factor
    ("bar", "门市价", "Best available rate", "room_only", 24, Decimal("1.00")),
    ("bb", "含双早", "Bed and breakfast", "breakfast", 48, Decimal("1.15")),
]


def _configure(prop: Property) -> tuple[list[RoomType], list[RatePlan]]:
    types = []
    floor_base = 3
    for code, name, name_en, adults, children, rooms, price in ROOM_TYPES:
        rt = RoomType.objects.create(
            property=prop, code=code, name=name, name_en=name_en, max_adults=adults, max_children=children
        )
        types.append((rt, Decimal(price)))
        Room.objects.bulk_create(
            [
                Room(
                    property=prop,
                    number=f"{floor_base + i // 10}{i % 10 + 1:02d}",
                    floor=floor_base + i // 10,
                    room_type=rt,
                    features=["non-smoking"] + (["river view"] if code in ("dlx", "ste") else []),
                )
                for i in range(rooms)
            ]
        )
        floor_base += (rooms + 9) // 10
    plans = []
    for code, name, name_en, meal, hours, factor in PLANS:
        plan = RatePlan.objects.create(
            property=prop, code=code, name=name, name_en=name_en, meal_plan=meal, free_cancel_hours=hours
        )
        RatePrice.objects.bulk_create(
            [
                RatePrice(rate_plan=plan, room_type=rt, price=(p * factor).quantize(Decimal("0.01")))
                for rt, p in types
            ]
        )
        plans.append((plan, factor))
    return types, plans


@transaction.atomic
def load(out) -> None:
    from guests.models import Guest

    props = list(Property.objects.filter(code__in=["sh-bund", "hz-westlake"]))
    if not props:
        out("  reservations: no demo hotels (load pms demo data first)")
        return
    if RoomType.objects.filter(property__in=props).exists():
        out("  reservations: already there")
        return
    guests = list(
        Guest.objects.filter(merged_into__isnull=True, erased_at__isnull=True).values_list("pk", flat=True)
    )
    if not guests:
        out("  reservations: no demo guests; configuring rooms only")
    rng = random.Random(6)
    now = timezone.now()
    for prop in props:
        types, plans = _configure(prop)
        today = timezone.localdate(timezone=prop.tz)
        rooms_by_type = {rt.pk: list(Room.objects.filter(room_type=rt).order_by("number")) for rt, _ in types}
        # room -> last departure booked, so assigned stays never overlap (the exclusion constraint).
        free_from: dict[int, object] = {}
        bookings, lines = [], []
        n = 0
        for day_offset in range(-300, 65):
            arrival = today + timedelta(days=day_offset)
            for _ in range(rng.randint(6, 14)):
                rt, base = rng.choice(types)
                plan, factor = rng.choice(plans)
                nights = rng.choice([1, 1, 2, 2, 3, 4, 7])
                departure = arrival + timedelta(days=nights)
                room = next(
                    (r for r in rooms_by_type[rt.pk] if free_from.get(r.pk, arrival) <= arrival), None
                )
                if room is None or not guests:
                    continue
                in_past = departure <= today
                in_house = arrival <= today < departure
                status = (
                    BookingStatus.CHECKED_OUT
                    if in_past
                    else BookingStatus.CHECKED_IN
                    if in_house
                    else BookingStatus.CONFIRMED
                )
                if in_past and rng.random() < 0.06:
                    status = BookingStatus.CANCELLED
                price = (base * factor).quantize(Decimal("0.01"))
                nightly = [str(price)] * nights
                assigned = room if status in (BookingStatus.CHECKED_OUT, BookingStatus.CHECKED_IN) else None
                if day_offset in range(0, 3) and status == BookingStatus.CONFIRMED:
                    assigned = room
                if assigned is not None or status == BookingStatus.CONFIRMED:
                    free_from[room.pk] = departure
                b = Booking(
                    reference=new_reference(),
                    property=prop,
                    guest_id=rng.choice(guests),
                    room_type=rt,
                    room=assigned,
                    rate_plan=plan,
                    arrival=arrival,
                    departure=departure,
                    adults=rng.randint(1, rt.max_adults),
                    children=rng.choice([0, 0, 0, 1]) if rt.max_children else 0,
                    nightly_prices=nightly,
                    total=price * nights,
                    currency=prop.currency,
                    status=status,
                    channel=rng.choice(["phone", "desk", "web", "web", "agent"]),
                    checked_in_at=now
                    if status in (BookingStatus.CHECKED_IN, BookingStatus.CHECKED_OUT)
                    else None,
                    checked_out_at=now if status == BookingStatus.CHECKED_OUT else None,
                    cancel_reason="行程变更" if status == BookingStatus.CANCELLED else "",
                    cancelled_at=now if status == BookingStatus.CANCELLED else None,
                )
                bookings.append(b)
                n += 1
                if status in (BookingStatus.CHECKED_OUT, BookingStatus.CHECKED_IN):
                    posted = [
                        arrival + timedelta(days=i)
                        for i in range(nights)
                        if arrival + timedelta(days=i) < today
                    ]
                    for night in posted:
                        lines.append(
                            FolioLine(
                                booking=b,
                                kind=LineKind.ROOM,
                                night=night,
                                amount=price,
                                description=f"Room night {night}",
                            )
                        )
                    extra = Decimal(0)
                    if rng.random() < 0.4:
                        extra = Decimal(rng.choice(["35.00", "128.00", "60.00"]))
                        kind = rng.choice([LineKind.MINIBAR, LineKind.RESTAURANT, LineKind.LAUNDRY])
                        lines.append(FolioLine(booking=b, kind=kind, amount=extra))
                    paid = price * len(posted) + extra
                    if status == BookingStatus.CHECKED_OUT and paid > 0:
                        lines.append(
                            FolioLine(booking=b, kind=rng.choice([LineKind.CASH, LineKind.CARD]), amount=paid)
                        )
        Booking.objects.bulk_create(bookings, batch_size=1000)
        FolioLine.objects.bulk_create(lines, batch_size=2000)
        Room.objects.filter(property=prop, number__endswith="09").update(housekeeping=Housekeeping.DIRTY)
        out(
            f"  {prop.code}: {len(types)} room types, {sum(len(v) for v in rooms_by_type.values())} rooms, {n} bookings"
        )
    _rebuild_inventory(props)
    _out_of_order(props, out)
    for prop in props:  # the demo's past nights were posted as a night audit would have
        yesterday = timezone.localdate(timezone=prop.tz) - timedelta(days=1)
        NightAuditRun.objects.get_or_create(
            property=prop,
            business_date=yesterday,
            defaults={
                "ran_at": timezone.now(),
                "room_charges": FolioLine.objects.filter(
                    booking__property=prop, kind=LineKind.ROOM, night=yesterday
                ).count(),
            },
        )


def _out_of_order(props, out) -> None:
    """One room per hotel out of order for a few days from the day after tomorrow, through the
    service (which refuses a room that a booking holds: the next room is tried)."""
    for prop in props:
        start = timezone.localdate(timezone=prop.tz) + timedelta(days=2)
        for room in Room.objects.filter(property=prop, is_active=True).order_by("-number"):
            try:
                room_block_create(
                    actor=None, room=room, start=start, end=start + timedelta(days=4), reason="卫生间翻新"
                )
            except ValidationError:
                continue
            out(f"  {prop.code}: room {room.number} out of order from {start} for 4 nights")
            break


def _rebuild_inventory(props) -> None:
    """Inventory rows from the active bookings: one statement instead of a lock per booking."""
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO reservations_inventory (property_id, room_type_id, date, total, sold)
            SELECT b.property_id, b.room_type_id, n::date,
                   (SELECT count(*) FROM reservations_room r WHERE r.room_type_id = b.room_type_id AND r.is_active),
                   count(*)
            FROM reservations_booking b
            CROSS JOIN LATERAL generate_series(b.arrival, b.departure - 1, '1 day') n
            WHERE b.property_id = ANY(%s) AND b.status IN ('confirmed', 'checked_in')
            GROUP BY b.property_id, b.room_type_id, n::date
            ON CONFLICT (room_type_id, date) DO UPDATE SET sold = EXCLUDED.sold
            """,
            [[p.pk for p in props]],
        )
