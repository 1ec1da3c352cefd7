"""The desk's day in a real browser: sign in, search, take a booking, check in, take the payment,
check out and print the receipt."""

import re

import pytest
from playwright.sync_api import expect

from reservations.testing import make_booking, new_guest, setup_hotel, unique_prc_id
from tests.factories import PASSWORD

# base_url and browser_type_launch_args (Debian's chromium) come from tests/conftest.py.


def _sign_in(page, live_server, username):
    """Sign in through the real form, in English."""
    page.set_default_timeout(15000)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_flow_from_search_to_printed_receipt(page, live_server, alice, hotel_a, settings):
    setup_hotel(hotel_a, rooms=3, price="480.00")
    earlier = make_booking(hotel_a, guest=new_guest(hotel_a, family="赵", given="敏"), offset=5)
    _sign_in(page, live_server, "alice")

    # Search: the earlier booking by reference, name masked in the list.
    page.goto(f"/p/{hotel_a.code}/bookings/")
    page.fill("#id_reference", earlier.reference)
    page.click("form[role=search] button[type=submit]")
    rows = page.locator("[data-testid=booking-rows]")
    assert earlier.reference in rows.inner_text()
    assert "赵*" in rows.inner_text() and "赵敏" not in rows.inner_text()

    # New booking for a walk-in guest, tonight, with the live quote.
    page.goto(f"/p/{hotel_a.code}/bookings/new/?walk_in=1")
    page.fill("#id_family_name", "Smith")
    page.fill("#id_given_name", "Jane")
    page.locator("#id_phone").focus()  # leaving the name fields refreshes the quote (htmx)
    page.wait_for_load_state("networkidle")  # no quote swap may land between the two clicks below
    assert "480.00" in page.locator("[data-testid=quote]").inner_text()
    page.locator("[data-choose-room-type]").first.click()
    expect(page.locator("#id_room_type")).not_to_have_value("")
    page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.click("#booking-form button[type=submit]")
    assert re.match(r".*/bookings/[0-9a-f-]{36}/$", page.url), page.locator("main").inner_text()
    assert page.locator("[data-testid=guest-name]").inner_text() == "Jane Smith"

    # Check in with the guest's document.
    page.get_by_role("link", name="Check in").click()
    page.fill("#id_number_1", unique_prc_id())
    page.fill("#id_name_1", "Jane Smith")
    page.select_option("#id_doc_type_1", "prc_id")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/bookings/[0-9a-f-]{36}/$"))
    assert page.locator("[data-testid=room]").inner_text() != "—"

    # Folio: a minibar charge, the payment of what is due, check-out.
    page.get_by_role("link", name="Folio and check-out").click()
    page.select_option("#id_kind", "minibar")
    page.fill("#id_amount", "30.00")
    page.locator("form:has(input[value=charge]) button[type=submit]").click()
    assert page.locator("[data-testid=due]").inner_text().startswith("510.00")
    page.locator("#payment-form button[type=submit]").click()
    assert page.locator("[data-testid=due]").inner_text().startswith("0.00")
    page.locator("#check-out-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/bookings/[0-9a-f-]{36}/$"))
    assert "Checked out" in page.locator("h1").inner_text()

    # The printed receipt.
    page.locator("[data-testid=print-receipt]").click()
    assert page.locator("[data-testid=receipt-title]").inner_text() == "Receipt"
    folio = page.locator("[data-testid=folio]").inner_text()
    assert "480.00" in folio and "30.00" in folio and "510.00" in folio
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_extends_a_stay_and_takes_a_room_out_of_order(page, live_server, alice, hotel_a):
    from datetime import timedelta

    from reservations import services
    from reservations.testing import make_in_house

    setup_hotel(hotel_a, rooms=3, price="480.00")
    b = make_in_house(hotel_a, nights=1)
    _sign_in(page, live_server, "alice")

    # One more night for the guest in house.
    page.goto(f"/p/{hotel_a.code}/bookings/{b.pk}/")
    page.locator("[data-testid=change-departure]").click()
    page.fill("#id_departure", (b.departure + timedelta(days=1)).isoformat())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "the stay now costs 960.00" in page.locator(".messages").inner_text()
    assert "2 nights" in page.locator("main").inner_text()

    # A free room out of order from tomorrow, for two nights.
    free = next(r for r in services.free_rooms(booking=b, ready_only=False) if r.pk != b.room_id)
    page.goto(f"/p/{hotel_a.code}/housekeeping/")
    page.select_option("#out-of-order form select[name=room]", str(free.pk))
    page.fill("#out-of-order input[name=start]", (b.arrival + timedelta(days=1)).isoformat())
    page.fill("#out-of-order input[name=end]", (b.arrival + timedelta(days=3)).isoformat())
    page.fill("#out-of-order input[name=reason]", "water leak")
    with page.expect_navigation():
        page.locator("#out-of-order form button[type=submit]").click()
    assert f"Room {free.number} is out of order" in page.locator(".messages").inner_text()
    assert "water leak" in page.locator("[data-testid=blocks]").inner_text()
    page.goto(f"/p/{hotel_a.code}/room-chart/")
    expect(page.locator("[data-testid=chart-out-of-order]")).to_have_count(1)
