"""Who may use which member screen: marketing and supervisor (aggregates, masked rows), the desk,
managers, and every other role; another hotel's member answers 404 with a denied event."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent
from members.models import Segment
from members.testing import make_member

pytestmark = pytest.mark.django_db

ALL = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"]


def _expect(allowed, name):
    return 200 if name in allowed else 404


@pytest.mark.parametrize("name", ALL)
def test_member_page(name, people, hotel_a, login):
    m = make_member(hotel_a)
    r = login(people[name]).get(f"/members/p/hotel-a/{m.pk}/")
    assert r.status_code == _expect({"alice", "bob", "heidi"}, name)
    if r.status_code == 200:
        assert m.card_number not in r.content.decode()
        assert m.card_number[-4:] in r.content.decode()


def test_another_hotels_member_is_404_and_recorded(people, hotel_b, login):
    m = make_member(hotel_b)
    r = login(people["alice"]).get(f"/members/p/hotel-a/{m.pk}/")
    assert r.status_code == 404
    assert AccessEvent.objects.filter(
        actor_username="alice", action="denied", target_ids__contains=[str(m.pk)]
    ).exists()
    # and at hotel B's URL alice does not work there
    assert login(people["alice"]).get(f"/members/p/hotel-b/{m.pk}/").status_code == 404


@pytest.mark.parametrize("name", ALL)
def test_segments(name, people, hotel_a, login):
    make_member(hotel_a)
    r = login(people[name]).post("/members/segments/", {"preview": "1"})
    assert r.status_code == _expect({"bob", "frank", "grace", "ivan"}, name)


@pytest.mark.parametrize("name", ALL)
def test_segment_export_is_for_the_supervisor_only(name, people, hotel_a, login):
    m = make_member(hotel_a)
    seg = Segment.objects.create(name="all", criteria={})
    r = login(people[name]).post(f"/members/segments/{seg.pk}/export/")
    assert r.status_code == _expect({"frank"}, name)
    if r.status_code == 200:
        body = r.content.decode()
        assert m.card_number not in body and m.card_number[-4:] in body
        ev = AccessEvent.objects.get(actor_username="frank", action="export")
        assert ev.criteria["rows"] == 1


@pytest.mark.parametrize("name", ALL)
def test_campaign_reports_for_segment_roles_and_sending_for_marketing(name, people, login, hotel_a):
    client = login(people[name])
    r = client.get("/members/campaigns/")
    assert r.status_code == _expect({"bob", "frank", "grace", "ivan"}, name)
    if r.status_code == 200:
        assert ('name="segment"' in r.content.decode()) == (name == "grace")  # the send form
    seg = Segment.objects.create(name="all", criteria={}, created_by=people["grace"])
    posted = client.post(
        "/members/campaigns/", {"segment": seg.pk, "name": "x", "channel": "email", "body": "Hi"}
    )
    assert posted.status_code != 404 if name == "grace" else posted.status_code == 404


@pytest.mark.parametrize("name", ALL)
def test_churn(name, people, login, hotel_a):
    r = login(people[name]).get("/members/churn/")
    assert r.status_code == _expect({"bob", "frank", "grace", "ivan"}, name)


@pytest.mark.parametrize("name", ALL)
def test_tiers_and_approvals_are_for_the_hotels_manager(name, people, login, hotel_a):
    for url in ("/members/p/hotel-a/tiers/", "/members/p/hotel-a/approvals/"):
        assert login(people[name]).get(url).status_code == _expect({"bob"}, name)


@pytest.mark.parametrize("name", ALL)
def test_reconciliation(name, people, login, hotel_a):
    assert login(people[name]).get("/members/p/hotel-a/reconciliation/").status_code == _expect(
        {"bob", "frank"}, name
    )


def test_marketing_sees_no_member_page_and_no_full_card(people, hotel_a, login):
    m = make_member(hotel_a)
    r = login(people["grace"]).post("/members/segments/", {"preview": "1"})
    body = r.content.decode()
    assert m.card_number not in body and "**** " + m.card_number[-4:] in body
    assert m.guest.email not in body


def test_front_desk_enrols_from_the_guest_profile(people, hotel_a, login):
    from reservations.testing import new_guest

    g = new_guest(hotel_a)
    c = login(people["alice"])
    r = c.post(f"/members/p/hotel-a/enrol/{g.pk}/", {"consent_email": "on"})
    assert r.status_code == 302
    g.refresh_from_db()
    assert g.membership.consent_email is True and g.membership.channel == "desk"
    profile = c.get(f"/guests/p/hotel-a/{g.pk}/")
    assert g.membership.masked_card in profile.content.decode()


def test_the_card_number_finds_the_guest_and_is_masked_in_the_audit_trail(people, hotel_a, login):
    m = make_member(hotel_a)
    from guests.search import registered

    assert "card_number" in {c.key for c in registered()}
    r = login(people["alice"]).post("/members/p/hotel-a/", {"card_number": m.card_number})
    assert r.status_code == 200 and "**** " + m.card_number[-4:] in r.content.decode()
    ev = AccessEvent.objects.filter(actor_username="alice", action="search").latest("id")
    assert m.card_number not in str(ev.criteria)
    assert ev.criteria["card_number"]["masked"] == "**** " + m.card_number[-4:]


@pytest.mark.parametrize("name,status", [("alice", 200), ("carol", 404), ("grace", 404)])
def test_api_member_detail(name, status, people, hotel_a, api_as):
    m = make_member(hotel_a)
    r = api_as(people[name]).get(f"/api/v1/members/{m.pk}/?property=hotel-a")
    assert r.status_code == status
    if status == 200:
        assert r.json()["member"]["card_masked"] == m.masked_card


def test_api_segment_preview_rejects_bad_input(people, api_as):
    r = api_as(people["grace"]).post("/api/v1/segments/preview/", {"birthday_month": 13}, format="json")
    assert r.status_code == 400 and r.json()["status"] == 400
