"""The guest portal (issue 8): "find my booking" by reference and family name, the whole HTTP
request through the real middleware stack (django.test.Client), over the bookings that
bench/cases_reservations.py loads (three million at the default scale).

- found: a random booking's reference and its guest's family name (a new guest each time: no
  cookies; the answer is the redirect to the booking, with a new portal session): p95 < 100 ms;
- not found: a well-formed reference that no booking has, or a real one with a wrong name (the
  answer is the redirect back to the form, whose notice is in the new portal session);
- the medians of found and not-found are printed with their difference (target: under 10%).

Attempt limits stay on: each request comes from its own address (10.x.y.z), as many guests would.
"""

from __future__ import annotations

import itertools
import random
import statistics
import time

from .runner import BenchContext, Case


def cases(ctx: BenchContext) -> list[Case]:
    from django.conf import settings
    from django.test import Client

    from guests.models import Guest
    from reservations.models import REFERENCE_ALPHABET, Booking

    if settings.ALLOWED_HOSTS != ["*"] and "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    sample = list(
        Booking.objects.filter(property__code__startswith="bench-")
        .order_by("?")
        .values_list("reference", "guest_id")[:1000]
    )
    if not sample:
        return []
    names = dict(Guest.objects.filter(pk__in=[g for _, g in sample]).values_list("pk", "family_name"))
    rng = random.Random(11)
    addresses = (f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in itertools.count(1))
    timings: dict[str, list[float]] = {"found": [], "not found": []}
    client = Client(HTTP_HOST="localhost")
    secure = bool(settings.SECURE_SSL_REDIRECT)

    def post(reference: str, family_name: str, bucket: str, expect: int) -> None:
        client.cookies.clear()  # a new guest, a new browser
        t0 = time.perf_counter()
        response = client.post(
            "/my-booking/",
            {"reference": reference, "family_name": family_name},
            REMOTE_ADDR=next(addresses),
            secure=secure,
        )
        timings[bucket].append((time.perf_counter() - t0) * 1000)
        assert response.status_code == expect, response.status_code

    def found():
        reference, guest_id = rng.choice(sample)
        post(reference, names[guest_id], "found", 302)

    def not_found():
        if rng.random() < 0.5:
            reference = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(10))  # (1 in 2^50 exists)
            post(reference, names[rng.choice(sample)[1]], "not found", 302)
        else:
            reference, _guest = rng.choice(sample)
            post(reference, "Nobody-such", "not found", 302)

    printed = []

    def summary():
        if printed:  # the runner needs two samples per case; the figures are printed once
            return
        printed.append(True)
        f, n = statistics.median(timings["found"]), statistics.median(timings["not found"])
        diff = abs(f - n) / min(f, n) * 100
        print(
            f"    portal look-up medians: found {f:.2f} ms, not found {n:.2f} ms, difference {diff:.1f}% "
            f"(target < 10%) {'OK' if diff < 10 else 'MISSED'}"
        )

    return [
        Case("portal: look-up by reference + name, found (HTTP)", found, target_p95_ms=100),
        Case(
            "portal: look-up, not found (HTTP)",
            not_found,
            baseline="portal: look-up by reference + name, found (HTTP)",
            target_ratio=1.10,
            target_p95_ms=100,
        ),
        Case("portal: found vs not-found median difference", summary, repeat=2, warmup=0),
    ]
