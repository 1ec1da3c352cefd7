"""Prometheus text exposition of the operations figures.

Response times are gauges over a rolling 24-hour window of the hourly aggregates (the aggregates
are not monotonic counters once older hours are purged), per route and method."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from . import health, timing
from .models import RouteTiming


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _ts(value) -> float:
    return round(value.timestamp(), 3) if value else 0


def render() -> str:
    now = timezone.now()
    lines: list[str] = []

    def gauge(name: str, help_text: str, samples: list[tuple[dict, float]]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} gauge")
        for labels, value in samples:
            text = ",".join(f'{k}="{_label(str(v))}"' for k, v in labels.items())
            lines.append(f"{name}{{{text}}} {value}" if text else f"{name} {value}")

    routes = timing.summarise(RouteTiming.objects.filter(hour__gte=now - timedelta(hours=24)))
    for name, attr, help_text in (
        ("pms_route_requests_24h", "count", "Requests per route and method, last 24 hours."),
        ("pms_route_server_errors_24h", "errors", "5xx answers per route and method, last 24 hours."),
        ("pms_route_p50_seconds_24h", "p50_ms", "Median response time (bucket bound), last 24 hours."),
        (
            "pms_route_p95_seconds_24h",
            "p95_ms",
            "95th percentile response time (bucket bound), last 24 hours.",
        ),
        ("pms_route_max_seconds_24h", "max_ms", "Slowest response, last 24 hours."),
    ):
        scale = 1000.0 if attr.endswith("_ms") else 1
        gauge(
            name,
            help_text,
            [({"route": r.route, "method": r.method}, round(getattr(r, attr) / scale, 6)) for r in routes],
        )

    backup = health.last_good_backup()
    good = health.last_good_rehearsal()
    latest = health.last_rehearsal()
    beat = health.beat_heartbeat()
    gauge(
        "pms_backup_last_success_timestamp_seconds",
        "Start of the last complete backup.",
        [({}, _ts(backup.started_at if backup else None))],
    )
    gauge(
        "pms_backup_last_size_bytes",
        "Size of the last complete backup.",
        [({}, backup.size if backup else 0)],
    )
    gauge(
        "pms_rehearsal_last_success_timestamp_seconds",
        "Start of the last restore rehearsal that passed.",
        [({}, _ts(good.started_at if good else None))],
    )
    gauge(
        "pms_rehearsal_last_ok",
        "1 when the latest restore rehearsal passed.",
        [({}, int(bool(latest and latest.ok)))],
    )
    gauge(
        "pms_beat_heartbeat_timestamp_seconds",
        "Last Celery beat heartbeat.",
        [({}, _ts(beat.at if beat else None))],
    )
    if health.audit_available():
        seal = health.last_audit_seal()
        gauge(
            "pms_audit_last_seal_timestamp_seconds",
            "Last audit checkpoint.",
            [({}, _ts(seal.created_at if seal else None))],
        )
    gauge(
        "pms_timing_redis_errors",
        "Failed flushes of response times to Redis in this process since it started.",
        [({}, timing.stats["redis_errors"])],
    )
    failures = {name: check() for name, check in health.checks().items()}
    gauge(
        "pms_job_healthy",
        "1 when the scheduled job is within its limit.",
        [({"job": name}, int(err is None)) for name, err in failures.items()],
    )
    return "\n".join(lines) + "\n"
