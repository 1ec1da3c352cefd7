"""Members at scale (issue 7): 0.3 x scale members (300,000 at the default million guests), each with
settled stays over three years in `members_memberstay`.

- a segment count "spent over 5,000 in a year" through `selectors.segment_count` (permission check,
  query, access event): p95 < 500 ms;
- a member's balances and statement through `selectors.member_detail` (level check, statement reads,
  access event): p95 < 30 ms;
- the nightly tier job over every member, timed once and printed (target < 2 minutes).

Modules run in alphabetical order, so bookings (cases_reservations) do not exist yet: the spend data is
generated here directly as `MemberStay` rows (what check-out writes), which is all the three paths read.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

from .runner import BenchContext, Case

MEMBER_COLUMNS = (
    "id",
    "guest_id",
    "card_number",
    "tier_id",
    "tier_since",
    "status",
    "joined_on",
    "channel",
    "enrolled_property_id",
    "consent_email",
    "consent_sms",
    "points_balance",
    "stored_value_balance",
    "created_at",
)
STAY_COLUMNS = ("membership_id", "property_id", "settled_on", "nights", "spend")


def _members_wanted(ctx: BenchContext) -> int:
    return max(1000, int(ctx.scale * 0.3))


def setup(ctx: BenchContext) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from members.models import luhn_check_digit
    from members.testing import make_tiers
    from pms.models import Property

    tiers = make_tiers()
    want = _members_wanted(ctx)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM members_membership")
        have = cur.fetchone()[0]
    if have >= want:
        return
    props = list(Property.objects.order_by("code").values_list("pk", flat=True))
    rng = random.Random(7)
    today = date.today()
    now = timezone.now()
    tier_ids = [tiers["blue"].pk, tiers["silver"].pk, tiers["gold"].pk]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT g.id FROM guests_guest g LEFT JOIN members_membership m ON m.guest_id = g.id "
            "WHERE m.id IS NULL ORDER BY g.id LIMIT %s",
            [want - have],
        )
        guest_ids = [r[0] for r in cur.fetchall()]
    members, stays = [], []
    for n, gid in enumerate(guest_ids):
        mid = uuid.uuid4()
        body = "8" + f"{have + n:014d}"
        members.append(
            (
                mid,
                gid,
                body + luhn_check_digit(body),
                rng.choice(tier_ids),
                today,
                "active",
                today - timedelta(days=rng.randrange(1, 1500)),
                "desk",
                rng.choice(props),
                n % 2 == 0,
                n % 5 == 0,
                0,
                Decimal("0.00"),
                now,
            )
        )
        for _ in range(rng.randrange(0, 7)):
            stays.append(
                (
                    mid,
                    rng.choice(props),
                    today - timedelta(days=rng.randrange(0, 3 * 365)),
                    rng.randrange(1, 5),
                    Decimal(rng.randrange(300, 4000)),
                )
            )
    with transaction.atomic():
        ctx.copy("members_membership", MEMBER_COLUMNS, members)
        ctx.copy("members_memberstay", STAY_COLUMNS, stays)
    ctx.analyze("members_membership", "members_memberstay")


def cases(ctx: BenchContext) -> list[Case]:
    from django.contrib.auth import get_user_model

    from members import selectors, services
    from members.models import Membership
    from pms.models import StaffMembership

    User = get_user_model()
    marketer, _ = User.objects.get_or_create(username="bench-marketing")
    StaffMembership.objects.get_or_create(user=marketer, property=None, role="marketing")
    manager, _ = User.objects.get_or_create(username="bench-manager")
    StaffMembership.objects.get_or_create(
        user=manager, property=None, role="manager"
    )  # group-wide: every guest
    year = date.today().year - 1
    criteria = {"period_from": f"{year}-01-01", "period_to": f"{year}-12-31", "spend_over": "5000"}
    ids = list(Membership.objects.order_by("?").values_list("pk", flat=True)[:500])
    prop = Membership.objects.select_related("enrolled_property").first().enrolled_property
    it = iter(ids * 10)

    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # tier notices: not timed
    t0 = time.perf_counter()
    r = services.tiers_recalculate()
    took = time.perf_counter() - t0
    print(
        f"members: nightly tier job over {r.members} members: {took:.1f} s "
        f"({r.upgraded} up, {r.downgraded} down; target < 120 s: {'OK' if took < 120 else 'MISSED'})"
    )
    return [
        Case(
            "members: segment count, spent over 5,000 in a year",
            lambda: selectors.segment_count(actor=marketer, criteria=criteria),
            repeat=30,
            warmup=3,
            target_p95_ms=500,
        ),
        Case(
            "members: segment preview (screen/API: counts, consents, sample)",
            lambda: selectors.segment_preview(actor=marketer, criteria=criteria),
            repeat=30,
            warmup=3,
            target_p95_ms=500,
        ),
        Case(
            "members: balances + statement",
            lambda: selectors.member_detail(actor=manager, membership_id=next(it), property=prop),
            repeat=300,
            target_p95_ms=30,
        ),
    ]
