"""Demo data of the members app (called after the reservations demo): tiers, offers, members in every
tier with their past stays back-filled, points and stored-value ledgers written through the same
helpers the services use (so balances equal the ledgers and the reconciliation adds up), vouchers and
feedback. Idempotent: a second run finds the members and adds nothing."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pms.models import Property

from . import services
from .models import Membership, PointsKind, StoredValueKind, Tier, Voucher
from .testing import make_offer, make_tiers

MEMBERS = 60


def load(out) -> None:
    tiers = make_tiers()
    make_offer("birthday", value="200.00", valid_days=30)
    make_offer("welcome", value="100.00")
    make_offer("spring10", kind="percent", value="10.00", valid_days=60)
    out(f"  tiers: {len(tiers)}, offers: 3")
    if Membership.objects.exists():
        out(f"  members already there: {Membership.objects.count()}")
        return
    from guests.models import Guest

    props = list(Property.objects.order_by("code"))
    if not props:
        out("  no properties yet: load the pms demo first")
        return
    rng = random.Random(2027)
    today = timezone.localdate()
    guests = list(
        Guest.objects.filter(erased_at__isnull=True, merged_into__isnull=True).order_by("created_at")[
            :MEMBERS
        ]
    )
    order = ["blue", "silver", "gold"]
    made = 0
    for i, guest in enumerate(guests):
        prop = guest.home_property or props[i % len(props)]
        joined = today - timedelta(days=rng.randrange(30, 900))
        m = services.membership_enrol(
            actor=None,
            guest=guest,
            property=prop,
            consent_email=i % 3 != 2,
            consent_sms=i % 4 == 0,
            today=joined,
        )
        tier = tiers[order[i % 3]]  # every tier represented, whatever the back-filled stays say
        if m.tier_id != tier.pk:
            services._tier_change(m, tier, "demo", 0, 0, joined)
        with transaction.atomic():
            m = services._lock(m)
            services._points_append(
                m,
                kind=PointsKind.EARN,
                points=rng.randrange(2000, 30000),
                expires_on=today + timedelta(days=rng.randrange(20, 700)),
                property=prop,
            )
            if i % 2 == 0:
                services._points_append(
                    m, kind=PointsKind.REDEEM, points=-1000, reward="dining", property=prop
                )
            services._sv_append(
                m,
                kind=StoredValueKind.TOP_UP,
                amount=services.money(rng.choice(["500", "1000", "2000"])),
                payment_reference=f"DEMO-{i:04d}",
                property=prop,
            )
            if i % 3 == 0:
                services._sv_append(
                    m,
                    kind=StoredValueKind.REFUND,
                    amount=-services.money("100"),
                    payment_reference=f"DEMO-R{i:04d}",
                    property=prop,
                )
        if i % 5 == 0:
            services.voucher_issue(
                actor=None, membership=m, offer=make_offer("welcome"), source=Voucher.Source.MANUAL
            )
        made += 1
    texts = [
        ("desk", "房间很干净，前台员工态度很好"),
        ("online", "The shower was noisy and the room smelled of smoke"),
        ("after_check_out", "账单多收了一晚房费，请核实"),
        ("online", "早餐品种少，咖啡太凉"),
        ("desk", "Lovely garden, thank you"),
    ]
    for prop in props:
        for source, text in texts:
            services.feedback_create(actor=None, property=prop, text=text, source=source)
    out(f"  members: {made} in {Tier.objects.count()} tiers, feedback: {len(texts) * len(props)}")
