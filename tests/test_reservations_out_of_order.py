"""Rooms out of order for a period: out of sale (availability and inventory), never given to a
booking, refused while a booking holds the room or the type is sold out (nothing changed), back on
sale early, following the calendar at the night audit; the screens, the API and who may use them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from guests.testing import prc_id
from reservations import services
from reservations.models import Booking, Housekeeping, Inventory, Room, RoomBlock
from reservations.testing import make_booking, setup_hotel

pytestmark = pytest.mark.django_db


def _today(prop):
    return services.local_today(prop)


def _left(prop, arrival, departure):
    quotes = services.availability(property=prop, arrival=arrival, departure=departure)
    return {q.room_type.code: q.available for q in quotes}


def _totals(room_type, nights):
    rows = dict(Inventory.objects.filter(room_type=room_type, date__in=nights).values_list("date", "total"))
    return [rows.get(n) for n in nights]


def _block(prop, room, start=0, nights=2, reason="air conditioning repair"):
    today = _today(prop)
    return services.room_block_create(
        actor=None,
        room=room,
        start=today + timedelta(days=start),
        end=today + timedelta(days=start + nights),
        reason=reason,
    )


def _room(prop, number):
    return Room.objects.get(property=prop, number=number)


def test_a_room_out_of_order_is_not_sold_on_those_nights(hotel_a):
    rt, _ = setup_hotel(hotel_a, rooms=3)
    today = _today(hotel_a)
    _block(hotel_a, _room(hotel_a, "101"), start=1, nights=2)

    assert _left(hotel_a, today, today + timedelta(days=1)) == {"std": 3}
    assert _left(hotel_a, today + timedelta(days=1), today + timedelta(days=3)) == {"std": 2}
    assert _left(hotel_a, today + timedelta(days=3), today + timedelta(days=4)) == {"std": 3}
    nights = [today + timedelta(days=i) for i in range(4)]
    assert _totals(rt, nights) == [None, 2, 2, None]
    # two rooms left: the third booking for those nights is refused
    make_booking(hotel_a, offset=1, nights=1)
    make_booking(hotel_a, offset=1, nights=1)
    with pytest.raises(services.BookingConflict):
        make_booking(hotel_a, offset=1, nights=1)


def test_a_room_out_of_order_is_never_given_to_a_booking(hotel_a, alice):
    setup_hotel(hotel_a, rooms=2)
    broken = _room(hotel_a, "101")
    _block(hotel_a, broken, start=0, nights=3)
    b = make_booking(hotel_a, nights=2)

    assert list(services.free_rooms(booking=b)) == [_room(hotel_a, "102")]
    with pytest.raises(ValidationError, match="Room 101 is out of order"):
        services.booking_room_assign(actor=alice, booking=b, room=broken)
    doc = services.IdentityDocumentInput(full_name="王伟", doc_type="prc_id", number=prc_id())
    with pytest.raises(ValidationError, match="Room 101 is out of order"):
        services.booking_check_in(actor=alice, booking=b, version=b.version, documents=[doc], room=broken)
    b = services.booking_check_in(actor=alice, booking=b, version=b.version, documents=[doc])
    assert b.room.number == "102"
    with pytest.raises(ValidationError, match="Room 101 is out of order"):
        services.booking_room_move(actor=alice, booking=b, version=b.version, room=broken)


def test_a_block_starting_today_marks_the_room_and_returning_it_brings_it_back_dirty(hotel_a, alice):
    rt, _ = setup_hotel(hotel_a, rooms=2)
    room = _room(hotel_a, "101")
    block = _block(hotel_a, room, start=0, nights=3)
    room.refresh_from_db()
    assert room.housekeeping == Housekeeping.OUT_OF_ORDER
    today = _today(hotel_a)
    nights = [today + timedelta(days=i) for i in range(3)]
    assert _totals(rt, nights) == [1, 1, 1]

    services.room_block_release(actor=alice, block=block)

    room.refresh_from_db()
    block.refresh_from_db()
    assert room.housekeeping == Housekeeping.DIRTY and block.released_at is not None
    assert _totals(rt, nights) == [2, 2, 2]
    with pytest.raises(ValidationError, match="already returned to sale"):
        services.room_block_release(actor=alice, block=block)
    assert _totals(rt, nights) == [2, 2, 2]


def _nothing_changed(rt, nights):
    return (
        RoomBlock.objects.count(),
        _totals(rt, nights),
        list(Room.objects.values_list("housekeeping", flat=True)),
    )


def test_a_booking_in_the_room_refuses_the_block_and_changes_nothing(hotel_a, alice):
    rt, _ = setup_hotel(hotel_a, rooms=2)
    b = make_booking(hotel_a, offset=2, nights=2)
    services.booking_room_assign(actor=alice, booking=b, room=_room(hotel_a, "101"))
    nights = [_today(hotel_a) + timedelta(days=i) for i in range(5)]
    before = _nothing_changed(rt, nights)
    with pytest.raises(ValidationError) as exc:
        _block(hotel_a, _room(hotel_a, "101"), start=0, nights=3)
    assert "A booking holds room 101" in exc.value.message_dict["room"][0]
    assert b.reference not in str(exc.value)
    assert _nothing_changed(rt, nights) == before


def test_a_sold_out_type_refuses_the_block_naming_the_night(hotel_a):
    rt, _ = setup_hotel(hotel_a, rooms=1)
    make_booking(hotel_a, offset=1, nights=1)  # the only room, no room assigned yet
    nights = [_today(hotel_a) + timedelta(days=i) for i in range(3)]
    before = _nothing_changed(rt, nights)
    with pytest.raises(ValidationError) as exc:
        _block(hotel_a, _room(hotel_a, "101"), start=0, nights=3)
    assert (_today(hotel_a) + timedelta(days=1)).isoformat() in exc.value.message_dict["start"][0]
    assert _nothing_changed(rt, nights) == before


@pytest.mark.parametrize(
    ("start", "end", "reason", "field"),
    [
        (-1, 1, "paint", "start"),
        (2, 2, "paint", "end"),
        (0, 400, "paint", "end"),
        (0, 1, "  ", "reason"),
    ],
)
def test_bad_periods_are_refused_with_a_reason(start, end, reason, field, hotel_a):
    setup_hotel(hotel_a)
    today = _today(hotel_a)
    with pytest.raises(ValidationError) as exc:
        services.room_block_create(
            actor=None,
            room=_room(hotel_a, "101"),
            start=today + timedelta(days=start),
            end=today + timedelta(days=end),
            reason=reason,
        )
    assert field in exc.value.message_dict
    assert not RoomBlock.objects.exists() and not Inventory.objects.exists()


def test_an_overlapping_period_for_the_same_room_is_refused(hotel_a):
    rt, _ = setup_hotel(hotel_a)
    _block(hotel_a, _room(hotel_a, "101"), start=1, nights=3)
    with pytest.raises(ValidationError, match="already out of order"):
        _block(hotel_a, _room(hotel_a, "101"), start=2, nights=3)
    nights = [_today(hotel_a) + timedelta(days=i) for i in range(1, 5)]
    assert _totals(rt, nights) == [2, 2, 2, None]  # the refused period took nothing


def test_adding_a_room_keeps_the_period_out_of_sale(hotel_a, erin):
    rt, _ = setup_hotel(hotel_a, rooms=2)
    _block(hotel_a, _room(hotel_a, "101"), start=0, nights=2)
    services.room_save(actor=erin, room=Room(number="109", room_type=rt, floor=1), property=hotel_a)
    nights = [_today(hotel_a) + timedelta(days=i) for i in range(2)]
    assert _totals(rt, nights) == [2, 2]  # three rooms, one out of order


def test_the_night_audit_moves_housekeeping_with_the_calendar(hotel_a):
    setup_hotel(hotel_a, rooms=2)
    today = _today(hotel_a)
    room = _room(hotel_a, "102")
    _block(hotel_a, room, start=1, nights=1)
    room.refresh_from_db()
    assert room.housekeeping == Housekeeping.CLEAN  # not yet
    services.night_audit_run(property=hotel_a, business_date=today)
    room.refresh_from_db()
    assert room.housekeeping == Housekeeping.OUT_OF_ORDER
    services.night_audit_run(property=hotel_a, business_date=today + timedelta(days=1))
    room.refresh_from_db()
    assert room.housekeeping == Housekeeping.DIRTY  # back in order: clean and inspect first


def test_out_of_order_is_not_a_status_set_by_hand(hotel_a, alice):
    setup_hotel(hotel_a)
    room = _room(hotel_a, "101")
    with pytest.raises(ValidationError, match="with its dates"):
        services.room_housekeeping_set(actor=alice, room=room, status=Housekeeping.OUT_OF_ORDER)
    _block(hotel_a, room, start=0, nights=1)
    with pytest.raises(ValidationError, match="return it to sale first"):
        services.room_housekeeping_set(actor=alice, room=room, status=Housekeeping.CLEAN)


def test_changing_a_bookings_dates_onto_the_rooms_period_gives_up_the_room(hotel_a, alice):
    setup_hotel(hotel_a, rooms=2)
    b = make_booking(hotel_a, offset=1, nights=1)
    b = services.booking_room_assign(actor=alice, booking=b, room=_room(hotel_a, "101"))
    _block(hotel_a, _room(hotel_a, "101"), start=5, nights=2)
    today = _today(hotel_a)
    b = services.booking_modify(
        actor=alice,
        booking=b,
        version=b.version,
        arrival=today + timedelta(days=5),
        departure=today + timedelta(days=6),
    )
    assert Booking.objects.get(pk=b.pk).room_id is None


def test_an_extension_into_the_rooms_period_is_a_conflict(hotel_a, alice):
    setup_hotel(hotel_a, rooms=2)
    b = make_booking(hotel_a, nights=1)
    doc = services.IdentityDocumentInput(full_name="王伟", doc_type="prc_id", number=prc_id())
    b = services.booking_check_in(
        actor=alice, booking=b, version=b.version, documents=[doc], room=_room(hotel_a, "101")
    )
    _block(hotel_a, _room(hotel_a, "101"), start=1, nights=2)
    with pytest.raises(services.BookingConflict, match="Room 101 is out of order"):
        services.booking_departure_change(
            actor=alice, booking=b, version=b.version, departure=b.departure + timedelta(days=1)
        )
    assert Booking.objects.get(pk=b.pk).departure == b.departure


# ------------------------------------------------------------------ screens


def test_the_desk_takes_a_room_out_of_order_and_back_through_the_screen(hotel_a, alice, login):
    rt, _ = setup_hotel(hotel_a, rooms=2)
    client = login(alice)
    today = _today(hotel_a)
    data = {
        "room": _room(hotel_a, "102").pk,
        "start": today.isoformat(),
        "end": (today + timedelta(days=2)).isoformat(),
        "reason": "water leak",
    }
    r = client.post(f"/p/{hotel_a.code}/housekeeping/out-of-order/", data, follow=True)
    html = r.content.decode()
    assert r.status_code == 200 and "Room 102 is out of order from" in html
    assert 'data-testid="out-of-order-102"' in html and "water leak" in html
    chart = client.get(f"/p/{hotel_a.code}/room-chart/").content.decode()
    assert 'data-testid="chart-out-of-order"' in chart
    block = RoomBlock.objects.get()
    r = client.post(f"/p/{hotel_a.code}/housekeeping/out-of-order/{block.pk}/return/", follow=True)
    assert "Room 102 is back on sale" in r.content.decode()
    assert _totals(rt, [today]) == [2]


def test_the_screen_explains_a_refusal_and_keeps_the_input(hotel_a, alice, login):
    setup_hotel(hotel_a, rooms=1)
    make_booking(hotel_a, nights=1)
    today = _today(hotel_a)
    data = {
        "room": _room(hotel_a, "101").pk,
        "start": today.isoformat(),
        "end": (today + timedelta(days=1)).isoformat(),
        "reason": "water leak",
    }
    r = login(alice).post(f"/p/{hotel_a.code}/housekeeping/out-of-order/", data)
    html = r.content.decode()
    assert r.status_code == 400 and "is sold for" in html and 'value="water leak"' in html
    assert not RoomBlock.objects.exists()
    r = login(alice).post(f"/p/{hotel_a.code}/housekeeping/out-of-order/", {**data, "start": "tomorrow"})
    assert r.status_code == 400 and "Enter the date as YYYY-MM-DD." in r.content.decode()


def test_setting_a_status_on_a_room_out_of_order_says_why_not(hotel_a, alice, login):
    setup_hotel(hotel_a)
    room = _room(hotel_a, "101")
    _block(hotel_a, room, nights=1)
    r = login(alice).post(
        f"/p/{hotel_a.code}/housekeeping/", {"room": room.pk, "housekeeping": "clean"}, follow=True
    )
    assert r.status_code == 200 and "return it to sale first" in r.content.decode()
    room.refresh_from_db()
    assert room.housekeeping == Housekeeping.OUT_OF_ORDER


@pytest.mark.parametrize("person", ["heidi", "carol", "dave", "erin", "frank", "grace", "ivan"])
def test_who_may_not_take_rooms_out_of_order_gets_404(person, people, hotel_a, login):
    setup_hotel(hotel_a)
    block = _block(hotel_a, _room(hotel_a, "101"), start=1)
    client = login(people[person])
    today = _today(hotel_a)
    data = {
        "room": _room(hotel_a, "102").pk,
        "start": today.isoformat(),
        "end": (today + timedelta(days=1)).isoformat(),
        "reason": "paint",
    }
    assert client.post(f"/p/{hotel_a.code}/housekeeping/out-of-order/", data).status_code == 404
    assert client.post(f"/p/{hotel_a.code}/housekeeping/out-of-order/{block.pk}/return/").status_code == 404
    assert list(RoomBlock.objects.values_list("pk", "released_at")) == [(block.pk, None)]


def test_another_hotels_block_answers_404(hotel_a, hotel_b, carol, login):
    setup_hotel(hotel_a)
    setup_hotel(hotel_b)
    block = _block(hotel_a, _room(hotel_a, "101"), start=1)
    r = login(carol).post(f"/p/{hotel_b.code}/housekeeping/out-of-order/{block.pk}/return/")
    assert r.status_code == 404
    assert RoomBlock.objects.get().released_at is None


# ------------------------------------------------------------------ API


def test_the_api_takes_a_room_out_of_order_lists_it_and_returns_it(api_as, alice, hotel_a):
    rt, _ = setup_hotel(hotel_a, rooms=2)
    api = api_as(alice)
    today = _today(hotel_a)
    body = {
        "property": hotel_a.code,
        "room": "101",
        "start": today.isoformat(),
        "end": (today + timedelta(days=2)).isoformat(),
        "reason": "new carpet",
    }
    r = api.post("/api/v1/room-blocks/", body, format="json")
    assert r.status_code == 201, r.json()
    created = r.json()
    assert created["room"] == "101" and created["released_at"] is None
    assert [b["id"] for b in api.get("/api/v1/room-blocks/", {"property": hotel_a.code}).json()] == [
        created["id"]
    ]
    assert _totals(rt, [today]) == [1]
    r = api.post(f"/api/v1/room-blocks/{created['id']}/return/")
    assert r.status_code == 200 and r.json()["released_at"] is not None
    assert _totals(rt, [today]) == [2]
    assert api.get("/api/v1/room-blocks/", {"property": hotel_a.code}).json() == []


def test_the_api_answers_400_and_404(api_as, alice, carol, heidi, hotel_a):
    setup_hotel(hotel_a)
    today = _today(hotel_a)
    body = {
        "property": hotel_a.code,
        "room": "101",
        "start": (today - timedelta(days=1)).isoformat(),
        "end": (today + timedelta(days=2)).isoformat(),
        "reason": "new carpet",
    }
    r = api_as(alice).post("/api/v1/room-blocks/", body, format="json")
    assert r.status_code == 400 and "before today" in str(r.json())
    r = api_as(alice).post("/api/v1/room-blocks/", {**body, "room": "999"}, format="json")
    assert r.status_code == 400 and "No such room" in str(r.json())
    ok = {**body, "start": today.isoformat()}
    for outsider in (carol, heidi):
        assert api_as(outsider).post("/api/v1/room-blocks/", ok, format="json").status_code == 404
        assert api_as(outsider).get("/api/v1/room-blocks/", {"property": hotel_a.code}).status_code == 404
    assert not RoomBlock.objects.exists()
    block = _block(hotel_a, _room(hotel_a, "101"))
    for outsider in (carol, heidi):
        assert api_as(outsider).post(f"/api/v1/room-blocks/{block.pk}/return/").status_code == 404
    assert RoomBlock.objects.get().released_at is None


def test_rooms_out_of_order_are_not_available_in_the_occupancy_report(hotel_a, alice):
    from reservations.selectors import occupancy_report

    setup_hotel(hotel_a, rooms=3)
    today = _today(hotel_a)
    _block(hotel_a, _room(hotel_a, "101"), start=1, nights=2)
    returned = _block(hotel_a, _room(hotel_a, "102"), start=2, nights=3)
    services.room_block_release(actor=alice, block=returned)  # back on sale before it began
    make_booking(hotel_a, offset=1, nights=1)
    rows = occupancy_report(property=hotel_a, start=today + timedelta(days=1), end=today + timedelta(days=4))
    assert [(r["rooms_out_of_order"], r["rooms_available"], r["rooms_sold"]) for r in rows] == [
        (1, 2, 1),
        (1, 2, 0),
        (0, 3, 0),
    ]
    assert rows[0]["occupancy"] == 50.0 and rows[0]["revpar"] == rows[0]["revenue"] / 2


def test_the_forecast_counts_rooms_out_of_order_as_unavailable(hotel_a):
    from reservations.selectors import arrivals_forecast

    setup_hotel(hotel_a, rooms=4)
    _block(hotel_a, _room(hotel_a, "101"), start=1, nights=1)
    make_booking(hotel_a, offset=1, nights=1)
    rows = arrivals_forecast(property=hotel_a, start=_today(hotel_a), days=3)
    assert [(r["out_of_order"], r["occupied"], r["occupancy"]) for r in rows] == [
        (0, 0, 0.0),
        (1, 1, 33.3),
        (0, 0, 0.0),
    ]


def test_the_rooms_api_says_until_when_a_room_is_out_of_order(api_as, alice, hotel_a):
    setup_hotel(hotel_a, rooms=2)
    block = _block(hotel_a, _room(hotel_a, "101"), start=0, nights=3)
    _block(hotel_a, _room(hotel_a, "102"), start=5, nights=1)  # later: not out of order today
    rooms = {r["number"]: r for r in api_as(alice).get("/api/v1/rooms/", {"property": hotel_a.code}).json()}
    assert rooms["101"]["out_of_order_until"] == block.end.isoformat()
    assert rooms["101"]["housekeeping"] == "out_of_order"
    assert rooms["102"]["out_of_order_until"] is None
