"""Routes of the reservations app for the route-coverage test (tests/test_audit_coverage.py).

Every screen or API answer that names a guest is PERSONAL and records its event through
reservations.selectors; configuration, availability, quotes, reports (aggregates) and the posting
endpoints (which redirect to a screen that records) are NOT_PERSONAL.
"""

from datetime import timedelta

from .testing import make_booking, make_in_house, setup_hotel


def _spec(user, url, action, target_type, target_id, method="get", data=None, status=200):
    return {
        "user": user,
        "method": method,
        "url": url,
        "data": data,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "status": status,
    }


def _screen(suffix, user="alice", action="view", status=200, checked_in=False):
    def build(people, hotels):
        prop = hotels["a"]
        b = make_booking(prop)
        if checked_in:
            from .models import BookingStatus

            type(b).objects.filter(pk=b.pk).update(status=BookingStatus.CHECKED_IN)
        return _spec(
            people[user], f"/p/{prop.code}/bookings/{b.pk}/{suffix}", action, "booking", b.pk, status=status
        )

    return build


def _search(people, hotels):
    prop = hotels["a"]
    b = make_booking(prop)
    url = f"/p/{prop.code}/bookings/"
    spec = _spec(people["alice"], url, "search", "booking", b.pk)
    spec["data"] = {"reference": b.reference}
    return spec


def _list(kind):
    def build(people, hotels):
        prop = hotels["a"]
        b = make_booking(prop)
        spec = _spec(people["alice"], f"/p/{prop.code}/front-desk/", "view", "booking", b.pk)
        spec["data"] = {"list": kind, "date": b.arrival.isoformat()}
        return spec

    return build


def _chart(people, hotels):
    prop = hotels["a"]
    b = make_booking(prop)
    return _spec(people["alice"], f"/p/{prop.code}/room-chart/", "view", "booking", b.pk)


def _export(people, hotels):
    setup_hotel(hotels["a"])
    return _spec(
        people["frank"], f"/p/{hotels['a'].code}/reports/export.csv", "export", "occupancy_report", None
    )


def _api_list(people, hotels):
    b = make_booking(hotels["a"])
    spec = _spec(people["alice"], "/api/v1/bookings/", "search", "booking", b.pk)
    spec["data"] = {"reference": b.reference}
    return spec


def _api_detail(people, hotels):
    b = make_booking(hotels["a"])
    return _spec(people["alice"], f"/api/v1/bookings/{b.pk}/", "view", "booking", b.pk)


def _api_action(suffix, data_fn, user="alice"):
    def build(people, hotels):
        b = make_booking(hotels["a"])
        return _spec(
            people[user],
            f"/api/v1/bookings/{b.pk}/{suffix}",
            "view",
            "booking",
            b.pk,
            method="post",
            data=data_fn(b),
            status=None,
        )

    return build


def _no_status(spec_fn):
    def build(people, hotels):
        spec = spec_fn(people, hotels)
        spec.pop("status", None)
        return spec

    return build


def _api_check_in(people, hotels):
    from guests.testing import prc_id

    b = make_booking(hotels["a"])
    data = {
        "version": b.version,
        "documents": [{"full_name": "王伟", "doc_type": "prc_id", "number": prc_id()}],
    }
    return _spec(people["alice"], f"/api/v1/bookings/{b.pk}/check-in/", "view", "booking", b.pk, "post", data)


def _api_check_out(people, hotels):
    from .services import folio_payment_post

    b = make_in_house(hotels["a"])
    folio_payment_post(actor=None, booking=b, kind="cash", amount=b.total)
    b.refresh_from_db()
    data = {"version": b.version}
    return _spec(
        people["alice"], f"/api/v1/bookings/{b.pk}/check-out/", "view", "booking", b.pk, "post", data
    )


def _api_departure(people, hotels):
    b = make_in_house(hotels["a"])
    data = {"version": b.version, "departure": (b.departure + timedelta(days=1)).isoformat()}
    return _spec(
        people["alice"], f"/api/v1/bookings/{b.pk}/departure/", "view", "booking", b.pk, "post", data
    )


def _api_move(people, hotels):
    from .models import Room

    b = make_in_house(hotels["a"])
    other = Room.objects.filter(room_type=b.room_type, is_active=True).exclude(pk=b.room_id).first()
    data = {"version": b.version, "room": other.number}
    return _spec(people["alice"], f"/api/v1/bookings/{b.pk}/move/", "view", "booking", b.pk, "post", data)


def _companion(people, hotels):
    from .testing import new_guest, unique_prc_id

    prop = hotels["a"]
    b = make_booking(prop)
    number = unique_prc_id()
    friend = new_guest(prop, id_number=number)
    url = f"/p/{prop.code}/bookings/{b.pk}/companions/"
    data = {"doc_type": "prc_id", "number": number}
    return _spec(people["alice"], url, "search", "guest", friend.pk, "post", data, status=302)


def _companion_remove(people, hotels):
    from .models import BookingCompanion
    from .testing import new_guest

    prop = hotels["a"]
    b = make_booking(prop)
    friend = new_guest(prop)
    BookingCompanion.objects.create(booking=b, guest=friend)
    url = f"/p/{prop.code}/bookings/{b.pk}/companions/{friend.pk}/remove/"
    return _spec(people["alice"], url, "view", "booking", b.pk, "post", None, status=302)


PERSONAL = {
    "reservations:companion-add": _companion,
    "reservations:companion-remove": _companion_remove,
    "api-booking-departure": _api_departure,
    "api-booking-move": _api_move,
    "reservations:booking-departure": _screen("departure/", checked_in=True),
    "api-booking-check-in": _api_check_in,
    "api-booking-check-out": _api_check_out,
    "reservations:booking-search": _search,
    "reservations:booking-detail": _screen(""),
    "reservations:booking-modify": _screen("modify/"),
    "reservations:booking-cancel": _screen("cancel/"),
    "reservations:booking-check-in": _screen("check-in/"),
    "reservations:booking-move": _screen("move/"),
    "reservations:booking-check-out": _screen("check-out/", checked_in=True),
    "reservations:booking-print": _screen("print/confirmation/", action="print"),
    "reservations:frontdesk": _list("arrivals"),
    "reservations:room-chart": _chart,
    "reservations:reports-export": _export,
    "api-bookings": _api_list,
    "api-booking": _api_detail,
    "api-booking-cancel": _no_status(
        _api_action("cancel/", lambda b: {"version": b.version, "reason": "plans changed"})
    ),
}

NOT_PERSONAL = {
    "reservations:booking-new": "the form; the guest look-up it uses is the guest search, which records",
    "reservations:booking-quote": "room types, rooms left and prices: no guest data",
    "reservations:guest-lookup": "calls guests.selectors.guest_search, which records the search event",
    "reservations:folio-post": "a write (change log) that redirects to the check-out screen, which records",
    "reservations:housekeeping": "rooms and their cleaning status: no guest data",
    "reservations:room-block-*": "rooms taken out of order and returned to sale: no guest data",
    "reservations:config*": "room types, rooms and rate plans: no guest data",
    "reservations:reports": "occupancy, ADR and RevPAR aggregates: no guest data",
    "reservations:forecast": "arrival and departure counts per day: no guest data",
    "api-availability": "room types, rooms left and prices: no guest data",
    "api-rooms": "rooms and their cleaning status: no guest data",
    "api-room-block*": "rooms out of order: room numbers, dates and a reason, no guest data",
    "api-rate-plans": "rate plans and prices: no guest data",
}

from .portal.audit_routes import NOT_PERSONAL as _N  # noqa: E402
from .portal.audit_routes import PERSONAL as _P  # noqa: E402

PERSONAL.update(_P)
NOT_PERSONAL.update(_N)
