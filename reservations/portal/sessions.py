"""The guest's own session: its own cookie (`PORTAL_SESSION_COOKIE`) and its own session row, so a
staff log-in never opens the portal and a portal sign-in never signs anybody in as staff. It ends
after `PORTAL_IDLE_TIMEOUT` seconds without a request.

What it holds is the guest's scope: the guest ids the sign-in proved (by an e-mailed link) or the
one booking the reference and family name opened.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.shortcuts import render

KEY = "portal"
VIA_REFERENCE = "reference"
VIA_LINK = "link"
TOUCH_EVERY = 60  # seconds: write the session at most once a minute just to keep it alive


def _store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


@dataclass
class Scope:
    """What this guest may see: every booking of `guest_ids` (link), or only `booking_ids`."""

    guest_ids: list[str]
    booking_ids: list[str] = field(default_factory=list)
    via: str = VIA_REFERENCE

    @property
    def signed_in(self) -> bool:
        return self.via == VIA_LINK


class PortalSession:
    def __init__(self, request):
        self.request = request
        self.store = None
        self.scope: Scope | None = None
        self.ended = False  # it existed but ran out of time
        self.flash = ""  # a one-time notice for the next page (read once)
        self._dirty = False
        self._delete_cookie = False
        key = request.COOKIES.get(settings.PORTAL_SESSION_COOKIE)
        if not key:
            return
        store = _store_class()(session_key=key)
        data = store.get(KEY)
        if not isinstance(data, dict):
            self._delete_cookie = True
            return
        now = time.time()
        if now - float(data.get("seen", 0)) > settings.PORTAL_IDLE_TIMEOUT:
            store.delete()
            self.ended = True
            self._delete_cookie = True
            return
        self.store = store
        guests, bookings = data.get("guests") or [], data.get("bookings") or []
        if guests or bookings:
            self.scope = Scope(
                guest_ids=[str(g) for g in guests],
                booking_ids=[str(b) for b in bookings],
                via=data.get("via", VIA_REFERENCE),
            )
        self._flash = data.get("flash", "")
        if now - float(data.get("seen", 0)) > TOUCH_EVERY:
            self._dirty = True

    def pop_flash(self) -> str:
        flash = getattr(self, "_flash", "")
        if flash:
            self._flash = ""
            self._dirty = True
        return flash

    def set_flash(self, flash: str) -> None:
        """Keep a notice for the next page (the store is created if there is none yet)."""
        if self.store is None:
            self.store = _store_class()()
        self._flash = flash
        self._dirty = True

    def start(self, scope: Scope) -> None:
        """A new sign-in: a new session key (never reuse one a browser brought along)."""
        if self.store is not None:
            self.store.delete()
        self.store = _store_class()()
        self.scope = scope
        self.ended = False
        self._flash = ""
        self._dirty = True

    def end(self) -> None:
        if self.store is not None:
            self.store.delete()
        self.store = None
        self.scope = None
        self._delete_cookie = True
        self._dirty = False

    def apply(self, response) -> None:
        if self._dirty and self.store is not None:
            scope = self.scope or Scope(guest_ids=[])
            self.store[KEY] = {
                "guests": scope.guest_ids,
                "bookings": scope.booking_ids,
                "via": scope.via,
                "flash": getattr(self, "_flash", ""),
                "seen": time.time(),
            }
            self.store.set_expiry(settings.PORTAL_IDLE_TIMEOUT)
            self.store.save()
            response.set_cookie(
                settings.PORTAL_SESSION_COOKIE,
                self.store.session_key,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        elif self._delete_cookie:
            response.delete_cookie(settings.PORTAL_SESSION_COOKIE, samesite="Lax")


def portal_view(*, require: str | None = None):
    """Load the guest's session into `request.portal` and save it after the view.

    require=None: any visitor; "booking": any portal session; "link": signed in by e-mailed link.
    Without the session asked for the answer is a clear page (403), never a staff log-in form."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            request.portal = PortalSession(request)
            scope = request.portal.scope
            if require and (scope is None or (require == VIA_LINK and not scope.signed_in)):
                response = render(
                    request,
                    "portal/signed_out.html",
                    {"ended": request.portal.ended, "need_link": require == VIA_LINK},
                    status=403,
                )
            else:
                response = view(request, *args, **kwargs)
            request.portal.apply(response)
            return response

        return wrapped

    return decorator
