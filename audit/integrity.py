"""Tamper evidence and retention: HMAC checkpoints over id ranges of the access log, their
verification, and the retention purge of whole sealed ranges.

- Each sealed event gets a row MAC (HMAC-SHA256 under `PMS_AUDIT_KEY`, first 8 bytes) over its
  canonical form and its guest links; a checkpoint stores the ids (as runs) and the row MACs, a
  digest over both, and a MAC over the range, the count, that digest and the previous checkpoint's
  MAC (a chain). `verify` recomputes all of it and names the first altered, missing or foreign row.
- Sealing only covers ids that can no longer change: the horizon is read under a SHARE lock, which
  waits for every transaction still inserting events (so a slow transaction's id cannot later appear
  inside a sealed range).
- The purge deletes whole sealed ranges whose newest event is older than `AUDIT_RETENTION_DAYS`,
  under `SET LOCAL pms.audit_purge = 'on'`, and leaves a `RetentionMarker`; the checkpoint stays,
  so the chain still verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from .models import AccessEvent, AccessEventGuest, Checkpoint, RetentionMarker, Verification

logger = logging.getLogger(__name__)

ROW_MAC_BYTES = 8
FIELDS = [
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
    "ip",
    "user_agent",
]
_SEAL_LOCK = 7_201_004  # pg advisory lock id: one sealer at a time


def _key() -> bytes:
    key = getattr(settings, "PMS_AUDIT_KEY", "")
    if not key:
        raise ImproperlyConfigured("PMS_AUDIT_KEY is not set; `make keys` writes a development key.")
    return key.encode("utf-8")


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(row: tuple, links: list[tuple]) -> bytes:
    values = dict(zip(FIELDS, row, strict=True))
    values["at"] = _ts(values["at"])
    values["ip"] = str(values["ip"]) if values["ip"] is not None else None
    values["guests"] = sorted(f"{g}@{_ts(at)}" for g, at in links)
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _row_mac(key: bytes, row: tuple, links: list[tuple]) -> bytes:
    return hmac.new(key, b"row|" + _canonical(row, links), hashlib.sha256).digest()[:ROW_MAC_BYTES]


def _rows(first_id: int, last_id: int, limit: int | None = None) -> list[tuple[int, bytes]]:
    """(id, row MAC) for the events in [first_id, last_id], in id order."""
    key = _key()
    qs = AccessEvent.objects.filter(id__gte=first_id, id__lte=last_id).order_by("id").values_list(*FIELDS)
    rows = list(qs[:limit] if limit else qs)
    if not rows:
        return []
    links: dict[int, list[tuple]] = {}
    for event_id, guest_id, at in AccessEventGuest.objects.filter(
        event_id__gte=rows[0][0], event_id__lte=rows[-1][0]
    ).values_list("event_id", "guest_id", "at"):
        links.setdefault(event_id, []).append((guest_id, at))
    return [(r[0], _row_mac(key, r, links.get(r[0], []))) for r in rows]


def encode_runs(ids: list[int]) -> str:
    runs, start, prev = [], None, None
    for i in ids:
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        else:
            runs.append(f"{start}-{prev}" if prev != start else str(start))
            start = prev = i
    if start is not None:
        runs.append(f"{start}-{prev}" if prev != start else str(start))
    return ",".join(runs)


def decode_runs(text: str) -> list[int]:
    ids: list[int] = []
    for part in filter(None, text.split(",")):
        a, _, b = part.partition("-")
        ids.extend(range(int(a), int(b or a) + 1))
    return ids


def rows_digest(ids_text: str, row_macs: bytes) -> str:
    return hashlib.sha256(ids_text.encode() + b"|" + bytes(row_macs)).hexdigest()


def checkpoint_mac(
    *, prev_mac: str, first_id: int, last_id: int, count: int, last_at: datetime, digest: str
) -> str:
    msg = f"cp|{prev_mac}|{first_id}|{last_id}|{count}|{_ts(last_at)}|{digest}".encode()
    return hmac.new(_key(), msg, hashlib.sha256).hexdigest()


def marker_mac(marker) -> str:
    msg = (
        f"marker|{marker.checkpoint_id}|{marker.first_id}|{marker.last_id}|{marker.count}|"
        f"{marker.checkpoint_mac}|{marker.retention_days}|{_ts(marker.at)}"
    ).encode()
    return hmac.new(_key(), msg, hashlib.sha256).hexdigest()


def verification_mac(v) -> str:
    msg = (
        f"verification|{_ts(v.at)}|{int(v.ok)}|{v.checkpoints}|{v.rows}|{v.first_bad_id or ''}|"
        f"{v.head_checkpoint_id or ''}|{v.head_mac}|{v.detail}"
    ).encode()
    return hmac.new(_key(), msg, hashlib.sha256).hexdigest()


def last_verification() -> tuple[Verification | None, bool]:
    """The newest verification and whether it is genuine (its MAC checks): a row inserted by hand
    to show "intact" is reported as forged, not believed."""
    v = Verification.objects.order_by("-at", "-id").first()
    if v is None:
        return None, True
    return v, bool(v.mac) and hmac.compare_digest(verification_mac(v), v.mac)


# ---------------------------------------------------------------- sealing


def _horizon() -> int | None:
    """The highest event id below which no transaction can still add a row, or None if busy.

    While the SHARE lock request waits for open inserting transactions, every new insert queues
    behind it: each try is kept short (AUDIT_SEAL_LOCK_MS), so a slow request holding an event
    stalls the other recorders that long at most, and the sealer tries again a little later."""
    wait_ms = int(getattr(settings, "AUDIT_SEAL_LOCK_MS", 100))
    tries = int(getattr(settings, "AUDIT_SEAL_LOCK_TRIES", 10))
    for attempt in range(tries):
        if attempt:
            time.sleep(min(0.2 * attempt, 2.0))
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"SET LOCAL lock_timeout = '{wait_ms}ms'")
            try:
                with transaction.atomic():
                    cur.execute("LOCK TABLE audit_accessevent IN SHARE MODE")
            except OperationalError:
                continue
            cur.execute("SELECT max(id) FROM audit_accessevent")
            return cur.fetchone()[0]
    logger.warning("audit seal: the access log stayed busy through %d short tries; sealing next time", tries)
    return None


def seal(*, chunk: int | None = None) -> list[Checkpoint]:
    """Seal every event not yet sealed into checkpoints of at most `chunk` rows. Safe to run twice."""
    chunk = chunk or getattr(settings, "AUDIT_SEAL_CHUNK", 5000)
    horizon = _horizon()
    if horizon is None:
        return []
    made = []
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK])
        last = Checkpoint.objects.order_by("-last_id").first()
        prev_mac = last.mac if last else ""
        start = last.last_id + 1 if last else 1
        while start <= horizon:
            rows = _rows(start, horizon, limit=chunk)
            if not rows:
                break
            ids = [i for i, _ in rows]
            macs = b"".join(m for _, m in rows)
            ids_text = encode_runs(ids)
            digest = rows_digest(ids_text, macs)
            last_at = (
                AccessEvent.objects.filter(id__gte=ids[0], id__lte=ids[-1])
                .order_by("-at")
                .values_list("at", flat=True)[0]
            )
            cp = Checkpoint.objects.create(
                first_id=start,
                last_id=ids[-1],
                count=len(ids),
                last_at=last_at,
                ids=ids_text,
                row_macs=macs,
                rows_digest=digest,
                prev_mac=prev_mac,
                mac=checkpoint_mac(
                    prev_mac=prev_mac,
                    first_id=start,
                    last_id=ids[-1],
                    count=len(ids),
                    last_at=last_at,
                    digest=digest,
                ),
            )
            made.append(cp)
            prev_mac, start = cp.mac, ids[-1] + 1
    if made:
        # The head goes to the logs too (shipped off this machine): an anchor outside the database
        # against a removed tail of the chain. A MAC is no secret; the key is.
        logger.info(
            "audit seal: head checkpoint %s last_id=%s mac=%s", made[-1].pk, made[-1].last_id, made[-1].mac
        )
    return made


# ---------------------------------------------------------------- verification


@dataclass
class VerifyResult:
    ok: bool
    checkpoints: int
    rows: int
    first_bad_id: int | None = None
    detail: str = ""


def verify(*, record: bool = True) -> VerifyResult:
    """Recompute every checkpoint and row MAC; stop at the first problem and name it."""
    prev_mac = ""
    checked = rows_checked = 0
    result = None
    markers = {m.checkpoint_id: m for m in RetentionMarker.objects.all()}
    for cp in Checkpoint.objects.order_by("first_id").iterator(chunk_size=200):
        checked += 1
        expected_mac = checkpoint_mac(
            prev_mac=cp.prev_mac,
            first_id=cp.first_id,
            last_id=cp.last_id,
            count=cp.count,
            last_at=cp.last_at,
            digest=cp.rows_digest,
        )
        if cp.prev_mac != prev_mac:
            result = VerifyResult(
                False,
                checked,
                rows_checked,
                cp.first_id,
                f"checkpoint {cp.pk}: the chain is broken before it",
            )
            break
        if not hmac.compare_digest(expected_mac, cp.mac):
            result = VerifyResult(
                False, checked, rows_checked, cp.first_id, f"checkpoint {cp.pk}: its seal was altered"
            )
            break
        prev_mac = cp.mac
        marker = markers.get(cp.pk)
        if marker is not None:
            if marker.checkpoint_mac != cp.mac or not hmac.compare_digest(
                marker_mac(marker), marker.mac or ""
            ):
                result = VerifyResult(
                    False,
                    checked,
                    rows_checked,
                    cp.first_id,
                    f"retention marker {marker.pk} was altered or forged",
                )
                break
            minimum = int(getattr(settings, "AUDIT_MIN_RETENTION_DAYS", 180))
            if cp.last_at >= marker.at - timedelta(days=max(marker.retention_days, minimum)):
                result = VerifyResult(
                    False,
                    checked,
                    rows_checked,
                    cp.first_id,
                    f"retention marker {marker.pk}: events purged before their retention ended",
                )
                break
            continue  # purged by retention: the range is gone on purpose
        if rows_digest(cp.ids, bytes(cp.row_macs)) != cp.rows_digest:
            result = VerifyResult(
                False, checked, rows_checked, cp.first_id, f"checkpoint {cp.pk}: its row list was altered"
            )
            break
        expected = dict(
            zip(
                decode_runs(cp.ids),
                (
                    bytes(cp.row_macs)[i : i + ROW_MAC_BYTES]
                    for i in range(0, len(cp.row_macs), ROW_MAC_BYTES)
                ),
                strict=True,
            )
        )
        actual = dict(_rows(cp.first_id, cp.last_id))
        rows_checked += len(actual)
        problem = None
        for event_id in sorted(set(expected) | set(actual)):
            if event_id not in actual:
                problem = (event_id, f"event {event_id} is missing (deleted)")
            elif event_id not in expected:
                problem = (event_id, f"event {event_id} was not sealed in this range (inserted later)")
            elif not hmac.compare_digest(expected[event_id], actual[event_id]):
                problem = (event_id, f"event {event_id} was altered")
            if problem:
                break
        if problem:
            result = VerifyResult(False, checked, rows_checked, problem[0], problem[1])
            break
    head = Checkpoint.objects.order_by("-last_id").first()
    if result is None:
        result = _head_still_there(head, checked, rows_checked)
    if record:
        v = Verification(
            at=timezone.now(),
            ok=result.ok,
            checkpoints=result.checkpoints,
            rows=result.rows,
            first_bad_id=result.first_bad_id,
            detail=result.detail,
            head_checkpoint_id=head.pk if head else None,
            head_mac=head.mac if head else "",
        )
        v.mac = verification_mac(v)
        v.save()
    return result


def _head_still_there(head, checked: int, rows_checked: int) -> VerifyResult:
    """The chain must still reach as far as the last genuine verification saw it: otherwise its
    newest checkpoints (and their events) were removed since."""
    for earlier in Verification.objects.exclude(head_mac="").order_by("-at", "-id")[:20]:
        if not (earlier.mac and hmac.compare_digest(verification_mac(earlier), earlier.mac)):
            continue  # not ours: never trusted as an anchor
        if (
            head is None
            or head.pk < earlier.head_checkpoint_id
            or not Checkpoint.objects.filter(pk=earlier.head_checkpoint_id, mac=earlier.head_mac).exists()
        ):
            return VerifyResult(
                False,
                checked,
                rows_checked,
                None,
                f"checkpoint {earlier.head_checkpoint_id}, the newest on {earlier.at:%Y-%m-%d %H:%M}, is gone: "
                "the end of the chain was removed",
            )
        break
    return VerifyResult(True, checked, rows_checked, None, "")


# ---------------------------------------------------------------- retention


def retention_days() -> int:
    days = int(getattr(settings, "AUDIT_RETENTION_DAYS", 1095))
    minimum = int(getattr(settings, "AUDIT_MIN_RETENTION_DAYS", 180))
    if days < minimum:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS is {days}: access events must be kept at least {minimum} days. "
            "Nothing was purged."
        )
    return days


def purge(*, now: datetime | None = None) -> list[RetentionMarker]:
    """Delete whole sealed ranges whose newest event is older than the retention, leaving markers."""
    from .models import Action
    from .services import access_record

    days = retention_days()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    markers = []
    with transaction.atomic():
        candidates = list(
            Checkpoint.objects.filter(last_at__lt=cutoff, purge_marker__isnull=True).order_by("first_id")
        )
        if not candidates:
            return []
        with connection.cursor() as cur:
            cur.execute("SET LOCAL pms.audit_purge = 'on'")
        try:
            for cp in candidates:
                AccessEventGuest.objects.filter(event_id__gte=cp.first_id, event_id__lte=cp.last_id).delete()
                count, _ = AccessEvent.objects.filter(id__gte=cp.first_id, id__lte=cp.last_id).delete()
                marker = RetentionMarker(
                    checkpoint=cp,
                    first_id=cp.first_id,
                    last_id=cp.last_id,
                    count=count,
                    checkpoint_mac=cp.mac,
                    retention_days=days,
                    at=timezone.now(),
                )
                marker.mac = marker_mac(marker)
                marker.save()
                markers.append(marker)
                # The per-row data of a purged range is no longer needed; its digest and MAC stay.
                Checkpoint.objects.filter(pk=cp.pk).update(ids="", row_macs=b"")
        finally:
            with connection.cursor() as cur:
                cur.execute("SET LOCAL pms.audit_purge = 'off'")
        access_record(
            actor=None,
            action=Action.PURGE,
            target_type="checkpoint",
            target_ids=[m.checkpoint_id for m in markers],
            criteria={
                "retention_days": days,
                "rows": sum(m.count for m in markers),
                "ranges": [f"{m.first_id}-{m.last_id}" for m in markers],
            },
            channel="system",
        )
    return markers
