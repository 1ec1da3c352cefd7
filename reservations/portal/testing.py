"""Helpers for tests and the route declarations: give a test client a guest portal session."""

from __future__ import annotations

from django.conf import settings

from . import tokens


def lookup_session(client, booking) -> None:
    """Find `booking` by its reference and family name, as a guest would: the client then holds a
    portal session for that booking."""
    response = client.post(
        "/my-booking/", {"reference": booking.reference, "family_name": booking.guest.family_name}
    )
    assert response.status_code == 302, response.status_code


def link_session(client, guest) -> None:
    """Sign `guest` in as if by the e-mailed link, from this client's browser."""
    nonce = tokens.new_browser_nonce()
    client.cookies[settings.PORTAL_BROWSER_COOKIE] = nonce
    signed = tokens.link_issue(guest_ids=[str(guest.pk)], browser_nonce=nonce)
    response = client.get(f"/my-bookings/sign-in/{signed}/")
    assert response.status_code == 302, response.status_code
