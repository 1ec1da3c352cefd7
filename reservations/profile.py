"""What the reservations app adds to the guest profile (stays, current bookings) and to the guest
search (booking reference, room number within a date window)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pms.permissions import properties_for
from pms.roles import Capability


def _stays_context(actor, guest, prop) -> dict:
    from .selectors import guest_stays

    # Full history at the properties where the actor sees full profiles (and the current one,
    # reached through an access grant); a group-wide role sees the group's history.
    props = {p.pk: p for p in properties_for(actor, Capability.VIEW_GUEST_FULL)}
    if prop is not None:
        props.setdefault(prop.pk, prop)
    return guest_stays(guest=guest, properties=list(props.values()))


def _bookings_context(actor, guest, prop) -> dict:
    from .selectors import guest_upcoming

    return {"bookings": guest_upcoming(guest=guest, property=prop) if prop is not None else []}


def _by_reference(actor, value, properties, date_from=None, date_to=None):
    from .models import Booking
    from .selectors import normalise_reference

    ref = normalise_reference(value)
    qs = Booking.objects.filter(reference=ref, property__in=properties)
    ids = list(qs.values_list("guest_id", flat=True))
    ids += list(qs.values_list("companion_links__guest_id", flat=True))
    return [i for i in dict.fromkeys(ids) if i]


def _by_room(actor, value, properties, date_from=None, date_to=None):
    from .models import Booking

    qs = Booking.objects.filter(room__number=(value or "").strip(), property__in=properties)
    if date_from:
        qs = qs.filter(departure__gt=date_from)
    if date_to:
        qs = qs.filter(arrival__lte=date_to)
    qs = qs.exclude(status__in=["cancelled", "no_show"])
    ids = list(qs.values_list("guest_id", flat=True)[:200])
    ids += list(qs.values_list("companion_links__guest_id", flat=True)[:200])
    return [i for i in dict.fromkeys(ids) if i]


def _linked_by_booking(prop):
    """A guest is linked to a hotel where they hold or share a booking (guests.access)."""
    from django.db.models import Exists, OuterRef, Q

    from .models import Booking

    return Q(Exists(Booking.objects.filter(guest=OuterRef("pk"), property=prop))) | Q(
        Exists(Booking.objects.filter(companion_links__guest=OuterRef("pk"), property=prop))
    )


_LINKED_AMONG_SQL = """
    SELECT guest_id FROM reservations_booking WHERE property_id = %(prop)s AND guest_id = ANY(%(ids)s)
    UNION
    SELECT c.guest_id
      FROM reservations_bookingcompanion c JOIN reservations_booking b ON b.id = c.booking_id
     WHERE b.property_id = %(prop)s AND c.guest_id = ANY(%(ids)s)
"""


def _linked_by_booking_among(prop, guest_ids) -> set:
    """The same rule as `_linked_by_booking` for a few known guests, through the guest indexes."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(_LINKED_AMONG_SQL, {"prop": prop.pk, "ids": list(guest_ids)})
        return {row[0] for row in cur.fetchall()}


def register_all() -> None:
    from guests import access, search, sections

    access.register_link("booking", _linked_by_booking, _linked_by_booking_among)
    access.register_pass_action(
        _("Book them here"),
        Capability.MANAGE_BOOKINGS,
        lambda code, token: (
            reverse("reservations:booking-new", args=[code]) + "?" + urlencode({"pass": token})
        ),
    )

    sections.register(
        sections.ProfileSection(
            key="stays",
            title=_("Stays"),
            level="full",
            order=50,
            template="reservations/profile_stays.html",
            context=_stays_context,
        )
    )
    sections.register(
        sections.ProfileSection(
            key="bookings",
            title=_("Current and upcoming bookings"),
            level="basic",
            order=40,
            template="reservations/profile_bookings.html",
            context=_bookings_context,
        )
    )
    search.register(
        search.SearchCriterion(
            key="booking_reference",
            label=_("Booking reference"),
            kind="card_number",  # a credential: only its last four characters reach the audit trail
            guest_ids=_by_reference,
            order=30,
        )
    )
    search.register(
        search.SearchCriterion(
            key="room_number",
            label=_("Room number"),
            kind=None,
            needs_dates=True,
            guest_ids=_by_room,
            order=31,
        )
    )
