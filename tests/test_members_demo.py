"""The members demo: every tier has members, every balance equals its ledger, a second run adds nothing."""

import pytest
from django.db.models import Sum

from members import demo
from members.models import Feedback, Membership, PointsEntry, StoredValueEntry, Tier

pytestmark = pytest.mark.django_db


def test_demo_members_reconcile_and_load_once(hotel_a, hotel_b):
    from reservations.testing import new_guest

    for i in range(9):
        new_guest(hotel_a if i % 2 else hotel_b)
    demo.load(lambda line: None)
    assert Membership.objects.count() == 9
    assert set(Tier.objects.filter(members__isnull=False).values_list("code", flat=True)) == {
        "blue",
        "silver",
        "gold",
    }
    for m in Membership.objects.all():
        assert m.points_balance == PointsEntry.objects.filter(membership=m).aggregate(s=Sum("points"))["s"]
        assert (
            m.stored_value_balance
            == StoredValueEntry.objects.filter(membership=m).aggregate(s=Sum("amount"))["s"]
        )
    feedback = Feedback.objects.count()
    demo.load(lambda line: None)
    assert Membership.objects.count() == 9 and Feedback.objects.count() == feedback
