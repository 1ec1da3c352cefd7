"""Points and stored-value ledgers: balances equal the sum of the ledger, never go negative (also
under concurrent redemptions), expiry is first-in-first-out, big adjustments need a second person."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.db.models import Sum

from members import services
from members.models import (
    ApprovalState,
    Membership,
    PointsEntry,
    PointsKind,
    StoredValueEntry,
    luhn_valid,
)
from members.testing import make_member

pytestmark = pytest.mark.django_db


def _points_sum(m):
    return PointsEntry.objects.filter(membership=m).aggregate(s=Sum("points"))["s"] or 0


def _sv_sum(m):
    return StoredValueEntry.objects.filter(membership=m).aggregate(s=Sum("amount"))["s"] or Decimal("0")


def test_card_number_has_a_luhn_check_digit_and_is_masked(hotel_a):
    m = make_member(hotel_a)
    assert len(m.card_number) == 16 and luhn_valid(m.card_number)
    assert not luhn_valid(m.card_number[:-1] + str((int(m.card_number[-1]) + 1) % 10))
    assert m.masked_card == "**** " + m.card_number[-4:]


def test_enrolling_twice_is_refused(hotel_a):
    m = make_member(hotel_a)
    with pytest.raises(ValidationError, match="already a member"):
        services.membership_enrol(actor=None, guest=m.guest, property=hotel_a)


def test_redeeming_more_points_than_the_balance_is_refused_and_writes_nothing(hotel_a, bob):
    m = make_member(hotel_a)
    services.points_adjust(actor=bob, membership=m, points=6000, reason="welcome gift", property=hotel_a)
    with pytest.raises(ValidationError, match="Only 6000 points"):
        services.points_redeem(actor=bob, membership=m, reward="room_night", property=hotel_a)
    m.refresh_from_db()
    assert m.points_balance == 6000 == _points_sum(m)
    assert PointsEntry.objects.filter(membership=m).count() == 1


def test_points_adjustment_needs_a_manager_and_a_reason(hotel_a, alice, bob):
    m = make_member(hotel_a)
    with pytest.raises(PermissionDenied):
        services.points_adjust(actor=alice, membership=m, points=10, reason="because", property=hotel_a)
    with pytest.raises(ValidationError):
        services.points_adjust(actor=bob, membership=m, points=10, reason="", property=hotel_a)
    with pytest.raises(ValidationError, match="Only 0 points"):
        services.points_adjust(actor=bob, membership=m, points=-10, reason="correction", property=hotel_a)


def test_negative_and_garbage_amounts_are_refused(hotel_a, alice):
    m = make_member(hotel_a)
    for bad in ("-5", "0", "abc"):
        with pytest.raises(ValidationError):
            services.stored_value_top_up(
                actor=alice, membership=m, amount=bad, payment_reference="POS-1", property=hotel_a
            )
    with pytest.raises(ValidationError, match="payment reference"):
        services.stored_value_top_up(
            actor=alice, membership=m, amount="10", payment_reference="", property=hotel_a
        )
    assert not StoredValueEntry.objects.filter(membership=m).exists()


def test_stored_value_refund_above_the_balance_is_refused(hotel_a, alice):
    m = make_member(hotel_a)
    services.stored_value_top_up(
        actor=alice, membership=m, amount="100", payment_reference="POS-1", property=hotel_a
    )
    with pytest.raises(ValidationError, match=r"Only 100.00"):
        services.stored_value_refund(
            actor=alice, membership=m, amount="100.01", payment_reference="POS-2", property=hotel_a
        )
    services.stored_value_refund(
        actor=alice, membership=m, amount="40", payment_reference="POS-2", property=hotel_a
    )
    m.refresh_from_db()
    assert m.stored_value_balance == Decimal("60.00") == _sv_sum(m)


def test_adjustment_above_threshold_waits_for_a_second_manager(hotel_a, bob, people, settings):
    from tests.factories import MembershipFactory, UserFactory

    settings.MEMBERS_SV_APPROVAL_THRESHOLD = "1000.00"
    m = make_member(hotel_a)
    small = services.stored_value_adjust(
        actor=bob, membership=m, amount="1000.00", reason="goodwill", property=hotel_a
    )
    assert isinstance(small, StoredValueEntry)
    pending = services.stored_value_adjust(
        actor=bob, membership=m, amount="1000.01", reason="compensation", property=hotel_a
    )
    assert pending.state == ApprovalState.PENDING
    m.refresh_from_db()
    assert m.stored_value_balance == Decimal("1000.00")
    with pytest.raises(ValidationError, match="second staff member"):
        services.stored_value_adjustment_decide(actor=bob, adjustment=pending, approve=True)
    with pytest.raises(PermissionDenied):
        services.stored_value_adjustment_decide(actor=people["alice"], adjustment=pending, approve=True)
    second = UserFactory(username="bella")
    MembershipFactory(user=second, property=hotel_a, role="manager")
    done = services.stored_value_adjustment_decide(actor=second, adjustment=pending, approve=True)
    assert done.state == ApprovalState.APPROVED and done.entry.approved_by == second
    m.refresh_from_db()
    assert m.stored_value_balance == Decimal("2000.01") == _sv_sum(m)


def test_points_expire_first_in_first_out(hotel_a, bob, settings):
    settings.MEMBERS_POINTS_EXPIRY_MONTHS = 12
    m = make_member(hotel_a)
    old = date(2024, 1, 10)
    # Lots of 100 (expiring 2025-01-10) and 300 (expiring 2025-06-01), then 150 redeemed.
    PointsEntry.objects.create(
        membership=m, kind=PointsKind.EARN, points=100, balance_after=100, expires_on=date(2025, 1, 10)
    )
    PointsEntry.objects.create(
        membership=m, kind=PointsKind.EARN, points=300, balance_after=400, expires_on=date(2025, 6, 1)
    )
    PointsEntry.objects.create(membership=m, kind=PointsKind.REDEEM, points=-150, balance_after=250)
    Membership.objects.filter(pk=m.pk).update(points_balance=250)
    # The redemption consumed the first lot and 50 of the second: nothing expires in January.
    assert services.points_expire(membership=m, today=old.replace(year=2025)) is None
    assert services.points_expire(membership=m, today=date(2025, 5, 31)) is None
    entry = services.points_expire(membership=m, today=date(2025, 6, 1))
    assert entry.points == -250
    assert services.points_expire(membership=m, today=date(2025, 6, 2)) is None  # idempotent
    m.refresh_from_db()
    assert m.points_balance == 0 == _points_sum(m)


def test_expiry_takes_only_the_oldest_lot(hotel_a):
    m = make_member(hotel_a)
    PointsEntry.objects.create(
        membership=m, kind=PointsKind.EARN, points=100, balance_after=100, expires_on=date(2025, 1, 10)
    )
    PointsEntry.objects.create(
        membership=m, kind=PointsKind.EARN, points=300, balance_after=400, expires_on=date(2025, 6, 1)
    )
    PointsEntry.objects.create(membership=m, kind=PointsKind.REDEEM, points=-30, balance_after=370)
    Membership.objects.filter(pk=m.pk).update(points_balance=370)
    assert services.points_expire(membership=m, today=date(2025, 1, 10)).points == -70
    m.refresh_from_db()
    assert m.points_balance == 300 == _points_sum(m)


def test_expiry_notice_is_sent_once_30_days_ahead(hotel_a, mailoutbox, django_capture_on_commit_callbacks):
    m = make_member(hotel_a)
    PointsEntry.objects.create(
        membership=m, kind=PointsKind.EARN, points=100, balance_after=100, expires_on=date(2025, 3, 1)
    )
    Membership.objects.filter(pk=m.pk).update(points_balance=100)
    assert services.points_expiry_run(today=date(2025, 1, 29))["notices"] == 0  # 31 days ahead
    with django_capture_on_commit_callbacks(execute=True):
        assert services.points_expiry_run(today=date(2025, 1, 30))["notices"] == 1
    assert services.points_expiry_run(today=date(2025, 1, 31))["notices"] == 0
    assert len(mailoutbox) == 1 and "100" in mailoutbox[0].body


def test_ledger_entries_are_append_only(hotel_a, bob):
    m = make_member(hotel_a)
    e = services.points_adjust(actor=bob, membership=m, points=5, reason="goodwill", property=hotel_a)
    with pytest.raises(RuntimeError):
        e.save()
    with pytest.raises(RuntimeError):
        e.delete()


def _race(fn, n=2):
    barrier = threading.Barrier(n)
    results = []

    def run():
        try:
            barrier.wait()
            fn()
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_concurrent_point_redemptions_never_overdraw(hotel_a, bob):
    m = make_member(hotel_a)
    services.points_adjust(actor=bob, membership=m, points=30000, reason="welcome gift", property=hotel_a)
    # Two redemptions of 20,000 from 30,000: exactly one may succeed.
    results = _race(
        lambda: services.points_redeem(actor=bob, membership=m, reward="room_night", property=hotel_a)
    )
    assert results == ["ok", "refused"]
    m.refresh_from_db()
    assert m.points_balance == 10000 == _points_sum(m)
    assert PointsEntry.objects.filter(membership=m, balance_after__lt=0).count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_stored_value_payments_never_overdraw(hotel_a, alice):
    m = make_member(hotel_a)
    services.stored_value_top_up(
        actor=alice, membership=m, amount="150", payment_reference="POS-9", property=hotel_a
    )
    results = _race(
        lambda: services.stored_value_refund(
            actor=alice, membership=m, amount="100", payment_reference="POS-10", property=hotel_a
        )
    )
    assert results == ["ok", "refused"]
    m.refresh_from_db()
    assert m.stored_value_balance == Decimal("50.00") == _sv_sum(m)


def test_the_whole_statement_downloads_as_csv_and_is_recorded(hotel_a, alice, carol, login):
    import csv
    import io

    from audit.models import AccessEvent
    from members import services as ms
    from members.testing import make_member

    m = make_member(hotel_a)
    for i in range(60):  # more than the page shows
        ms.stored_value_top_up(
            actor=alice, membership=m, amount="10.00", payment_reference=f"POS-{i}", property=hotel_a
        )
    r = login(alice).get(f"/members/p/{hotel_a.code}/{m.pk}/statement.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert len([row for row in rows[1:] if row[0] == "Stored value"]) == 60
    assert rows[-1][-1] == "600.00"  # the balance after the last entry
    assert m.card_number not in r.content.decode()
    event = AccessEvent.objects.get(action="export", target_type="membership")
    assert event.criteria["rows"] == len(rows) - 1
    assert login(carol).get(f"/members/p/{hotel_a.code}/{m.pk}/statement.csv").status_code == 404
