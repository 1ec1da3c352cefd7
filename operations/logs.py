"""Structured logs without personal data.

`MaskPersonalData` (a filter on every handler, see pms/settings.py `# --- operations ---`) masks
resident ID numbers (15 or 18 characters), passport and permit numbers, phone numbers, e-mail
addresses and booking-reference-looking codes
in the message and any traceback of every record, with the masking helpers of `pms.crypto`. Names
cannot be recognised in free text: they are absent by construction (models' `__str__` give ids, the
request log carries ids and route names only).

`JsonFormatter` writes one JSON object per line: time, level, logger, message, request id (from the
record or the request context), user id, route, method, status and duration when present.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from pms import context
from pms.crypto import mask_email, mask_id_number, mask_phone

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])(?:"
    r"(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}"  # mainland mobile, with or without +86, spaces, dashes
    r"|\+\d{1,3}[ -]?\d(?:[ -]?\d){6,13}"  # international
    r"|0\d{2,3}-\d{7,8}"  # landline with area code
    r")(?![0-9A-Za-z])"
)
# Booking references: 10 characters of the reference alphabet (no 0/O/1/I); about one in eighteen
# has no digit at all, so any with a letter is masked.
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])[2-9A-HJ-NP-Z]{10}(?![A-Za-z0-9])")
# Passports and travel permits: one or two letters and 6 to 10 digits (E12345678, H1234567890).
_DOCUMENT = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{1,2}\d{6,10}(?![0-9A-Za-z])")


def _reference(match: re.Match) -> str:
    text = match.group(0)
    if any(c.isalpha() for c in text):
        return "[reference]"
    return text


def mask_text(text: str) -> str:
    """Every ID number, phone, e-mail and booking reference in `text`, masked."""
    if not text:
        return text
    if "@" in text:
        text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    if any(c.isdigit() for c in text):
        text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
        text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
        text = _DOCUMENT.sub("[document]", text)
    text = _REFERENCE.sub(_reference, text)
    return text


class MaskPersonalData(logging.Filter):
    """Masks personal data in the message, arguments and traceback of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template, drop the arguments
            message = str(record.msg)
        record.msg, record.args = mask_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


_FIELDS = ("user_id", "route", "method", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or context.current().request_id or None,
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, ensure_ascii=False, default=str)
