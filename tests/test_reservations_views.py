"""Screens: who may open what (every route, every role; another hotel answers 404), the access
events they record, and the desk's flows through the forms."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AccessEvent, AccessEventGuest
from guests.testing import make_guest, prc_id
from reservations import services
from reservations.models import Booking, BookingStatus, RatePlan, Room, RoomType
from reservations.testing import make_booking, setup_hotel

pytestmark = pytest.mark.django_db

ALL = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"}
DESK = {"alice", "bob"}  # check_in_out at Hotel A
BOOKERS = {"alice", "bob", "heidi"}  # manage_bookings at Hotel A

# route -> (url suffix builder, who gets 200; everyone else gets 404)
MATRIX = {
    "booking-search": (lambda b: "bookings/", BOOKERS),
    "booking-new": (lambda b: "bookings/new/", BOOKERS),
    "booking-quote": (lambda b: "bookings/quote/", BOOKERS),
    "guest-lookup": (lambda b: "bookings/guest-lookup/?q=王", BOOKERS),
    "booking-detail": (lambda b: f"bookings/{b.pk}/", BOOKERS),
    "booking-modify": (lambda b: f"bookings/{b.pk}/modify/", BOOKERS),
    "booking-cancel": (lambda b: f"bookings/{b.pk}/cancel/", BOOKERS),
    "booking-check-in": (lambda b: f"bookings/{b.pk}/check-in/", DESK),
    "booking-move": (lambda b: f"bookings/{b.pk}/move/", DESK),
    "booking-departure": (lambda b: f"bookings/{b.pk}/departure/", DESK),
    "booking-check-out": (lambda b: f"bookings/{b.pk}/check-out/", DESK),
    "print-confirmation": (lambda b: f"bookings/{b.pk}/print/confirmation/", BOOKERS),
    "print-registration": (lambda b: f"bookings/{b.pk}/print/registration/", DESK),
    "frontdesk": (lambda b: "front-desk/", BOOKERS),
    "room-chart": (lambda b: "room-chart/", BOOKERS),
    "housekeeping": (lambda b: "housekeeping/", DESK),
    "config": (lambda b: "config/", {"bob", "erin"}),
    "config-room-type-new": (lambda b: "config/room-types/new/", {"bob", "erin"}),
    "config-room-new": (lambda b: "config/rooms/new/", {"bob", "erin"}),
    "config-rate-plan-new": (lambda b: "config/rate-plans/new/", {"bob", "erin"}),
    "reports": (lambda b: "reports/", {"bob", "frank"}),
    "reports-export": (lambda b: "reports/export.csv", {"frank"}),
    "forecast": (lambda b: "forecast/", {"alice", "bob", "heidi", "frank"}),
}


@pytest.mark.parametrize("person", sorted(ALL))
def test_permission_matrix(person, people, hotel_a, login):
    """Every route for one role: 200 where the role may, 404 (never 403) everywhere else."""
    b = make_booking(hotel_a)
    client = login(people[person])
    got = {
        route: client.get(f"/p/{hotel_a.code}/{suffix(b)}").status_code
        for route, (suffix, _) in MATRIX.items()
    }
    expected = {route: 200 if person in allowed else 404 for route, (_, allowed) in MATRIX.items()}
    assert got == expected


def test_another_hotels_booking_answers_404_and_is_recorded_as_denied(hotel_a, hotel_b, carol, login):
    b = make_booking(hotel_a)
    client = login(carol)
    assert client.get(f"/p/{hotel_b.code}/bookings/{b.pk}/").status_code == 404
    assert client.get(f"/p/{hotel_a.code}/bookings/{b.pk}/").status_code == 404
    ev = AccessEvent.objects.get(actor_user_id=carol.pk, target_type="booking")
    assert ev.outcome == "denied" and ev.target_ids == [str(b.pk)]


def test_search_masks_names_and_records_the_ids_it_returned(hotel_a, alice, login):
    guest = make_guest(hotel_a, family="王", given="小明")
    b = make_booking(hotel_a, guest=guest)
    make_booking(hotel_a)  # another 王伟: also matched by the family name
    response = login(alice).get(f"/p/{hotel_a.code}/bookings/", {"name": "王小明"})
    results = response.content.decode().split('data-testid="booking-rows"')[1]
    assert response.status_code == 200 and b.reference in results
    assert "王小明" not in results and "王**" in results
    ev = AccessEvent.objects.get(actor_user_id=alice.pk, action="search", target_type="booking")
    assert ev.target_ids == [str(b.pk)]
    assert "小明" not in str(ev.criteria) and ev.criteria["name"]["masked"] == "王**"
    assert list(AccessEventGuest.objects.filter(event=ev).values_list("guest_id", flat=True)) == [guest.pk]


def test_search_by_reference_keeps_only_its_last_four_in_the_trail(hotel_a, alice, login):
    b = make_booking(hotel_a)
    login(alice).get(f"/p/{hotel_a.code}/bookings/", {"reference": b.reference.lower()})
    ev = AccessEvent.objects.get(actor_user_id=alice.pk, action="search")
    assert ev.target_ids == [str(b.pk)]
    assert b.reference not in str(ev.criteria) and ev.criteria["reference"]["masked"].endswith(
        b.reference[-4:]
    )


@pytest.mark.parametrize("document", ["confirmation", "registration", "receipt"])
def test_printing_records_a_print_event(document, hotel_a, alice, login):
    b = make_booking(hotel_a)
    response = login(alice).get(f"/p/{hotel_a.code}/bookings/{b.pk}/print/{document}/")
    assert response.status_code == 200
    ev = AccessEvent.objects.get(actor_user_id=alice.pk, action="print")
    assert ev.target_ids == [str(b.pk)] and ev.reason == document


def test_the_csv_export_is_recorded_and_holds_no_guest_name(hotel_a, frank, login):
    make_booking(hotel_a, guest=make_guest(hotel_a, family="赵", given="敏"))
    response = login(frank).get(f"/p/{hotel_a.code}/reports/export.csv")
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith("period,rooms_out_of_order,rooms_available")
    assert "赵" not in body
    assert AccessEvent.objects.filter(actor_user_id=frank.pk, action="export").count() == 1


def test_the_desk_takes_a_booking_for_a_new_guest(hotel_a, heidi, login):
    rt, plan = setup_hotel(hotel_a)
    today = services.local_today(hotel_a)
    response = login(heidi).post(
        f"/p/{hotel_a.code}/bookings/new/",
        {
            "family_name": "Smith",
            "given_name": "Jane",
            "phone": "+447700900123",
            "arrival": today + timedelta(days=3),
            "departure": today + timedelta(days=5),
            "adults": 2,
            "children": 0,
            "rate_plan": plan.pk,
            "room_type": rt.pk,
            "channel": "phone",
        },
    )
    b = Booking.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/bookings/{b.pk}/")
    assert b.guest.display_name == "Jane Smith" and b.total == 1000 and b.channel == "phone"


def test_the_last_room_gone_shows_alternatives(hotel_a, alice, login):
    rt, plan = setup_hotel(hotel_a, rooms=1)
    setup_hotel(hotel_a, rooms=2, code="dlx", price="800.00")
    b = make_booking(hotel_a, offset=3, nights=1)
    response = login(alice).post(
        f"/p/{hotel_a.code}/bookings/new/",
        {
            "family_name": "李",
            "given_name": "娜",
            "arrival": b.arrival,
            "departure": b.departure,
            "adults": 1,
            "children": 0,
            "rate_plan": plan.pk,
            "room_type": rt.pk,
            "channel": "desk",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "has just gone" in html and 'data-testid="alternatives"' in html and "Dlx" in html
    assert Booking.objects.count() == 1


def test_the_quote_shows_rooms_left_and_the_total(hotel_a, alice, login):
    _rt, plan = setup_hotel(hotel_a, rooms=2, price="450.00")
    today = services.local_today(hotel_a)
    response = login(alice).get(
        f"/p/{hotel_a.code}/bookings/quote/",
        {
            "arrival": today + timedelta(days=1),
            "departure": today + timedelta(days=4),
            "adults": 1,
            "children": 0,
            "rate_plan": plan.pk,
        },
    )
    assert response.status_code == 200 and "1350.00" in response.content.decode()


def test_config_screens_save_through_the_services(hotel_a, erin, login):
    client = login(erin)
    client.post(
        f"/p/{hotel_a.code}/config/room-types/new/",
        {"code": "twn", "name": "双床房", "max_adults": 2, "max_children": 1, "is_active": "on"},
    )
    rt = RoomType.objects.get(property=hotel_a, code="twn")
    r = client.post(
        f"/p/{hotel_a.code}/config/rooms/new/",
        {
            "number": "501",
            "floor": 5,
            "room_type": rt.pk,
            "features": "sea view,quiet",
            "housekeeping": "clean",
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    assert Room.objects.get(property=hotel_a, number="501").features == ["sea view", "quiet"]
    client.post(
        f"/p/{hotel_a.code}/config/rate-plans/new/",
        {
            "code": "bb",
            "name": "含早",
            "meal_plan": "breakfast",
            "free_cancel_hours": 48,
            "is_active": "on",
            f"price_{rt.pk}": "620.00",
        },
    )
    plan = RatePlan.objects.get(property=hotel_a, code="bb")
    assert plan.prices.get().price == 620


def test_navigation_shows_bookings_to_the_desk_only(hotel_a, alice, erin, login):
    html = login(alice).get(reverse("property_home", args=[hotel_a.code])).content.decode()
    assert 'data-nav="bookings"' in html and 'data-nav="config"' not in html
    html = login(erin).get(reverse("property_home", args=[hotel_a.code])).content.decode()
    assert 'data-nav="bookings"' not in html and 'data-nav="config"' in html


def test_check_in_through_the_screen(hotel_a, alice, login):
    b = make_booking(hotel_a)
    response = login(alice).post(
        f"/p/{hotel_a.code}/bookings/{b.pk}/check-in/",
        {
            "version": b.version,
            "room": "",
            "name_1": "王伟",
            "doc_type_1": "prc_id",
            "number_1": prc_id(),
            "nationality_1": "CN",
        },
    )
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.status == BookingStatus.CHECKED_IN and b.room is not None


def test_a_late_cancellation_fee_is_collected_from_the_folio(alice, hotel_a, login):
    setup_hotel(hotel_a, price="480.00")
    b = make_booking(hotel_a, offset=0)  # arriving today: past the free-cancellation deadline
    b = services.booking_cancel(actor=alice, booking=b, version=b.version, reason="guest changed plans")
    assert services.folio_balance(booking=b) == Decimal("480.00")
    client = login(alice)
    url = f"/p/{hotel_a.code}/bookings/{b.pk}/"
    assert 'data-testid="collect-fee"' in client.get(url).content.decode()
    page = client.get(url + "check-out/").content.decode()
    assert "480.00" in page and 'id="check-out-form"' not in page  # no check-out for a cancelled booking
    client.post(url + "folio/", {"what": "payment", "kind": "card", "amount": "480.00"})
    assert services.folio_balance(booking=b) == Decimal("0.00")
    assert 'data-testid="collect-fee"' not in client.get(url).content.decode()


def test_the_desk_sees_the_new_price_before_saving_a_change(hotel_a, alice, login):
    from reservations.models import Inventory

    rt, plan = setup_hotel(hotel_a, price="500.00")
    b = make_booking(hotel_a, offset=3, nights=2)
    client = login(alice)
    url = f"/p/{hotel_a.code}/bookings/{b.pk}/modify/"
    data = {
        "arrival": b.arrival.isoformat(),
        "departure": (b.departure + timedelta(days=1)).isoformat(),
        "adults": 1,
        "children": 0,
        "rate_plan": plan.pk,
        "room_type": rt.pk,
        "version": b.version,
        "special_requests": "",
    }
    sold_before = list(Inventory.objects.order_by("date").values_list("date", "sold"))
    r = client.post(url, {**data, "step": "preview"})
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="preview"' in page and "1500.00 CNY" in page
    assert Booking.objects.get(pk=b.pk).departure == b.departure  # nothing saved
    assert list(Inventory.objects.order_by("date").values_list("date", "sold")) == sold_before
    assert 'name="total_shown" value="1500.00"' in page

    stale = client.post(url, {**data, "step": "save", "total_shown": "1400.00"})
    assert stale.status_code == 200 and "The price changed since it was shown" in stale.content.decode()
    assert Booking.objects.get(pk=b.pk).departure == b.departure

    done = client.post(url, {**data, "step": "save", "total_shown": "1500.00"}, follow=True)
    assert "the stay now costs 1500.00 CNY" in done.content.decode()
    assert Booking.objects.get(pk=b.pk).departure == b.departure + timedelta(days=1)
