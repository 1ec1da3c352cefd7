"""Every write of the reservations app: bookings, inventory, check-in to check-out, folios, the night
audit and the configuration of room types, rooms and rate plans.

Each function is keyword-only, runs in one `transaction.atomic`, checks its input before it changes
anything, and leaves the last word to the database: inventory rows are locked and may never be sold
beyond their total (a check constraint), a room may never hold two overlapping active stays (an
exclusion constraint). A refusal by the database becomes `BookingConflict` (HTTP 409, "that room
has just gone"); bad input becomes `ValidationError` with a message for the desk; a stale
`version` becomes `StaleBooking` (409).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pms.models import Property

from . import settlement
from .models import (
    ACTIVE_STATUSES,
    CHARGE_KINDS,
    EXTRA_KINDS,
    MAX_NIGHTS,
    PAYMENT_KINDS,
    READY_STATES,
    SETTLEMENT_KINDS,
    ZERO,
    Booking,
    BookingChannel,
    BookingCompanion,
    BookingStatus,
    FolioLine,
    Housekeeping,
    Inventory,
    LineKind,
    NightAuditRun,
    RateOverride,
    RatePlan,
    RatePrice,
    Room,
    RoomBlock,
    RoomMove,
    RoomType,
    StayRegistration,
    new_reference,
)

log = logging.getLogger(__name__)

CENT = Decimal("0.01")
CHECK_IN_HOUR = 14  # the hour of the arrival day a cancellation deadline counts back from


class BookingConflict(Exception):
    """The database refused: the last room went to someone else, or the room is taken.
    `alternatives` lists room types still available for the same dates (see `availability`)."""

    def __init__(self, message: str, *, alternatives: Sequence | None = None):
        super().__init__(message)
        self.message = message
        self.alternatives = list(alternatives or [])


class PriceChanged(Exception):
    """The change would cost another total than the one shown: nothing was kept. `booking` holds
    the change as it would be (unsaved), for a new preview."""

    def __init__(self, booking):
        super().__init__("price changed")
        self.booking = booking


class StaleBooking(BookingConflict):
    """Someone else changed the booking since it was read (optimistic `version` check)."""


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _nights(arrival: date, departure: date) -> list[date]:
    return [arrival + timedelta(days=i) for i in range((departure - arrival).days)]


def local_today(prop: Property) -> date:
    return timezone.localdate(timezone=prop.tz)


# ------------------------------------------------------------------ prices and availability


@dataclass(frozen=True)
class Quote:
    room_type: RoomType
    rate_plan: RatePlan
    nightly: list[tuple[date, Decimal]]
    available: int
    closed: bool

    @property
    def total(self) -> Decimal:
        return _money(sum((p for _, p in self.nightly), ZERO))

    @property
    def bookable(self) -> bool:
        return self.available > 0 and not self.closed and bool(self.nightly)


def nightly_prices(*, rate_plan: RatePlan, room_type: RoomType, arrival: date, departure: date):
    """[(night, price)] and whether any night is closed. Overrides win over the base price."""
    base = RatePrice.objects.filter(rate_plan=rate_plan, room_type=room_type).values_list("price", flat=True)
    base_price = next(iter(base), None)
    overrides = {
        o.date: o
        for o in RateOverride.objects.filter(
            rate_plan=rate_plan, room_type=room_type, date__gte=arrival, date__lt=departure
        )
    }
    nightly, closed = [], False
    for night in _nights(arrival, departure):
        o = overrides.get(night)
        if o is not None and o.closed:
            closed = True
        price = o.price if o is not None and o.price is not None else base_price
        if price is None:
            closed = True  # no price for this room type under this plan: not sellable
            price = ZERO
        nightly.append((night, _money(price)))
    return nightly, closed


def availability(
    *,
    property: Property,
    arrival: date,
    departure: date,
    adults: int = 1,
    children: int = 0,
    rate_plan: RatePlan | None = None,
) -> list[Quote]:
    """Room types of the property that take the party, each with rooms left (the minimum over the
    nights) and the price under the rate plan (the property's first active plan if none given).
    Not personal data: no access event."""
    plans = [rate_plan] if rate_plan else list(RatePlan.objects.filter(property=property, is_active=True))
    room_types = list(
        RoomType.objects.filter(
            property=property, is_active=True, max_adults__gte=adults, max_children__gte=children
        )
    )
    if not room_types or not plans or departure <= arrival:
        return []
    ids = [rt.pk for rt in room_types]
    with connection.cursor() as cur:
        # Rooms left per type = the fewest over the nights; a night without a row has every room free.
        cur.execute(
            """
            SELECT rt.id,
                   LEAST(
                     (SELECT count(*) FROM reservations_room r WHERE r.room_type_id = rt.id AND r.is_active),
                     COALESCE(MIN(i.total - i.sold), 2147483647)
                   ),
                   COUNT(i.id)
            FROM reservations_roomtype rt
            LEFT JOIN reservations_inventory i
              ON i.room_type_id = rt.id AND i.date >= %s AND i.date < %s
            WHERE rt.id = ANY(%s)
            GROUP BY rt.id
            """,
            [arrival, departure, ids],
        )
        left = {row[0]: max(int(row[1]), 0) for row in cur.fetchall()}
    base = {
        (p.rate_plan_id, p.room_type_id): p.price
        for p in RatePrice.objects.filter(rate_plan__in=plans, room_type_id__in=ids)
    }
    overrides: dict = {}
    for o in RateOverride.objects.filter(
        rate_plan__in=plans, room_type_id__in=ids, date__gte=arrival, date__lt=departure
    ):
        overrides[(o.rate_plan_id, o.room_type_id, o.date)] = o
    nights = _nights(arrival, departure)
    quotes = []
    for plan in plans:
        for rt in room_types:
            b = base.get((plan.pk, rt.pk))
            nightly, closed = [], b is None
            for night in nights:
                o = overrides.get((plan.pk, rt.pk, night))
                if o is not None and o.closed:
                    closed = True
                price = o.price if o is not None and o.price is not None else b
                nightly.append((night, _money(price if price is not None else ZERO)))
            quotes.append(
                Quote(
                    room_type=rt, rate_plan=plan, nightly=nightly, available=left.get(rt.pk, 0), closed=closed
                )
            )
    return quotes


def cancellation_fee(*, booking: Booking, at: datetime | None = None) -> Decimal:
    """Free until the plan's hours before arrival (CHECK_IN_HOUR, property time), then the first night."""
    at = at or timezone.now()
    deadline = free_cancellation_until(booking=booking)
    if at < deadline or not booking.nightly_prices:
        return ZERO
    return _money(booking.nightly_prices[0])


def free_cancellation_until(*, booking: Booking) -> datetime:
    tz = booking.property.tz
    arrival_at = datetime.combine(booking.arrival, time(CHECK_IN_HOUR), tzinfo=tz)
    return arrival_at - timedelta(hours=booking.rate_plan.free_cancel_hours)


# ------------------------------------------------------------------ inventory under row locks


def _inventory_take(room_type: RoomType, nights: Sequence[date], *, alternatives_for=None) -> None:
    """Take one room of this type for each night, or raise BookingConflict. Call inside atomic."""
    if not nights:
        return
    with connection.cursor() as cur:
        # Rows appear on first use with every active room of the type; concurrent creators meet on
        # the unique (room_type, date) and one insert wins.
        cur.execute(
            """
            INSERT INTO reservations_inventory (property_id, room_type_id, date, total, sold)
            SELECT %s, %s, d::date,
                   (SELECT count(*) FROM reservations_room WHERE room_type_id = %s AND is_active), 0
            FROM unnest(%s::date[]) AS d
            ON CONFLICT (room_type_id, date) DO NOTHING
            """,
            [room_type.property_id, room_type.pk, room_type.pk, list(nights)],
        )
    rows = list(
        Inventory.objects.select_for_update()
        .filter(room_type=room_type, date__in=list(nights))
        .order_by("date")
        .values_list("id", "total", "sold")
    )
    if len(rows) != len(nights) or any(sold >= total for _, total, sold in rows):
        raise BookingConflict(
            _("No %(type)s room is left for these dates; it has just gone.")
            % {"type": room_type.display_name},
            alternatives=alternatives_for() if alternatives_for else None,
        )
    try:
        with transaction.atomic():  # a savepoint: the check constraint is the last word
            Inventory.objects.filter(id__in=[r[0] for r in rows]).update(sold=F("sold") + 1)
    except IntegrityError as exc:
        raise BookingConflict(_("No room of this type is left for these dates.")) from exc


def _lock_types_in_order(*type_ids: int, nights: Iterable[date]) -> None:
    """Before moving nights between two room types: lock both types' existing inventory rows in
    one order (type id, date), so two opposite moves at once wait for each other instead of
    deadlocking (which would end in an error page instead of a clean 409)."""
    nights = sorted(set(nights))
    if nights:
        list(
            Inventory.objects.select_for_update()
            .filter(room_type_id__in=sorted(set(type_ids)), date__in=nights)
            .order_by("room_type_id", "date")
            .values_list("id", flat=True)
        )


def _inventory_release(room_type_id: int, nights: Iterable[date]) -> None:
    nights = sorted(nights)
    if not nights:
        return
    list(
        Inventory.objects.select_for_update()
        .filter(room_type_id=room_type_id, date__in=nights)
        .order_by("date")
        .values_list("id", flat=True)
    )
    Inventory.objects.filter(room_type_id=room_type_id, date__in=nights, sold__gt=0).update(
        sold=F("sold") - 1
    )


def inventory_sync_totals(*, room_type: RoomType) -> None:
    """After rooms change: future nights' totals follow the number of active rooms of the type,
    less those out of order that night."""
    count = Room.objects.filter(room_type=room_type, is_active=True).count()
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                """
                UPDATE reservations_inventory i
                SET total = %s - (
                    SELECT count(*) FROM reservations_roomblock b
                    JOIN reservations_room r ON r.id = b.room_id
                    WHERE r.room_type_id = i.room_type_id AND r.is_active AND b.released_at IS NULL
                      AND b.start <= i.date AND b."end" > i.date
                )
                WHERE i.room_type_id = %s AND i.date >= %s
                """,
                [count, room_type.pk, local_today(room_type.property)],
            )
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "More rooms of this type are sold for coming nights than would remain; move those bookings first."
            )
        ) from exc


# ------------------------------------------------------------------ checks shared by create and modify


def _check_stay(
    *,
    property: Property,
    room_type: RoomType,
    rate_plan: RatePlan,
    arrival: date,
    departure: date,
    adults: int,
    children: int,
    new: bool,
) -> None:
    errors: dict[str, list[str]] = {}
    if room_type.property_id != property.pk or not room_type.is_active:
        errors.setdefault("room_type", []).append(_("Choose a room type of this hotel."))
    if rate_plan.property_id != property.pk or not rate_plan.is_active:
        errors.setdefault("rate_plan", []).append(_("Choose a rate plan of this hotel."))
    if departure <= arrival:
        errors.setdefault("departure", []).append(_("The departure must be after the arrival."))
    elif (departure - arrival).days > MAX_NIGHTS:
        errors.setdefault("departure", []).append(
            _("A booking may have at most %(n)d nights; split longer stays.") % {"n": MAX_NIGHTS}
        )
    if new and arrival < local_today(property):
        errors.setdefault("arrival", []).append(_("The arrival cannot be in the past."))
    if adults < 1:
        errors.setdefault("adults", []).append(_("A booking needs at least one adult."))
    elif "room_type" not in errors and (adults > room_type.max_adults or children > room_type.max_children):
        errors.setdefault("adults", []).append(
            _("A %(type)s room takes at most %(a)d adults and %(c)d children.")
            % {"type": room_type.display_name, "a": room_type.max_adults, "c": room_type.max_children}
        )
    if errors:
        raise ValidationError(errors)


def _priced(rate_plan, room_type, arrival, departure) -> list[tuple[date, Decimal]]:
    nightly, closed = nightly_prices(
        rate_plan=rate_plan, room_type=room_type, arrival=arrival, departure=departure
    )
    if closed:
        raise ValidationError(
            {
                "arrival": [
                    _("These dates include a night closed for sale under this rate plan and room type.")
                ]
            }
        )
    return nightly


def _priced_keeping(b: Booking, rate_plan, room_type, arrival, departure) -> list[tuple[date, Decimal]]:
    """The new stay's nightly prices. Under the same room type and rate plan the nights the booking
    already has keep their booked price (the rate the guest agreed to); only added nights are
    priced now, and only they must be open for sale."""
    booked = (
        dict(b.night_prices()) if (room_type.pk, rate_plan.pk) == (b.room_type_id, b.rate_plan_id) else {}
    )
    wanted = _nights(arrival, departure)
    fresh: dict[date, Decimal] = {}
    run: list[date] = []
    for night in [*wanted, None]:  # price each run of consecutive added nights in one go
        if night is not None and night not in booked and (not run or night == run[-1] + timedelta(days=1)):
            run.append(night)
            continue
        if run:
            fresh.update(_priced(rate_plan, room_type, run[0], run[-1] + timedelta(days=1)))
            run = [night] if night is not None and night not in booked else []
    return [(n, booked[n] if n in booked else fresh[n]) for n in wanted]


def _alternatives(property, arrival, departure, adults, children, rate_plan):
    def compute():
        return [
            q
            for q in availability(
                property=property,
                arrival=arrival,
                departure=departure,
                adults=adults,
                children=children,
                rate_plan=rate_plan,
            )
            if q.bookable
        ]

    return compute


def _locked_booking(booking: Booking | object, version: int | None) -> Booking:
    pk = getattr(booking, "pk", booking)
    # Only the booking row: `select_related` under FOR UPDATE would also lock the hotel's row and
    # serialise every change at the hotel behind it.
    locked = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("property", "room_type", "rate_plan")
        .get(pk=pk)
    )
    if version is not None and locked.version != version:
        raise StaleBooking(
            _("Someone else changed this booking a moment ago; reload it and make your change again.")
        )
    return locked


def _save(booking: Booking, fields: list[str]) -> None:
    booking.version += 1
    try:
        with transaction.atomic():
            booking.save(update_fields=[*fields, "version", "updated_at"])
    except IntegrityError as exc:
        raise BookingConflict(_("That room has just gone: another stay holds it for these dates.")) from exc


# ------------------------------------------------------------------ bookings


def booking_create(
    *,
    actor,
    property: Property,
    guest,
    room_type: RoomType,
    rate_plan: RatePlan,
    arrival: date,
    departure: date,
    adults: int = 1,
    children: int = 0,
    channel: str = BookingChannel.DESK,
    special_requests: str = "",
    companions: Sequence = (),
    room: Room | None = None,
) -> Booking:
    """Take a booking: check the input, lock and take the nights, fix the prices, save."""
    _check_stay(
        property=property,
        room_type=room_type,
        rate_plan=rate_plan,
        arrival=arrival,
        departure=departure,
        adults=adults,
        children=children,
        new=True,
    )
    if channel not in BookingChannel.values:
        raise ValidationError({"channel": [_("Choose a channel: phone, desk, web or agent.")]})
    if room is not None:
        _check_room(room=room, property=property, room_type=room_type)
    nightly = _priced(rate_plan, room_type, arrival, departure)
    with transaction.atomic():
        _inventory_take(
            room_type,
            [n for n, _ in nightly],
            alternatives_for=_alternatives(property, arrival, departure, adults, children, rate_plan),
        )
        booking = Booking(
            reference=new_reference(),
            property=property,
            guest=guest,
            room_type=room_type,
            room=room,
            rate_plan=rate_plan,
            arrival=arrival,
            departure=departure,
            adults=adults,
            children=children,
            nightly_prices=[str(p) for _, p in nightly],
            total=_money(sum((p for _, p in nightly), ZERO)),
            currency=property.currency,
            channel=channel,
            special_requests=special_requests,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        try:
            with transaction.atomic():
                booking.save(force_insert=True)
        except IntegrityError as exc:
            if "booking_room_no_overlap" in str(exc):
                raise BookingConflict(
                    _("That room has just gone: another stay holds it for these dates.")
                ) from exc
            raise
        if companions:
            BookingCompanion.objects.bulk_create(
                [BookingCompanion(booking=booking, guest=g) for g in companions if g.pk != guest.pk]
            )
    return booking


def booking_modify(
    *,
    actor,
    booking: Booking,
    version: int | None,
    arrival: date | None = None,
    departure: date | None = None,
    room_type: RoomType | None = None,
    rate_plan: RatePlan | None = None,
    adults: int | None = None,
    children: int | None = None,
    special_requests: str | None = None,
    expected_total: Decimal | None = None,
    dry_run: bool = False,
) -> Booking:
    """Change dates, room type, plan or party of a confirmed booking, with a new price for the
    changed stay: nights kept keep their booked price, added nights are priced at today's rates, and
    a new room type or rate plan prices every night anew. Nights move under row locks: the old ones
    are released, the new ones taken. `dry_run`: the same checks, locks and prices, then nothing is
    kept (a preview). `expected_total`: the total the person was shown; another one raises
    PriceChanged and nothing is kept."""
    with transaction.atomic():
        b = _locked_booking(booking, version)
        if b.status != BookingStatus.CONFIRMED:
            raise ValidationError(_("Only a confirmed booking (not yet checked in) can be changed."))
        new_arrival = arrival or b.arrival
        new_departure = departure or b.departure
        new_type = room_type or b.room_type
        new_plan = rate_plan or b.rate_plan
        new_adults = b.adults if adults is None else adults
        new_children = b.children if children is None else children
        _check_stay(
            property=b.property,
            room_type=new_type,
            rate_plan=new_plan,
            arrival=new_arrival,
            departure=new_departure,
            adults=new_adults,
            children=new_children,
            new=new_arrival != b.arrival,
        )
        stay_changed = (new_arrival, new_departure, new_type.pk, new_plan.pk) != (
            b.arrival,
            b.departure,
            b.room_type_id,
            b.rate_plan_id,
        )
        fields = ["adults", "children", "special_requests"]
        if stay_changed:
            nightly = _priced_keeping(b, new_plan, new_type, new_arrival, new_departure)
            old_nights = set(_nights(b.arrival, b.departure))
            new_nights = {n for n, _ in nightly}
            if new_type.pk == b.room_type_id:
                _inventory_release(b.room_type_id, old_nights - new_nights)
                _inventory_take(
                    new_type,
                    sorted(new_nights - old_nights),
                    alternatives_for=_alternatives(
                        b.property, new_arrival, new_departure, new_adults, new_children, new_plan
                    ),
                )
            else:
                _lock_types_in_order(b.room_type_id, new_type.pk, nights=old_nights | new_nights)
                _inventory_release(b.room_type_id, old_nights)
                _inventory_take(
                    new_type,
                    sorted(new_nights),
                    alternatives_for=_alternatives(
                        b.property, new_arrival, new_departure, new_adults, new_children, new_plan
                    ),
                )
                if b.room_id:
                    b.room = None  # the assigned room was of the old type
                    fields.append("room")
            if (
                b.room_id
                and "room" not in fields
                and _open_blocks(room_ids=[b.room_id], start=new_arrival, end=new_departure).exists()
            ):
                b.room = None  # the assigned room is out of order on the new dates; assign at check-in
                fields.append("room")
            b.arrival, b.departure, b.room_type, b.rate_plan = new_arrival, new_departure, new_type, new_plan
            b.nightly_prices = [str(p) for _, p in nightly]
            b.total = _money(sum((p for _, p in nightly), ZERO))
            fields += ["arrival", "departure", "room_type", "rate_plan", "nightly_prices", "total"]
        b.adults, b.children = new_adults, new_children
        if special_requests is not None:
            b.special_requests = special_requests
        if dry_run or (expected_total is not None and b.total != expected_total):
            raise PriceChanged(b)  # leaves the transaction: every release and take is undone
        _save(b, fields)
    return b


def booking_modify_preview(**kwargs) -> Booking:
    """What booking_modify would make of the booking (unsaved), or its refusal, with nothing kept."""
    try:
        return booking_modify(**kwargs, dry_run=True)  # does not return: a dry run raises PriceChanged
    except PriceChanged as preview:
        return preview.booking


def booking_cancel(*, actor, booking: Booking, version: int | None, reason: str, at=None) -> Booking:
    """Cancel a confirmed booking; past the free-cancellation deadline the first night is charged."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the booking is cancelled.")]})
    with transaction.atomic():
        b = _locked_booking(booking, version)
        if b.status != BookingStatus.CONFIRMED:
            raise ValidationError(_("Only a confirmed booking can be cancelled."))
        fee = cancellation_fee(booking=b, at=at)
        _inventory_release(b.room_type_id, _nights(b.arrival, b.departure))
        b.status = BookingStatus.CANCELLED
        b.cancel_reason = reason
        b.cancellation_fee = fee
        b.cancelled_at = timezone.now()
        _save(b, ["status", "cancel_reason", "cancellation_fee", "cancelled_at"])
        if fee > 0:
            FolioLine.objects.create(
                booking=b,
                kind=LineKind.PENALTY,
                amount=fee,
                description=_("Cancellation fee"),
                posted_by=_u(actor),
            )
    return b


def _u(actor):
    return actor if getattr(actor, "pk", None) else None


def _check_room(
    *,
    room: Room,
    property: Property,
    room_type: RoomType | None = None,
    nights: tuple[date, date] | None = None,
) -> None:
    if room.property_id != property.pk or not room.is_active:
        raise ValidationError({"room": [_("Choose a room of this hotel.")]})
    if room_type is not None and room.room_type_id != room_type.pk:
        raise ValidationError({"room": [_("Choose a room of the booked room type.")]})
    if nights is not None:
        # The room row lock orders this with room_block_create, which takes it first: one of the two
        # sees the other's result, so a room cannot be both given and taken out of order at once.
        list(Room.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True))
        block = _open_blocks(room_ids=[room.pk], start=nights[0], end=nights[1]).first()
        if block is not None:
            raise ValidationError(
                {
                    "room": [
                        _("Room %(n)s is out of order from %(s)s to %(e)s (%(why)s); choose another room.")
                        % {"n": room.number, "s": block.start, "e": block.end, "why": block.reason}
                    ]
                }
            )


def _open_blocks(*, room_ids=None, room_type=None, start: date, end: date):
    qs = RoomBlock.objects.filter(released_at__isnull=True, start__lt=end, end__gt=start)
    if room_ids is not None:
        qs = qs.filter(room_id__in=room_ids)
    if room_type is not None:
        qs = qs.filter(room__room_type=room_type)
    return qs.order_by("start")


def free_rooms(*, booking: Booking, room_type: RoomType | None = None, ready_only: bool = True):
    """Rooms of the type that no other active stay holds for the booking's dates, and that no guest
    is still in: a checked-in guest due out today (or already late) holds the room until checked out."""
    rt = room_type or booking.room_type
    taken = (
        Booking.objects.filter(room__isnull=False, room__room_type=rt)
        .filter(
            Q(status__in=ACTIVE_STATUSES, arrival__lt=booking.departure, departure__gt=booking.arrival)
            | Q(status=BookingStatus.CHECKED_IN)
        )
        .exclude(pk=booking.pk)
    )
    blocked = _open_blocks(
        room_type=rt, start=max(booking.arrival, local_today(rt.property)), end=booking.departure
    )
    qs = (
        Room.objects.filter(room_type=rt, is_active=True)
        .exclude(pk__in=taken.values("room_id"))
        .exclude(pk__in=blocked.values("room_id"))
    )
    if ready_only:
        qs = qs.filter(housekeeping__in=READY_STATES)
    return qs.order_by("floor", "number")


def booking_room_assign(*, actor, booking: Booking, room: Room, version: int | None = None) -> Booking:
    """Assign a room of the booked type ahead of check-in. The exclusion constraint decides races."""
    with transaction.atomic():
        b = _locked_booking(booking, version)
        if b.status not in ACTIVE_STATUSES:
            raise ValidationError(_("Only an active booking can be given a room."))
        _check_room(room=room, property=b.property, room_type=b.room_type, nights=(b.arrival, b.departure))
        b.room = room
        _save(b, ["room"])
    return b


@dataclass
class IdentityDocumentInput:
    full_name: str
    doc_type: str
    number: str
    nationality: str = "CN"
    guest: object | None = None


def booking_check_in(
    *,
    actor,
    booking: Booking,
    version: int | None,
    documents: Sequence[IdentityDocumentInput],
    room: Room | None = None,
) -> Booking:
    """Check a guest in: a clean room of the booked type (given or the first free), and the verified
    identity document of every adult, stored encrypted."""
    from guests.models import DocumentType
    from guests.validators import validate_document_number

    with transaction.atomic():
        b = _locked_booking(booking, version)
        if b.status != BookingStatus.CONFIRMED:
            raise ValidationError(
                _("This booking is %(status)s; only a confirmed booking can be checked in.")
                % {"status": b.get_status_display()}
            )
        today = local_today(b.property)
        if not (b.arrival <= today < b.departure):
            raise ValidationError(
                _("Check-in is possible from the arrival date (%(d)s) until the last night.")
                % {"d": b.arrival.isoformat()}
            )
        docs = [d for d in documents if (d.number or "").strip() or (d.full_name or "").strip()]
        if len(docs) < b.adults:
            raise ValidationError(
                {
                    "documents": [
                        _("Register the identity document of every adult: %(n)d needed, %(m)d given.")
                        % {"n": b.adults, "m": len(docs)}
                    ]
                }
            )
        cleaned = []
        for i, d in enumerate(docs, start=1):
            if not (d.full_name or "").strip():
                raise ValidationError(
                    {"documents": [_("Adult %(i)d: enter the name as on the document.") % {"i": i}]}
                )
            if d.doc_type not in DocumentType.values:
                raise ValidationError({"documents": [_("Adult %(i)d: choose the document type.") % {"i": i}]})
            try:
                number = validate_document_number(d.doc_type, d.number)
            except ValidationError as exc:
                raise ValidationError(
                    {"documents": [_("Adult %(i)d: %(msg)s") % {"i": i, "msg": " ".join(exc.messages)}]}
                ) from None
            cleaned.append((d, number))
        if room is None:
            room = free_rooms(booking=b).filter(pk=b.room_id).first() if b.room_id else None
            room = room or free_rooms(booking=b).first()
            if room is None:
                raise BookingConflict(
                    _("No clean room of this type is free now; mark one clean or move the booking.")
                )
        _check_room(room=room, property=b.property, room_type=b.room_type, nights=(today, b.departure))
        if room.housekeeping not in READY_STATES:
            raise ValidationError(
                {
                    "room": [
                        _("Room %(n)s is not ready (%(s)s).")
                        % {"n": room.number, "s": room.get_housekeeping_display()}
                    ]
                }
            )
        b.room = room
        b.status = BookingStatus.CHECKED_IN
        b.checked_in_at = timezone.now()
        _save(b, ["room", "status", "checked_in_at"])
        for d, number in cleaned:
            guest = d.guest or guest_by_document(d.doc_type, number)
            if guest is not None and guest.pk != b.guest_id:
                # Another adult with a profile already: the stay joins their history as a companion.
                BookingCompanion.objects.get_or_create(booking=b, guest=guest)
            StayRegistration.objects.create(
                booking=b,
                guest=guest,
                full_name=d.full_name.strip(),
                doc_type=d.doc_type,
                doc_number=number,
                nationality=(d.nationality or "CN")[:2].upper(),
                verified_by=_u(actor),
            )
    return b


def booking_companion_add(*, actor, booking: Booking, guest) -> BookingCompanion:
    """Register another guest of the stay (found by their document) with the booking: the stay
    joins their history, and their profile is visible at the hotel."""
    with transaction.atomic():
        b = _locked_booking(booking, None)
        if b.status not in (*ACTIVE_STATUSES, BookingStatus.CHECKED_OUT):
            raise ValidationError(_("A cancelled booking or a no-show has no companions."))
        if guest.pk == b.guest_id:
            raise ValidationError({"number": [_("That is the booking guest's own document.")]})
        link, created = BookingCompanion.objects.get_or_create(booking=b, guest=guest)
        if not created:
            raise ValidationError({"number": [_("This guest is already registered with the booking.")]})
    return link


def booking_companion_remove(*, actor, booking: Booking, guest_id) -> None:
    """Take a companion off the booking (registered by mistake). Their check-in registration, if
    any, stays: it is the legal record of who stayed."""
    with transaction.atomic():
        b = _locked_booking(booking, None)
        deleted, _n = BookingCompanion.objects.filter(booking=b, guest_id=guest_id).delete()
        if not deleted:
            raise ValidationError(_("This guest is not registered with the booking."))


def guest_by_document(doc_type: str, number: str):
    """The live profile holding this identity document, or None. A merge moves documents to the
    surviving profile and erasure deletes them; the filter only keeps that promise fail-closed."""
    from guests.models import IdentityDocument
    from pms.crypto import blind_index

    doc = (
        IdentityDocument.objects.filter(
            doc_type=doc_type,
            number_bidx=blind_index("id_number", number),
            guest__merged_into__isnull=True,
            guest__erased_at__isnull=True,
        )
        .select_related("guest")
        .first()
    )
    return doc.guest if doc is not None else None


def booking_room_move(
    *, actor, booking: Booking, version: int | None, room: Room, reason: str = ""
) -> Booking:
    """Move an in-house (or assigned) stay to another room of the hotel, with a RoomMove row for the
    stay's room history. A move to another room type moves the remaining nights' inventory too (an
    upgrade keeps the booked price)."""
    with transaction.atomic():
        b = _locked_booking(booking, version)
        if b.status not in ACTIVE_STATUSES:
            raise ValidationError(_("Only an active booking can move rooms."))
        # Both rooms at once, in id order: two stays swapping rooms wait for each other instead of
        # deadlocking (the old room is marked dirty below).
        list(
            Room.objects.select_for_update()
            .filter(pk__in=[pk for pk in (b.room_id, room.pk) if pk])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        _check_room(
            room=room, property=b.property, nights=(max(b.arrival, local_today(b.property)), b.departure)
        )
        if room.pk == b.room_id:
            raise ValidationError({"room": [_("The guest is already in this room.")]})
        if b.status == BookingStatus.CHECKED_IN and room.housekeeping not in READY_STATES:
            raise ValidationError({"room": [_("Room %(n)s is not ready.") % {"n": room.number}]})
        if room.room_type_id != b.room_type_id:
            start = max(b.arrival, local_today(b.property))
            remaining = _nights(start, b.departure)
            _lock_types_in_order(b.room_type_id, room.room_type_id, nights=remaining)
            _inventory_release(b.room_type_id, remaining)
            _inventory_take(room.room_type, remaining)
            b.room_type = room.room_type
        old_room = b.room
        b.room = room
        _save(b, ["room", "room_type"])
        RoomMove.objects.create(
            booking=b,
            from_room=old_room,
            to_room=room,
            in_house=b.status == BookingStatus.CHECKED_IN,
            reason=(reason or "").strip()[:200],
            moved_by=_u(actor),
        )
        if b.status == BookingStatus.CHECKED_IN and old_room is not None:
            Room.objects.filter(pk=old_room.pk).update(housekeeping=Housekeeping.DIRTY)
    return b


def booking_departure_change(*, actor, booking: Booking, version: int | None, departure: date) -> Booking:
    """Extend or shorten an in-house stay. The guest keeps the room: nights added are priced under
    the booking's rate plan and taken from the inventory (a conflict if the type is full or the
    room is promised to another booking); nights dropped go back on sale. A guest overstaying
    their departure is extended the same way, so the nights they stay are charged at check-out."""
    with transaction.atomic():
        b = _locked_booking(booking, version)
        if b.status != BookingStatus.CHECKED_IN:
            raise ValidationError(
                _(
                    "Only a checked-in stay is extended or shortened here; change a confirmed booking with Change."
                )
            )
        today = local_today(b.property)
        if departure <= today:
            raise ValidationError(
                {
                    "departure": [
                        _(
                            "The new departure must be after today (%(d)s); a guest leaving today is checked out."
                        )
                        % {"d": today.isoformat()}
                    ]
                }
            )
        if departure == b.departure:
            raise ValidationError({"departure": [_("That is the current departure; choose another date.")]})
        if (departure - b.arrival).days > MAX_NIGHTS:
            raise ValidationError(
                {
                    "departure": [
                        _("A booking may have at most %(n)d nights; split longer stays.") % {"n": MAX_NIGHTS}
                    ]
                }
            )
        if departure > b.departure:
            added, closed = nightly_prices(
                rate_plan=b.rate_plan, room_type=b.room_type, arrival=b.departure, departure=departure
            )
            if closed:
                raise ValidationError(
                    {
                        "departure": [
                            _(
                                "A night of the extension is closed for sale under this rate plan; "
                                "a manager can open it in the rate calendar."
                            )
                        ]
                    }
                )
            if b.room_id:
                holder = (
                    Booking.objects.filter(
                        room_id=b.room_id,
                        status__in=ACTIVE_STATUSES,
                        arrival__lt=departure,
                        departure__gt=b.departure,
                    )
                    .exclude(pk=b.pk)
                    .order_by("arrival")
                    .values_list("arrival", flat=True)
                    .first()
                )
                if holder is not None:
                    raise BookingConflict(
                        _(
                            "Room %(room)s is promised to another booking from %(d)s. Move that booking "
                            "to another room first, or move this guest."
                        )
                        % {"room": b.room.number, "d": max(holder, b.departure).isoformat()}
                    )
                list(Room.objects.select_for_update().filter(pk=b.room_id).values_list("pk", flat=True))
                block = _open_blocks(room_ids=[b.room_id], start=b.departure, end=departure).first()
                if block is not None:
                    raise BookingConflict(
                        _("Room %(room)s is out of order from %(d)s; move the guest to another room first.")
                        % {"room": b.room.number, "d": max(block.start, b.departure).isoformat()}
                    )
            _inventory_take(b.room_type, [n for n, _ in added])
            b.nightly_prices = [*b.nightly_prices, *(str(p) for _, p in added)]
        else:
            _inventory_release(b.room_type_id, _nights(departure, b.departure))
            b.nightly_prices = b.nightly_prices[: (departure - b.arrival).days]
        b.departure = departure
        b.total = _money(sum((Decimal(p) for p in b.nightly_prices), ZERO))
        _save(b, ["departure", "nightly_prices", "total"])
    return b


# ------------------------------------------------------------------ rooms out of order

MAX_BLOCK_NIGHTS = 365


def room_block_create(*, actor, room: Room, start: date, end: date, reason: str) -> RoomBlock:
    """Take a room out of order from `start` until `end` (the first night it is sold again): each
    night's inventory total drops by one, so it is not sold, and no booking is given the room.
    Refused, changing nothing, while a booking holds the room or every room of the type is sold."""
    today = local_today(room.property)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not room.is_active:
        errors["room"] = [_("Room %(n)s is not in use.") % {"n": room.number}]
    if start < today:
        errors["start"] = [_("The period cannot start before today (%(d)s).") % {"d": today.isoformat()}]
    if end <= start:
        errors["end"] = [_("The room comes back on a later date than it goes out of order.")]
    elif (end - start).days > MAX_BLOCK_NIGHTS:
        errors["end"] = [_("At most %(n)d nights at a time.") % {"n": MAX_BLOCK_NIGHTS}]
    if not reason:
        errors["reason"] = [_("Say why the room is out of order, for example: air conditioning repair.")]
    if errors:
        raise ValidationError(errors)
    nights = _nights(start, end)
    with transaction.atomic():
        # One change of this room at a time: assignments, check-ins, moves and extensions take the
        # same row lock before they look for an out-of-order period.
        list(Room.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True))
        holding = Q(status__in=ACTIVE_STATUSES, arrival__lt=end, departure__gt=start)
        if start == today:
            holding |= Q(status=BookingStatus.CHECKED_IN)  # a guest still in the room, even overdue
        holder = Booking.objects.filter(holding, room=room).order_by("arrival").first()
        if holder is not None:
            raise ValidationError(
                {
                    "room": [
                        _(
                            "A booking holds room %(n)s from %(d)s to %(e)s; move it to another room "
                            "first (the room chart shows it)."
                        )
                        % {"n": room.number, "d": holder.arrival, "e": holder.departure}
                    ]
                }
            )
        current = _open_blocks(room_ids=[room.pk], start=start, end=end).first()
        if current is not None:
            raise ValidationError(
                {
                    "start": [
                        _("Room %(n)s is already out of order from %(s)s to %(e)s.")
                        % {"n": room.number, "s": current.start, "e": current.end}
                    ]
                }
            )
        full = [
            night
            for night, total, sold in Inventory.objects.select_for_update()
            .filter(room_type_id=room.room_type_id, date__in=nights)
            .order_by("date")
            .values_list("date", "total", "sold")
            if sold >= total
        ]
        if full:
            raise ValidationError(
                {
                    "start": [
                        _(
                            "Every %(type)s room is sold for %(dates)s, so none can be taken out of sale "
                            "then; move a booking to another room type first."
                        )
                        % {
                            "type": room.room_type.display_name,
                            "dates": ", ".join(d.isoformat() for d in full[:5]),
                        }
                    ]
                }
            )
        block = RoomBlock.objects.create(room=room, start=start, end=end, reason=reason, created_by=_u(actor))
        try:
            with transaction.atomic(), connection.cursor() as cur:
                # A night without a row had no room of the type out of order: every active room less this one.
                cur.execute(
                    """
                    INSERT INTO reservations_inventory (property_id, room_type_id, date, total, sold)
                    SELECT %s, %s, d::date,
                           (SELECT count(*) FROM reservations_room WHERE room_type_id = %s AND is_active) - 1, 0
                    FROM unnest(%s::date[]) AS d
                    ON CONFLICT (room_type_id, date) DO UPDATE SET total = reservations_inventory.total - 1
                    """,
                    [room.property_id, room.room_type_id, room.room_type_id, nights],
                )
        except IntegrityError as exc:
            raise ValidationError(
                {"start": [_("A room of this type was sold for these nights a moment ago; try again.")]}
            ) from exc
        if start <= today:
            Room.objects.filter(pk=room.pk).update(housekeeping=Housekeeping.OUT_OF_ORDER)
    log.info("room %s out of order %s..%s", room.pk, start, end)
    return block


def room_block_release(*, actor, block: RoomBlock) -> RoomBlock:
    """Return a room to sale before its period ends: the nights from today on are sold again. A room
    that was out of order tonight comes back dirty, to be cleaned and inspected before a guest."""
    with transaction.atomic():
        b = RoomBlock.objects.select_for_update().select_related("room__property").get(pk=block.pk)
        if b.released_at is not None:
            raise ValidationError(_("This room was already returned to sale."))
        today = local_today(b.room.property)
        back = _nights(max(b.start, today), b.end)
        if back and b.room.is_active:
            Inventory.objects.filter(room_type_id=b.room.room_type_id, date__in=back).update(
                total=F("total") + 1
            )
        b.released_at, b.released_by = timezone.now(), _u(actor)
        b.save(update_fields=["released_at", "released_by"])
        if b.start <= today:
            Room.objects.filter(pk=b.room_id, housekeeping=Housekeeping.OUT_OF_ORDER).update(
                housekeeping=Housekeeping.DIRTY
            )
    return b


def room_blocks_follow_the_calendar(*, property: Property, day: date) -> None:
    """At the night audit for `day`: rooms whose period starts the next morning are marked out of
    order; rooms whose period ended are marked dirty, to be cleaned and inspected before a guest."""
    morning = day + timedelta(days=1)
    open_blocks = RoomBlock.objects.filter(room__property=property, released_at__isnull=True)
    Room.objects.filter(
        pk__in=open_blocks.filter(start__lte=morning, end__gt=morning).values("room_id")
    ).update(housekeeping=Housekeeping.OUT_OF_ORDER)
    Room.objects.filter(
        pk__in=open_blocks.filter(end=morning).values("room_id"), housekeeping=Housekeeping.OUT_OF_ORDER
    ).exclude(pk__in=open_blocks.filter(start__lte=morning, end__gt=morning).values("room_id")).update(
        housekeeping=Housekeeping.DIRTY
    )


# ------------------------------------------------------------------ folio


def folio_balance(*, booking: Booking) -> Decimal:
    sums = {
        k: v or ZERO
        for k, v in FolioLine.objects.filter(booking=booking)
        .values_list("kind")
        .annotate(s=Sum("amount"))
        .values_list("kind", "s")
    }
    charges = sum((v for k, v in sums.items() if k in CHARGE_KINDS), ZERO)
    settled = sum((v for k, v in sums.items() if k in SETTLEMENT_KINDS), ZERO)
    return _money(charges - settled)


def _amount(value) -> Decimal:
    try:
        amount = _money(value)
    except Exception:
        raise ValidationError({"amount": [_("Enter an amount such as 88.00.")]}) from None
    if amount <= 0:
        raise ValidationError({"amount": [_("The amount must be more than zero.")]})
    return amount


def folio_charge_post(*, actor, booking: Booking, kind: str, amount, description: str = "") -> FolioLine:
    """Post an extra (minibar, restaurant, laundry...) to an in-house guest's folio."""
    if kind not in EXTRA_KINDS:
        raise ValidationError({"kind": [_("Choose what the charge is for.")]})
    amount = _amount(amount)
    with transaction.atomic():
        b = _locked_booking(booking, None)
        if b.status != BookingStatus.CHECKED_IN:
            raise ValidationError(_("Charges go to the folio of a checked-in guest."))
        return FolioLine.objects.create(
            booking=b, kind=kind, amount=amount, description=description[:200], posted_by=_u(actor)
        )


def folio_payment_post(*, actor, booking: Booking, kind: str, amount, description: str = "") -> FolioLine:
    """Record a payment (cash, card; stored value and points through the settlement hooks)."""
    if kind not in PAYMENT_KINDS:
        raise ValidationError({"kind": [_("Choose how the guest pays.")]})
    amount = _amount(amount)
    with transaction.atomic():
        b = _locked_booking(booking, None)
        if b.status not in (*ACTIVE_STATUSES, BookingStatus.CANCELLED, BookingStatus.NO_SHOW):
            raise ValidationError(_("This folio is closed."))
        line = FolioLine.objects.create(
            booking=b, kind=kind, amount=amount, description=description[:200], posted_by=_u(actor)
        )
        # Stored value and points debit the member's ledger in this transaction: both or neither.
        settlement.payment_posted(actor=actor, booking=b, line=line)
        return line


def _post_room_nights(b: Booking, until: date, actor=None) -> int:
    """Post the room charge of every night before `until` not yet posted. Idempotent."""
    lines = [
        FolioLine(
            booking=b,
            kind=LineKind.ROOM,
            night=night,
            amount=price,
            description=_("Room night %(d)s") % {"d": night.isoformat()},
            posted_by=_u(actor),
        )
        for night, price in b.night_prices()
        if night < until and price > 0
    ]
    before = FolioLine.objects.filter(booking=b, kind=LineKind.ROOM).count()
    FolioLine.objects.bulk_create(lines, ignore_conflicts=True)  # returns every object, posted or not
    posted = FolioLine.objects.filter(booking=b, kind=LineKind.ROOM).count() - before
    if posted:
        settlement.nights_posted(actor=actor, booking=b)  # e.g. a member's tier discount on those nights
    return posted


def booking_check_out(*, actor, booking: Booking, version: int | None) -> Booking:
    """Check out: post the nights stayed, refuse while the folio has an unpaid balance. A guest who
    leaves early gives back the remaining nights."""
    with transaction.atomic():
        b = _locked_booking(booking, version)
        if b.status != BookingStatus.CHECKED_IN:
            raise ValidationError(_("Only a checked-in guest can be checked out."))
        today = local_today(b.property)
        leave = min(max(today, b.arrival + timedelta(days=1)), b.departure)
        _post_room_nights(b, leave, actor)
        settlement.nights_posted(actor=actor, booking=b)  # settled: e.g. the member's tier discount line
        balance = folio_balance(booking=b)
        if balance > 0:  # raising rolls the posted nights back too: a refusal changes nothing
            raise ValidationError(
                _("The folio has an unpaid balance of %(amount)s %(cur)s; take the payment first.")
                % {"amount": balance, "cur": b.currency}
            )
        fields = ["status", "checked_out_at"]
        if leave < b.departure:
            _inventory_release(b.room_type_id, _nights(leave, b.departure))
            b.nightly_prices = b.nightly_prices[: (leave - b.arrival).days]
            b.total = _money(sum((Decimal(p) for p in b.nightly_prices), ZERO))
            b.departure = leave
            fields += ["departure", "nightly_prices", "total"]
        b.status = BookingStatus.CHECKED_OUT
        b.checked_out_at = timezone.now()
        _save(b, fields)
        settlement.checked_out(actor=actor, booking=b)  # e.g. a member's settled stay and points
        if b.room_id:
            Room.objects.filter(pk=b.room_id).update(housekeeping=Housekeeping.DIRTY)
    return b


def room_housekeeping_set(*, actor, room: Room, status: str) -> Room:
    if status not in Housekeeping.values:
        raise ValidationError({"housekeeping": [_("Choose a housekeeping status.")]})
    if status == Housekeeping.OUT_OF_ORDER:
        raise ValidationError(
            {"housekeeping": [_("Put a room out of order with its dates, so that it is taken out of sale.")]}
        )
    today = local_today(room.property)
    block = _open_blocks(room_ids=[room.pk], start=today, end=today + timedelta(days=1)).first()
    if block is not None:
        raise ValidationError(
            {
                "housekeeping": [
                    _("Room %(n)s is out of order until %(e)s; return it to sale first.")
                    % {"n": room.number, "e": block.end}
                ]
            }
        )
    with transaction.atomic():
        Room.objects.filter(pk=room.pk).update(housekeeping=status)
        room.housekeeping = status
    return room


# ------------------------------------------------------------------ the night audit


@dataclass
class NightAuditResult:
    property_code: str
    business_date: date
    room_charges: int
    no_shows: int
    overstays: int = 0  # guests still in house that night after their departure: extend or check out


def night_audit_run(*, property: Property, business_date: date | None = None) -> NightAuditResult:
    """Close a business day: post that night's room charge of every in-house guest, and mark
    confirmed bookings that should have arrived by then as no-shows (their nights go back on sale;
    the first night is charged as the no-show fee). Safe to run twice."""
    day = business_date or (local_today(property) - timedelta(days=1))
    charges = no_shows = 0
    with transaction.atomic():
        in_house = Booking.objects.filter(
            property=property, status=BookingStatus.CHECKED_IN, arrival__lte=day, departure__gt=day
        )
        for b in in_house:
            charges += _post_room_nights(b, day + timedelta(days=1))
        late = Booking.objects.select_for_update().filter(
            property=property, status=BookingStatus.CONFIRMED, arrival__lte=day
        )
        for b in late:
            _inventory_release(b.room_type_id, _nights(b.arrival, b.departure))
            b.status = BookingStatus.NO_SHOW
            b.room = None
            fee = _money(b.nightly_prices[0]) if b.nightly_prices else ZERO
            b.cancellation_fee = fee
            _save(b, ["status", "room", "cancellation_fee"])
            if fee > 0:
                FolioLine.objects.create(
                    booking=b, kind=LineKind.PENALTY, amount=fee, description=_("No-show fee")
                )
            no_shows += 1
        room_blocks_follow_the_calendar(property=property, day=day)
        # Stayed the night past their departure: not booked, so not charged until the desk extends
        # the stay; the desk's departures list shows them as overdue.
        overstays = Booking.objects.filter(
            property=property, status=BookingStatus.CHECKED_IN, departure__lte=day
        ).count()
        run, created = NightAuditRun.objects.get_or_create(
            property=property,
            business_date=day,
            defaults={
                "ran_at": timezone.now(),
                "room_charges": charges,
                "no_shows": no_shows,
                "overstays": overstays,
            },
        )
        if not created:  # a second run adds what it did; the overstays are counted afresh
            NightAuditRun.objects.filter(pk=run.pk).update(
                ran_at=timezone.now(),
                room_charges=F("room_charges") + charges,
                no_shows=F("no_shows") + no_shows,
                overstays=overstays,
            )
    log.info(
        "night audit %s %s: %d room charges, %d no-shows, %d overstays",
        property.code,
        day,
        charges,
        no_shows,
        overstays,
    )
    return NightAuditResult(property.code, day, charges, no_shows, overstays)


# ------------------------------------------------------------------ guests created at the desk


def guest_for_booking_create(
    *, actor, property: Property, family_name: str, given_name: str = "", phone: str = ""
):
    """A new guest profile from the new-booking screen, through the guests app's service when it
    exists (it validates and records the change), else the plain model (kept minimal)."""
    try:
        from guests.services import guest_create
    except ImportError:
        guest_create = None
    if not (family_name or "").strip():
        raise ValidationError({"family_name": [_("Enter the guest's family name.")]})
    if guest_create is not None:
        return guest_create(
            actor=actor,
            property=property,
            family_name=family_name.strip(),
            given_name=given_name.strip(),
            phone=phone,
        )
    from guests.models import Guest

    with transaction.atomic():
        return Guest.objects.create(
            family_name=family_name.strip(),
            given_name=given_name.strip(),
            phone=phone.strip(),
            home_property=property,
            created_by=_u(actor),
        )


# ------------------------------------------------------------------ configuration


def room_type_save(*, actor, room_type: RoomType) -> RoomType:
    with transaction.atomic():
        room_type.full_clean()
        room_type.save()
    return room_type


def room_save(*, actor, room: Room, property: Property) -> Room:
    if room.room_type.property_id != property.pk:
        raise ValidationError({"room_type": [_("Choose a room type of this hotel.")]})
    with transaction.atomic():
        old_type_id = Room.objects.filter(pk=room.pk).values_list("room_type_id", flat=True).first()
        room.property = property
        room.full_clean()
        room.save()
        inventory_sync_totals(room_type=room.room_type)
        if old_type_id and old_type_id != room.room_type_id:
            inventory_sync_totals(room_type=RoomType.objects.get(pk=old_type_id))
    return room


def rate_plan_save(*, actor, rate_plan: RatePlan, prices: dict[int, Decimal] | None = None) -> RatePlan:
    with transaction.atomic():
        rate_plan.full_clean()
        rate_plan.save()
        for room_type_id, price in (prices or {}).items():
            if price is None:
                RatePrice.objects.filter(rate_plan=rate_plan, room_type_id=room_type_id).delete()
            else:
                RatePrice.objects.update_or_create(
                    rate_plan=rate_plan, room_type_id=room_type_id, defaults={"price": _money(price)}
                )
    return rate_plan


def rate_override_set(
    *, actor, rate_plan: RatePlan, room_type: RoomType, start: date, end: date, price=None, closed=False
) -> int:
    """Set a price or close the nights start..end (inclusive) for one room type; returns nights set."""
    if room_type.property_id != rate_plan.property_id:
        raise ValidationError({"room_type": [_("Choose a room type of this hotel.")]})
    if end < start or (end - start).days > 366:
        raise ValidationError({"end": [_("The last night must be on or after the first, within a year.")]})
    if not closed and price in (None, ""):
        raise ValidationError({"price": [_("Give a price, or close the nights.")]})
    with transaction.atomic():
        n = 0
        for night in _nights(start, end + timedelta(days=1)):
            RateOverride.objects.update_or_create(
                rate_plan=rate_plan,
                room_type=room_type,
                date=night,
                defaults={"price": None if price in (None, "") else _money(price), "closed": closed},
            )
            n += 1
    return n
