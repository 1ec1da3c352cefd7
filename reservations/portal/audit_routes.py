"""Routes of the guest portal for the route-coverage test (tests/test_audit_coverage.py), imported
into reservations/audit_routes.py.

The guest is the actor of every portal event: no user (actor_user_id is NULL), channel
self-service. Each spec therefore says `"actor": "guest"`, and routes that need a guest session
give a `setup(client)` that opens one on the test client before the request; the coverage test
(tests/test_audit_coverage.py) then expects an event with no user on the self-service channel.
"""

from __future__ import annotations

from ..testing import make_booking, new_guest
from .testing import link_session, lookup_session


def _spec(people, url, action, target_type, target_id, *, method="get", data=None, status=200, setup=None):
    return {
        "user": people["alice"],  # a staff log-in on the same client must not matter to the portal
        "method": method,
        "url": url,
        "data": data,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "status": status,
        "actor": "guest",
        "channel": "self_service",
        "setup": setup,
    }


def _lookup(people, hotels):
    b = make_booking(hotels["a"])
    data = {"reference": b.reference, "family_name": b.guest.family_name}
    return _spec(people, "/my-booking/", "search", "booking", b.pk, method="post", data=data, status=302)


def _booking(suffix, action="view"):
    def build(people, hotels):
        b = make_booking(hotels["a"], offset=10)
        return _spec(
            people,
            f"/my-booking/{b.pk}/{suffix}",
            action,
            "booking",
            b.pk,
            setup=lambda c: lookup_session(c, b),
        )

    return build


def _request_link(people, hotels):
    g = new_guest(hotels["a"], email="guest.routes@example.com")
    data = {"email": "guest.routes@example.com"}
    return _spec(people, "/my-bookings/", "search", "guest", g.pk, method="post", data=data)


def _sign_in(people, hotels):
    from django.conf import settings

    from . import tokens

    g = new_guest(hotels["a"])
    nonce = tokens.new_browser_nonce()
    signed = tokens.link_issue(guest_ids=[str(g.pk)], browser_nonce=nonce)

    def setup(client):
        client.cookies[settings.PORTAL_BROWSER_COOKIE] = nonce

    return _spec(people, f"/my-bookings/sign-in/{signed}/", "login", "guest", g.pk, status=302, setup=setup)


def _list(people, hotels):
    b = make_booking(hotels["a"])
    return _spec(
        people, "/my-bookings/list/", "search", "booking", b.pk, setup=lambda c: link_session(c, b.guest)
    )


def _my_data(people, hotels):
    g = new_guest(hotels["a"])
    return _spec(people, "/my-bookings/my-data/", "view", "guest", g.pk, setup=lambda c: link_session(c, g))


def _membership(people, hotels):
    g = new_guest(hotels["a"])
    return _spec(
        people, "/my-bookings/membership/", "view", "guest", g.pk, setup=lambda c: link_session(c, g)
    )


def _feedback(people, hotels):
    from ..models import Booking, BookingStatus

    b = make_booking(hotels["a"])
    Booking.objects.filter(pk=b.pk).update(status=BookingStatus.CHECKED_IN)

    def setup(client):
        lookup_session(client, b)

    data = {"text": "The room was quiet and the breakfast excellent."}
    return _spec(people, f"/my-booking/{b.pk}/feedback/", "view", "booking", b.pk, method="post", data=data,
                 status=302, setup=setup)  # fmt: skip


PERSONAL = {
    "portal:feedback": _feedback,
    "portal:membership": _membership,
    "portal:lookup": _lookup,
    "portal:booking": _booking(""),
    "portal:print": _booking("print/", "print"),
    "portal:ics": _booking("booking.ics", "export"),
    "portal:cancel": _booking("cancel/"),
    "portal:change": _booking("change/"),
    "portal:bookings-request": _request_link,
    "portal:sign-in": _sign_in,
    "portal:bookings": _list,
    "portal:my-data": _my_data,
}

NOT_PERSONAL = {
    "portal:sign-out": "ends the guest's portal session and redirects; reads nothing",
}
