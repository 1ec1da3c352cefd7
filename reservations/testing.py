"""Helpers for tests and the route-coverage declarations: a small hotel set-up and a booking."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from .models import RatePlan, RatePrice, Room, RoomType


def setup_hotel(
    prop, *, rooms: int = 3, price: str = "500.00", code: str = "std", free_cancel_hours: int = 24
):
    """One room type (`code`, 2 adults + 1 child), `rooms` clean rooms, and a rate plan "bar" priced at
    `price` a night. Idempotent per property and code."""
    rt, _ = RoomType.objects.get_or_create(
        property=prop, code=code, defaults={"name": f"{code}房", "name_en": code.title(), "max_adults": 2}
    )
    plan, _ = RatePlan.objects.get_or_create(
        property=prop,
        code="bar",
        defaults={"name": "门市价", "name_en": "Best available rate", "free_cancel_hours": free_cancel_hours},
    )
    RatePrice.objects.get_or_create(rate_plan=plan, room_type=rt, defaults={"price": Decimal(price)})
    prefix = {"std": "1", "dlx": "2", "ste": "3"}.get(code, "9")
    for i in range(1, rooms + 1):
        Room.objects.get_or_create(
            property=prop, number=f"{prefix}{i:02d}", defaults={"room_type": rt, "floor": 1}
        )
    return rt, plan


def unique_prc_id() -> str:
    """A fictitious resident ID unlikely to repeat within a test (guests.testing.prc_id varies only
    the 3-digit sequence, so twenty guests collide now and then)."""
    import random

    from guests.testing import prc_id

    rng = random.SystemRandom()
    born = f"19{rng.randrange(50, 99)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    return prc_id("110101", born, f"{rng.randrange(1000):03d}")


def new_guest(prop, **kwargs):
    from guests.testing import make_guest

    kwargs.setdefault("id_number", unique_prc_id())
    return make_guest(prop, **kwargs)


def make_booking(
    prop, *, actor=None, guest=None, nights: int = 2, offset: int = 0, adults: int = 1, **kwargs
):
    """A confirmed booking through the service, arriving `offset` days from today (hotel time)."""
    from .services import booking_create, local_today

    rt = RoomType.objects.filter(property=prop, code="std").first()
    plan = RatePlan.objects.filter(property=prop, code="bar").first()
    if rt is None or plan is None:
        rt, plan = setup_hotel(prop)
    guest = guest or new_guest(prop)
    arrival = local_today(prop) + timedelta(days=offset)
    return booking_create(
        actor=actor,
        property=prop,
        guest=guest,
        room_type=kwargs.pop("room_type", rt),
        rate_plan=kwargs.pop("rate_plan", plan),
        arrival=arrival,
        departure=arrival + timedelta(days=nights),
        adults=adults,
        **kwargs,
    )


def make_in_house(prop, **kwargs):
    """A booking made by `make_booking` and checked in through the service with one resident ID."""
    from guests.testing import prc_id

    from .services import IdentityDocumentInput, booking_check_in

    b = make_booking(prop, **kwargs)
    doc = IdentityDocumentInput(full_name="王伟", doc_type="prc_id", number=prc_id())
    return booking_check_in(actor=None, booking=b, version=b.version, documents=[doc])


def booking_payload(prop, guest, *, offset: int = 2, nights: int = 2, **extra) -> dict:
    """The body of `POST /api/v1/bookings/` for `guest` at `prop` (room type "std", plan "bar"),
    arriving `offset` days from today (hotel time)."""
    from .services import local_today

    arrival = local_today(prop) + timedelta(days=offset)
    body = {
        "property": prop.code,
        "guest": str(guest.pk),
        "room_type": "std",
        "rate_plan": "bar",
        "arrival": str(arrival),
        "departure": str(arrival + timedelta(days=nights)),
        "adults": 1,
        "channel": "phone",
    }
    return {**body, **extra}
