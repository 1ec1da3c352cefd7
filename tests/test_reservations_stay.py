"""An in-house stay extended or shortened, guests overstaying their departure, and moving a stay
through the API: prices, inventory, conflicts, refusals that change nothing, and who may do it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import AccessEvent
from guests.testing import prc_id
from reservations import services
from reservations.models import Booking, BookingStatus, FolioLine, Inventory, RateOverride, Room, RoomMove
from reservations.testing import make_booking, make_in_house, setup_hotel

pytestmark = pytest.mark.django_db


def _sold(room_type, day):
    return Inventory.objects.filter(room_type=room_type, date=day).values_list("sold", flat=True).first() or 0


def _state(b):
    b = Booking.objects.get(pk=b.pk)
    return (b.departure, b.total, list(b.nightly_prices), b.version, b.room_id, b.status)


def test_extending_prices_the_added_nights_and_takes_them_from_the_inventory(hotel_a, alice):
    rt, plan = setup_hotel(hotel_a)
    b = make_in_house(hotel_a, nights=2)
    extra = b.departure
    RateOverride.objects.create(rate_plan=plan, room_type=rt, date=extra + timedelta(days=1), price="650.00")
    assert _sold(rt, extra) == 0

    b = services.booking_departure_change(
        actor=alice, booking=b, version=b.version, departure=extra + timedelta(days=2)
    )

    b.refresh_from_db()
    assert b.nights == 4 and b.nightly_prices == ["500.00", "500.00", "500.00", "650.00"]
    assert b.total == Decimal("2150.00") and b.status == BookingStatus.CHECKED_IN
    assert _sold(rt, extra) == 1 and _sold(rt, extra + timedelta(days=1)) == 1


def test_shortening_gives_the_nights_back(hotel_a, alice):
    rt, _ = setup_hotel(hotel_a)
    b = make_in_house(hotel_a, nights=4)
    last = b.departure - timedelta(days=1)
    assert _sold(rt, last) == 1

    b = services.booking_departure_change(
        actor=alice, booking=b, version=b.version, departure=b.arrival + timedelta(days=2)
    )

    b.refresh_from_db()
    assert b.nights == 2 and b.total == Decimal("1000.00") and b.nightly_prices == ["500.00", "500.00"]
    assert _sold(rt, last) == 0 and _sold(rt, b.arrival + timedelta(days=2)) == 0
    assert _sold(rt, b.arrival) == 1


def test_an_extension_into_a_night_the_room_is_promised_for_is_a_conflict_naming_the_room(hotel_a, alice):
    setup_hotel(hotel_a, rooms=2)
    b = make_in_house(hotel_a, nights=2)
    nxt = make_booking(hotel_a, offset=2, nights=2)
    services.booking_room_assign(actor=alice, booking=nxt, room=b.room)
    before = _state(b)

    with pytest.raises(
        services.BookingConflict, match=f"Room {b.room.number} is promised to another booking"
    ):
        services.booking_departure_change(
            actor=alice, booking=b, version=b.version, departure=b.departure + timedelta(days=1)
        )
    assert _state(b) == before
    assert _sold(b.room_type, b.departure) == 1  # only the other booking's night


def test_an_extension_when_the_type_is_full_is_a_conflict_and_changes_nothing(hotel_a, alice):
    setup_hotel(hotel_a, rooms=1)
    b = make_in_house(hotel_a, nights=1)
    make_booking(hotel_a, offset=1, nights=1)  # the only room, unassigned, for tomorrow
    before = _state(b)
    with pytest.raises(services.BookingConflict, match=r"No .* room is left"):
        services.booking_departure_change(
            actor=alice, booking=b, version=b.version, departure=b.departure + timedelta(days=1)
        )
    assert _state(b) == before and _sold(b.room_type, b.departure) == 1


def test_a_closed_night_refuses_the_extension(hotel_a, alice):
    rt, plan = setup_hotel(hotel_a)
    b = make_in_house(hotel_a, nights=1)
    RateOverride.objects.create(rate_plan=plan, room_type=rt, date=b.departure, closed=True)
    before = _state(b)
    with pytest.raises(ValidationError) as exc:
        services.booking_departure_change(
            actor=alice, booking=b, version=b.version, departure=b.departure + timedelta(days=1)
        )
    assert "closed for sale" in exc.value.message_dict["departure"][0]
    assert _state(b) == before and _sold(rt, b.departure) == 0


@pytest.mark.parametrize(
    ("departure", "message"),
    [
        (lambda b, today: today, "must be after today"),
        (lambda b, today: b.departure, "current departure"),
        (lambda b, today: b.arrival + timedelta(days=91), "at most 90 nights"),
    ],
)
def test_bad_departures_are_refused_with_a_reason(departure, message, hotel_a, alice):
    setup_hotel(hotel_a)
    b = make_in_house(hotel_a, nights=2)
    before = _state(b)
    with pytest.raises(ValidationError) as exc:
        services.booking_departure_change(
            actor=alice, booking=b, version=b.version, departure=departure(b, services.local_today(hotel_a))
        )
    assert message in exc.value.message_dict["departure"][0]
    assert _state(b) == before


def test_only_an_in_house_stay_is_extended_here(hotel_a, alice):
    b = make_booking(hotel_a)
    with pytest.raises(ValidationError, match="Only a checked-in stay"):
        services.booking_departure_change(
            actor=alice, booking=b, version=b.version, departure=b.departure + timedelta(days=1)
        )


def test_a_stale_version_is_a_conflict(hotel_a, alice):
    setup_hotel(hotel_a)
    b = make_in_house(hotel_a)
    with pytest.raises(services.StaleBooking):
        services.booking_departure_change(
            actor=alice, booking=b, version=b.version - 1, departure=b.departure + timedelta(days=1)
        )


# ------------------------------------------------------------------ overstays


def _overstaying(prop):
    """A guest checked in two nights ago for one night, still in house."""
    setup_hotel(prop)
    b = make_in_house(prop, nights=1)
    today = services.local_today(prop)
    Booking.objects.filter(pk=b.pk).update(
        arrival=today - timedelta(days=2), departure=today - timedelta(days=1)
    )
    Inventory.objects.filter(room_type=b.room_type).update(sold=0)
    services._inventory_take(b.room_type, [today - timedelta(days=2)])
    b.refresh_from_db()
    return b


def test_an_overstaying_guest_is_listed_as_overdue_in_todays_departures_and_in_house(hotel_a, alice, login):
    b = _overstaying(hotel_a)
    client = login(alice)
    today = services.local_today(hotel_a)
    for kind in ("departures", "in_house"):
        page = client.get(f"/p/{hotel_a.code}/front-desk/", {"list": kind, "date": today.isoformat()})
        html = page.content.decode()
        assert b.reference in html and 'data-testid="overdue"' in html, kind
    tomorrow = (today + timedelta(days=1)).isoformat()
    for kind in ("departures", "in_house"):
        page = client.get(f"/p/{hotel_a.code}/front-desk/", {"list": kind, "date": tomorrow})
        assert b.reference not in page.content.decode(), kind  # only today's lists hold the overdue
    detail = client.get(f"/p/{hotel_a.code}/bookings/{b.pk}/").content.decode()
    assert "overdue: still in house" in detail and "Extend or shorten the stay" in detail
    check_out = client.get(f"/p/{hotel_a.code}/bookings/{b.pk}/check-out/").content.decode()
    assert "would not be charged" in check_out


def test_the_night_audit_counts_overstays(hotel_a):
    b = _overstaying(hotel_a)
    result = services.night_audit_run(property=hotel_a)
    assert result.overstays == 1
    services.booking_departure_change(
        actor=None, booking=b, version=b.version, departure=services.local_today(hotel_a) + timedelta(days=1)
    )
    assert services.night_audit_run(property=hotel_a).overstays == 0


def test_extending_an_overstay_books_the_nights_stayed_and_check_out_charges_them(hotel_a, alice):
    b = _overstaying(hotel_a)
    today = services.local_today(hotel_a)
    b = services.booking_departure_change(
        actor=alice, booking=b, version=b.version, departure=today + timedelta(days=1)
    )
    assert b.nights == 3 and _sold(b.room_type, today - timedelta(days=1)) == 1
    services.folio_payment_post(actor=alice, booking=b, kind="cash", amount=Decimal("1000.00"))
    b.refresh_from_db()
    b = services.booking_check_out(actor=alice, booking=b, version=b.version)
    nights = sorted(FolioLine.objects.filter(booking=b, kind="room").values_list("night", flat=True))
    assert nights == [today - timedelta(days=2), today - timedelta(days=1)]  # tonight given back
    assert b.departure == today and b.total == Decimal("1000.00")


# ------------------------------------------------------------------ the screen


def test_the_desk_extends_a_stay_through_the_screen(hotel_a, alice, login):
    setup_hotel(hotel_a)
    b = make_in_house(hotel_a, nights=2)
    client = login(alice)
    url = f"/p/{hotel_a.code}/bookings/{b.pk}/departure/"
    new = (b.departure + timedelta(days=1)).isoformat()
    r = client.post(url, {"version": b.version, "departure": new}, follow=True)
    assert r.status_code == 200
    assert f"Departure changed from {b.departure.isoformat()} to {new}" in r.content.decode()
    assert Booking.objects.get(pk=b.pk).nights == 3
    assert AccessEvent.objects.filter(actor_user_id=alice.pk, action="view", target_ids=[str(b.pk)]).exists()


def test_the_screen_shows_the_conflict_and_keeps_the_stay(hotel_a, alice, login):
    setup_hotel(hotel_a, rooms=2)
    b = make_in_house(hotel_a, nights=2)
    nxt = make_booking(hotel_a, offset=2, nights=1)
    services.booking_room_assign(actor=alice, booking=nxt, room=b.room)
    before = _state(b)
    r = login(alice).post(
        f"/p/{hotel_a.code}/bookings/{b.pk}/departure/",
        {"version": b.version, "departure": (b.departure + timedelta(days=1)).isoformat()},
    )
    assert r.status_code == 409 and "is promised to another booking" in r.content.decode()
    assert _state(b) == before


def test_the_screen_explains_a_bad_date(hotel_a, alice, login):
    setup_hotel(hotel_a)
    b = make_in_house(hotel_a)
    r = login(alice).post(
        f"/p/{hotel_a.code}/bookings/{b.pk}/departure/", {"version": b.version, "departure": "soon"}
    )
    assert r.status_code == 200 and "Enter the date as YYYY-MM-DD." in r.content.decode()
    r = login(alice).post(
        f"/p/{hotel_a.code}/bookings/{b.pk}/departure/",
        {"version": b.version, "departure": services.local_today(hotel_a).isoformat()},
    )
    assert r.status_code == 400 and "a guest leaving today is checked out" in r.content.decode()


@pytest.mark.parametrize("person", ["heidi", "carol", "dave", "erin", "frank", "grace", "ivan"])
def test_who_may_not_change_a_departure_gets_404_and_nothing_changes(person, people, hotel_a, login):
    setup_hotel(hotel_a)
    b = make_in_house(hotel_a)
    before = _state(b)
    r = login(people[person]).post(
        f"/p/{hotel_a.code}/bookings/{b.pk}/departure/",
        {"version": b.version, "departure": (b.departure + timedelta(days=1)).isoformat()},
    )
    assert r.status_code == 404 and _state(b) == before


# ------------------------------------------------------------------ the API


def test_the_api_extends_and_shortens(api_as, alice, hotel_a):
    setup_hotel(hotel_a)
    b = make_in_house(hotel_a, nights=2)
    api = api_as(alice)
    r = api.post(
        f"/api/v1/bookings/{b.pk}/departure/",
        {"version": b.version, "departure": (b.departure + timedelta(days=1)).isoformat()},
        format="json",
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["total"] == "1500.00" and len(body["nightly_prices"]) == 3
    r = api.post(
        f"/api/v1/bookings/{b.pk}/departure/",
        {"version": body["version"], "departure": (b.arrival + timedelta(days=1)).isoformat()},
        format="json",
    )
    assert r.status_code == 200 and r.json()["total"] == "500.00"


def test_the_api_answers_409_400_and_404(api_as, alice, carol, heidi, hotel_a):
    setup_hotel(hotel_a, rooms=2)
    b = make_in_house(hotel_a, nights=2)
    nxt = make_booking(hotel_a, offset=2, nights=1)
    services.booking_room_assign(actor=alice, booking=nxt, room=b.room)
    before = _state(b)
    body = {"version": b.version, "departure": (b.departure + timedelta(days=1)).isoformat()}
    r = api_as(alice).post(f"/api/v1/bookings/{b.pk}/departure/", body, format="json")
    assert r.status_code == 409 and "promised to another booking" in r.json()["detail"]
    r = api_as(alice).post(
        f"/api/v1/bookings/{b.pk}/departure/",
        {"version": b.version, "departure": services.local_today(hotel_a).isoformat()},
        format="json",
    )
    assert r.status_code == 400
    for outsider in (carol, heidi):
        assert (
            api_as(outsider).post(f"/api/v1/bookings/{b.pk}/departure/", body, format="json").status_code
            == 404
        )
    assert _state(b) == before


def test_the_api_moves_a_stay(api_as, alice, carol, hotel_a):
    setup_hotel(hotel_a, rooms=3)
    b = make_in_house(hotel_a)
    old_room = b.room
    target = Room.objects.filter(room_type=b.room_type).exclude(pk=b.room_id).first()
    assert (
        api_as(carol)
        .post(f"/api/v1/bookings/{b.pk}/move/", {"version": b.version, "room": target.number}, format="json")
        .status_code
        == 404
    )
    r = api_as(alice).post(
        f"/api/v1/bookings/{b.pk}/move/", {"version": b.version, "room": "nope"}, format="json"
    )
    assert r.status_code == 400 and "No such room" in str(r.json())
    r = api_as(alice).post(
        f"/api/v1/bookings/{b.pk}/move/", {"version": b.version, "room": target.number}, format="json"
    )
    assert r.status_code == 200, r.json()
    assert r.json()["room"] == target.number
    old_room.refresh_from_db()
    assert old_room.housekeeping == "dirty"


# ------------------------------------------------------------------ room history


def test_each_move_is_kept_in_the_stays_room_history(hotel_a, alice, login):
    setup_hotel(hotel_a, rooms=3)
    b = make_in_house(hotel_a)
    first = b.room
    second, third = Room.objects.filter(room_type=b.room_type).exclude(pk=first.pk).order_by("number")
    client = login(alice)
    url = f"/p/{hotel_a.code}/bookings/{b.pk}/move/"
    r = client.post(url, {"version": b.version, "room": second.pk, "reason": "noise from the street"})
    assert r.status_code == 302
    b.refresh_from_db()
    client.post(url, {"version": b.version, "room": third.pk, "reason": ""})
    page = client.get(f"/p/{hotel_a.code}/bookings/{b.pk}/").content.decode()
    assert 'data-testid="room-history"' in page and "noise from the street" in page
    history = page.split('data-testid="room-history"')[1].split("</section>")[0]
    assert history.index(first.number) < history.index(second.number) < history.index(third.number)
    moves = list(
        RoomMove.objects.filter(booking=b).values_list("from_room", "to_room", "in_house", "moved_by")
    )
    assert moves == [(first.pk, second.pk, True, alice.pk), (second.pk, third.pk, True, alice.pk)]


def test_the_api_shows_the_room_history(api_as, alice, hotel_a):
    setup_hotel(hotel_a, rooms=2)
    b = make_in_house(hotel_a)
    target = Room.objects.filter(room_type=b.room_type).exclude(pk=b.room_id).get()
    r = api_as(alice).post(
        f"/api/v1/bookings/{b.pk}/move/",
        {"version": b.version, "room": target.number, "reason": "upgrade"},
        format="json",
    )
    assert r.status_code == 200
    (move,) = r.json()["room_moves"]
    assert (move["from_room"], move["to_room"], move["in_house"], move["reason"]) == (
        b.room.number,
        target.number,
        True,
        "upgrade",
    )


# ------------------------------------------------------------------ companions found at check-in


def test_an_adult_whose_document_has_a_profile_joins_the_stay_as_a_companion(hotel_a, alice, login, api_as):
    from guests.testing import make_guest
    from reservations.models import BookingCompanion, StayRegistration
    from reservations.testing import unique_prc_id

    setup_hotel(hotel_a)
    known_id, stranger_id = unique_prc_id(), unique_prc_id()
    friend = make_guest(hotel_a, family="李", given="娜", id_number=known_id)
    b = make_booking(hotel_a, adults=2)
    docs = [
        services.IdentityDocumentInput(full_name="王伟", doc_type="prc_id", number=prc_id(), guest=b.guest),
        services.IdentityDocumentInput(full_name="李娜", doc_type="prc_id", number=known_id),
    ]
    b = services.booking_check_in(actor=alice, booking=b, version=b.version, documents=docs)
    assert list(BookingCompanion.objects.filter(booking=b).values_list("guest_id", flat=True)) == [friend.pk]
    regs = {r.full_name: r.guest_id for r in StayRegistration.objects.filter(booking=b)}
    assert regs == {"王伟": b.guest_id, "李娜": friend.pk}

    page = login(alice).get(f"/p/{hotel_a.code}/bookings/{b.pk}/").content.decode()
    companions = page.split('data-testid="companions"')[1].split("</dd>")[0]
    assert (
        "李*" in companions
        and "李娜" not in companions
        and f"/guests/p/{hotel_a.code}/{friend.pk}/" in companions
    )
    event = AccessEvent.objects.filter(actor_user_id=alice.pk, action="view", target_type="booking").latest(
        "id"
    )
    assert str(friend.pk) in {str(g) for g in event.guest_links.values_list("guest_id", flat=True)}
    body = api_as(alice).get(f"/api/v1/bookings/{b.pk}/").json()
    assert body["companions"] == [{"guest_id": str(friend.pk), "name_masked": "李*"}]

    # A second stay with an unknown adult links nobody.
    b2 = make_booking(hotel_a, adults=2)
    docs[1] = services.IdentityDocumentInput(full_name="赵六", doc_type="prc_id", number=stranger_id)
    docs[0] = services.IdentityDocumentInput(
        full_name="王伟", doc_type="prc_id", number=prc_id(), guest=b2.guest
    )
    services.booking_check_in(actor=alice, booking=b2, version=b2.version, documents=docs)
    assert not BookingCompanion.objects.filter(booking=b2).exists()


def test_the_front_desk_shows_the_last_night_audit_and_says_when_it_is_late(hotel_a, alice, login):
    from reservations.models import NightAuditRun

    client = login(alice)
    page = client.get(f"/p/{hotel_a.code}/front-desk/").content.decode()
    assert 'class="error" data-testid="night-audit"' in page and "has not run yet" in page

    _overstaying(hotel_a)  # one guest still in house after their departure
    staying = make_in_house(hotel_a, nights=2)  # and one whose first night is tonight
    today = services.local_today(hotel_a)
    yesterday = today - timedelta(days=1)
    services.night_audit_run(property=hotel_a, business_date=today)
    services.night_audit_run(property=hotel_a, business_date=today)  # a second run adds nothing twice
    run = NightAuditRun.objects.get(property=hotel_a, business_date=today)
    assert (run.room_charges, run.no_shows, run.overstays) == (1, 0, 1)
    assert FolioLine.objects.filter(booking=staying, kind="room").count() == 1
    page = client.get(f"/p/{hotel_a.code}/front-desk/").content.decode()
    assert 'class="hint" data-testid="night-audit"' in page
    assert f"Night audit of {today.isoformat()}" in page and "room charges posted 1," in page
    assert "no-shows 0, guests overstaying 1." in page

    NightAuditRun.objects.update(business_date=yesterday - timedelta(days=2))
    page = client.get(f"/p/{hotel_a.code}/front-desk/").content.decode()
    assert "the night audit is late" in page


def test_the_desk_registers_and_removes_a_companion_by_document(hotel_a, alice, login):
    from guests.testing import make_guest
    from reservations.models import BookingCompanion
    from reservations.testing import unique_prc_id

    setup_hotel(hotel_a)
    number = unique_prc_id()
    friend = make_guest(hotel_a, family="李", given="娜", id_number=number)
    b = make_in_house(hotel_a)
    client = login(alice)
    url = f"/p/{hotel_a.code}/bookings/{b.pk}/companions/"
    r = client.post(url, {"doc_type": "prc_id", "number": number}, follow=True)
    page = r.content.decode()
    assert "李* is registered with this stay." in page and number not in page
    assert list(BookingCompanion.objects.filter(booking=b).values_list("guest_id", flat=True)) == [friend.pk]
    search = AccessEvent.objects.filter(actor_user_id=alice.pk, action="search", target_type="guest").latest(
        "id"
    )
    assert search.target_ids == [str(friend.pk)] and number not in str(search.criteria)
    assert search.criteria["id_number"]["masked"].endswith(number[-4:])

    again = client.post(url, {"doc_type": "prc_id", "number": number}, follow=True)
    assert "already registered with the booking" in again.content.decode()
    unknown = client.post(url, {"doc_type": "prc_id", "number": unique_prc_id()}, follow=True)
    assert "No guest profile holds this document" in unknown.content.decode()
    bad = client.post(url, {"doc_type": "prc_id", "number": "12345"}, follow=True)
    assert bad.status_code == 200 and BookingCompanion.objects.filter(booking=b).count() == 1

    r = client.post(f"/p/{hotel_a.code}/bookings/{b.pk}/companions/{friend.pk}/remove/", follow=True)
    assert "taken off the booking" in r.content.decode()
    assert not BookingCompanion.objects.filter(booking=b).exists()


@pytest.mark.parametrize("person", ["heidi", "carol", "dave", "erin", "frank", "grace", "ivan"])
def test_who_may_not_register_companions_gets_404(person, people, hotel_a, login):
    from guests.testing import make_guest
    from reservations.models import BookingCompanion
    from reservations.testing import unique_prc_id

    setup_hotel(hotel_a)
    number = unique_prc_id()
    make_guest(hotel_a, id_number=number)
    b = make_in_house(hotel_a)
    r = login(people[person]).post(
        f"/p/{hotel_a.code}/bookings/{b.pk}/companions/", {"doc_type": "prc_id", "number": number}
    )
    assert r.status_code == 404 and not BookingCompanion.objects.exists()
