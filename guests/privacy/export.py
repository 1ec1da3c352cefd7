"""The copy of everything the system holds about one guest: a ZIP of JSON and CSV files.

Profile (decrypted: the copy is for the guest alone), identity documents, bookings and stays, folio
lines, check-in registrations, membership, points and stored-value ledgers and feedback (when the
members app is installed), their privacy requests, and a summary of who accessed their data:
counts by day, hotel and role, never a staff member's name.

At rest the ZIP is encrypted with pms.crypto (AES-256-GCM bound to the export's row id) and stored
through Django's storage API under a random name; it is deleted as it is handed over.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count
from django.db.models.functions import TruncDate

from pms import crypto

from ..models import Guest
from .models import PrivacyExport, PrivacyRequest

FOLDER = "privacy-exports"


def _s(value) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _rows(items: list[dict]) -> list[dict]:
    return [{k: _s(v) for k, v in item.items()} for item in items]


def profile(guest: Guest) -> dict:
    return {
        "id": str(guest.pk),
        "family_name": guest.family_name,
        "given_name": guest.given_name,
        "gender": guest.gender,
        "nationality": guest.nationality,
        "phone": guest.phone,
        "email": guest.email,
        "date_of_birth": guest.date_of_birth,
        "address": guest.address,
        "preference_tags": [t.code for t in guest.tags.all()],
        "special_needs": guest.special_needs,
        "staff_notes": guest.staff_notes,
        "vip": guest.is_vip,
        "marketing_consent": guest.marketing_consent,
        "marketing_consent_at": _s(guest.marketing_consent_at),
        "registered_at": _s(guest.created_at),
        "documents": [
            {
                "type": d.doc_type,
                "number": d.number,
                "issuing_country": d.issuing_country,
                "expires_on": _s(d.expires_on),
            }
            for d in guest.documents.all()
        ],
    }


def bookings(guest: Guest) -> list[dict]:
    from reservations.models import Booking

    own = Booking.objects.filter(guest=guest).select_related("property", "room_type", "room")
    shared = (
        Booking.objects.filter(companion_links__guest=guest)
        .exclude(guest=guest)
        .select_related("property", "room_type", "room")
    )
    # A stay shared as a companion: where and when, but not what belongs to the booking guest
    # (their reference, price and requests).
    companion_rows = [
        {
            "role": "companion",
            "hotel": b.property.name,
            "room_type": b.room_type.name,
            "room": b.room.number if b.room else "",
            "arrival": b.arrival,
            "departure": b.departure,
            "status": b.status,
        }
        for b in shared.order_by("arrival")
    ]
    return _rows(
        [
            {
                "role": "booking guest",
                "reference": b.reference,
                "hotel": b.property.name,
                "room_type": b.room_type.name,
                "room": b.room.number if b.room else "",
                "arrival": b.arrival,
                "departure": b.departure,
                "adults": b.adults,
                "children": b.children,
                "status": b.status,
                "channel": b.channel,
                "total": b.total,
                "currency": b.currency,
                "special_requests": b.special_requests,
                "booked_at": b.created_at,
                # Every room the stay used, and why it moved (written about the guest's stay).
                "room_moves": "; ".join(
                    f"{m.moved_at:%Y-%m-%d %H:%M} {m.from_room.number if m.from_room else '-'} -> "
                    f"{m.to_room.number}" + (f" ({m.reason})" if m.reason else "")
                    for m in b.room_moves.all()
                ),
            }
            for b in own.order_by("arrival").prefetch_related("room_moves__from_room", "room_moves__to_room")
        ]
        + companion_rows
    )


def folio_lines(guest: Guest) -> list[dict]:
    from reservations.models import FolioLine

    qs = FolioLine.objects.filter(booking__guest=guest).select_related("booking")
    return _rows(
        [
            {
                "booking": line.booking.reference,
                "kind": line.kind,
                "description": line.description,
                "amount": line.amount,
                "night": line.night,
                "posted_at": line.posted_at,
            }
            for line in qs.order_by("posted_at", "id")
        ]
    )


def registrations(guest: Guest) -> list[dict]:
    from reservations.models import StayRegistration

    qs = StayRegistration.objects.filter(guest=guest).select_related("booking")
    return _rows(
        [
            {
                "booking": r.booking.reference,
                "name_on_document": r.full_name,
                "document_type": r.doc_type,
                "document_number": r.doc_number,
                "nationality": r.nationality,
                "registered_at": r.verified_at,
            }
            for r in qs
        ]
    )


def membership(guest: Guest) -> dict[str, list[dict]]:
    try:
        from members import models as m
    except ImportError:  # members not installed
        return {}
    out: dict[str, list[dict]] = {}
    member = m.Membership.objects.filter(guest=guest).select_related("tier").first()
    if member is not None:
        out["membership"] = _rows(
            [
                {
                    "card_number": member.card_number,
                    "tier": member.tier.name if member.tier else "",
                    "status": member.status,
                    "joined_on": member.joined_on,
                    "points_balance": member.points_balance,
                    "stored_value_balance": member.stored_value_balance,
                    "consent_email": member.consent_email,
                    "consent_sms": member.consent_sms,
                }
            ]
        )
        out["points"] = _rows(
            list(
                m.PointsEntry.objects.filter(membership=member)
                .order_by("id")
                .values("created_at", "kind", "points", "balance_after", "expires_on", "reason")
            )
        )
        out["stored_value"] = _rows(
            list(
                m.StoredValueEntry.objects.filter(membership=member)
                .order_by("id")
                .values("created_at", "kind", "amount", "balance_after", "reason")
            )
        )
    out["feedback"] = _rows(
        list(
            m.Feedback.objects.filter(guest=guest)
            .order_by("created_at")
            .values("created_at", "source", "category", "text", "status", "reply", "replied_at")
        )
    )
    return out


def access_summary(guest: Guest) -> list[dict]:
    """Who looked at this guest's data: counts by day, hotel and role (never a staff member's name)."""
    from audit.models import AccessEvent
    from pms.models import Property

    names = dict(Property.objects.values_list("pk", "name"))
    rows = (
        AccessEvent.objects.filter(guest_links__guest_id=guest.pk)
        .annotate(day=TruncDate("at"))
        .values("day", "actor_property_id", "actor_role", "action")
        .annotate(n=Count("id", distinct=True))
        .order_by("day", "actor_property_id", "actor_role", "action")
    )
    return _rows(
        [
            {
                "date": r["day"],
                "hotel": names.get(r["actor_property_id"], ""),
                "role": r["actor_role"] or "guest (self-service)",
                "action": r["action"],
                "count": r["n"],
            }
            for r in rows
        ]
    )


def requests(guest: Guest) -> list[dict]:
    return _rows(
        list(
            PrivacyRequest.objects.filter(guest=guest)
            .order_by("received_at")
            .values("id", "type", "channel", "received_at", "status", "decision", "fulfilled_at")
        )
    )


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    if rows:
        fieldnames = list(dict.fromkeys(k for row in rows for k in row))  # rows may differ (companion stays)
        writer = csv.DictWriter(buf, fieldnames=fieldnames, restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in row.items()}
            )
    return buf.getvalue()


README = """This archive holds the personal data {hotel} keeps about you, as of {when}.
Each part is given as JSON and as CSV (UTF-8): profile, bookings, folio lines (your bills),
check-in registrations, membership, points, stored value, feedback, your privacy requests,
and access_summary: how often our staff looked at your data, by day, hotel and role.
"""


def build(guest: Guest, *, progress: Callable[[int], None] | None = None) -> tuple[bytes, int]:
    """(ZIP bytes, number of rows) for `guest`. `progress(percent)` is called as parts are done."""
    from django.utils import timezone

    parts: list[tuple[str, Callable]] = [
        ("profile", lambda: [profile(guest)]),
        ("bookings", lambda: bookings(guest)),
        ("folio_lines", lambda: folio_lines(guest)),
        ("registrations", lambda: registrations(guest)),
        ("privacy_requests", lambda: requests(guest)),
        ("access_summary", lambda: access_summary(guest)),
    ]
    buf = io.BytesIO()
    rows = 0
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "README.txt",
            README.format(hotel=getattr(guest.home_property, "name", ""), when=timezone.now().isoformat()),
        )
        for i, (name, fn) in enumerate(parts, start=1):
            data = fn()
            rows += len(data)
            zf.writestr(f"{name}.json", json.dumps(data, ensure_ascii=False, indent=2, default=_s))
            zf.writestr(f"{name}.csv", _csv([_flat(d) for d in data]))
            if progress:
                progress(int(i * 80 / len(parts)))
        for name, data in membership(guest).items():
            rows += len(data)
            zf.writestr(f"{name}.json", json.dumps(data, ensure_ascii=False, indent=2, default=_s))
            zf.writestr(f"{name}.csv", _csv(data))
    if progress:
        progress(90)
    return buf.getvalue(), rows


def _flat(row: dict) -> dict:
    return {
        k: (json.dumps(v, ensure_ascii=False, default=_s) if isinstance(v, list | dict) else v)
        for k, v in row.items()
    }


# ------------------------------------------------------------------ storage (encrypted at rest)


def store(export: PrivacyExport, content: bytes) -> str:
    sealed = crypto.encrypt(
        base64.b64encode(content).decode("ascii"), table=export._meta.db_table, field="file", row_id=export.pk
    )
    name = f"{FOLDER}/{secrets.token_hex(16)}.zip.enc"
    return default_storage.save(name, ContentFile(sealed.encode("ascii")))


def read(export: PrivacyExport) -> bytes:
    with default_storage.open(export.file_name, "rb") as fh:
        sealed = fh.read().decode("ascii")
    return base64.b64decode(
        crypto.decrypt(sealed, table=export._meta.db_table, field="file", row_id=export.pk)
    )


def delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)
