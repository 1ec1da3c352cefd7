"""Helpers for tests and the route-coverage declarations: tiers, a member, a checked-in stay."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .models import Membership, Offer, Tier


def make_tiers() -> dict[str, Tier]:
    """Blue (0), Silver (5,000 or 10 nights, 5 %), Gold (20,000 or 30 nights, 10 %, 1.5x)."""
    specs = [
        ("blue", "蓝卡", "Blue", 0, "0", 0, "0", "1"),
        ("silver", "银卡", "Silver", 1, "5000", 10, "5", "1.2"),
        ("gold", "金卡", "Gold", 2, "20000", 30, "10", "1.5"),
    ]
    out = {}
    for code, name, name_en, rank, spend, nights, pct, mult in specs:
        out[code], _ = Tier.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "rank": rank,
                "min_spend": Decimal(spend),
                "min_nights": nights,
                "discount_percent": Decimal(pct),
                "points_multiplier": Decimal(mult),
            },
        )
    return out


def make_member(
    prop, *, guest=None, tier: str | None = None, today: date | None = None, **kwargs
) -> Membership:
    from reservations.testing import new_guest

    from .services import membership_enrol

    make_tiers()
    guest = guest or new_guest(
        prop, email=kwargs.pop("email", "m@example.com"), phone=kwargs.pop("phone", "13800138000")
    )
    m = membership_enrol(actor=None, guest=guest, property=prop, today=today, **kwargs)
    if tier:
        Membership.objects.filter(pk=m.pk).update(tier=Tier.objects.get(code=tier))
        m.refresh_from_db()
    return m


def make_offer(code="welcome", *, kind="amount", value="50.00", valid_days=30, **kw) -> Offer:
    offer, _ = Offer.objects.get_or_create(
        code=code,
        defaults={
            "name": code.title(),
            "kind": kind,
            "value": Decimal(value),
            "valid_days": valid_days,
            **kw,
        },
    )
    return offer


def checked_in_booking(prop, guest, *, nights: int = 1):
    """A booking of `guest` arriving today, checked in (status set directly: check-in has its own tests)."""
    from reservations.models import Booking, BookingStatus
    from reservations.testing import make_booking

    b = make_booking(prop, guest=guest, nights=nights)
    Booking.objects.filter(pk=b.pk).update(status=BookingStatus.CHECKED_IN)
    b.refresh_from_db()
    return b
