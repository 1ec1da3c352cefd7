"""My bookings by an e-mailed link, sessions, printing, .ics, changing and cancelling, my data."""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from audit.models import AccessEvent
from reservations.models import Booking, BookingStatus, FolioLine
from reservations.portal.testing import link_session, lookup_session
from reservations.services import local_today
from reservations.testing import make_booking, new_guest, setup_hotel

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/my-bookings/sign-in/[^\s/]+/")


@pytest.fixture
def guest(hotel_a):
    setup_hotel(hotel_a, price="500.00")
    return new_guest(hotel_a, family="Smith", given="Jane", email="Jane.Smith@example.com")


_capture = None


@pytest.fixture(autouse=True)
def _mail_task_runs(django_capture_on_commit_callbacks):
    """The sign-in e-mail is queued after commit; run it when the request's transaction would end."""
    global _capture
    _capture = django_capture_on_commit_callbacks
    yield
    _capture = None


def _ask_link(client, email):
    with _capture(execute=True):
        return client.post("/my-bookings/", {"email": email})


def test_the_link_opens_every_booking_of_the_guest_once(client, guest, hotel_a, hotel_b, mailoutbox):
    setup_hotel(hotel_b)
    past = make_booking(hotel_a, guest=guest, offset=1)
    Booking.objects.filter(pk=past.pk).update(
        arrival=local_today(hotel_a) - timedelta(days=30), departure=local_today(hotel_a) - timedelta(days=28),
        status=BookingStatus.CHECKED_OUT,
    )  # fmt: skip
    upcoming = make_booking(hotel_b, guest=guest, offset=20)
    someone_else = make_booking(hotel_a, offset=5)
    response = _ask_link(client, " jane.smith@EXAMPLE.com ")
    assert response.status_code == 200 and "we have sent a sign-in link" in response.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["Jane.Smith@example.com"]  # the address on file
    url = LINK.search(mailoutbox[0].body).group(0)
    opened = client.get(url)
    assert opened.status_code == 302 and opened["Location"] == "/my-bookings/list/"
    page = client.get("/my-bookings/list/").content.decode()
    assert f"/my-booking/{past.pk}/" in page and f"/my-booking/{upcoming.pk}/" in page
    assert f"/my-booking/{someone_else.pk}/" not in page
    # Filters: by hotel, by dates.
    only_b = client.get("/my-bookings/list/", {"hotel": hotel_b.code}).content.decode()
    assert f"/my-booking/{upcoming.pk}/" in only_b and f"/my-booking/{past.pk}/" not in only_b
    recent = client.get(
        "/my-bookings/list/", {"date_from": local_today(hotel_a).isoformat()}
    ).content.decode()
    assert f"/my-booking/{upcoming.pk}/" in recent and f"/my-booking/{past.pk}/" not in recent
    # Each opens, prints and downloads.
    assert client.get(f"/my-booking/{past.pk}/print/").status_code == 200
    ics = client.get(f"/my-booking/{upcoming.pk}/booking.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert "BEGIN:VEVENT" in body and f"DTSTART;VALUE=DATE:{upcoming.arrival:%Y%m%d}" in body
    assert upcoming.reference not in body and "\r\n" in body
    assert f"SEQUENCE:{upcoming.version - 1}\r\n" in body
    # Used once: a replay is refused with its own message.
    replay = client.get(url)
    assert replay.status_code == 410 and "already been used" in replay.content.decode()
    actions = set(AccessEvent.objects.filter(channel="self_service").values_list("action", flat=True))
    assert {"search", "login", "print", "export"} <= actions


def test_the_page_says_the_same_whether_the_address_is_known_or_not(client, guest, mailoutbox):
    known = _ask_link(client, "jane.smith@example.com")
    unknown = _ask_link(client, "nobody@example.com")
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", known.content) == strip.sub(b"", unknown.content)
    assert len(mailoutbox) == 1
    events = AccessEvent.objects.filter(action="search", target_type="guest").order_by("id")
    assert [e.outcome for e in events] == ["ok", "not_found"]
    assert (
        "nobody" not in str(events[1].criteria)
        and events[1].criteria["email"]["masked"] == "n***@example.com"
    )


@pytest.mark.parametrize(
    ("email", "message"),
    [("", "Enter your e-mail address."), ("not-an-address", "Enter an e-mail address such as"),
     ("a" * 250 + "@example.com", "at most 254 characters")],
)  # fmt: skip
def test_bad_addresses_get_a_clear_message(client, guest, mailoutbox, email, message):
    response = _ask_link(client, email)
    assert message in response.content.decode()
    assert not mailoutbox


def test_a_link_from_another_browser_is_refused_and_still_works_in_the_right_one(client, guest, mailoutbox):
    from django.test import Client

    _ask_link(client, guest.email)
    url = LINK.search(mailoutbox[0].body).group(0)
    other = Client()
    refused = other.get(url)
    assert refused.status_code == 403 and "only in the browser where you asked" in refused.content.decode()
    assert other.get("/my-bookings/list/").status_code == 403
    assert client.get(url).status_code == 302
    after_use = other.get(url)
    assert after_use.status_code == 410 and "already been used" in after_use.content.decode()


def test_an_expired_or_forged_link_is_refused(client, guest, mailoutbox, monkeypatch):
    _ask_link(client, guest.email)
    url = LINK.search(mailoutbox[0].body).group(0)
    later = time.time() + 16 * 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    expired = client.get(url)
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    monkeypatch.undo()
    forged = client.get(url[:-3] + "xx/")
    assert forged.status_code == 404 and "not valid" in forged.content.decode()
    assert client.get("/my-bookings/list/").status_code == 403


def test_link_requests_are_limited(client, guest, mailoutbox):
    for _ in range(3):
        assert _ask_link(client, guest.email).status_code == 200
    assert _ask_link(client, guest.email).status_code == 429
    assert len(mailoutbox) == 3


def test_the_session_ends_after_fifteen_minutes_idle(client, guest, monkeypatch):
    b = make_booking(guest.home_property, guest=guest, offset=5)
    lookup_session(client, b)
    assert client.get(f"/my-booking/{b.pk}/").status_code == 200
    now = time.time()
    monkeypatch.setattr("reservations.portal.sessions.time.time", lambda: now + 14 * 60)
    assert client.get(f"/my-booking/{b.pk}/").status_code == 200  # activity keeps it alive
    monkeypatch.setattr("reservations.portal.sessions.time.time", lambda: now + 14 * 60 + 15 * 60 + 1)
    ended = client.get(f"/my-booking/{b.pk}/")
    assert ended.status_code == 403 and "signed out after 15 minutes" in ended.content.decode()
    monkeypatch.undo()
    assert client.get(f"/my-booking/{b.pk}/").status_code == 403  # and it stays ended


def test_a_staff_session_does_not_open_the_portal_nor_the_reverse(client, guest, alice, bob):
    b = make_booking(guest.home_property, guest=guest, offset=5)
    client.force_login(bob)
    assert client.get("/my-bookings/list/").status_code == 403
    assert client.get(f"/my-booking/{b.pk}/").status_code == 403
    client.logout()
    link_session(client, guest)
    assert client.get("/my-bookings/list/").status_code == 200
    staff_page = client.get(f"/p/{guest.home_property.code}/bookings/{b.pk}/")
    assert staff_page.status_code == 302 and "/login/" in staff_page["Location"]
    assert (
        django_settings.SESSION_COOKIE_NAME not in client.cookies
        or not client.cookies[django_settings.SESSION_COOKIE_NAME].value
    )


def test_a_reference_session_opens_one_booking_not_the_list(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=5)
    sibling = make_booking(guest.home_property, guest=guest, offset=9)
    lookup_session(client, b)
    assert client.get(f"/my-booking/{b.pk}/").status_code == 200
    assert client.get(f"/my-booking/{sibling.pk}/").status_code == 404
    assert client.get("/my-bookings/list/").status_code == 403


def test_sign_out_ends_the_portal_session(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=5)
    lookup_session(client, b)
    assert client.post("/my-booking/sign-out/").status_code == 302
    assert client.get(f"/my-booking/{b.pk}/").status_code == 403


# ---------------------------------------------------------------- cancel


def test_cancel_before_the_deadline_is_free_after_a_confirmation(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=10)
    lookup_session(client, b)
    page = client.get(f"/my-booking/{b.pk}/cancel/").content.decode()
    assert "Cancelling now is free" in page
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.CONFIRMED  # the page itself changes nothing
    done = client.post(f"/my-booking/{b.pk}/cancel/", {"version": b.version, "fee_shown": "0.00"})
    assert done.status_code == 302
    b.refresh_from_db()
    assert b.status == BookingStatus.CANCELLED and b.cancellation_fee == 0
    assert not FolioLine.objects.filter(booking=b).exists()
    assert "Your booking is cancelled" in client.get(done["Location"]).content.decode()


def test_cancel_after_the_deadline_shows_the_fee_before_charging_it(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=0)  # arriving today: past the deadline
    lookup_session(client, b)
    page = client.get(f"/my-booking/{b.pk}/cancel/").content.decode()
    assert "cancelling now costs 500.00 CNY" in page
    # Confirming with a fee of 0 (a stale page) charges nothing and shows the real fee.
    stale = client.post(f"/my-booking/{b.pk}/cancel/", {"version": b.version, "fee_shown": "0.00"})
    assert "the fee is now 500.00" in stale.content.decode()
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.CONFIRMED
    done = client.post(f"/my-booking/{b.pk}/cancel/", {"version": b.version, "fee_shown": "500.00"})
    assert done.status_code == 302
    b.refresh_from_db()
    assert b.status == BookingStatus.CANCELLED and b.cancellation_fee == 500
    assert FolioLine.objects.get(booking=b, kind="penalty").amount == 500


def test_cancel_after_check_in_is_refused_with_a_clear_message(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=0)
    lookup_session(client, b)
    Booking.objects.filter(pk=b.pk).update(status=BookingStatus.CHECKED_IN)
    response = client.post(f"/my-booking/{b.pk}/cancel/", {"version": b.version, "fee_shown": "500.00"})
    assert response.status_code == 409 and "already checked in" in response.content.decode()
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.CHECKED_IN


def test_a_stale_version_changes_nothing(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=10)
    lookup_session(client, b)
    Booking.objects.filter(pk=b.pk).update(version=b.version + 1)
    response = client.post(f"/my-booking/{b.pk}/cancel/", {"version": b.version, "fee_shown": "0.00"})
    assert "was changed a moment ago" in response.content.decode()
    assert Booking.objects.get(pk=b.pk).status == BookingStatus.CONFIRMED


# ---------------------------------------------------------------- change


def test_change_dates_shows_the_new_price_first_then_applies_it(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=10, nights=2)
    lookup_session(client, b)
    data = {
        "arrival": b.arrival.isoformat(),
        "departure": (b.departure + timedelta(days=1)).isoformat(),
        "room_type": b.room_type_id,
        "version": b.version,
        "step": "preview",
    }
    preview = client.post(f"/my-booking/{b.pk}/change/", data)
    assert preview.status_code == 200 and "1500.00 CNY" in preview.content.decode()
    assert Booking.objects.get(pk=b.pk).departure == b.departure  # nothing changed yet
    done = client.post(f"/my-booking/{b.pk}/change/", {**data, "step": "confirm", "total_shown": "1500.00"})
    assert done.status_code == 302
    b2 = Booking.objects.get(pk=b.pk)
    assert (
        b2.departure == b.departure + timedelta(days=1) and b2.total == 1500 and b2.version == b.version + 1
    )
    ics = client.get(f"/my-booking/{b.pk}/booking.ics").content.decode()
    assert f"SEQUENCE:{b.version}\r\n" in ics  # one more than the first copy's: calendars replace it
    assert f"DTEND;VALUE=DATE:{b2.departure:%Y%m%d}" in ics


def test_an_unavailable_date_range_changes_nothing(client, guest, hotel_a):
    b = make_booking(hotel_a, guest=guest, offset=10, nights=2)
    for _ in range(3):  # every room of the type (three) is sold on the new night
        make_booking(hotel_a, offset=12, nights=1)
    lookup_session(client, b)
    data = {
        "arrival": b.arrival.isoformat(),
        "departure": (b.departure + timedelta(days=1)).isoformat(),
        "room_type": b.room_type_id,
        "version": b.version,
        "step": "confirm",
        "total_shown": "1500.00",
    }
    response = client.post(f"/my-booking/{b.pk}/change/", data)
    assert "no room of this type is free" in response.content.decode()
    assert Booking.objects.get(pk=b.pk).departure == b.departure


@pytest.mark.parametrize(
    ("arrival_days", "departure_days", "message"),
    [(12, 11, "The departure must be after the arrival."), (-3, 2, "The arrival cannot be in the past."),
     (10, 200, "at most 90 nights")],
)  # fmt: skip
def test_bad_dates_get_a_clear_message(client, guest, arrival_days, departure_days, message):
    b = make_booking(guest.home_property, guest=guest, offset=10, nights=2)
    lookup_session(client, b)
    today = local_today(b.property)
    data = {
        "arrival": (today + timedelta(days=arrival_days)).isoformat(),
        "departure": (today + timedelta(days=departure_days)).isoformat(),
        "room_type": b.room_type_id,
        "version": b.version,
        "step": "confirm",
        "total_shown": "1.00",
    }
    response = client.post(f"/my-booking/{b.pk}/change/", data)
    assert message in response.content.decode()
    assert Booking.objects.get(pk=b.pk).version == b.version


def test_change_after_check_in_is_refused(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=0)
    lookup_session(client, b)
    Booking.objects.filter(pk=b.pk).update(status=BookingStatus.CHECKED_IN)
    response = client.get(f"/my-booking/{b.pk}/change/")
    assert "already checked in" in response.content.decode()


# ---------------------------------------------------------------- my data


def test_my_data_counts_accesses_by_day_hotel_and_role_without_staff_names(client, guest, alice, bob):
    from guests.models import AccessGrant, GrantKind, GrantState

    b = make_booking(guest.home_property, guest=guest, offset=5)
    client.force_login(alice)
    assert client.get(f"/p/{guest.home_property.code}/bookings/{b.pk}/").status_code == 200
    client.logout()
    AccessGrant.objects.create(
        guest=guest, requester=bob, property=guest.home_property, kind=GrantKind.BREAK_GLASS,
        reason="Lost property: wallet found in room 101", state=GrantState.APPROVED,
        expires_at=timezone.now() + timedelta(minutes=30),
    )  # fmt: skip
    link_session(client, guest)
    page = client.get("/my-bookings/my-data/").content.decode()
    assert "Front desk" in page and "Hotel A" in page
    assert "Lost property: wallet found in room 101" in page
    assert "alice" not in page and "bob" not in page
    event = AccessEvent.objects.filter(channel="self_service", action="view", target_type="guest").get()
    assert event.target_ids == [str(guest.pk)]


def test_my_data_needs_the_link_sign_in(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=5)
    lookup_session(client, b)
    assert client.get("/my-bookings/my-data/").status_code == 403


def test_print_is_one_clean_page_of_the_booking(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=5)
    lookup_session(client, b)
    page = client.get(f"/my-booking/{b.pk}/print/").content.decode()
    assert b.reference in page and "Booking confirmation" in page
    assert "<script>" not in page and "portal.css" in page
    assert AccessEvent.objects.filter(
        action="print", target_ids__contains=[str(b.pk)], channel="self_service"
    ).exists()


# ---------------------------------------------------------------- membership


def test_a_signed_in_guest_joins_online_with_consent_per_channel_and_sees_balances(client, guest):
    from members.models import Membership

    link_session(client, guest)
    page = client.get("/my-bookings/membership/").content.decode()
    assert "You are not a member yet" in page
    refused = client.post("/my-bookings/membership/", {"consent_email": "on"})
    assert "Tick the box to confirm" in refused.content.decode()
    assert not Membership.objects.filter(guest=guest).exists()
    done = client.post("/my-bookings/membership/", {"accept": "on", "consent_sms": "on"})
    assert done.status_code == 302
    m = Membership.objects.get(guest=guest)
    assert (m.channel, m.consent_email, m.consent_sms) == ("web", False, True)
    page = client.get(done["Location"]).content.decode()
    assert "Welcome! You are now a member." in page and m.card_number in page
    events = AccessEvent.objects.filter(channel="self_service", action="view", target_type="membership")
    assert events.filter(target_ids__contains=[str(m.pk)]).exists()


def test_membership_needs_the_link_sign_in(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=5)
    lookup_session(client, b)
    assert client.get("/my-bookings/membership/").status_code == 403


def test_a_signed_in_guest_asks_for_a_copy_of_their_data(client, guest):
    from guests.privacy.models import PrivacyRequest

    link_session(client, guest)
    response = client.post("/my-bookings/my-data/", follow=True)
    assert response.redirect_chain and response.status_code == 200
    page = response.content.decode()
    assert "Your request is registered" in page
    assert "<title>" in page and "copy-title" not in page.split("</title>")[0]  # the title is plain text
    again = client.post("/my-bookings/my-data/")  # a second click, or a refresh of an old POST
    assert again.status_code == 200 and "You already asked on" in again.content.decode()
    req = PrivacyRequest.objects.get(guest=guest)
    assert (req.type, req.channel) == ("access", "online")
    assert AccessEvent.objects.filter(
        channel="self_service", target_type="privacy_request", target_ids__contains=[str(req.pk)]
    ).exists()


@pytest.mark.parametrize("kind", ["correction", "erasure", "objection"])
def test_a_signed_in_guest_asks_for_a_correction_erasure_or_no_marketing(kind, client, guest):
    from guests.privacy.models import PrivacyRequest

    link_session(client, guest)
    details = "My name is spelt Smyth, not Smith." if kind == "correction" else ""
    response = client.post("/my-bookings/my-data/", {"type": kind, "details": details}, follow=True)
    assert "Your request is registered" in response.content.decode()
    req = PrivacyRequest.objects.get(guest=guest)
    assert (req.type, req.channel, req.status) == (kind, "online", "verifying")
    assert req.details == details
    guest.refresh_from_db()
    assert guest.erased_at is None  # nothing is carried out before the privacy team decides
    mine = response.content.decode().split('data-testid="my-requests"')[1].split("</table>")[0]
    assert req.get_type_display() in mine and req.due_on.isoformat() in mine
    assert AccessEvent.objects.filter(
        channel="self_service", target_type="privacy_request", criteria__section="privacy_requests"
    ).exists()


def test_a_correction_without_details_or_an_unknown_request_changes_nothing(client, guest):
    from guests.privacy.models import PrivacyRequest

    link_session(client, guest)
    r = client.post("/my-bookings/my-data/", {"type": "correction", "details": " "})
    assert r.status_code == 200 and "Tell us what is wrong and what it should say." in r.content.decode()
    r = client.post("/my-bookings/my-data/", {"type": "enquiry", "details": "about my friend"})
    assert r.status_code == 200 and "Choose what you are asking for." in r.content.decode()
    assert not PrivacyRequest.objects.exists()


def test_the_sign_in_mail_is_queued_without_the_address_and_its_read_recorded(client, guest, monkeypatch):
    from reservations import tasks

    queued = []
    monkeypatch.setattr(tasks.portal_send_link, "delay", lambda *args: queued.append(args))
    response = _ask_link(client, "jane.smith@example.com")
    assert response.status_code == 200
    ((guest_id, url, _language),) = queued
    assert guest_id == str(guest.pk) and "/my-bookings/sign-in/" in url
    assert "example.com" not in repr(queued)

    tasks.portal_send_link(guest_id, url, "en")  # what the worker does
    read = AccessEvent.objects.filter(channel="system", action="view").get()
    assert read.target_ids == [str(guest.pk)] and read.criteria == {
        "field": "email",
        "purpose": "sign-in link",
    }
    assert read.actor_user_id is None


# ---------------------------------------------------------------- feedback on a stay


def _stay(hotel, guest, status):
    b = make_booking(hotel, guest=guest, offset=0)
    Booking.objects.filter(pk=b.pk).update(status=status)
    b.refresh_from_db()
    return b


def test_a_guest_tells_the_hotel_about_their_stay_and_reads_the_reply(client, guest, hotel_a):
    from members.models import Feedback
    from members.services import feedback_update

    b = _stay(hotel_a, guest, BookingStatus.CHECKED_OUT)
    lookup_session(client, b)
    page = client.get(f"/my-booking/{b.pk}/").content.decode()
    assert 'data-testid="feedback"' in page
    r = client.post(f"/my-booking/{b.pk}/feedback/", {"text": "The room was dirty when we arrived."})
    assert r.status_code == 302 and r["Location"].endswith("?done=feedback")
    f = Feedback.objects.get(booking=b)
    assert (f.source, f.guest_id, f.property_id, f.category) == (
        "after_check_out",
        guest.pk,
        hotel_a.pk,
        "cleanliness",
    )
    feedback_update(
        actor=None, feedback=f, status="replied", reply="We are sorry; housekeeping has been told."
    )
    page = client.get(f"/my-booking/{b.pk}/").content.decode()
    assert "housekeeping has been told" in page and 'data-testid="feedback-reply"' in page
    seen = AccessEvent.objects.filter(target_type="feedback", channel="self_service").latest("id")
    assert seen.target_ids == [str(f.pk)] and seen.actor_user_id is None


def test_feedback_before_the_stay_or_empty_or_too_much_is_refused(client, guest, hotel_a):
    from members.models import Feedback
    from reservations.portal.selectors import FEEDBACK_PER_BOOKING

    upcoming = make_booking(hotel_a, guest=guest, offset=10)
    lookup_session(client, upcoming)
    assert 'data-testid="feedback"' not in client.get(f"/my-booking/{upcoming.pk}/").content.decode()
    r = client.post(f"/my-booking/{upcoming.pk}/feedback/", {"text": "Looking forward to it"})
    assert r.status_code == 400 and "once it has begun" in r.content.decode()

    b = _stay(hotel_a, guest, BookingStatus.CHECKED_IN)
    lookup_session(client, b)
    r = client.post(f"/my-booking/{b.pk}/feedback/", {"text": "  "})
    assert r.status_code == 400 and "Write a few words first." in r.content.decode()
    for i in range(FEEDBACK_PER_BOOKING):
        assert client.post(f"/my-booking/{b.pk}/feedback/", {"text": f"Note {i}"}).status_code == 302
    r = client.post(f"/my-booking/{b.pk}/feedback/", {"text": "One more"})
    assert r.status_code == 400 and "already sent us several messages" in r.content.decode()
    assert Feedback.objects.filter(booking=b).count() == FEEDBACK_PER_BOOKING
    assert not Feedback.objects.filter(booking=upcoming).exists()


def test_feedback_on_someone_elses_booking_is_404(client, guest, hotel_a):
    from members.models import Feedback

    mine = _stay(hotel_a, guest, BookingStatus.CHECKED_OUT)
    theirs = _stay(hotel_a, new_guest(hotel_a, family="Brown"), BookingStatus.CHECKED_OUT)
    lookup_session(client, mine)
    assert client.post(f"/my-booking/{theirs.pk}/feedback/", {"text": "Hello"}).status_code == 404
    assert not Feedback.objects.filter(booking=theirs).exists()


def test_after_a_stale_change_the_next_try_works(client, guest):
    b = make_booking(guest.home_property, guest=guest, offset=10, nights=2)
    lookup_session(client, b)
    Booking.objects.filter(pk=b.pk).update(version=b.version + 1)  # the hotel changed it meanwhile
    data = {
        "arrival": b.arrival.isoformat(),
        "departure": (b.departure + timedelta(days=1)).isoformat(),
        "room_type": b.room_type_id,
        "version": b.version,
        "step": "preview",
    }
    stale = client.post(f"/my-booking/{b.pk}/change/", data)
    assert "was changed a moment ago" in stale.content.decode()
    assert (
        f'name="version" value="{b.version + 1}"' in stale.content.decode()
    )  # the page holds the new version
    retry = client.post(f"/my-booking/{b.pk}/change/", {**data, "version": b.version + 1})
    assert retry.status_code == 200 and "1500.00 CNY" in retry.content.decode()
