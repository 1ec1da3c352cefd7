"""The signed token in a marketing message's unsubscribe link: the membership and the channel the
message came by, valid a year. Made by `members.messaging`, read by `members.services`."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

SALT = "members.unsubscribe"
VALID_FOR = timedelta(days=365)


def unsubscribe_token(membership, channel: str) -> str:
    return signing.dumps({"m": str(membership.pk), "c": channel}, salt=SALT, compress=True)


def unsubscribe_claim(token: str) -> dict | None:
    """{"m": membership id, "c": channel}, or None for a forged, altered or expired token."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALID_FOR)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None
