"""Erasure through a privacy request: nothing of the guest is left in any column of any table, the
bookings' totals still add up, the audit chain still verifies, and a guest in house or with an open
balance is refused with the reason (nothing partly erased)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from audit.integrity import seal, verify
from audit.models import AccessEvent, AccessEventGuest
from guests.models import Guest, IdentityDocument
from guests.privacy import services
from guests.privacy.models import PrivacyRequest, PrivacyStatus
from guests.testing import make_guest, prc_id
from reservations.models import Booking, FolioLine, StayRegistration
from reservations.services import (
    IdentityDocumentInput,
    booking_check_in,
    booking_check_out,
    folio_charge_post,
    folio_payment_post,
)
from reservations.testing import make_booking

pytestmark = pytest.mark.django_db

ID_NUMBER = prc_id("440305", "19921130", "736")
FAMILY, GIVEN = "欧阳", "秘密"
PHONE_TYPED, PHONE_E164, PHONE_NATIONAL = "139 1234 5678", "+8613912345678", "13912345678"
EMAIL = "secret.guest@example.com"
NEEDLES = [
    FAMILY + GIVEN,
    GIVEN,
    ID_NUMBER,
    ID_NUMBER[:-1],
    PHONE_E164,
    PHONE_NATIONAL,
    EMAIL,
    "secret.guest@",
    "quiet room, no feathers",
]


def _columns():
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea')
            """
        )
        return cur.fetchall()


def _hits(needles=NEEDLES):
    found = []
    with connection.cursor() as cur:
        for table, column in _columns():
            for needle in needles:
                cur.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',
                    ["%" + needle.replace("%", r"\%").replace("_", r"\_") + "%"],
                )
                if cur.fetchone()[0]:
                    found.append((table, column, needle))
    return found


def _stayed_guest(hotel, actor):
    """A guest with a finished, paid stay: check-in registration, folio lines, notes and tags."""
    guest = make_guest(
        hotel,
        family=FAMILY,
        given=GIVEN,
        id_number=ID_NUMBER,
        phone=PHONE_E164,
        email=EMAIL,
        special_needs="quiet room, no feathers",
        staff_notes=f"called {FAMILY}{GIVEN} back",
        address="上海市 秘密路 1 号",
    )
    booking = make_booking(
        hotel, actor=actor, guest=guest, nights=1, special_requests="quiet room, no feathers"
    )
    booking = booking_check_in(
        actor=actor,
        booking=booking,
        version=booking.version,
        documents=[
            IdentityDocumentInput(full_name=FAMILY + GIVEN, doc_type="prc_id", number=ID_NUMBER, guest=guest)
        ],
    )
    from reservations.models import Room
    from reservations.services import booking_room_move

    other = Room.objects.filter(room_type=booking.room_type).exclude(pk=booking.room_id).first()
    booking = booking_room_move(
        actor=actor, booking=booking, version=booking.version, room=other, reason="quiet room, no feathers"
    )
    folio_charge_post(actor=actor, booking=booking, kind="minibar", amount="30.00", description="water")
    return guest, booking


def _pay_and_check_out(booking, actor):
    from reservations.services import folio_balance

    booking.refresh_from_db()
    folio_payment_post(
        actor=actor,
        booking=booking,
        kind="card",
        amount=str(folio_balance(booking=booking) + Decimal("500.00")),
    )
    booking.refresh_from_db()
    return booking_check_out(actor=actor, booking=booking, version=booking.version)


def _approved_erasure(dave, bob, hotel, guest):
    req = services.privacy_request_register(
        actor=bob,
        property=hotel,
        type="erasure",
        channel="desk",
        claimed_name=FAMILY + GIVEN,
        contact=PHONE_TYPED,
    )
    attempt = services.privacy_request_verify(
        actor=bob,
        request=req,
        method="document",
        document_number=ID_NUMBER,
        booking_reference=Booking.objects.filter(guest=guest).first().reference,
    )
    assert attempt.matched
    return services.privacy_request_decide(actor=dave, request=req, approve=True)


def test_erasure_leaves_nothing_of_the_guest_and_the_audit_chain_verifies(hotel_a, alice, bob, dave, login):
    guest, booking = _stayed_guest(hotel_a, alice)
    booking = _pay_and_check_out(booking, alice)
    # The guest's profile was opened and searched for at the desk: events that name the guest id.
    page = login(alice).get(f"/guests/p/hotel-a/{guest.pk}/")
    assert page.status_code == 200
    totals_before = (
        Booking.objects.get(pk=booking.pk).total,
        FolioLine.objects.filter(booking=booking).aggregate(s=Sum("amount"))["s"],
    )
    assert _hits(), "the scan must see the guest before erasure"

    req = _approved_erasure(dave, bob, hotel_a, guest)
    seal()
    services.privacy_request_fulfil(actor=dave, request=req)

    assert _hits() == []
    guest.refresh_from_db()
    assert guest.erased_at is not None and guest.family_name.startswith("ERASED-")
    assert guest.phone_bidx == guest.email_bidx == "" and not guest.tags.exists()
    assert not IdentityDocument.objects.filter(guest=guest).exists()
    reg = StayRegistration.objects.get(booking=booking)
    assert reg.guest_id is None and reg.doc_number_bidx == ""
    # Accounting: the booking and its folio are still there, same totals, pointing at the pseudonymous id.
    kept = Booking.objects.get(pk=booking.pk)
    assert kept.guest_id == guest.pk
    assert (
        kept.total,
        FolioLine.objects.filter(booking=booking).aggregate(s=Sum("amount"))["s"],
    ) == totals_before
    # The marker, and the older access events untouched (still naming only the guest id).
    marker = AccessEvent.objects.get(action="erasure")
    assert marker.target_ids == [str(guest.pk)] and marker.reason == req.purpose
    assert AccessEventGuest.objects.filter(guest_id=guest.pk).count() >= 3
    seal()
    result = verify(record=False)
    assert result.ok, result.detail
    assert PrivacyRequest.objects.get(pk=req.pk).status == PrivacyStatus.FULFILLED


def test_the_scan_finds_the_guest_when_not_erased(hotel_a, alice):
    _stayed_guest(hotel_a, alice)
    hits = _hits()
    assert ("guests_guest", "family_name", FAMILY + GIVEN) not in hits  # stored apart: family, given
    assert ("guests_guest", "given_name", GIVEN) in hits
    assert ("reservations_booking", "special_requests", "quiet room, no feathers") in hits
    # The change log masks the guest's own words and encrypted values: nothing of it there.
    assert not [hit for hit in hits if hit[0] == "auditlog_logentry"]


def test_erasure_of_a_guest_in_house_is_refused_recorded_and_changes_nothing(hotel_a, alice, bob, dave):
    guest, _booking = _stayed_guest(hotel_a, alice)  # still checked in, minibar unpaid
    req = _approved_erasure(dave, bob, hotel_a, guest)
    with pytest.raises(ValidationError) as err:
        services.privacy_request_fulfil(actor=dave, request=req)
    message = " ".join(err.value.messages)
    assert "in house" in message and "open balance" in message
    guest.refresh_from_db()
    assert guest.erased_at is None and guest.given_name == GIVEN
    assert IdentityDocument.objects.filter(guest=guest).exists()
    assert PrivacyRequest.objects.get(pk=req.pk).status == PrivacyStatus.APPROVED
    refusal = AccessEvent.objects.filter(action="denied", target_type="privacy_request").latest("id")
    assert refusal.criteria == {"refused": "in_house"} and refusal.reason == req.purpose


def test_the_request_page_says_what_still_prevents_an_approved_erasure(hotel_a, alice, bob, dave, login):
    guest, booking = _stayed_guest(hotel_a, alice)
    req = _approved_erasure(dave, bob, hotel_a, guest)
    page = login(dave).get(f"/guests/privacy/{req.pk}/").content.decode()
    assert 'data-testid="erasure-blockers"' in page
    assert "The guest is in house" in page and "open balance of 30.00" in page
    view = AccessEvent.objects.filter(
        actor_user_id=dave.pk, action="view", target_type="privacy_request"
    ).latest("id")
    assert view.target_ids == [str(req.pk)]
    _pay_and_check_out(booking, alice)
    page = login(dave).get(f"/guests/privacy/{req.pk}/").content.decode()
    assert 'data-testid="erasure-blockers"' not in page


def test_erasure_with_an_open_balance_names_it(hotel_a, alice, bob, dave):
    guest, booking = _stayed_guest(hotel_a, alice)
    Booking.objects.filter(pk=booking.pk).update(status="checked_out")  # left without paying
    req = _approved_erasure(dave, bob, hotel_a, guest)
    with pytest.raises(ValidationError) as err:
        services.privacy_request_fulfil(actor=dave, request=req)
    assert "open balance" in " ".join(err.value.messages)
    assert "in house" not in " ".join(err.value.messages)
    assert Guest.objects.get(pk=guest.pk).erased_at is None


def test_erasure_also_empties_check_in_records_never_linked_to_the_profile(hotel_a, alice, bob, dave):
    guest, booking = _stayed_guest(hotel_a, alice)
    # The same card registered without a profile link (as the API's check-in writes it).
    StayRegistration.objects.filter(booking=booking).update(guest=None)
    booking = _pay_and_check_out(booking, alice)
    req = _approved_erasure(dave, bob, hotel_a, guest)
    services.privacy_request_fulfil(actor=dave, request=req)
    reg = StayRegistration.objects.get(booking=booking)
    assert (reg.full_name, reg.doc_number, reg.doc_number_bidx) == ("", "", "")
    assert _hits() == []


def test_erasing_a_profile_merged_since_erases_the_surviving_one(hotel_a, alice, bob, dave):
    from guests.services import guest_merge

    guest, booking = _stayed_guest(hotel_a, alice)
    booking = _pay_and_check_out(booking, alice)
    req = _approved_erasure(dave, bob, hotel_a, guest)
    survivor = Guest.objects.create(
        family_name=FAMILY, given_name=GIVEN, phone=PHONE_E164, home_property=hotel_a
    )
    guest_merge(actor=bob, property=hotel_a, source=guest, target=survivor)
    services.privacy_request_fulfil(actor=dave, request=req)
    survivor.refresh_from_db()
    assert survivor.erased_at is not None and survivor.phone == ""
    assert Guest.objects.get(pk=guest.pk).erased_at is not None
    assert _hits() == []
