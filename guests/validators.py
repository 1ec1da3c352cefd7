"""Validation and normalisation of identity documents, phone numbers and e-mail addresses.

Each error says which part is wrong, so the desk can fix it while the guest is standing there.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email as django_validate_email
from django.utils.translation import gettext as _

_PRC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_PRC_CHECK = "10X98765432"


def prc_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID."""
    return _PRC_CHECK[sum(int(d) * w for d, w in zip(first17, _PRC_WEIGHTS, strict=True)) % 11]


def normalise_prc_id(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_prc_id(value: str, *, today: date | None = None) -> str:
    """Return the normalised resident ID, or raise naming the wrong part."""
    v = normalise_prc_id(value)
    if len(v) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(n)d.") % {"n": len(v)}, code="length"
        )
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."), code="characters"
        )
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationError(
            _("Characters 7 to 14 of the ID number must be a real birth date (YYYYMMDD); %(d)s is not.")
            % {"d": v[6:14]},
            code="birth_date",
        ) from None
    today = today or date.today()
    if born > today or born.year < 1900:
        raise ValidationError(
            _("The birth date in the ID number (%(d)s) is not possible.") % {"d": born.isoformat()},
            code="birth_date",
        )
    if prc_check_digit(v[:17]) != v[17]:
        raise ValidationError(
            _(
                "The last character (check digit) of the ID number does not match; check the number for a typo."
            ),
            code="check_digit",
        )
    return v


def prc_birth_date(value: str) -> date:
    v = normalise_prc_id(value)
    return date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


def validate_document_number(doc_type: str, value: str) -> str:
    """Normalise and validate a document number for its type."""
    v = re.sub(r"[\s-]", "", value or "").upper()
    if not v:
        raise ValidationError(_("Enter the document number."), code="required")
    if doc_type == "prc_id":
        return validate_prc_id(v)
    if doc_type == "passport" and not re.fullmatch(r"[A-Z0-9]{5,20}", v):
        raise ValidationError(_("A passport number is 5 to 20 letters and digits."), code="format")
    if doc_type == "hk_macau_permit" and not re.fullmatch(r"[CHM][A-Z0-9]{8,10}", v):
        raise ValidationError(
            _("A Mainland Travel Permit number starts with C, H or M followed by 8 to 10 letters or digits."),
            code="format",
        )
    if doc_type == "taiwan_permit" and not re.fullmatch(r"[0-9]{8}|[0-9]{10}|[A-Z0-9]{8,12}", v):
        raise ValidationError(_("A Taiwan travel permit number is 8 to 12 letters or digits."), code="format")
    if not re.fullmatch(r"[A-Z0-9]{3,30}", v):
        raise ValidationError(_("A document number is 3 to 30 letters and digits."), code="format")
    return v


def normalise_phone(value: str) -> str:
    """E.164. An 11-digit number starting with 1 is taken as a mainland mobile (+86)."""
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = re.sub(r"[\s().-]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not re.fullmatch(r"\+?\d+", digits):
        raise ValidationError(
            _("A phone number may hold only digits, spaces, dashes and a leading +."), code="characters"
        )
    if not digits.startswith("+"):
        if re.fullmatch(r"1[3-9]\d{9}", digits):
            return "+86" + digits
        raise ValidationError(
            _(
                "Give the phone number with its country code, e.g. +86 138 0013 8000, or an 11-digit mainland mobile."
            ),
            code="country_code",
        )
    if digits.startswith("+86") and not re.fullmatch(r"\+86(1[3-9]\d{9}|[2-9]\d{9,10})", digits):
        raise ValidationError(
            _("A +86 number is an 11-digit mobile starting 13-19, or a landline with its area code."),
            code="format",
        )
    if not re.fullmatch(r"\+[1-9]\d{7,14}", digits):
        raise ValidationError(_("A phone number has 8 to 15 digits after the country code."), code="length")
    return digits


def normalise_email(value: str) -> str:
    v = (value or "").strip()
    if not v:
        return ""
    try:
        django_validate_email(v)
    except ValidationError:
        raise ValidationError(
            _("This e-mail address is not valid; check the part before and after the @."), code="format"
        ) from None
    local, domain = v.rsplit("@", 1)
    return f"{local}@{domain.lower()}"
