"""Fixtures and helpers of the guest-profile tests (imported explicitly by tests/test_guests_*.py)."""

import pytest

from guests.models import PreferenceTag
from guests.testing import make_guest, prc_id

__all__ = ["guest_a", "guest_b", "tags"]  # the fixtures a star import brings in

ID_A = prc_id("110101", "19850307", "421")  # checksum-correct, fictitious
ID_B = prc_id("310104", "19900612", "118")
PHONE_A = "+8613800138000"
EMAIL_A = "wang.wei@example.com"


@pytest.fixture
def tags(db):
    return [
        PreferenceTag.objects.get_or_create(code=code, defaults={"label": label, "label_en": en})[0]
        for code, label, en in (
            ("non-smoking", "无烟", "Non-smoking"),
            ("high-floor", "高楼层", "High floor"),
        )
    ]


@pytest.fixture
def guest_a(hotel_a):
    """王伟, registered at Hotel A, with a resident ID, a phone and an e-mail."""
    return make_guest(hotel_a, family="王", given="伟", id_number=ID_A, phone=PHONE_A, email=EMAIL_A)


@pytest.fixture
def guest_b(hotel_b):
    """李娜, registered at Hotel B only."""
    return make_guest(hotel_b, family="李", given="娜", id_number=ID_B, phone="+8613900139000")


def events(**filters):
    from audit.models import AccessEvent

    return list(AccessEvent.objects.filter(**filters).order_by("id"))
