"""Middleware shared by every screen and the API."""

from __future__ import annotations

import re
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from . import context
from .loginlimits import LoginWindow

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For entry PROXY_COUNT proxies back."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _path_channel(path: str) -> str | None:
    if path.startswith("/api/"):
        return "api"
    if path.startswith(("/my-booking", "/self-service")):  # /my-booking/ and /my-bookings/
        return "self_service"
    return None


def channel_for(request) -> str:
    if channel := _path_channel(request.path_info):
        return channel
    session = getattr(request, "session", None)
    return (session.get("pms_channel") if session is not None else None) or "desk"


class RequestContextMiddleware:
    """Gives each request an id and puts id, address, agent and channel into `pms.context`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = context.set_current(
            context.RequestContext(
                request_id=request.request_id,
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                channel=_path_channel(request.path_info) or "desk",
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class StaffSessionMiddleware:
    """Idle timeout, log-in limits on every request, the active property and the channel."""

    LAST_SEEN = "pms_last_seen"
    WINDOW = "pms_login_window"
    TOUCH_EVERY = 60  # seconds: write the session at most once a minute just to keep it alive

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path_info.startswith(settings.STATIC_URL):
            response = self._enforce(request)
            if response is not None:
                return response
            context.update(channel=channel_for(request))
        request.active_property = SimpleLazyObject(lambda: active_property(request))
        return self.get_response(request)

    def _enforce(self, request):
        session = request.session
        now = time.time()
        last_seen = session.get(self.LAST_SEEN)
        if last_seen is not None and now - last_seen > settings.STAFF_IDLE_TIMEOUT:
            return self._end(
                request, _("You were signed out after a period of inactivity. Please sign in again.")
            )
        window = session.get(self.WINDOW)
        if window and not LoginWindow.from_session(window).allows_now():
            return self._end(request, _("Your working hours have ended, so you were signed out."))
        if last_seen is None or now - last_seen > self.TOUCH_EVERY:
            session[self.LAST_SEEN] = now
        return None

    def _end(self, request, message: str):
        if request.path_info.startswith("/api/"):
            from .problems import problem_response

            logout(request)
            return problem_response(401, _("Session ended"), message)
        logout(request)
        messages.info(request, message)
        return redirect(settings.LOGIN_URL)


def active_property(request):
    """The property the user has switched to (session), else the first they work at."""
    from .permissions import properties_for

    props = properties_for(request.user)
    if not props:
        return None
    code = request.session.get("pms_property")
    return next((p for p in props if p.code == code), props[0])


class NoStoreMiddleware:
    """Every dynamic response is `no-store`: staff pages and API answers may hold personal data, and a
    shared hotel PC must not keep them in its cache. Static files are served before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") or getattr(response, "personal_data", False):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
