"""The guest portal in a real browser (Debian's chromium): find, print, cancel, change, the e-mailed
link and the attempt limit. No JavaScript is needed for any of it."""

import re
from datetime import timedelta

import pytest

from reservations.models import Booking, BookingStatus
from reservations.testing import make_booking, new_guest, setup_hotel

# base_url and browser_type_launch_args (Debian's chromium) come from tests/conftest.py.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smith(hotel_a):
    setup_hotel(hotel_a, rooms=3, price="480.00")
    return new_guest(hotel_a, family="Smith", given="Jane", email="jane.smith@example.com")


@pytest.fixture
def guest_page(page, live_server):
    page.set_default_timeout(15000)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return page


def _find(page, reference, family_name):
    page.goto("/my-booking/")
    page.get_by_label("Booking reference").fill(reference)
    page.get_by_label("Family name").fill(family_name)
    page.get_by_role("button", name="Find my booking").click()


def test_a_guest_finds_prints_and_sees_a_wrong_name_refused(guest_page, smith, hotel_a):
    page = guest_page
    b = make_booking(hotel_a, guest=smith, offset=10, nights=2)
    _find(page, b.reference, "Jones")
    assert "could not find a booking" in page.get_by_test_id("lookup-error").inner_text()
    assert page.url.endswith("/my-booking/")
    assert page.get_by_label("Booking reference").input_value() == ""  # nothing echoed back

    _find(page, b.reference, "smith")
    page.wait_for_url(re.compile(rf".*/my-booking/{b.pk}/$"))
    assert page.get_by_test_id("total").inner_text() == "960.00 CNY"
    assert page.get_by_test_id("hotel").inner_text().startswith("Hotel A")
    assert "Free cancellation until" in page.get_by_test_id("policy").inner_text()
    assert b.reference not in page.url and "smith" not in page.url.lower()

    page.get_by_test_id("print-link").click()
    page.wait_for_url(re.compile(r".*/print/$"))
    page.emulate_media(media="print")
    assert page.locator(".toolbar").is_hidden()
    assert page.get_by_test_id("print-sheet").is_visible()
    assert b.reference in page.get_by_test_id("print-sheet").inner_text()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one clean page


def test_a_guest_cancels_free_before_the_deadline(guest_page, smith, hotel_a):
    page = guest_page
    b = make_booking(hotel_a, guest=smith, offset=10)
    _find(page, b.reference, "Smith")
    page.get_by_test_id("cancel-link").click()
    assert "Cancelling now is free" in page.get_by_test_id("fee").inner_text()
    page.get_by_test_id("confirm-cancel").click()
    assert "Your booking is cancelled" in page.get_by_test_id("done").inner_text()
    assert page.get_by_test_id("status").inner_text() == "Cancelled"
    b.refresh_from_db()
    assert b.status == BookingStatus.CANCELLED and b.cancellation_fee == 0


def test_a_guest_sees_the_penalty_before_cancelling_after_the_deadline(guest_page, smith, hotel_a):
    page = guest_page
    b = make_booking(hotel_a, guest=smith, offset=0)
    _find(page, b.reference, "Smith")
    page.get_by_test_id("cancel-link").click()
    assert "cancelling now costs 480.00 CNY" in page.get_by_test_id("fee").inner_text()
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.CONFIRMED
    page.get_by_role("button", name="Yes, cancel and pay 480.00 CNY").click()
    assert "480.00 CNY" in page.get_by_test_id("fee-charged").inner_text()
    b.refresh_from_db()
    assert b.status == BookingStatus.CANCELLED and b.cancellation_fee == 480


def test_a_guest_changes_the_dates_after_seeing_the_new_price(guest_page, smith, hotel_a):
    page = guest_page
    b = make_booking(hotel_a, guest=smith, offset=10, nights=2)
    _find(page, b.reference, "Smith")
    page.get_by_test_id("change-link").click()
    page.get_by_label("Departure").fill((b.departure + timedelta(days=1)).isoformat())
    page.get_by_test_id("show-price").click()
    assert page.get_by_test_id("new-total").inner_text() == "1440.00 CNY"
    assert Booking.objects.get(pk=b.pk).total == 960
    page.get_by_test_id("confirm-change").click()
    assert "Your booking is changed" in page.get_by_test_id("done").inner_text()
    assert page.get_by_test_id("nights").inner_text() == "3"
    assert Booking.objects.get(pk=b.pk).total == 1440


def test_my_bookings_through_the_emailed_link(guest_page, smith, hotel_a, mailoutbox):
    page = guest_page
    first = make_booking(hotel_a, guest=smith, offset=5)
    second = make_booking(hotel_a, guest=smith, offset=30)
    page.goto("/my-bookings/")
    page.get_by_label("E-mail address").fill("jane.smith@example.com")
    page.get_by_role("button", name="Send me a sign-in link").click()
    assert "we have sent a sign-in link" in page.get_by_test_id("link-sent").inner_text()
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/my-bookings/sign-in/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.wait_for_url(re.compile(r".*/my-bookings/list/$"))
    upcoming = page.get_by_test_id("upcoming").inner_text()
    assert upcoming.count("Hotel A") == 2
    for b in (first, second):
        assert page.locator(f"a[href='/my-booking/{b.pk}/booking.ics']").count() == 1
    page.locator(f"a[href='/my-booking/{second.pk}/']").click()
    assert page.get_by_test_id("reference").inner_text() == second.reference
    # The link was single-use.
    page.goto(link)
    assert "already been used" in page.get_by_test_id("link-refused").inner_text()


def test_the_attempt_limit_answers_with_a_friendly_page(guest_page, smith, hotel_a, settings):
    settings.PORTAL_LOOKUP_RATE_PER_ADDRESS = "3/15m"
    page = guest_page
    b = make_booking(hotel_a, guest=smith, offset=5)
    for _ in range(3):
        _find(page, b.reference, "Jones")
        page.get_by_test_id("lookup-error").wait_for()
    _find(page, b.reference, "Smith")
    assert "Too many attempts" in page.get_by_role("heading", level=1).inner_text()
    assert "wait 15 minutes" in page.get_by_test_id("too-many").inner_text()
