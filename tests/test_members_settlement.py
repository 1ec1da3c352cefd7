"""Check-out: the tier discount as its own folio line, points earned on settled spend, stored value
and points as payment kinds (ledger entry and folio line together or not at all), vouchers once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from members import services
from members.models import Membership, MembershipStatus, MemberStay, PointsEntry, PointsKind, StoredValueEntry
from members.testing import checked_in_booking, make_member, make_offer
from reservations import services as rs
from reservations.models import FolioLine, LineKind
from reservations.testing import new_guest

pytestmark = pytest.mark.django_db


def test_gold_member_gets_a_ten_percent_discount_line_at_settlement(hotel_a, alice):
    m = make_member(hotel_a, tier="gold")
    b = checked_in_booking(hotel_a, m.guest)  # one night at 500.00
    # The desk sees the discount before taking the payment: check-out posts nights and the line.
    with pytest.raises(ValidationError, match=r"450.00"):
        rs.booking_check_out(actor=alice, booking=b, version=None)
    rs.folio_payment_post(actor=alice, booking=b, kind="cash", amount="450.00")
    rs.booking_check_out(actor=alice, booking=b, version=None)
    line = FolioLine.objects.get(booking=b, kind=services.DISCOUNT_KIND)
    assert line.amount == Decimal("50.00") and "10%" in line.description
    assert rs.folio_balance(booking=b) == Decimal("0.00")


@pytest.mark.parametrize("tier,status", [(None, "active"), ("gold", "lapsed")])
def test_no_tier_or_a_lapsed_membership_gets_no_discount(hotel_a, alice, tier, status):
    m = make_member(hotel_a)
    Membership.objects.filter(pk=m.pk).update(
        tier=None if tier is None else m.tier.__class__.objects.get(code=tier), status=status
    )
    b = checked_in_booking(hotel_a, m.guest)
    with pytest.raises(ValidationError, match=r"500.00"):
        rs.booking_check_out(actor=alice, booking=b, version=None)
    assert not FolioLine.objects.filter(booking=b, kind=services.DISCOUNT_KIND).exists()


def test_a_guest_who_is_not_a_member_gets_no_discount(hotel_a, alice):
    b = checked_in_booking(hotel_a, new_guest(hotel_a))
    rs.folio_payment_post(actor=alice, booking=b, kind="cash", amount="500.00")
    rs.booking_check_out(actor=alice, booking=b, version=None)
    assert not FolioLine.objects.filter(booking=b, kind=services.DISCOUNT_KIND).exists()


def test_points_are_earned_on_settled_spend_by_category_and_multiplier(hotel_a, alice):
    m = make_member(hotel_a, tier="silver")  # 5 % off, 1.2x
    b = checked_in_booking(hotel_a, m.guest)
    rs.folio_charge_post(actor=alice, booking=b, kind=LineKind.MINIBAR, amount="100.00")  # 0.5 / unit
    rs.folio_charge_post(actor=alice, booking=b, kind=LineKind.RESTAURANT, amount="200.00")  # 1 / unit
    with pytest.raises(ValidationError, match=r"775.00"):  # 500 - 25 + 100 + 200
        rs.booking_check_out(actor=alice, booking=b, version=None)
    rs.folio_payment_post(actor=alice, booking=b, kind="card", amount="775.00")
    rs.booking_check_out(actor=alice, booking=b, version=None)
    # room 500 - 25 discount = 475 x 1 + 100 x 0.5 + 200 x 1 = 725 x 1.2 = 870
    earn = PointsEntry.objects.get(membership=m, kind=PointsKind.EARN)
    assert earn.points == 870 and earn.booking_id == b.pk
    stay = MemberStay.objects.get(booking=b)
    assert stay.spend == Decimal("775.00") and stay.nights == 1


def test_stored_value_and_points_pay_through_the_ledgers(hotel_a, alice, bob, settings):
    settings.MEMBERS_POINT_VALUE = "0.01"
    m = make_member(hotel_a)
    services.stored_value_top_up(
        actor=alice, membership=m, amount="300", payment_reference="POS-1", property=hotel_a
    )
    services.points_adjust(actor=bob, membership=m, points=20000, reason="welcome gift", property=hotel_a)
    b = checked_in_booking(hotel_a, m.guest)
    rs.folio_payment_post(actor=alice, booking=b, kind=LineKind.STORED_VALUE, amount="300.00")
    rs.folio_payment_post(actor=alice, booking=b, kind=LineKind.POINTS, amount="200.00")
    m.refresh_from_db()
    assert m.stored_value_balance == Decimal("0.00") and m.points_balance == 0
    assert StoredValueEntry.objects.filter(membership=m, booking=b, amount=Decimal("-300.00")).exists()
    assert PointsEntry.objects.filter(membership=m, booking=b, points=-20000).exists()
    rs.booking_check_out(actor=alice, booking=b, version=None)


def test_paying_more_stored_value_than_the_balance_writes_neither_line_nor_entry(hotel_a, alice):
    m = make_member(hotel_a)
    services.stored_value_top_up(
        actor=alice, membership=m, amount="100", payment_reference="POS-1", property=hotel_a
    )
    b = checked_in_booking(hotel_a, m.guest)
    with pytest.raises(ValidationError, match=r"Only 100.00"):
        rs.folio_payment_post(actor=alice, booking=b, kind=LineKind.STORED_VALUE, amount="100.01")
    assert not FolioLine.objects.filter(booking=b, kind=LineKind.STORED_VALUE).exists()
    assert StoredValueEntry.objects.filter(membership=m).count() == 1


def test_a_non_member_cannot_pay_with_points(hotel_a, alice):
    b = checked_in_booking(hotel_a, new_guest(hotel_a))
    with pytest.raises(ValidationError, match="not a member"):
        rs.folio_payment_post(actor=alice, booking=b, kind=LineKind.POINTS, amount="10")
    assert not FolioLine.objects.filter(booking=b).exists()


def test_a_voucher_is_redeemed_once(hotel_a, alice):
    m = make_member(hotel_a)
    v = services.voucher_issue(actor=None, membership=m, offer=make_offer(value="80.00"))
    b = checked_in_booking(hotel_a, m.guest)
    rs.folio_charge_post(actor=alice, booking=b, kind=LineKind.RESTAURANT, amount="120.00")
    line = services.voucher_redeem(actor=alice, booking=b, code=v.code.lower())
    assert line.amount == Decimal("80.00") and line.kind == services.VOUCHER_KIND
    assert rs.folio_balance(booking=b) == Decimal("40.00")
    with pytest.raises(ValidationError, match="already been used"):
        services.voucher_redeem(actor=alice, booking=b, code=v.code)


def test_an_expired_voucher_is_refused(hotel_a, alice):
    m = make_member(hotel_a)
    v = services.voucher_issue(actor=None, membership=m, offer=make_offer(valid_days=1))
    type(v).objects.filter(pk=v.pk).update(
        valid_from=v.valid_from - timedelta(days=10), valid_until=v.valid_from - timedelta(days=2)
    )
    b = checked_in_booking(hotel_a, m.guest)
    rs.folio_charge_post(actor=alice, booking=b, kind=LineKind.RESTAURANT, amount="120.00")
    with pytest.raises(ValidationError, match="not valid today"):
        services.voucher_redeem(actor=alice, booking=b, code=v.code)
    assert not FolioLine.objects.filter(booking=b, kind=services.VOUCHER_KIND).exists()


def test_another_members_voucher_is_refused(hotel_a, alice):
    m = make_member(hotel_a)
    other = make_member(hotel_a)
    v = services.voucher_issue(actor=None, membership=other, offer=make_offer())
    b = checked_in_booking(hotel_a, m.guest)
    with pytest.raises(ValidationError, match="belongs to this guest"):
        services.voucher_redeem(actor=alice, booking=b, code=v.code)
    assert m.status == MembershipStatus.ACTIVE


def test_the_desk_redeems_a_voucher_at_check_out_on_the_screen(hotel_a, alice, login):
    m = make_member(hotel_a)
    v = services.voucher_issue(actor=None, membership=m, offer=make_offer(value="80.00"))
    b = checked_in_booking(hotel_a, m.guest)
    rs.folio_charge_post(actor=alice, booking=b, kind=LineKind.RESTAURANT, amount="120.00")
    client = login(alice)
    url = f"/p/{hotel_a.code}/bookings/{b.pk}/"
    page = client.get(url + "check-out/").content.decode()
    assert 'id="voucher-form"' in page and "Redeem a voucher" in page
    r = client.post(url + "folio/", {"what": "voucher", "code": v.code.lower()}, follow=True)
    assert "Voucher redeemed: 80.00 off." in r.content.decode()
    assert rs.folio_balance(booking=b) == Decimal("40.00")
    r = client.post(url + "folio/", {"what": "voucher", "code": v.code}, follow=True)
    assert "This voucher has already been used." in r.content.decode()
    assert FolioLine.objects.filter(booking=b, kind=services.VOUCHER_KIND).count() == 1


def test_the_bookings_api_redeems_a_voucher_once(hotel_a, alice, api_as, carol):
    m = make_member(hotel_a)
    v = services.voucher_issue(actor=None, membership=m, offer=make_offer(value="80.00"))
    b = checked_in_booking(hotel_a, m.guest)
    rs.folio_charge_post(actor=alice, booking=b, kind=LineKind.RESTAURANT, amount="120.00")
    url = f"/api/v1/bookings/{b.pk}/vouchers/"
    assert api_as(carol).post(url, {"code": v.code}).status_code == 404  # another hotel's desk
    r = api_as(alice).post(url, {"code": v.code})
    assert r.status_code == 201
    assert any(line["amount"] == "80.00" for line in r.json()["folio"])
    again = api_as(alice).post(url, {"code": v.code})
    assert again.status_code == 400 and "code" in again.json()["errors"]
    assert FolioLine.objects.filter(booking=b, kind=services.VOUCHER_KIND).count() == 1


def test_a_manager_lapses_and_reactivates_a_membership(hotel_a, alice, bob, login):
    m = make_member(hotel_a)
    url = f"/members/p/{hotel_a.code}/{m.pk}/"
    assert login(alice).post(url + "status/", {"status": "lapsed"}).status_code == 404  # the desk may not
    m.refresh_from_db()
    assert m.status == MembershipStatus.ACTIVE
    manager = login(bob)
    assert 'data-testid="status-form"' in manager.get(url).content.decode()
    r = manager.post(url + "status/", {"status": "lapsed"}, follow=True)
    m.refresh_from_db()
    assert m.status == MembershipStatus.LAPSED and "Saved." in r.content.decode()
    with pytest.raises(ValidationError, match=r"active membership"):
        services.points_redeem(actor=alice, membership=m, reward="dining", property=hotel_a)
    r = manager.post(url + "status/", {"status": "lapsed"}, follow=True)
    assert "already has this status" in r.content.decode()
    manager.post(url + "status/", {"status": "active"})
    m.refresh_from_db()
    assert m.status == MembershipStatus.ACTIVE


def test_the_member_page_shows_the_tier_history(hotel_a, bob, login):
    m = make_member(hotel_a)
    assert m.tier_changes.exists()  # enrolment puts the member in the first tier
    page = login(bob).get(f"/members/p/{hotel_a.code}/{m.pk}/").content.decode()
    assert 'data-testid="tier-history"' in page and m.tier.display_name in page
