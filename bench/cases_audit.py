"""The audit trail's hot paths: the cost of recording an access event on a read, and the review
queries (a guest's timeline, a filtered page of the log) over ten access events per guest
(10 million at the default scale)."""

from __future__ import annotations

import itertools
import json
import random
import uuid
from datetime import UTC, datetime, timedelta

from .runner import BenchContext, Case

MARK = "bench-"


def setup(ctx: BenchContext) -> None:
    from django.db import connection

    target = ctx.scale * 10
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM audit_accessevent WHERE request_id LIKE %s", [MARK + "%"])
        have = cur.fetchone()[0]
        if have >= target * 0.9:
            return
        cur.execute("SELECT coalesce(max(id), 0) FROM audit_accessevent")
        start = cur.fetchone()[0] + 1
    rng = random.Random(7)
    guests = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(min(ctx.scale, 200_000))]
    now = datetime.now(UTC)
    n = target - have

    def events():
        for i in range(n):
            at = now - timedelta(seconds=rng.randint(0, 180 * 86400))
            yield (
                start + i,
                at,
                1000 + i % 300,
                f"staff{i % 300}",
                ("front_desk", "front_desk", "front_desk", "reservations", "manager")[i % 5],
                1 + i % 20,
                ("desk", "desk", "desk", "phone", "web", "api")[i % 6] if i % 97 else "self_service",
                rng.choice(["view", "search", "view", "reveal"]),
                "guest",
                "{}",
                json.dumps({}),
                "",
                "denied" if i % 211 == 0 else ("not_found" if i % 53 == 0 else "ok"),
                f"{MARK}{i}",
                "",
                None,
            )

    def links():
        r = random.Random(7)
        for i in range(n):
            yield (
                start + i,
                guests[r.randrange(len(guests))],
                now - timedelta(seconds=r.randint(0, 180 * 86400)),
            )

    cols = [
        "id",
        "at",
        "actor_user_id",
        "actor_username",
        "actor_role",
        "actor_property_id",
        "channel",
        "action",
        "target_type",
        "target_ids",
        "criteria",
        "reason",
        "outcome",
        "request_id",
        "user_agent",
        "ip",
    ]
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE audit_accesseventguest DISABLE TRIGGER USER")
    ctx.copy("audit_accessevent", cols, events())
    ctx.copy("audit_accesseventguest", ["event_id", "guest_id", "at"], links())
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE audit_accesseventguest ENABLE TRIGGER USER")
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('audit_accessevent', 'id'), (SELECT max(id) FROM audit_accessevent))"
        )
    ctx.analyze("audit_accessevent", "audit_accesseventguest")


def cases(ctx: BenchContext) -> list[Case]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from audit.selectors import EventFilter, Scope, _page, apply_filters
    from audit.services import access_record
    from pms import demo

    demo.load(lambda line: None)
    alice = get_user_model().objects.get(username="alice")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT guest_id FROM audit_accesseventguest GROUP BY guest_id ORDER BY count(*) DESC LIMIT 1"
        )
        row = cur.fetchone()
    busy_guest = row[0] if row else uuid.uuid4()
    guest = uuid.uuid4()
    scope = Scope(True, frozenset(), True)

    def read_without_event():
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT id, username FROM auth_user WHERE id = %s", [alice.pk])
            cur.fetchone()

    def read_with_event():
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SELECT id, username FROM auth_user WHERE id = %s", [alice.pk])
                cur.fetchone()
            access_record(
                actor=alice, action="view", target_type="guest", target_ids=[guest], guest_ids=[guest]
            )

    def timeline():
        from audit.models import AccessEventGuest

        qs = scope.events().filter(
            id__in=AccessEventGuest.objects.filter(guest_id=busy_guest).values("event_id")
        )
        _page(qs, None, 50)

    def filtered_list():
        f = EventFilter(staff="staff17", action="view", since=datetime.now(UTC) - timedelta(days=30))
        _page(apply_filters(scope.events(), f), None, 50)

    rare = itertools.cycle(
        [EventFilter(outcome="denied"), EventFilter(channel="api"), EventFilter(outcome="not_found")]
    )

    def rare_filters():
        _page(apply_filters(scope.events(), next(rare)), None, 50)

    return [
        Case("audit: read without access event", read_without_event),
        Case(
            "audit: read + access event",
            read_with_event,
            baseline="audit: read without access event",
            target_added_ms=1.0,
        ),
        Case("audit: guest timeline, newest 50", timeline, target_p95_ms=50),
        Case("audit: filtered list (staff, action, 30 days)", filtered_list, target_p95_ms=50),
        Case("audit: filtered list (denied, not found, API channel)", rare_filters, target_p95_ms=50),
    ]
