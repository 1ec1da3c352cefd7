"""Demo data of the audit trail: three weeks of plausible events by the demo staff, one operator
(heidi) whose volume in the last hour trips an alert, then sealed and scanned. Idempotent: the
events carry request ids starting with "demo-", and a second run finds them and adds nothing."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from pms import context

from .models import AccessEvent


def _guest_ids(n: int) -> list:
    try:
        from guests.models import Guest

        ids = list(Guest.objects.values_list("id", flat=True)[:n])
        if ids:
            return ids
    except Exception:  # noqa: S110  (the guests app may have no demo data yet)
        pass
    return [uuid.UUID(int=random.Random(i).getrandbits(128) | (4 << 76)) for i in range(n)]


@transaction.atomic
def load(out) -> None:
    from .anomalies import scan
    from .integrity import seal
    from .services import access_record

    if AccessEvent.objects.filter(request_id__startswith="demo-").exists():
        return
    rng = random.Random(20260101)
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["alice", "carol", "heidi", "bob", "ivan", "frank", "dave"]
        )
    }
    if not users:
        return
    guests = _guest_ids(200)
    now = timezone.now()
    desk = [u for name, u in users.items() if name in ("alice", "carol", "heidi", "bob", "ivan")]
    n = 0
    for day in range(21, 0, -1):
        for user in desk:
            for _ in range(rng.randint(8, 25)):
                at = (now - timedelta(days=day)).replace(hour=rng.randint(8, 20), minute=rng.randint(0, 59))
                g = rng.choice(guests)
                action = rng.choices(["search", "view", "reveal", "denied"], [5, 8, 1, 0.3])[0]
                with context.using(
                    request_id=f"demo-{uuid.uuid4().hex[:12]}",
                    channel="desk",
                    ip=f"10.0.0.{rng.randint(2, 60)}",
                ):
                    access_record(
                        actor=user,
                        action="view" if action == "denied" else action,
                        target_type="guest",
                        target_ids=[g],
                        guest_ids=[g],
                        at=at,
                        outcome="denied" if action == "denied" else "ok",
                        reason="check-in" if action == "reveal" else "",
                    )
                n += 1
    # heidi looks at far too many guests in the last hour: the volume alert fires.
    hour = now.replace(minute=0, second=0, microsecond=0)
    heidi = users.get("heidi")
    if heidi:
        for i in range(90):
            g = guests[i % len(guests)]
            with context.using(request_id=f"demo-{uuid.uuid4().hex[:12]}", channel="phone", ip="10.0.0.77"):
                access_record(
                    actor=heidi,
                    action="view",
                    target_type="guest",
                    target_ids=[g],
                    guest_ids=[g],
                    at=hour + timedelta(seconds=20 * i) if hour + timedelta(seconds=20 * i) < now else now,
                )
            n += 1
    out(f"  access events: {n}")
    cps = seal()
    out(f"  checkpoints: {len(cps)}")
    alerts = scan(now=now)
    out(f"  alerts: {len(alerts)}")
