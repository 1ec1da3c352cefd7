"""A booking as an iCalendar file (RFC 5545): one all-day event from arrival to departure.

The reference is left out: it is half of the self-service credential, and calendars are synced to
places the hotel does not control."""

from __future__ import annotations

from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext as _


def _escape(value: str) -> str:
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (continuation lines start with a space)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def calendar(b) -> str:
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    summary = _("Stay at %(hotel)s") % {"hotel": b.property.display_name}
    description = _(
        "%(room_type)s, %(nights)d night(s), %(adults)d adult(s), %(children)d child(ren). Status: %(status)s."
    ) % {
        "room_type": b.room_type.display_name,
        "nights": b.nights,
        "adults": b.adults,
        "children": b.children,
        "status": b.get_status_display(),
    }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Hotel PMS//Guest self-service//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:booking-{b.pk}@pms",
        f"DTSTAMP:{stamp}",
        # Each change of the booking bumps its version: a calendar that imported an older copy
        # replaces it with this one (RFC 5545 3.8.7.4) instead of keeping both.
        f"SEQUENCE:{max(b.version - 1, 0)}",
        f"DTSTART;VALUE=DATE:{b.arrival:%Y%m%d}",
        f"DTEND;VALUE=DATE:{b.departure:%Y%m%d}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        f"LOCATION:{_escape(b.property.display_address or b.property.display_name)}",
        "STATUS:" + ("CANCELLED" if b.status in ("cancelled", "no_show") else "CONFIRMED"),
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
