"""The bookings API: create, filter, modify, cancel, check-in/out; 409 for conflicts and stale
versions, 400 for bad input with nothing changed, 404 for another hotel; problem details."""

from datetime import timedelta

import pytest

from audit.models import AccessEvent
from reservations import services
from reservations.models import Booking, Inventory
from reservations.testing import booking_payload, make_booking, new_guest, setup_hotel, unique_prc_id

pytestmark = pytest.mark.django_db


def test_create_then_read_then_search(api_as, heidi, hotel_a):
    setup_hotel(hotel_a)
    api = api_as(heidi)
    r = api.post("/api/v1/bookings/", booking_payload(hotel_a, new_guest(hotel_a)), format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["total"] == "1000.00" and [n["price"] for n in body["nightly_prices"]] == ["500.00", "500.00"]
    assert len(body["reference"]) == 10 and not set(body["reference"]) & set("0O1I")
    r = api.get("/api/v1/bookings/", {"reference": body["reference"]})
    assert r.status_code == 200 and r.json()["results"][0]["guest_masked"] == "王*"
    assert AccessEvent.objects.filter(
        actor_user_id=heidi.pk, action="search", target_ids=[body["id"]]
    ).exists()


def test_the_last_room_gone_is_409_with_alternatives(api_as, alice, hotel_a):
    setup_hotel(hotel_a, rooms=1)
    setup_hotel(hotel_a, rooms=1, code="dlx", price="800.00")
    api = api_as(alice)
    assert (
        api.post("/api/v1/bookings/", booking_payload(hotel_a, new_guest(hotel_a)), format="json").status_code
        == 201
    )
    r = api.post("/api/v1/bookings/", booking_payload(hotel_a, new_guest(hotel_a)), format="json")
    assert r.status_code == 409
    body = r.json()
    assert body["status"] == 409 and r["Content-Type"].startswith("application/problem+json")
    assert [a["room_type"] for a in body["alternatives"]] == ["dlx"]
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"departure": "arrival"}, "departure"),
        ({"adults": 5}, "adults"),
        ({"room_type": "nope"}, "room_type"),
        ({"arrival": "past"}, "arrival"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(change, field, api_as, alice, hotel_a):
    setup_hotel(hotel_a)
    body = booking_payload(hotel_a, new_guest(hotel_a))
    today = services.local_today(hotel_a)
    for k, v in change.items():
        body[k] = {"arrival": body["arrival"], "past": str(today - timedelta(days=1))}.get(v, v)
    r = api_as(alice).post("/api/v1/bookings/", body, format="json")
    assert r.status_code == 400 and field in r.json()["errors"], r.json()
    assert Booking.objects.count() == 0 and not Inventory.objects.filter(sold__gt=0).exists()


def test_a_stale_version_is_409(api_as, alice, hotel_a):
    b = make_booking(hotel_a, offset=3)
    api = api_as(alice)
    assert (
        api.patch(f"/api/v1/bookings/{b.pk}/", {"version": 1, "adults": 2}, format="json").status_code == 200
    )
    r = api.patch(f"/api/v1/bookings/{b.pk}/", {"version": 1, "special_requests": "quiet"}, format="json")
    assert r.status_code == 409
    b.refresh_from_db()
    assert b.special_requests == "" and b.version == 2


def test_another_hotels_booking_is_404(api_as, carol, hotel_a):
    b = make_booking(hotel_a)
    api = api_as(carol)
    assert api.get(f"/api/v1/bookings/{b.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/bookings/{b.pk}/cancel/", {"version": 1, "reason": "x"}, format="json").status_code
        == 404
    )
    assert Booking.objects.get(pk=b.pk).status == "confirmed"


def test_check_in_and_out_through_the_api(api_as, alice, hotel_a):
    b = make_booking(hotel_a, nights=1)
    api = api_as(alice)
    docs = [{"full_name": "王伟", "doc_type": "prc_id", "number": unique_prc_id()}]
    r = api.post(
        f"/api/v1/bookings/{b.pk}/check-in/", {"version": b.version, "documents": docs}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "checked_in"
    r = api.post(f"/api/v1/bookings/{b.pk}/check-out/", {"version": r.json()["version"]}, format="json")
    assert r.status_code == 400 and "unpaid balance" in r.json()["detail"]
    services.folio_payment_post(actor=alice, booking=b, kind="card", amount="500.00")
    b.refresh_from_db()
    r = api.post(f"/api/v1/bookings/{b.pk}/check-out/", {"version": b.version}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "checked_out" and r.json()["balance"] == "0.00"


def test_availability_prices_the_stay(api_as, heidi, hotel_a):
    setup_hotel(hotel_a, rooms=2, price="300.00")
    make_booking(hotel_a, offset=1, nights=1)
    today = services.local_today(hotel_a)
    r = api_as(heidi).get(
        "/api/v1/availability/",
        {
            "property": hotel_a.code,
            "arrival": str(today + timedelta(days=1)),
            "departure": str(today + timedelta(days=3)),
        },
    )
    assert r.status_code == 200
    (q,) = r.json()
    assert q["available"] == 1 and q["total"] == "600.00" and q["bookable"] is True


@pytest.mark.parametrize(
    ("person", "status"), [("alice", 200), ("erin", 200), ("carol", 404), ("grace", 404)]
)
def test_rooms_and_rate_plans_by_role(person, status, api_as, people, hotel_a):
    setup_hotel(hotel_a)
    api = api_as(people[person])
    assert api.get("/api/v1/rooms/", {"property": hotel_a.code}).status_code == status
    assert api.get("/api/v1/rate-plans/", {"property": hotel_a.code}).status_code == status


def test_a_guest_not_linked_to_the_hotel_cannot_be_booked_by_id(api_as, alice, hotel_a, hotel_b):
    from audit.models import AccessEventGuest
    from reservations.models import Booking

    setup_hotel(hotel_a)
    stranger = new_guest(hotel_b)  # registered at another hotel, never seen at Hotel A
    before = Booking.objects.count()
    r = api_as(alice).post("/api/v1/bookings/", booking_payload(hotel_a, stranger), format="json")
    assert r.status_code == 400
    assert "guest" in r.json()["errors"]
    assert Booking.objects.count() == before
    assert not AccessEventGuest.objects.filter(guest_id=stranger.pk).exists()


def test_a_refused_booking_through_the_api_leaves_no_new_guest(api_as, alice, hotel_a):
    from guests.models import Guest

    setup_hotel(hotel_a, rooms=1)
    api = api_as(alice)
    first = booking_payload(hotel_a, new_guest(hotel_a))
    assert api.post("/api/v1/bookings/", first, format="json").status_code == 201
    before = Guest.objects.count()
    body = {**first, "new_guest": {"family_name": "Lost", "given_name": "Profile"}}
    del body["guest"]
    assert api.post("/api/v1/bookings/", body, format="json").status_code == 409  # the last room has gone
    assert Guest.objects.count() == before
