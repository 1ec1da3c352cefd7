"""Taking a booking, as the desk's screen and the API both do it: the guest (one the desk can find,
one passed in by their ID document, or a new profile) and the booking, in one transaction, so a
refused booking (no room left, a closed night, too many guests) leaves no new guest profile behind.

It sits beside services and selectors, and uses both: the guest is looked up through the selector,
registered and booked through the services."""

from __future__ import annotations

from django.db import transaction

from . import selectors, services


def booking_take(
    *, actor, property, guest_id=None, document_pass: str = "", new_guest: dict | None = None, **stay
):
    with transaction.atomic():
        if guest_id:
            guest = selectors.bookable_guest(
                actor=actor, property=property, guest_id=guest_id, document_pass=document_pass
            )
        else:
            guest = services.guest_for_booking_create(actor=actor, property=property, **(new_guest or {}))
        return services.booking_create(actor=actor, property=property, guest=guest, **stay)
