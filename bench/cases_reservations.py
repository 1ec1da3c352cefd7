"""Reservations at scale (issue 6): 20 properties, 2,000 rooms, 3 x scale bookings (three million
at the default scale).

- availability for 30 nights through `services.availability` (p95 < 20 ms), with the ratio to its
  bare SQL over the inventory table;
- booking creation through `services.booking_create` (row locks on the nights): p95 < 30 ms;
- booking search through the selector (permission check, access event, masking): by reference
  p95 < 10 ms, by guest name + arrival date p95 < 50 ms;
- 50 threads racing for the last 5 rooms of a night: the report says whether anything was oversold.

Bookings are laid out room by room, back to back, so no room holds two stays at once and no night
sells more rooms than exist; inventory is then computed from them in one statement.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from datetime import timedelta
from decimal import Decimal

from .runner import BenchContext, Case

N_PROPS = 20
ROOMS_PER_PROP = 100
TYPES = [("std", 2, "588.00"), ("twn", 2, "588.00"), ("dlx", 2, "888.00"), ("ste", 3, "1688.00")]
BOOKING_COLUMNS = (
    "id", "reference", "property_id", "guest_id", "room_type_id", "room_id", "rate_plan_id", "arrival",
    "departure", "adults", "children", "nightly_prices", "total", "currency", "status", "channel",
    "special_requests", "cancel_reason", "created_at", "updated_at", "version",
)  # fmt: skip


def _props():
    from pms.models import Property

    return list(Property.objects.filter(code__startswith="bench-").order_by("code"))


def setup(ctx: BenchContext) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from guests.models import Guest
    from pms.models import Property, StaffMembership
    from reservations.models import RatePlan, RatePrice, Room, RoomType, new_reference

    with transaction.atomic():
        for i in range(1, N_PROPS + 1):
            prop, created = Property.objects.get_or_create(
                code=f"bench-{i:02d}", defaults={"name": f"基准酒店{i}"}
            )
            if not created:
                continue
            plan = RatePlan.objects.create(property=prop, code="bar", name="门市价")
            for t, (code, adults, price) in enumerate(TYPES):
                rt = RoomType.objects.create(
                    property=prop, code=code, name=code, max_adults=adults, max_children=1
                )
                RatePrice.objects.create(rate_plan=plan, room_type=rt, price=Decimal(price))
                Room.objects.bulk_create(
                    [
                        Room(property=prop, number=f"{t + 1}{n:02d}", floor=t + 1, room_type=rt)
                        for n in range(25)
                    ]
                )
        user, _ = get_user_model().objects.get_or_create(username="bench_desk")
        StaffMembership.objects.get_or_create(
            user=user, property=Property.objects.get(code="bench-01"), role="front_desk"
        )
    target = 3 * ctx.scale
    if ctx.count("reservations_booking") >= target * 0.9:
        return
    guest_ids = list(Guest.objects.values_list("pk", flat=True)[:200_000])
    if not guest_ids:
        from guests.testing import make_guest, prc_id

        # One ID sequence number each: random ones collide among 500 guests.
        guest_ids = [
            make_guest(None, family=f"基{i}", given="准", id_number=prc_id(seq=f"{i:03d}")).pk
            for i in range(500)
        ]
    rng = random.Random(6)
    rooms = list(
        Room.objects.filter(property__code__startswith="bench-").values_list(
            "id", "property_id", "room_type_id"
        )
    )
    plans = dict(
        RatePlan.objects.filter(property__code__startswith="bench-").values_list("property_id", "id")
    )
    prices = {rt: str(p) for rt, p in RatePrice.objects.values_list("room_type_id", "price")}
    per_room = max(1, target // len(rooms))
    today = timezone.localdate()
    start = today + timedelta(days=90 - int(per_room * 3.0))
    now = timezone.now()

    def rows():
        for room_id, prop_id, rt_id in rooms:
            day = start + timedelta(days=rng.randint(0, 2))
            for _ in range(per_room):
                nights = rng.choice((1, 1, 2, 2, 3, 4, 5))
                dep = day + timedelta(days=nights)
                status = "checked_out" if dep <= today else "checked_in" if day <= today else "confirmed"
                price = prices[rt_id]
                yield (
                    uuid.uuid4(), new_reference(), prop_id, rng.choice(guest_ids), rt_id, room_id, plans[prop_id],
                    day, dep, 1, 0, json.dumps([price] * nights), Decimal(price) * nights, "CNY", status,
                    "web", "", "", now, now, 1,
                )  # fmt: skip
                day = dep + timedelta(days=rng.choice((0, 0, 1)))

    with connection.cursor() as cur:
        cur.execute("ALTER TABLE reservations_booking DROP CONSTRAINT IF EXISTS booking_room_no_overlap")
    n = ctx.copy("reservations_booking", BOOKING_COLUMNS, rows())
    with connection.cursor() as cur:
        # Re-created (and so checked) after the load: the layout never overlaps.
        cur.execute(
            "ALTER TABLE reservations_booking ADD CONSTRAINT booking_room_no_overlap EXCLUDE USING gist "
            "(room_id WITH =, daterange(arrival, departure) WITH &&) "
            "WHERE (status IN ('confirmed', 'checked_in') AND room_id IS NOT NULL)"
        )
        cur.execute(
            """
            INSERT INTO reservations_inventory (property_id, room_type_id, date, total, sold)
            SELECT b.property_id, b.room_type_id, n::date, 25, count(*)
            FROM reservations_booking b
            CROSS JOIN LATERAL generate_series(b.arrival, b.departure - 1, '1 day') n
            WHERE b.status IN ('confirmed', 'checked_in') AND b.property_id IN
                  (SELECT id FROM pms_property WHERE code LIKE 'bench-%%')
            GROUP BY 1, 2, 3
            ON CONFLICT (room_type_id, date) DO UPDATE SET sold = EXCLUDED.sold
            """
        )
    ctx.analyze("reservations_booking", "reservations_inventory", "reservations_room")
    print(f"    reservations: {n:,} bookings over {len(rooms):,} rooms")


def cases(ctx: BenchContext) -> list[Case]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from guests.models import Guest
    from reservations import selectors, services
    from reservations.models import Booking, Inventory, RatePlan, RoomType

    props = _props()
    prop = props[0]
    user = get_user_model().objects.get(username="bench_desk")
    today = timezone.localdate()
    plan = RatePlan.objects.get(property=prop, code="bar")
    types = list(RoomType.objects.filter(property=prop))
    rng = random.Random(7)
    sample = list(
        Booking.objects.filter(property=prop)
        .order_by("?")
        .values_list("reference", "guest_id", "arrival")[:300]
    )
    names = dict(Guest.objects.filter(pk__in=[s[1] for s in sample]).values_list("pk", "family_name"))
    guest = Guest.objects.filter(pk=sample[0][1]).first()

    def fresh():
        for attr in ("_pms_memberships", "_pms_grants"):
            user.__dict__.pop(attr, None)

    def availability():
        p = rng.choice(props)
        a = today + timedelta(days=rng.randint(1, 60))
        services.availability(property=p, arrival=a, departure=a + timedelta(days=30), rate_plan=None)

    def availability_sql():
        p = rng.choice(props)
        a = today + timedelta(days=rng.randint(1, 60))
        with connection.cursor() as cur:
            cur.execute(
                "SELECT room_type_id, MIN(total - sold) FROM reservations_inventory "
                "WHERE property_id = %s AND date >= %s AND date < %s GROUP BY room_type_id",
                [p.pk, a, a + timedelta(days=30)],
            )
            cur.fetchall()

    def create():
        a = today + timedelta(days=rng.randint(200, 700))
        services.booking_create(
            actor=user, property=prop, guest=guest, room_type=rng.choice(types), rate_plan=plan,
            arrival=a, departure=a + timedelta(days=2), channel="web",
        )  # fmt: skip

    def by_reference():
        fresh()
        ref = rng.choice(sample)[0]
        rows = selectors.booking_search(actor=user, reference=ref)
        assert rows, "reference not found"

    def by_name_and_date():
        fresh()
        _ref, gid, arrival = rng.choice(sample)
        selectors.booking_search(
            actor=user, name=names.get(gid, "王"), arrival_from=arrival, arrival_to=arrival
        )

    race_day = [today + timedelta(days=800)]

    def last_rooms():
        from pms.models import Property
        from reservations.testing import setup_hotel

        race = Property.objects.get_or_create(code="bench-race", defaults={"name": "抢房"})[0]
        rt, rp = setup_hotel(race, rooms=5, code="std")
        # A night nobody has raced for yet (earlier runs on this database took theirs).
        taken = (
            Inventory.objects.filter(room_type=rt).order_by("-date").values_list("date", flat=True).first()
        )
        race_day[0] = max(race_day[0], taken or race_day[0]) + timedelta(days=1)
        night = race_day[0]
        barrier = threading.Barrier(50)
        won = []

        def worker():
            try:
                barrier.wait()
                services.booking_create(
                    actor=None, property=race, guest=guest, room_type=rt, rate_plan=rp,
                    arrival=night, departure=night + timedelta(days=1), channel="web",
                )  # fmt: skip
                won.append(1)
            except services.BookingConflict:
                pass
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        inv = Inventory.objects.get(room_type=rt, date=night)
        sold = Booking.objects.filter(room_type=rt, arrival=night, status="confirmed").count()
        ok = len(won) == 5 and inv.sold == 5 and sold == 5
        print(f"    last rooms: 50 threads, 5 rooms -> {len(won)} booked, inventory sold {inv.sold}, "
              f"{'no oversell' if ok else 'OVERSOLD'}")  # fmt: skip
        assert ok

    return [
        Case("reservations: availability 30 nights, bare SQL", availability_sql),
        Case(
            "reservations: availability 30 nights",
            availability,
            baseline="reservations: availability 30 nights, bare SQL",
            target_p95_ms=20,
        ),
        Case("reservations: booking create (row locks)", create, repeat=200, warmup=10, target_p95_ms=30),
        Case("reservations: search by reference + event", by_reference, target_p95_ms=10),
        Case("reservations: search by name + arrival + event", by_name_and_date, target_p95_ms=50),
        Case("reservations: 50 threads, last 5 rooms", last_rooms, repeat=3, warmup=0),
    ]
