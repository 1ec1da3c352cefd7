"""Single-use sign-in links for "my bookings".

The link carries a random token (256 bits) signed with a timestamp, so an expired link is named as
such without a lookup. The cache (Redis, shared by every node) holds only the token's SHA-256: the
guests it opens and the SHA-256 of the nonce cookie of the browser that asked. Opening the link
from another browser is refused before the token is spent (so a mail scanner cannot burn it), and
the first opening deletes it atomically (Redis DEL), leaving a "used" marker so a replay gets its
own message.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "reservations.portal.signin"
USED_SECONDS = 24 * 3600


class LinkRefused(Exception):
    """`reason` is one of: invalid, expired, used, other_browser."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _key(token: str) -> str:
    return f"portal:signin:{_digest(token)}"


def _used_key(token: str) -> str:
    return f"portal:signin-used:{_digest(token)}"


def new_browser_nonce() -> str:
    return secrets.token_urlsafe(24)


def link_issue(*, guest_ids: list[str], browser_nonce: str) -> str:
    """Store a new token for these guests, bound to the browser's nonce; return the signed value
    that goes into the link."""
    token = secrets.token_urlsafe(32)
    cache.set(
        _key(token),
        {"guests": [str(g) for g in guest_ids], "browser": _digest(browser_nonce)},
        timeout=settings.PORTAL_LINK_MINUTES * 60 + 60,
    )
    return signing.dumps(token, salt=SALT)


@dataclass(frozen=True)
class Redeemed:
    guest_ids: list[str]


def link_redeem(*, signed: str, browser_nonce: str | None) -> Redeemed:
    """Spend the link once, from the browser that asked for it; raise `LinkRefused` otherwise."""
    try:
        token = signing.loads(signed, salt=SALT, max_age=settings.PORTAL_LINK_MINUTES * 60)
    except signing.SignatureExpired:
        raise LinkRefused("expired") from None
    except signing.BadSignature:
        raise LinkRefused("invalid") from None
    if not isinstance(token, str):
        raise LinkRefused("invalid")
    data = cache.get(_key(token))
    if data is None:
        raise LinkRefused("used" if cache.get(_used_key(token)) else "invalid")
    if not browser_nonce or not hmac.compare_digest(_digest(browser_nonce), data.get("browser", "")):
        raise LinkRefused("other_browser")
    # DEL is atomic in Redis: of two racing openings, exactly one deletes the key.
    if not cache.delete(_key(token)):
        raise LinkRefused("used")
    cache.set(_used_key(token), 1, timeout=USED_SECONDS)
    return Redeemed(guest_ids=list(data.get("guests", [])))
