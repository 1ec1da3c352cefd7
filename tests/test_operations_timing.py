"""Response times: aggregated per route, method and hour; never a raw path; Redis down is harmless."""

import uuid

import pytest
import redis

from operations import timing
from operations.models import RouteTiming

HOUR = 1_800_000_000 // 3600 * 3600  # a fixed hour boundary (Unix time)


@pytest.fixture(autouse=True)
def timing_keys(settings):
    settings.TIMING_KEY_PREFIX = f"test:timing:{uuid.uuid4().hex}"
    settings.TIMING_FLUSH_REQUESTS = 10_000  # flushed by the tests themselves
    settings.TIMING_FLUSH_SECONDS = 3600
    timing.reset_for_tests()
    yield
    timing.reset_for_tests()
    client = timing._redis()
    keys = list(client.scan_iter(f"{settings.TIMING_KEY_PREFIX}:*"))
    if keys:
        client.delete(*keys)


@pytest.mark.django_db
def test_it_aggregates_counts_and_percentiles_per_route_and_hour():
    for i in range(90):
        timing.record("guests:detail", "GET", 200, 3.0, at=HOUR + i)
    for i in range(9):
        timing.record("guests:detail", "GET", 200, 150.0, at=HOUR + 100 + i)
    timing.record("guests:detail", "GET", 503, 120.0, at=HOUR + 200)
    timing.record("guests:detail", "POST", 404, 40.0, at=HOUR + 300)
    timing.record("guests:detail", "GET", 200, 7.0, at=HOUR + 3600)  # the next hour

    assert timing.fold(now=HOUR + 7200) == 3

    row = RouteTiming.objects.get(route="guests:detail", method="GET", count=100)
    assert (row.count, row.errors, row.client_errors, row.max_ms) == (100, 1, 0, 150.0)
    assert row.total_ms == pytest.approx(90 * 3 + 9 * 150 + 120)
    assert row.buckets[timing.bucket_of(3.0)] == 90 and row.buckets[timing.bucket_of(150.0)] == 10
    assert timing.percentile(row.buckets, 0.5, row.max_ms) == 5.0  # 3 ms lies in the (2, 5] bucket
    assert timing.percentile(row.buckets, 0.95, row.max_ms) == 150.0  # (100, 250] bucket, capped at the max
    post = RouteTiming.objects.get(method="POST")
    assert (post.count, post.client_errors, post.errors) == (1, 1, 0)
    assert RouteTiming.objects.filter(route="guests:detail", method="GET").count() == 2  # two hours


@pytest.mark.django_db
def test_folding_twice_adds_up_and_keeps_the_maximum():
    timing.record("dashboard", "GET", 200, 4.0, at=HOUR)
    timing.fold(now=HOUR + 10)
    timing.record("dashboard", "GET", 200, 60.0, at=HOUR + 20)
    timing.record("dashboard", "GET", 200, 2.0, at=HOUR + 30)
    timing.fold(now=HOUR + 40)

    row = RouteTiming.objects.get(route="dashboard")
    assert (row.count, row.max_ms) == (3, 60.0)
    [summary] = timing.summarise([row])
    assert (summary.count, summary.p50_ms, summary.p95_ms) == (3, 5.0, 60.0)


@pytest.mark.django_db
def test_the_middleware_records_route_names_never_paths(alice, login):
    client = login(alice)
    assert client.get("/p/hotel-a/").status_code == 200
    assert client.get("/p/hotel-a/").status_code == 200
    assert client.get("/no-such-page/4242/6f1d2c3b-0000-4000-8000-000000000123/").status_code == 404

    timing.fold()

    stored = {(r.route, r.method): r.count for r in RouteTiming.objects.all()}
    assert stored == {("property_home", "GET"): 2, (timing.UNRESOLVED, "GET"): 1}
    for route, _method in stored:
        assert "hotel-a" not in route and "4242" not in route and "/" not in route


@pytest.mark.django_db
def test_redis_down_does_not_break_requests(alice, login, monkeypatch):
    monkeypatch.setattr(
        timing, "_client", redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.1)
    )
    errors = timing.stats["redis_errors"]
    client = login(alice)

    assert client.get("/p/hotel-a/").status_code == 200
    assert timing.flush() is False
    assert timing.stats["redis_errors"] == errors + 1

    monkeypatch.undo()  # Redis is back: what was buffered arrives
    monkeypatch.setattr(timing, "_client", None)
    timing.fold()
    assert RouteTiming.objects.get(route="property_home").count == 1
