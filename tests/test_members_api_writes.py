"""The members API writes through the same services as the screens: enrol, points, stored value;
bad input is a 400 with nothing written, another hotel's member and a role without the right 404."""

from __future__ import annotations

from decimal import Decimal

import pytest

from members.models import Membership, PointsEntry, StoredValueAdjustment, StoredValueEntry
from members.testing import make_member, make_tiers
from reservations.testing import new_guest

pytestmark = pytest.mark.django_db


def test_the_desk_enrols_a_guest_and_a_second_enrolment_is_409(alice, api_as, hotel_a):
    make_tiers()
    guest = new_guest(hotel_a)
    api = api_as(alice)
    r = api.post(
        "/api/v1/members/",
        {"property": "hotel-a", "guest": str(guest.pk), "consent_email": True},
        format="json",
    )
    assert r.status_code == 201, r.json()
    m = Membership.objects.get(guest=guest)
    assert m.consent_email and not m.consent_sms and m.enrolled_property == hotel_a
    assert r.json()["member"]["card_masked"].endswith(m.card_number[-4:])
    assert m.card_number not in r.content.decode()  # masked
    again = api.post("/api/v1/members/", {"property": "hotel-a", "guest": str(guest.pk)}, format="json")
    assert again.status_code == 409
    assert Membership.objects.filter(guest=guest).count() == 1


def test_a_guest_of_another_hotel_cannot_be_enrolled_here(carol, api_as, hotel_a, hotel_b):
    make_tiers()
    guest = new_guest(hotel_a)
    r = api_as(carol).post("/api/v1/members/", {"property": "hotel-b", "guest": str(guest.pk)}, format="json")
    assert r.status_code == 404
    assert not Membership.objects.filter(guest=guest).exists()


def test_stored_value_top_up_refund_and_a_large_adjustment_waiting_for_approval(alice, bob, api_as, hotel_a):
    m = make_member(hotel_a)
    url = f"/api/v1/members/{m.pk}/stored-value/"
    desk = api_as(alice)
    r = desk.post(
        url, {"property": "hotel-a", "action": "top_up", "amount": "500.00", "payment_reference": "POS-77"}
    )
    assert r.status_code == 201 and r.json()["member"]["stored_value_balance"] == "500.00"
    r = desk.post(
        url, {"property": "hotel-a", "action": "refund", "amount": "600.00", "payment_reference": "POS-78"}
    )
    assert r.status_code == 400  # more than the balance
    m.refresh_from_db()
    assert (
        m.stored_value_balance == Decimal("500.00")
        and StoredValueEntry.objects.filter(membership=m).count() == 1
    )
    r = desk.post(url, {"property": "hotel-a", "action": "adjust", "amount": "50.00", "reason": "correction"})
    assert r.status_code == 404  # adjustments are the manager's
    r = api_as(bob).post(
        url, {"property": "hotel-a", "action": "adjust", "amount": "5000.00", "reason": "bulk correction"}
    )
    assert r.status_code == 202 and r.json()["pending_adjustment"]
    assert StoredValueAdjustment.objects.filter(membership=m, state="pending").count() == 1
    m.refresh_from_db()
    assert m.stored_value_balance == Decimal("500.00")


def test_points_adjust_and_redeem_never_below_zero(alice, bob, api_as, hotel_a):
    m = make_member(hotel_a)
    url = f"/api/v1/members/{m.pk}/points/"
    r = api_as(bob).post(
        url, {"property": "hotel-a", "action": "adjust", "points": 6000, "reason": "welcome gift"}
    )
    assert r.status_code == 201 and r.json()["member"]["points_balance"] == 6000
    r = api_as(bob).post(url, {"property": "hotel-a", "action": "adjust", "reason": "no number"})
    assert r.status_code == 400 and "points" in r.json()["errors"]
    r = api_as(alice).post(url, {"property": "hotel-a", "action": "redeem", "reward": "dining"})
    assert r.status_code == 201 and r.json()["member"]["points_balance"] == 1000
    r = api_as(alice).post(url, {"property": "hotel-a", "action": "redeem", "reward": "dining"})
    assert r.status_code == 400  # 1,000 left, dining takes 5,000
    m.refresh_from_db()
    assert (
        m.points_balance
        == 1000
        == sum(PointsEntry.objects.filter(membership=m).values_list("points", flat=True))
    )


@pytest.mark.parametrize("who", ["carol", "ivan", "dave", "erin", "frank", "grace"])
def test_nobody_else_writes_to_a_members_ledgers(who, people, api_as, hotel_a):
    m = make_member(hotel_a)
    api = api_as(people[who])
    for url, body in (
        (
            f"/api/v1/members/{m.pk}/stored-value/",
            {"action": "top_up", "amount": "10.00", "payment_reference": "X"},
        ),
        (f"/api/v1/members/{m.pk}/points/", {"action": "adjust", "points": 10, "reason": "not mine to give"}),
    ):
        for prop in ("hotel-a", "hotel-b"):
            assert api.post(url, {"property": prop, **body}).status_code == 404, (url, prop)
    assert not StoredValueEntry.objects.filter(membership=m).exists()
    assert not PointsEntry.objects.filter(membership=m).exclude(kind="earn").exists()


def test_the_ledgers_read_a_page_at_a_time_newest_first_each_read_recorded(alice, bob, api_as, hotel_a):
    from audit.models import AccessEvent
    from members import services

    m = make_member(hotel_a)
    for i in range(1, 6):
        services.points_adjust(
            actor=bob, membership=m, points=i * 10, reason=f"goodwill {i}", property=hotel_a
        )
    services.stored_value_top_up(
        actor=alice, membership=m, amount=Decimal("80.00"), payment_reference="POS-1", property=hotel_a
    )
    api = api_as(alice)
    url = f"/api/v1/members/{m.pk}/points/"
    first = api.get(url, {"property": "hotel-a", "limit": 2}).json()
    assert [e["points"] for e in first["results"]] == [50, 40] and first["next"] is not None
    second = api.get(url, {"property": "hotel-a", "limit": 2, "before": first["next"]}).json()
    assert [e["points"] for e in second["results"]] == [30, 20]
    last = api.get(url, {"property": "hotel-a", "limit": 2, "before": second["next"]}).json()
    assert [e["points"] for e in last["results"]] == [10] and last["next"] is None
    sv = api.get(f"/api/v1/members/{m.pk}/stored-value/", {"property": "hotel-a"}).json()
    assert [e["amount"] for e in sv["results"]] == ["80.00"] and sv["next"] is None
    reads = AccessEvent.objects.filter(actor_user_id=alice.pk, action="view", target_type="membership")
    assert reads.count() == 4 and {tuple(e.target_ids) for e in reads} == {(str(m.pk),)}
    assert {e.criteria["ledger"] for e in reads} == {"points", "stored_value"}
    bad = api.get(url, {"property": "hotel-a", "before": "yesterday"})
    assert bad.status_code == 400 and "whole numbers" in str(bad.json())


def test_another_hotels_member_ledger_answers_404(carol, api_as, hotel_a, hotel_b):
    m = make_member(hotel_a)
    for path in ("points", "stored-value"):
        r = api_as(carol).get(f"/api/v1/members/{m.pk}/{path}/", {"property": "hotel-b"})
        assert r.status_code == 404, path


@pytest.mark.parametrize(
    "body", [["hotel-a", "123"], {"property": "hotel-a", "card_number": ""}, {"card_number": 5}]
)
def test_a_malformed_card_search_is_a_400_that_says_what_to_send(body, alice, api_as, hotel_a):
    r = api_as(alice).post("/api/v1/members/search/", body, format="json")
    assert r.status_code == 400 and r["Content-Type"].startswith("application/problem+json")
