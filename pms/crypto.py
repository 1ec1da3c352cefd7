"""Encryption, blind indexes and masking of personal data: the one place they live.

- AES-256-GCM with a random 96-bit nonce. A stored value reads `v1:<kid>:<base64(nonce+ciphertext)>`.
  The associated data binds it to its table, field and row id, so a value copied to another row
  (or column) fails to decrypt. A failed decryption raises `DecryptionError`; it never returns the
  ciphertext or an empty string.
- Keys come from settings (`PMS_ENCRYPTION_KEYS`: ordered `kid:base64key`, the first encrypts;
  `PMS_BLIND_INDEX_KEY`: separate), never from SECRET_KEY.
- Blind index: HMAC-SHA256 over a normalised value, prefixed by its kind, so the same digits as a
  phone and as an ID number give different indexes.
- Masking helpers used by templates, serializers, exports and the audit trail alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """The value could not be decrypted: wrong row, altered bytes, or an unknown key."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    primary: str

    @classmethod
    def from_setting(cls, entries: list[str]) -> KeyRing:
        if not entries:
            raise ImproperlyConfigured(
                "PMS_ENCRYPTION_KEYS is empty: set it (kid:base64key, first one encrypts); "
                "`make keys` writes development keys."
            )
        keys: dict[str, bytes] = {}
        for entry in entries:
            kid, sep, b64 = entry.strip().partition(":")
            if not sep or not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", kid):
                raise ImproperlyConfigured(
                    f"PMS_ENCRYPTION_KEYS: entry for key id {kid!r} is not kid:base64key."
                )
            try:
                key = base64.b64decode(b64, validate=True)
            except ValueError as exc:
                raise ImproperlyConfigured(f"PMS_ENCRYPTION_KEYS: key {kid!r} is not valid base64.") from exc
            if len(key) != 32:
                raise ImproperlyConfigured(f"PMS_ENCRYPTION_KEYS: key {kid!r} must be 32 bytes (AES-256).")
            if kid in keys:
                raise ImproperlyConfigured(f"PMS_ENCRYPTION_KEYS: key id {kid!r} appears twice.")
            keys[kid] = key
        return cls(keys=keys, primary=next(iter(keys)))


@lru_cache(maxsize=4)
def _ring_for(entries: tuple[str, ...]) -> KeyRing:
    return KeyRing.from_setting(list(entries))


def key_ring() -> KeyRing:
    return _ring_for(tuple(settings.PMS_ENCRYPTION_KEYS))


@lru_cache(maxsize=4)
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


def associated_data(table: str, field: str, row_id: object) -> bytes:
    return f"{table}|{field}|{row_id}".encode()


def encrypt(plaintext: str, *, table: str, field: str, row_id: object) -> str:
    ring = key_ring()
    nonce = os.urandom(NONCE_BYTES)
    ct = _aead(ring.keys[ring.primary]).encrypt(
        nonce, plaintext.encode("utf-8"), associated_data(table, field, row_id)
    )
    return f"{VERSION}:{ring.primary}:{base64.b64encode(nonce + ct).decode('ascii')}"


def key_id_of(stored: str) -> str:
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != VERSION:
        raise DecryptionError("not an encrypted value of a known version")
    return parts[1]


def decrypt(stored: str, *, table: str, field: str, row_id: object) -> str:
    kid = key_id_of(stored)
    key = key_ring().keys.get(kid)
    if key is None:
        raise DecryptionError(f"key {kid!r} is not in PMS_ENCRYPTION_KEYS")
    try:
        raw = base64.b64decode(stored.split(":", 2)[2], validate=True)
        pt = _aead(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data(table, field, row_id))
    except Exception as exc:  # InvalidTag, binascii errors, short input: all mean "not ours"
        raise DecryptionError(f"value for {table}.{field} does not decrypt under key {kid!r}") from exc
    return pt.decode("utf-8")


# ---------------------------------------------------------------- normalising and blind indexes


def normalise(kind: str, value: str) -> str:
    """The form a value is indexed in, so 'a@B.com ' and 'a@b.com' meet."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    if kind == "email":
        return value.lower()
    if kind == "phone":
        return re.sub(r"[^\d+]", "", value)
    if kind in {"id_number", "document"}:
        return re.sub(r"[\s-]", "", value).upper()
    return value


def _blind_key() -> bytes:
    key = settings.PMS_BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("PMS_BLIND_INDEX_KEY is not set; `make keys` writes a development key.")
    return key.encode("utf-8")


def blind_index(kind: str, value: str) -> str:
    """HMAC-SHA256 of the normalised value under the blind-index key, hex. Empty in, empty out."""
    norm = normalise(kind, value)
    if not norm:
        return ""
    return hmac.new(_blind_key(), f"{kind}:{norm}".encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- masking


def mask_id_number(value: str) -> str:
    """110101********1234 for an 18-character resident ID; first and last few kept for others."""
    v = normalise("id_number", value)
    if not v:
        return ""
    if len(v) >= 15:
        return v[:6] + "*" * (len(v) - 10) + v[-4:]
    if len(v) > 4:
        keep = 2 if len(v) > 6 else 1
        return v[:keep] + "*" * (len(v) - keep - 2) + v[-2:]
    return "*" * len(v)


def mask_phone(value: str) -> str:
    """138****5678: for a +86 number the national part, otherwise the last four kept."""
    v = normalise("phone", value)
    if not v:
        return ""
    national = v[3:] if v.startswith("+86") else v
    if len(national) >= 11 and not national.startswith("+"):
        return national[:3] + "****" + national[-4:]
    if len(v) > 4:
        return "*" * (len(v) - 4) + v[-4:]
    return "*" * len(v)


def mask_email(value: str) -> str:
    """z***@example.com."""
    v = normalise("email", value)
    if "@" not in v:
        return "***" if v else ""
    local, domain = v.split("@", 1)
    return (local[:1] or "*") + "***@" + domain


def mask_name(value: str) -> str:
    """王** / J*** : the first character kept, the rest starred (for exports and the audit trail)."""
    v = (value or "").strip()
    return v[:1] + "*" * max(len(v) - 1, 1) if v else ""


def mask_card_number(value: str) -> str:
    """**** **** 1234: the last four of a membership card."""
    v = re.sub(r"\s", "", value or "")
    return "**** " + v[-4:] if len(v) > 4 else "*" * len(v)


MASKERS = {
    "id_number": mask_id_number,
    "document": mask_id_number,
    "phone": mask_phone,
    "email": mask_email,
    "name": mask_name,
    "card_number": mask_card_number,
}


def mask(kind: str, value: str) -> str:
    return MASKERS[kind](value)


def criterion(kind: str, value: str) -> dict[str, str]:
    """How a personal search value is written into the audit trail: masked and blind-indexed."""
    return {"masked": mask(kind, value), "bidx": blind_index(kind, value)}
