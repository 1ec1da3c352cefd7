"""Who may handle privacy requests: compliance everywhere, a manager at their own hotel (another
hotel's request answers 404), every other role nothing (404). And the retention job's edges."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guests.management.commands.privacy_retention import Command
from guests.models import Guest
from guests.privacy.erasure import retention_cutoff, retention_run
from guests.privacy.testing import registered
from guests.testing import make_guest
from reservations.testing import make_booking, unique_prc_id

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name, register, detail",
    [
        ("dave", 200, 200),
        ("bob", 200, 200),
        ("ivan", 200, 404),
        ("alice", 404, 404),
        ("carol", 404, 404),
        ("erin", 404, 404),
        ("frank", 404, 404),
        ("grace", 404, 404),
        ("heidi", 404, 404),
    ],
)
def test_permission_matrix(name, register, detail, people, hotel_a, login, api_as):
    req = registered(hotel_a, actor=people["bob"])
    user = people[name]
    assert login(user).get("/guests/privacy/").status_code == register
    assert login(user).get(f"/guests/privacy/{req.pk}/").status_code == detail
    api = api_as(user)
    assert api.get(f"/api/v1/privacy-requests/{req.pk}/").status_code == detail
    listed = api.get("/api/v1/privacy-requests/")
    assert listed.status_code == register
    if register == 200:
        assert (str(req.pk) in [r["id"] for r in listed.json()]) is (detail == 200)


def test_a_manager_cannot_decide_another_hotels_request(people, hotel_a, api_as):
    req = registered(hotel_a, actor=people["bob"])
    response = api_as(people["ivan"]).post(
        f"/api/v1/privacy-requests/{req.pk}/decide/", {"approve": True}, format="json"
    )
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_api_refusals_are_problem_details(people, hotel_a, api_as):
    response = api_as(people["dave"]).post(
        "/api/v1/privacy-requests/",
        {"property": "hotel-a", "type": "access", "channel": "desk", "claimed_name": "王五", "contact": ""},
        format="json",
    )
    assert response.status_code == 400
    assert "phone number or an e-mail" in response.json()["detail"]


# ------------------------------------------------------------------ retention


def _aged(hotel, days_ago, family):
    guest = make_guest(hotel, family=family, given="旧", id_number=unique_prc_id())
    Guest.objects.filter(pk=guest.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return guest


def test_retention_anonymises_only_guests_past_the_window(settings, hotel_a, people):
    settings.GUEST_RETENTION_DAYS = 100
    today = timezone.localdate()
    on_the_edge = _aged(hotel_a, 100, "边")  # inactive exactly 100 days: kept
    past = _aged(hotel_a, 101, "过")  # 101 days: anonymised
    recent_booking = _aged(hotel_a, 400, "订")  # old profile, but a booking 10 days ago keeps it
    b = make_booking(hotel_a, guest=recent_booking, offset=5)
    from reservations.models import Booking

    Booking.objects.filter(pk=b.pk).update(status="cancelled", created_at=timezone.now() - timedelta(days=10))
    assert retention_cutoff(today) == today - timedelta(days=100)
    report = retention_run(today=today)
    assert report.anonymised == [past.pk]
    for g, erased in ((on_the_edge, False), (past, True), (recent_booking, False)):
        g.refresh_from_db()
        assert (g.erased_at is not None) is erased, g.family_name
    assert past.family_name.startswith("ERASED-")


def test_retention_skips_a_guest_with_an_open_booking_and_says_why(settings, hotel_a, people, capsys):
    settings.GUEST_RETENTION_DAYS = 100
    guest = _aged(hotel_a, 400, "开")
    from reservations.models import Booking

    b = make_booking(hotel_a, guest=guest, offset=0)
    Booking.objects.filter(pk=b.pk).update(
        created_at=timezone.now() - timedelta(days=300),
        arrival=timezone.localdate() - timedelta(days=300),
        departure=timezone.localdate() - timedelta(days=299),
        status="checked_in",
    )
    from django.core.management import call_command

    call_command(Command())
    out = capsys.readouterr().out
    assert "0 anonymised, 1 skipped" in out and "in_house" in out
    guest.refresh_from_db()
    assert guest.erased_at is None


def test_managers_see_what_will_be_anonymised_in_the_next_30_days(settings, hotel_a, hotel_b, people, login):
    settings.GUEST_RETENTION_DAYS = 100
    soon = _aged(hotel_a, 80, "快")  # 20 days left
    later = _aged(hotel_a, 50, "慢")  # 50 days left
    elsewhere = _aged(hotel_b, 80, "乙")
    page = login(people["bob"]).get("/guests/privacy/retention/").content.decode()
    assert str(soon.pk) in page and str(later.pk) not in page and str(elsewhere.pk) not in page
    assert "快" not in page  # no names
    assert str(elsewhere.pk) in login(people["dave"]).get("/guests/privacy/retention/").content.decode()
