"""Response times per route and hour, cheap on the request path.

Each process adds a request to an in-memory buffer (a dict update under a lock: microseconds) and
flushes the buffer to Redis at most every `TIMING_FLUSH_SECONDS` or `TIMING_FLUSH_REQUESTS`, in
one pipeline: HINCRBY of the count, the error counts, the total and a fixed-bucket histogram, and
ZADD GT for the maximum. A job (`fold_timings`, every five minutes) moves Redis into `RouteTiming`
rows. Percentiles come from the buckets, so any number of processes and nodes add up correctly.

Only the route name (`resolver_match.view_name`) is kept, never the path, which may hold ids.
Redis down: the flush fails, the buffer is kept (bounded) and `redis_errors` counts it; the request
never notices.
"""

from __future__ import annotations

import bisect
import logging
import math
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

BUCKETS_MS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)  # then one open bucket
N_BUCKETS = len(BUCKETS_MS) + 1
UNRESOLVED = "<unresolved>"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
SEP = "\x1f"
_MAX_BUFFERED_KEYS = 20_000  # while Redis is down: drop rather than grow without bound

# stats per key: count, 5xx, 4xx, total ms, max ms, then the buckets
_COUNT, _E5, _E4, _TOTAL, _MAX, _B0 = 0, 1, 2, 3, 4, 5

_lock = threading.Lock()
_buffer: dict[tuple[int, str, str], list] = {}
_pending = 0
_last_flush = time.monotonic()
stats = {"redis_errors": 0, "dropped": 0, "flushes": 0}
_client = None


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(
            settings.TIMING_REDIS_URL,
            socket_connect_timeout=0.1,
            socket_timeout=0.25,
            health_check_interval=30,
        )
    return _client


def _prefix() -> str:
    return settings.TIMING_KEY_PREFIX


def bucket_of(ms: float) -> int:
    return bisect.bisect_left(BUCKETS_MS, ms)


def record(route: str, method: str, status: int, ms: float, *, at: float | None = None) -> None:
    """Add one request. `at` is a Unix time (now by default)."""
    global _pending
    hour = int((at if at is not None else time.time()) // 3600 * 3600)
    method = method if method in METHODS else "OTHER"
    key = (hour, route, method)
    with _lock:
        s = _buffer.get(key)
        if s is None:
            if len(_buffer) >= _MAX_BUFFERED_KEYS:
                stats["dropped"] += 1
                return
            s = _buffer[key] = [0, 0, 0, 0.0, 0.0] + [0] * N_BUCKETS
        s[_COUNT] += 1
        if status >= 500:
            s[_E5] += 1
        elif status >= 400:
            s[_E4] += 1
        s[_TOTAL] += ms
        if ms > s[_MAX]:
            s[_MAX] = ms
        s[_B0 + bucket_of(ms)] += 1
        _pending += 1
        due = _pending >= settings.TIMING_FLUSH_REQUESTS or (
            time.monotonic() - _last_flush >= settings.TIMING_FLUSH_SECONDS
        )
    if due:
        flush()


def flush() -> bool:
    """Push the buffer to Redis. False (buffer kept, error counted) when Redis does not answer."""
    global _buffer, _pending, _last_flush
    with _lock:
        taken, _buffer = _buffer, {}
        _pending = 0
        _last_flush = time.monotonic()
    if not taken:
        return True
    prefix = _prefix()
    try:
        pipe = _redis().pipeline(transaction=False)
        hours = set()
        for (hour, route, method), s in taken.items():
            hours.add(hour)
            h, member = f"{prefix}:h:{hour}", f"{route}{SEP}{method}"
            pipe.hincrby(h, f"{member}{SEP}c", s[_COUNT])
            if s[_E5]:
                pipe.hincrby(h, f"{member}{SEP}e5", s[_E5])
            if s[_E4]:
                pipe.hincrby(h, f"{member}{SEP}e4", s[_E4])
            pipe.hincrbyfloat(h, f"{member}{SEP}t", round(s[_TOTAL], 3))
            for i in range(N_BUCKETS):
                if s[_B0 + i]:
                    pipe.hincrby(h, f"{member}{SEP}b{i}", s[_B0 + i])
            pipe.zadd(f"{prefix}:max:{hour}", {member: round(s[_MAX], 3)}, gt=True)
        for hour in hours:
            pipe.sadd(f"{prefix}:hours", hour)
            pipe.expire(f"{prefix}:h:{hour}", 7 * 86400)
            pipe.expire(f"{prefix}:max:{hour}", 7 * 86400)
        pipe.execute()
    except Exception:  # redis.RedisError, OSError: never the request's problem
        stats["redis_errors"] += 1
        with _lock:
            for key, s in taken.items():
                mine = _buffer.get(key)
                if mine is None:
                    if len(_buffer) >= _MAX_BUFFERED_KEYS:
                        stats["dropped"] += 1
                        continue
                    _buffer[key] = s
                else:
                    for i in (_COUNT, _E5, _E4, _TOTAL, *range(_B0, _B0 + N_BUCKETS)):
                        mine[i] += s[i]
                    mine[_MAX] = max(mine[_MAX], s[_MAX])
        return False
    stats["flushes"] += 1
    return True


def _parse(hash_data: dict, max_data: list) -> dict[tuple[str, str], dict]:
    rows: dict[tuple[str, str], dict] = {}
    for raw_field, raw_value in hash_data.items():
        route, method, stat = raw_field.decode().split(SEP)
        row = rows.setdefault(
            (route, method),
            {
                "count": 0,
                "errors": 0,
                "client_errors": 0,
                "total_ms": 0.0,
                "max_ms": 0.0,
                "buckets": [0] * N_BUCKETS,
            },
        )
        value = float(raw_value)
        if stat == "c":
            row["count"] += int(value)
        elif stat == "e5":
            row["errors"] += int(value)
        elif stat == "e4":
            row["client_errors"] += int(value)
        elif stat == "t":
            row["total_ms"] += value
        elif stat.startswith("b"):
            row["buckets"][int(stat[1:])] += int(value)
    for member, score in max_data:
        route, method = member.decode().split(SEP)
        if (route, method) in rows:
            rows[(route, method)]["max_ms"] = max(rows[(route, method)]["max_ms"], float(score))
    return rows


def _save(hour: int, rows: dict[tuple[str, str], dict]) -> None:
    from .models import RouteTiming

    when = datetime.fromtimestamp(hour, tz=UTC)
    with transaction.atomic():
        for (route, method), r in rows.items():
            obj, created = RouteTiming.objects.select_for_update().get_or_create(
                hour=when, route=route[:200], method=method, defaults=r
            )
            if created:
                continue
            obj.count += r["count"]
            obj.errors += r["errors"]
            obj.client_errors += r["client_errors"]
            obj.total_ms += r["total_ms"]
            obj.max_ms = max(obj.max_ms, r["max_ms"])
            old = list(obj.buckets) + [0] * (N_BUCKETS - len(obj.buckets))
            obj.buckets = [a + b for a, b in zip(old, r["buckets"], strict=True)]
            obj.save()


def fold(*, now: float | None = None) -> int:
    """Move what Redis holds into `RouteTiming` rows. Returns the number of (hour, route, method)
    aggregates written. Each hour's keys are renamed first (atomic), so requests flushed meanwhile
    land in fresh keys; a fold that fails leaves its renamed keys listed for the next run."""
    import redis

    flush()
    client = _redis()
    prefix = _prefix()
    current_hour = int((now if now is not None else time.time()) // 3600 * 3600)
    for raw in client.smembers(f"{prefix}:hours"):
        hour = int(raw)
        token = uuid.uuid4().hex
        taken = (f"{prefix}:folding:{hour}:{token}:h", f"{prefix}:folding:{hour}:{token}:max")
        for source, target in zip((f"{prefix}:h:{hour}", f"{prefix}:max:{hour}"), taken, strict=True):
            try:
                client.rename(source, target)
            except redis.ResponseError:  # no such key: nothing new for that hour
                continue
        client.sadd(f"{prefix}:folding", f"{hour}:{token}")
        if hour < current_hour:
            client.srem(f"{prefix}:hours", raw)
    written = 0
    for raw in client.smembers(f"{prefix}:folding"):
        hour_text, token = raw.decode().split(":")
        h, m = f"{prefix}:folding:{hour_text}:{token}:h", f"{prefix}:folding:{hour_text}:{token}:max"
        rows = _parse(client.hgetall(h), client.zrange(m, 0, -1, withscores=True))
        if rows:
            _save(int(hour_text), rows)
            written += len(rows)
        client.delete(h, m)
        client.srem(f"{prefix}:folding", raw)
    return written


def purge_old(*, now: datetime | None = None) -> int:
    from django.utils import timezone

    from .models import RouteTiming

    cutoff = (now or timezone.now()) - timedelta(days=settings.TIMING_KEEP_DAYS)
    return RouteTiming.objects.filter(hour__lt=cutoff).delete()[0]


# ---------------------------------------------------------------- reading the aggregates


def percentile(buckets: list[int], q: float, max_ms: float) -> float:
    """The upper bound of the bucket holding the q-th request (never above the observed maximum)."""
    total = sum(buckets)
    if not total:
        return 0.0
    rank = max(1, math.ceil(q * total))
    seen = 0
    for i, n in enumerate(buckets):
        seen += n
        if seen >= rank:
            upper = BUCKETS_MS[i] if i < len(BUCKETS_MS) else max_ms
            return float(min(upper, max_ms))
    return float(max_ms)


@dataclass
class RouteSummary:
    route: str
    method: str
    count: int
    errors: int
    client_errors: int
    mean_ms: float
    p50_ms: float
    p95_ms: float
    max_ms: float


def summarise(rows) -> list[RouteSummary]:
    """Add up `RouteTiming` rows per route and method (e.g. the last 24 hours), slowest p95 first."""
    acc: dict[tuple[str, str], dict] = {}
    for r in rows:
        a = acc.setdefault(
            (r.route, r.method),
            {
                "count": 0,
                "errors": 0,
                "client_errors": 0,
                "total": 0.0,
                "max": 0.0,
                "buckets": [0] * N_BUCKETS,
            },
        )
        a["count"] += r.count
        a["errors"] += r.errors
        a["client_errors"] += r.client_errors
        a["total"] += r.total_ms
        a["max"] = max(a["max"], r.max_ms)
        for i, n in enumerate(r.buckets[:N_BUCKETS]):
            a["buckets"][i] += n
    out = [
        RouteSummary(
            route=route,
            method=method,
            count=a["count"],
            errors=a["errors"],
            client_errors=a["client_errors"],
            mean_ms=round(a["total"] / a["count"], 2) if a["count"] else 0.0,
            p50_ms=percentile(a["buckets"], 0.5, a["max"]),
            p95_ms=percentile(a["buckets"], 0.95, a["max"]),
            max_ms=round(a["max"], 2),
        )
        for (route, method), a in acc.items()
    ]
    return sorted(out, key=lambda s: (-s.p95_ms, -s.count, s.route))


def reset_for_tests() -> None:
    global _buffer, _pending
    with _lock:
        _buffer, _pending = {}, 0
