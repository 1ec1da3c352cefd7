"""A guest with a booking at a hotel can be found there by name and opened at the basic level."""

import pytest

from guests.selectors import guest_profile, guest_search
from reservations.testing import make_booking, new_guest

pytestmark = pytest.mark.django_db


def test_a_booking_links_the_guest_to_the_hotel_for_name_search(alice, hotel_a, hotel_b):
    guest = new_guest(hotel_b, family="欧阳", given="娜娜")
    before = guest_search(actor=alice, property=hotel_a, criteria={"name": "欧阳娜娜"})
    assert guest.pk not in [r.id for r in before.rows]
    make_booking(hotel_a, actor=alice, guest=guest, offset=3)
    after = guest_search(actor=alice, property=hotel_a, criteria={"name": "欧阳娜娜"})
    assert guest.pk in [r.id for r in after.rows]
    assert guest_profile(actor=alice, guest_id=guest.pk, property=hotel_a).level == "basic"
