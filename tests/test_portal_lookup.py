"""Find my booking: the answer, identical refusals, limits, alerts and the access events."""

import logging
import re

import pytest

from audit.models import AccessEvent, AccessEventGuest, Alert
from reservations.models import BookingStatus
from reservations.portal import selectors
from reservations.testing import make_booking, new_guest, setup_hotel

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _post(client, reference, family_name):
    return client.post("/my-booking/", {"reference": reference, "family_name": family_name})


def _other_reference(ref):
    # Same format, different last character: certainly not this booking's reference.
    return ref[:-1] + ("A" if ref[-1] != "A" else "B")


@pytest.fixture
def booking(hotel_a):
    hotel_a.address_en = "1 Bund Road, Shanghai"
    hotel_a.save()
    setup_hotel(hotel_a, price="480.00")
    return make_booking(hotel_a, guest=new_guest(hotel_a, family="Smith", given="Jane"), nights=2, offset=10)


def test_it_shows_the_booking_found_by_reference_and_family_name(client, booking):
    response = _post(client, booking.reference.lower()[:4] + "-" + booking.reference[4:], "  smith ")
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    for expected in (
        "Hotel A",
        "1 Bund Road, Shanghai",
        "480.00",
        "960.00",
        "Confirmed",
        "Std",
        "Free cancellation until",
    ):
        assert expected in text, expected
    assert booking.arrival.isoformat() in text and booking.departure.isoformat() in text
    assert page["Cache-Control"].startswith("no-store")


def test_it_answers_a_wrong_reference_and_a_wrong_name_byte_for_byte_the_same(client, booking, hotel_a):
    from django.test import Client

    answers = []
    for reference, name in ((booking.reference, "Jones"), (_other_reference(booking.reference), "Smith")):
        guest_browser = Client()
        posted = _post(guest_browser, reference, name)
        assert (posted.status_code, posted["Location"], posted.content) == (302, "/my-booking/", b"")
        answers.append(guest_browser.get(posted["Location"]))
    wrong_name, wrong_reference = answers
    assert wrong_name.status_code == wrong_reference.status_code == 200
    assert b"could not find a booking" in wrong_name.content
    assert CSRF.sub(b"", wrong_name.content) == CSRF.sub(b"", wrong_reference.content)
    assert booking.reference.encode() not in wrong_name.content
    # The notice is shown once.
    assert b"could not find a booking" not in Client().get("/my-booking/").content


def test_both_failures_do_the_same_work(client, booking):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def shape(queries):  # the statements without their values
        return [re.sub(r"'[^']*'|\"s\w+\"|\b\d+\b", "?", q["sql"]) for q in queries]

    from django.test import Client

    with CaptureQueriesContext(connection) as wrong_name:
        _post(Client(), booking.reference, "Jones")
    with CaptureQueriesContext(connection) as wrong_ref:
        _post(Client(), _other_reference(booking.reference), "Smith")
    assert shape(wrong_name.captured_queries) == shape(wrong_ref.captured_queries)
    assert any("reservations_booking" in q for q in shape(wrong_ref.captured_queries))


def test_a_guest_never_sees_another_guests_booking_with_its_reference_and_their_own_name(
    client, hotel_a, booking
):
    other = make_booking(hotel_a, guest=new_guest(hotel_a, family="Brown"), offset=3)
    refused = _post(client, other.reference, "Smith")  # Smith's name, Brown's reference
    assert refused["Location"] == "/my-booking/"
    assert b"Brown" not in client.get("/my-booking/").content
    # Smith, signed in on their own booking, asks for Brown's by its id: 404, recorded as denied.
    assert _post(client, booking.reference, "Smith").status_code == 302
    for suffix in ("", "print/", "booking.ics", "cancel/", "change/"):
        response = client.get(f"/my-booking/{other.pk}/{suffix}")
        assert response.status_code == 404, suffix
        assert b"Brown" not in response.content
    denied = AccessEvent.objects.filter(outcome="denied", target_ids__contains=[str(other.pk)])
    assert denied.count() == 5
    assert not AccessEventGuest.objects.filter(guest_id=other.guest_id).exists()


def test_every_lookup_is_recorded_with_the_guest_as_actor_and_masked_criteria(client, booking):
    _post(client, booking.reference, "Jones")
    _post(client, booking.reference, "Smith")
    failed, found = AccessEvent.objects.filter(action="search").order_by("id")
    for event in (failed, found):
        assert event.channel == "self_service" and event.actor_user_id is None and event.actor_role == "guest"
        assert event.criteria["reference"]["masked"] == "**** " + booking.reference[-4:]
        assert booking.reference not in str(event.criteria)
    assert failed.outcome == "not_found" and failed.target_ids == []
    assert "Jones" not in str(failed.criteria) and failed.criteria["name"]["masked"] == "J****"
    assert found.outcome == "ok" and found.target_ids == [str(booking.pk)]
    assert list(found.guest_links.values_list("guest_id", flat=True)) == [booking.guest_id]


@pytest.mark.parametrize(
    ("reference", "family_name", "message"),
    [
        ("", "Smith", "Enter your booking reference."),
        ("ABCDEFGH23", "", "Enter the family name on the booking."),
        ("ABCDEFGH23", "   ", "Enter the family name on the booking."),
        ("ABC", "Smith", "A booking reference has 10 letters and digits"),
        ("ABCDEFGHI0", "Smith", "A booking reference has 10 letters and digits"),
        ("A" * 21, "Smith", "A booking reference has 10 letters and digits; check what you typed."),
        ("ABCDEFGH23", "x" * 101, "A family name has at most 100 characters."),
    ],
)
def test_bad_input_gets_a_clear_message_and_looks_nothing_up(
    client, booking, reference, family_name, message
):
    response = _post(client, reference, family_name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AccessEvent.objects.filter(action="search").exists()
    assert settings_cookie_absent(client)


def settings_cookie_absent(client):
    from django.conf import settings

    return (
        settings.PORTAL_SESSION_COOKIE not in client.cookies
        or not client.cookies[settings.PORTAL_SESSION_COOKIE].value
    )


def test_the_eleventh_attempt_from_one_address_gets_429(client, booking, settings):
    for i in range(10):
        reference = _other_reference(booking.reference)[:-2] + "A" + "23456789"[i % 8]
        assert _post(client, reference, "Smith")["Location"] == "/my-booking/"
    response = _post(client, booking.reference, "Smith")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    refused = AccessEvent.objects.filter(action="search", outcome="denied").get()
    assert refused.channel == "self_service" and booking.reference not in str(refused.criteria)


def test_attempts_on_one_reference_are_limited_across_addresses(client, booking, settings):
    settings.PORTAL_LOOKUP_RATE_PER_REFERENCE = "3/15m"
    for i in range(3):
        r = client.post(
            "/my-booking/",
            {"reference": booking.reference, "family_name": "Jones"},
            REMOTE_ADDR=f"198.51.100.{i}",
        )
        assert r["Location"] == "/my-booking/"
    r = client.post(
        "/my-booking/", {"reference": booking.reference, "family_name": "Smith"}, REMOTE_ADDR="198.51.100.9"
    )
    assert r.status_code == 429


def test_repeated_failures_raise_one_audit_alert(client, booking, settings, mailoutbox, dave):
    settings.PORTAL_ALERT_FAILURES = 3
    for _ in range(2):
        _post(client, booking.reference, "Jones")
    assert not Alert.objects.exists()
    _post(client, booking.reference, "Jones")
    alert = Alert.objects.get()
    assert alert.rule == "denials" and alert.operator_username == "self-service" and alert.figure == 3
    assert booking.reference not in alert.notes
    _post(client, booking.reference, "Jones")
    assert Alert.objects.count() == 1


def test_no_personal_data_in_urls_or_log_lines(client, booking, caplog):
    caplog.set_level(logging.DEBUG)
    urls = []
    r = _post(client, booking.reference, "Jones")
    r = _post(client, booking.reference, "Smith")
    urls.append(r["Location"])
    page = client.get(r["Location"])
    urls += re.findall(r'href="([^"]+)"', page.content.decode())
    for _ in range(12):
        _post(client, booking.reference, "Smith")
    secrets = [booking.reference, "Smith", "Jane", booking.reference[:4]]
    for url in urls:
        for secret in secrets:
            assert secret.lower() not in url.lower(), url
    for record in caplog.records:
        line = record.getMessage()
        for secret in secrets:
            assert secret not in line, line
    assert caplog.records, "the 429 answer is logged by django.request: the check above has lines to read"


def test_a_cancelled_booking_is_shown_with_its_status(client, booking):
    type(booking).objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)
    r = _post(client, booking.reference, "Smith")
    page = client.get(r["Location"])
    assert "Cancelled" in page.content.decode()
    assert b"Cancel booking" not in page.content


def test_the_family_name_matches_whatever_its_case_and_spacing(booking, hotel_a):
    assert selectors.booking_lookup(reference=booking.reference, family_name="Jones") is None
    assert (
        selectors.booking_lookup(reference=_other_reference(booking.reference), family_name="Smith") is None
    )
    assert selectors.booking_lookup(reference=booking.reference, family_name=" SMITH ") == booking
    chinese = make_booking(hotel_a, guest=new_guest(hotel_a, family="王", given="伟"), offset=4)
    assert selectors.booking_lookup(reference=chinese.reference, family_name="王") == chinese
    assert selectors.booking_lookup(reference=chinese.reference, family_name="王伟") is None


def test_found_and_not_found_answers_leave_no_sooner_than_the_floor(client, booking, settings):
    import time

    settings.PORTAL_LOOKUP_MIN_MS = 150
    took = {}
    for what, name in (("found", "Smith"), ("wrong name", "Jones")):
        started = time.monotonic()
        response = _post(client, booking.reference, name)
        took[what] = time.monotonic() - started
        assert response.status_code == 302
    assert took["found"] >= 0.15 and took["wrong name"] >= 0.15, took
