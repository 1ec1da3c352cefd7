"""A guest with a booking at a hotel can be found there by name and opened at the basic level."""

import pytest

from guests.selectors import guest_profile, guest_search
from reservations.testing import booking_payload, make_booking, new_guest

pytestmark = pytest.mark.django_db


def test_a_booking_links_the_guest_to_the_hotel_for_name_search(alice, hotel_a, hotel_b):
    guest = new_guest(hotel_b, family="欧阳", given="娜娜")
    before = guest_search(actor=alice, property=hotel_a, criteria={"name": "欧阳娜娜"})
    assert guest.pk not in [r.id for r in before.rows]
    make_booking(hotel_a, actor=alice, guest=guest, offset=3)
    after = guest_search(actor=alice, property=hotel_a, criteria={"name": "欧阳娜娜"})
    assert guest.pk in [r.id for r in after.rows]
    assert guest_profile(actor=alice, guest_id=guest.pk, property=hotel_a).level == "basic"


# ---------------------------------------------------------------- a returning guest from another hotel
#
# Carol works the desk at hotel B. A guest registered at hotel A stands in front of her with the ID
# card: the exact document search finds them (masked, not openable) with a document pass, and the
# pass, and only the pass, lets her book them at hotel B instead of registering a duplicate.


def _returning_guest(hotel_a, hotel_b):
    from reservations.testing import setup_hotel, unique_prc_id

    setup_hotel(hotel_b)
    number = unique_prc_id()
    return new_guest(hotel_a, family="司马", given="光", id_number=number), number


def test_a_document_search_hit_from_another_hotel_is_booked_here_with_its_pass(
    api_as, carol, hotel_a, hotel_b
):
    from reservations.models import Booking

    guest, number = _returning_guest(hotel_a, hotel_b)
    api = api_as(carol)
    (row,) = api.post("/api/v1/guests/search/", {"property": hotel_b.code, "id_number": number}).json()[
        "results"
    ]
    assert row["openable"] is False and row["document_pass"]

    r = api.post(
        "/api/v1/bookings/",
        booking_payload(hotel_b, guest, offset=1, nights=1, guest_pass=row["document_pass"]),
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert Booking.objects.get(pk=r.json()["id"]).guest_id == guest.pk
    # Booked here, the guest is linked: found by name, the basic profile opens, no pass any more.
    (again,) = guest_search(actor=carol, property=hotel_b, criteria={"name": "司马光"}).rows
    assert again.id == guest.pk and again.openable and again.document_pass == ""
    assert guest_profile(actor=carol, guest_id=guest.pk, property=hotel_b).level == "basic"


def test_without_a_valid_pass_a_guest_of_another_hotel_cannot_be_booked(
    api_as, carol, ivan, alice, hotel_a, hotel_b
):
    from guests.access import document_pass
    from reservations.models import Booking

    guest, _number = _returning_guest(hotel_a, hotel_b)
    api = api_as(carol)
    forged = [
        "",  # no pass: the id alone is not enough
        "not-a-pass",
        document_pass(ivan, hotel_b, guest.pk),  # issued to somebody else
        document_pass(carol, hotel_a, guest.pk),  # issued for another hotel
        document_pass(carol, hotel_b, new_guest(hotel_a).pk),  # for another guest
    ]
    for token in forged:
        r = api.post(
            "/api/v1/bookings/",
            booking_payload(hotel_b, guest, offset=1, nights=1, guest_pass=token),
            format="json",
        )
        assert r.status_code == 400, token
        assert "guest" in r.json()["errors"]
    assert not Booking.objects.filter(guest=guest).exists()


def test_an_expired_pass_is_refused(api_as, carol, hotel_a, hotel_b, settings, monkeypatch):
    import time

    from django.core import signing

    from guests.access import document_pass

    guest, _number = _returning_guest(hotel_a, hotel_b)
    settings.GUEST_DOCUMENT_PASS_MINUTES = 30
    issued = int(time.time()) - 31 * 60  # the pass was handed out 31 minutes ago
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(issued))
    token = document_pass(carol, hotel_b, guest.pk)
    monkeypatch.undo()
    r = api_as(carol).post(
        "/api/v1/bookings/",
        booking_payload(hotel_b, guest, offset=1, nights=1, guest_pass=token),
        format="json",
    )
    assert r.status_code == 400 and "guest" in r.json()["errors"]


def test_the_desk_screens_offer_the_pass(client, login, carol, hotel_a, hotel_b):
    from reservations.models import Booking, RatePlan, RoomType

    guest, number = _returning_guest(hotel_a, hotel_b)
    login(carol)
    # The guest search lists the hit with "Book them here" carrying the pass.
    page = client.post(f"/guests/p/{hotel_b.code}/", {"id_number": number}).content.decode()
    assert "Book them here" in page and f"/p/{hotel_b.code}/bookings/new/?pass=" in page
    # The look-up on the new-booking screen recognises the ID number and hands out the pass too.
    lookup = client.get(f"/p/{hotel_b.code}/bookings/guest-lookup/", {"q": number}).content.decode()
    assert f'data-pick-guest="{guest.pk}"' in lookup and "data-guest-pass=" in lookup
    assert number not in lookup
    token = lookup.split('data-guest-pass="')[1].split('"')[0]
    body = booking_payload(
        hotel_b, guest, offset=1, nights=1, guest_pass=token, adults=1, children=0, channel="desk"
    )
    body["room_type"] = str(RoomType.objects.get(property=hotel_b, code="std").pk)
    body["rate_plan"] = str(RatePlan.objects.get(property=hotel_b, code="bar").pk)
    r = client.post(f"/p/{hotel_b.code}/bookings/new/", body)
    assert r.status_code == 302, r.content.decode()
    assert Booking.objects.filter(guest=guest, property=hotel_b).count() == 1
