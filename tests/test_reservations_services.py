"""Bookings: prices and penalties to the cent, every bad input refused with no change, and the
database's last word under concurrency (the last room, one room assigned twice)."""

import contextlib
import threading
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from guests.testing import make_guest, prc_id
from reservations import services
from reservations.models import (
    Booking,
    BookingStatus,
    FolioLine,
    Housekeeping,
    Inventory,
    RateOverride,
    Room,
    StayRegistration,
)
from reservations.testing import make_booking, new_guest, setup_hotel

pytestmark = pytest.mark.django_db


def _today(prop):
    return services.local_today(prop)


def _doc(name="王伟"):
    return services.IdentityDocumentInput(full_name=name, doc_type="prc_id", number=prc_id())


def _snapshot():
    return (
        Booking.objects.count(),
        list(Inventory.objects.order_by("id").values_list("sold", flat=True)),
        FolioLine.objects.count(),
        StayRegistration.objects.count(),
    )


# ------------------------------------------------------------------ arithmetic


def test_it_prices_each_night_with_the_override_winning(hotel_a):
    rt, plan = setup_hotel(hotel_a, price="500.00")
    arrival = _today(hotel_a) + timedelta(days=10)
    RateOverride.objects.create(
        rate_plan=plan, room_type=rt, date=arrival + timedelta(days=1), price=Decimal("733.33")
    )
    b = make_booking(hotel_a, offset=10, nights=3)
    assert b.nightly_prices == ["500.00", "733.33", "500.00"]
    assert b.total == Decimal("1733.33")
    assert b.currency == "CNY"


def test_cancelling_before_the_deadline_is_free_and_after_it_costs_the_first_night(hotel_a):
    rt, plan = setup_hotel(hotel_a, price="500.00", free_cancel_hours=24)
    arrival = _today(hotel_a) + timedelta(days=5)
    RateOverride.objects.create(rate_plan=plan, room_type=rt, date=arrival, price=Decimal("612.50"))
    b = make_booking(hotel_a, offset=5, nights=2)
    deadline = datetime.combine(arrival, time(14), tzinfo=hotel_a.tz) - timedelta(hours=24)
    assert services.free_cancellation_until(booking=b) == deadline
    assert services.cancellation_fee(booking=b, at=deadline - timedelta(minutes=1)) == Decimal("0.00")
    assert services.cancellation_fee(booking=b, at=deadline) == Decimal("612.50")
    services.booking_cancel(actor=None, booking=b, version=b.version, reason="plans changed", at=deadline)
    b.refresh_from_db()
    assert b.status == BookingStatus.CANCELLED and b.cancellation_fee == Decimal("612.50")
    assert FolioLine.objects.get(booking=b).amount == Decimal("612.50")
    assert set(Inventory.objects.filter(room_type=rt).values_list("sold", flat=True)) == {0}


def test_it_releases_and_takes_nights_when_a_booking_moves(hotel_a):
    rt, _ = setup_hotel(hotel_a)
    b = make_booking(hotel_a, offset=3, nights=2)
    services.booking_modify(
        actor=None,
        booking=b,
        version=b.version,
        arrival=b.arrival + timedelta(days=1),
        departure=b.departure + timedelta(days=1),
    )
    sold = dict(Inventory.objects.filter(room_type=rt).values_list("date", "sold"))
    base = _today(hotel_a) + timedelta(days=3)
    assert sold[base] == 0 and sold[base + timedelta(days=1)] == 1 and sold[base + timedelta(days=2)] == 1


def test_a_change_keeps_the_booked_price_of_the_nights_kept(hotel_a):
    """Rates went up after the booking: the nights the guest keeps stay at the agreed price, only
    the added night costs today's rate; a new room type prices every night anew."""
    rt, plan = setup_hotel(hotel_a, price="500.00")
    dlx, _ = setup_hotel(hotel_a, code="dlx", price="800.00")
    b = make_booking(hotel_a, offset=3, nights=2)
    first = b.arrival
    for i in range(4):
        RateOverride.objects.create(
            rate_plan=plan, room_type=rt, date=first + timedelta(days=i), price="700.00"
        )
    RateOverride.objects.filter(date=first).update(closed=True)  # closed for sale now; already sold

    b = services.booking_modify(
        actor=None, booking=b, version=b.version, departure=b.departure + timedelta(days=1)
    )
    b.refresh_from_db()
    assert b.nightly_prices == ["500.00", "500.00", "700.00"] and b.total == Decimal("1700.00")

    b = services.booking_modify(
        actor=None,
        booking=b,
        version=b.version,
        arrival=first + timedelta(days=1),
        departure=first + timedelta(days=4),
    )
    b.refresh_from_db()
    assert b.nightly_prices == ["500.00", "700.00", "700.00"]  # the first night dropped, one added

    with pytest.raises(ValidationError, match="closed for sale"):
        services.booking_modify(
            actor=None, booking=b, version=b.version, arrival=first
        )  # a closed night added

    b = services.booking_modify(actor=None, booking=b, version=b.version, room_type=dlx)
    b.refresh_from_db()
    assert b.nightly_prices == ["800.00", "800.00", "800.00"]


# ------------------------------------------------------------------ bad input: refused, nothing changes


def _bad_create_cases(prop, rt, plan, other_room):
    today = _today(prop)
    ok = {
        "arrival": today + timedelta(days=1),
        "departure": today + timedelta(days=3),
        "adults": 1,
        "children": 0,
    }
    return {
        "departure not after arrival": {**ok, "departure": ok["arrival"]},
        "arrival in the past": {**ok, "arrival": today - timedelta(days=1)},
        "more than 90 nights": {**ok, "departure": ok["arrival"] + timedelta(days=91)},
        "too many guests": {**ok, "adults": 3},
        "a room of another property": {**ok, "room": other_room},
    }


@pytest.mark.parametrize(
    "case",
    [
        "departure not after arrival",
        "arrival in the past",
        "more than 90 nights",
        "too many guests",
        "a room of another property",
        "a closed date",
    ],
)
def test_each_bad_booking_is_refused_with_no_change(case, hotel_a, hotel_b):
    rt, plan = setup_hotel(hotel_a)
    setup_hotel(hotel_b)
    make_booking(hotel_a, offset=1)
    other_room = Room.objects.filter(property=hotel_b).first()
    guest = make_guest(hotel_a)
    if case == "a closed date":
        RateOverride.objects.create(
            rate_plan=plan, room_type=rt, date=_today(hotel_a) + timedelta(days=2), closed=True
        )
        kwargs = {
            "arrival": _today(hotel_a) + timedelta(days=1),
            "departure": _today(hotel_a) + timedelta(days=4),
            "adults": 1,
            "children": 0,
        }
    else:
        kwargs = _bad_create_cases(hotel_a, rt, plan, other_room)[case]
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        services.booking_create(
            actor=None, property=hotel_a, guest=guest, room_type=rt, rate_plan=plan, channel="phone", **kwargs
        )
    assert exc.value.messages and all(m.strip() for m in exc.value.messages)
    assert _snapshot() == before


def test_checking_in_a_cancelled_booking_is_refused_with_no_change(hotel_a):
    b = make_booking(hotel_a)
    services.booking_cancel(actor=None, booking=b, version=b.version, reason="guest called")
    b.refresh_from_db()
    before = _snapshot()
    with pytest.raises(ValidationError, match="confirmed booking can be checked in"):
        services.booking_check_in(actor=None, booking=b, version=b.version, documents=[_doc()])
    b.refresh_from_db()
    assert b.status == BookingStatus.CANCELLED and b.room_id is None
    assert _snapshot() == before


def test_check_in_needs_a_valid_document_for_every_adult(hotel_a):
    b = make_booking(hotel_a, adults=2)
    before = _snapshot()
    with pytest.raises(ValidationError, match="every adult"):
        services.booking_check_in(actor=None, booking=b, version=b.version, documents=[_doc()])
    bad = services.IdentityDocumentInput(full_name="李娜", doc_type="prc_id", number="110101198503074210")
    with pytest.raises(ValidationError, match="Adult 2"):
        services.booking_check_in(actor=None, booking=b, version=b.version, documents=[_doc(), bad])
    assert _snapshot() == before
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.CONFIRMED


def test_check_in_assigns_a_clean_room_and_stores_documents_encrypted(hotel_a):
    setup_hotel(hotel_a)
    Room.objects.filter(property=hotel_a, number="101").update(housekeeping=Housekeeping.DIRTY)
    b = make_booking(hotel_a)
    number = prc_id()
    b = services.booking_check_in(
        actor=None,
        booking=b,
        version=b.version,
        documents=[services.IdentityDocumentInput(full_name="王伟", doc_type="prc_id", number=number)],
    )
    assert b.status == BookingStatus.CHECKED_IN and b.room.number == "102"
    with connection.cursor() as cur:
        cur.execute("SELECT doc_number, full_name FROM reservations_stayregistration")
        stored_number, stored_name = cur.fetchone()
    assert number not in stored_number and stored_number.startswith("v1:") and "王伟" not in stored_name
    assert StayRegistration.objects.get(booking=b).doc_number == number


def test_check_out_with_an_unpaid_balance_is_refused_with_no_change(hotel_a):
    b = make_booking(hotel_a, nights=1)
    b = services.booking_check_in(actor=None, booking=b, version=b.version, documents=[_doc()])
    services.folio_charge_post(actor=None, booking=b, kind="minibar", amount="35.00")
    before = _snapshot()
    with pytest.raises(ValidationError, match=r"unpaid balance of 535\.00"):
        services.booking_check_out(actor=None, booking=b, version=b.version)
    assert _snapshot() == before
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.CHECKED_IN
    services.folio_payment_post(actor=None, booking=b, kind="card", amount="535.00")
    b = services.booking_check_out(actor=None, booking=Booking.objects.get(pk=b.pk), version=b.version)
    assert b.status == BookingStatus.CHECKED_OUT
    assert services.folio_balance(booking=b) == Decimal("0.00")
    assert Room.objects.get(pk=b.room_id).housekeeping == Housekeeping.DIRTY


def test_a_stale_version_is_a_conflict_not_a_lost_update(hotel_a):
    b = make_booking(hotel_a, offset=2)
    services.booking_modify(actor=None, booking=b, version=b.version, adults=2)
    with pytest.raises(services.StaleBooking):
        services.booking_modify(actor=None, booking=b, version=b.version, special_requests="late arrival")
    b.refresh_from_db()
    assert b.adults == 2 and b.special_requests == "" and b.version == 2


def test_the_night_audit_posts_room_nights_and_marks_no_shows_once(hotel_a):
    rt, _ = setup_hotel(hotel_a)
    in_house = make_booking(hotel_a, nights=2)
    in_house = services.booking_check_in(
        actor=None, booking=in_house, version=in_house.version, documents=[_doc()]
    )
    no_show = make_booking(hotel_a, nights=2)
    today = _today(hotel_a)
    for _ in range(2):
        result = services.night_audit_run(property=hotel_a, business_date=today)
    assert FolioLine.objects.filter(booking=in_house, kind="room").count() == 1
    no_show.refresh_from_db()
    assert no_show.status == BookingStatus.NO_SHOW and no_show.cancellation_fee == Decimal("500.00")
    assert (result.room_charges, result.no_shows) == (0, 0)  # the second run found nothing new
    assert Inventory.objects.get(room_type=rt, date=today).sold == 1


# ------------------------------------------------------------------ concurrency: the database decides


def _race(n, fn):
    barrier = threading.Barrier(n)
    results = []
    lock = threading.Lock()

    def worker(i):
        try:
            barrier.wait()
            outcome = fn(i)
        except Exception as exc:
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_desks_booking_the_last_room_sell_it_exactly_once(hotel_a):
    rt, plan = setup_hotel(hotel_a, rooms=1)
    guests = [new_guest(hotel_a) for _ in range(20)]
    arrival = _today(hotel_a) + timedelta(days=7)

    def book(i):
        return services.booking_create(
            actor=None,
            property=hotel_a,
            guest=guests[i],
            room_type=rt,
            rate_plan=plan,
            arrival=arrival,
            departure=arrival + timedelta(days=1),
            channel="web",
        )

    results = _race(20, book)
    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, services.BookingConflict)]
    assert len(won) == 1 and len(lost) == 19, results
    inv = Inventory.objects.get(room_type=rt, date=arrival)
    assert (inv.total, inv.sold) == (1, 1)
    assert Booking.objects.filter(room_type=rt, status="confirmed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_desks_assigning_one_room_give_it_to_exactly_one_stay(hotel_a):
    _rt, _plan = setup_hotel(hotel_a, rooms=20)
    bookings = [make_booking(hotel_a, offset=4, nights=2) for _ in range(20)]
    room = Room.objects.get(property=hotel_a, number="105")

    def assign(i):
        return services.booking_room_assign(actor=None, booking=bookings[i], room=room)

    results = _race(20, assign)
    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if isinstance(r, services.BookingConflict)]
    assert len(won) == 1 and len(lost) == 19, results
    assert Booking.objects.filter(room=room).count() == 1


@pytest.mark.django_db(transaction=True)
def test_opposite_room_type_changes_at_once_wait_for_each_other_instead_of_deadlocking(hotel_a, monkeypatch):
    std, _plan = setup_hotel(hotel_a, rooms=4)
    dlx, _plan = setup_hotel(hotel_a, rooms=4, code="dlx", price="800.00")
    a = make_booking(hotel_a, offset=20, nights=2)  # std
    b = make_booking(hotel_a, offset=20, nights=2)
    b = services.booking_modify(actor=None, booking=b, version=b.version, room_type=dlx)
    # Force the worst interleaving: each change has given back its old nights before either takes
    # the new ones. Whoever cannot reach the gate (it waits for a lock) lets the other go on.
    gate = threading.Barrier(2, timeout=2)
    release = services._inventory_release

    def release_then_wait(*args, **kwargs):
        release(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait()

    monkeypatch.setattr(services, "_inventory_release", release_then_wait)
    pairs = [(a, dlx), (b, std)]

    def swap(i):
        booking, to = pairs[i]
        return services.booking_modify(actor=None, booking=booking, version=booking.version, room_type=to)

    results = _race(2, swap)
    assert all(isinstance(r, Booking) for r in results), results  # both done, no deadlock error
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.room_type_id, b.room_type_id) == (dlx.pk, std.pk)
    assert set(Inventory.objects.filter(room_type__in=[std, dlx]).values_list("sold", flat=True)) == {1}
