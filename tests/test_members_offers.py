"""Offers: marketing sets them up on a screen and through the API; bad values are refused with
nothing saved; every other role gets 404."""

from __future__ import annotations

from decimal import Decimal

import pytest

from members.models import Offer
from members.testing import make_offer, make_tiers

pytestmark = pytest.mark.django_db

NOT_MARKETING = ["alice", "bob", "carol", "dave", "erin", "frank", "heidi", "ivan"]


def test_marketing_creates_and_changes_an_offer_on_the_screen(grace, login):
    make_tiers()
    client = login(grace)
    page = client.get("/members/offers/")
    assert page.status_code == 200 and "New offer" in page.content.decode()
    r = client.post(
        "/members/offers/",
        {
            "code": "spring",
            "name": "Spring 10%",
            "kind": "percent",
            "value": "10",
            "min_spend": "0",
            "valid_days": "60",
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    offer = Offer.objects.get(code="spring")
    assert offer.value == Decimal("10.00") and offer.valid_days == 60 and offer.min_tier is None

    edit = client.get("/members/offers/?offer=spring").content.decode()
    assert "Change offer spring" in edit and 'value="Spring 10%"' in edit
    r = client.post(
        "/members/offers/?offer=spring",
        {
            "code": "spring",
            "name": "Spring 15%",
            "kind": "percent",
            "value": "15",
            "min_spend": "500",
            "valid_days": "60",
        },
    )
    assert r.status_code == 302
    offer.refresh_from_db()
    assert (offer.name, offer.value, offer.min_spend, offer.is_active) == (
        "Spring 15%",
        Decimal("15.00"),
        Decimal("500.00"),
        False,
    )
    assert Offer.objects.count() == 1


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"kind": "percent", "value": "150"}, "A percentage is at most 100."),
        ({"value": "0"}, "The value must be more than zero."),
        ({"min_spend": "-5"}, "The minimum spend cannot be negative."),
        ({"valid_days": "0"}, "A voucher must be valid for at least one day."),
    ],
)
def test_a_bad_offer_is_refused_with_its_reason_and_nothing_saved(bad, message, grace, login):
    body = {
        "code": "bad",
        "name": "Bad",
        "kind": "amount",
        "value": "50",
        "min_spend": "0",
        "valid_days": "30",
        **bad,
    }
    r = login(grace).post("/members/offers/", body)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Offer.objects.filter(code="bad").exists()


def test_marketing_uses_the_offers_api(grace, api_as):
    tiers = make_tiers()
    api = api_as(grace)
    body = {
        "code": "gold-dinner",
        "name": "Dinner",
        "kind": "amount",
        "value": "200.00",
        "valid_days": 90,
        "min_tier": tiers["gold"].code,
    }
    r = api.post("/api/v1/offers/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["min_tier"] == tiers["gold"].code
    assert api.post("/api/v1/offers/", body, format="json").status_code == 400  # the code is taken
    r = api.patch("/api/v1/offers/gold-dinner/", {"value": "250.00"}, format="json")
    assert r.status_code == 200 and r.json()["value"] == "250.00"
    r = api.patch("/api/v1/offers/gold-dinner/", {"kind": "percent"}, format="json")  # 250 % is no offer
    assert r.status_code == 400 and "value" in r.json()["errors"]
    assert Offer.objects.get(code="gold-dinner").kind == "amount"


@pytest.mark.parametrize("who", NOT_MARKETING)
def test_nobody_else_sets_up_offers(who, people, login, api_as):
    make_offer("welcome")
    assert login(people[who]).get("/members/offers/").status_code == 404
    api = api_as(people[who])
    body = {"code": "x", "name": "X", "kind": "amount", "value": "1.00", "valid_days": 1}
    assert api.post("/api/v1/offers/", body, format="json").status_code == 404
    assert api.patch("/api/v1/offers/welcome/", {"value": "999.00"}, format="json").status_code == 404
    assert Offer.objects.get(code="welcome").value == Decimal("50.00")
    assert not Offer.objects.filter(code="x").exists()
