"""Privacy requests end to end: each type and channel, the export (once), verification, decisions,
appeals and the bad input that must be refused and recorded."""

import io
import json
import zipfile

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from audit.models import AccessEvent
from guests.privacy import services
from guests.privacy.models import PrivacyExport, PrivacyRequest, PrivacyStatus, PrivacyStatusChange
from guests.privacy.testing import approved, registered, stayed_guest, verified
from guests.testing import prc_id
from reservations.models import FolioLine

pytestmark = pytest.mark.django_db

ID_A, ID_B = prc_id("310101", "19800101", "111"), prc_id("310101", "19810202", "222")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def guest_a(hotel_a):
    return stayed_guest(
        hotel_a, family="司马", given="光华", phone="+8613911112222", email="guang@example.com"
    )


def _denied(code):
    return AccessEvent.objects.filter(action="denied", criteria__refused=code)


# ------------------------------------------------------------------ each type and channel


@pytest.mark.parametrize(
    "type_, channel",
    [
        ("access", "desk"),
        ("export", "phone"),
        ("correction", "email"),
        ("objection", "desk"),
        ("erasure", "phone"),
    ],
)
def test_a_request_goes_from_received_to_fulfilled(
    type_, channel, hotel_a, bob, dave, guest_a, django_capture_on_commit_callbacks
):
    guest, booking = guest_a
    guest.marketing_consent = True
    guest.save()
    req = verified(hotel_a, actor=bob, guest=guest, booking=booking, type=type_, channel=channel)
    assert req.status == PrivacyStatus.VERIFYING and req.guest_id == guest.pk
    req = services.privacy_request_decide(actor=dave, request=req, approve=True)
    if type_ == "erasure":
        booking.status = "cancelled"
        booking.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        services.privacy_request_fulfil(
            actor=dave, request=req, correction={"given_name": "光明"} if type_ == "correction" else None
        )
    req.refresh_from_db()
    guest.refresh_from_db()
    assert req.status == PrivacyStatus.FULFILLED
    assert [
        h.to_status for h in PrivacyStatusChange.objects.filter(request=req) if h.to_status != h.from_status
    ] == ["received", "verifying", "approved", "fulfilled"]
    expected = {
        "access": lambda: req.exports.get().state == PrivacyExport.State.READY,
        "export": lambda: req.exports.get().state == PrivacyExport.State.READY,
        "correction": lambda: guest.given_name == "光明" and req.corrected_fields == ["given_name"],
        "objection": lambda: guest.marketing_consent is False,
        "erasure": lambda: guest.erased_at is not None,
    }[type_]
    assert expected()
    assert LogEntry.objects.get_for_object(req).count() >= 3  # the change log follows the request


def test_an_online_request_from_the_portal_is_verified_by_the_sign_in(hotel_a, dave, guest_a):
    guest, _booking = guest_a
    req = services.privacy_request_create(guest=guest, type="export", details="all my data")
    assert (req.channel, req.status, req.guest_id) == ("online", "verifying", guest.pk)
    assert req.contact_masked == "g***@example.com"
    event = AccessEvent.objects.filter(
        target_type="privacy_request", target_ids__contains=[str(req.pk)]
    ).get()
    assert event.channel == "self_service" and event.actor_user_id is None and event.reason == req.purpose
    assert services.privacy_request_decide(actor=dave, request=req, approve=True).status == "approved"


def test_an_enquiry_about_another_guest_needs_the_written_authorisation(hotel_a, bob, dave, guest_a):
    other, _b = guest_a
    req = registered(hotel_a, actor=bob, type="enquiry", channel="email")
    with pytest.raises(ValidationError, match="written authorisation"):
        services.privacy_request_decide(actor=dave, request=req, approve=True)
    assert _denied("no_authorisation").filter(reason=req.purpose).exists()
    services.privacy_authorisation_record(
        actor=dave,
        request=req,
        document_number=other.documents.first().number,
        note="letter signed 3 May, file 12",
    )
    req = services.privacy_request_decide(actor=dave, request=req, approve=True)
    req = services.privacy_request_fulfil(
        actor=dave, request=req, reply="Yes, with their consent: one stay in May."
    )
    assert req.status == "fulfilled" and req.about_guest_id == other.pk


# ------------------------------------------------------------------ export


def test_the_export_holds_the_guests_data_and_nothing_of_another_guest(
    hotel_a, alice, bob, dave, guest_a, login
):
    guest, booking = guest_a
    FolioLine.objects.create(booking=booking, kind="minibar", amount="12.00", description="cola")
    from reservations.models import Room, RoomMove

    other_room = Room.objects.filter(property=hotel_a).exclude(pk=booking.room_id).first()
    RoomMove.objects.create(
        booking=booking, from_room=booking.room, to_room=other_room, reason="noisy neighbours"
    )
    stranger, _sb = stayed_guest(
        hotel_a, family="诸葛", given="明亮", phone="+8613922223333", email="zhuge@example.com"
    )
    from reservations.models import BookingCompanion

    BookingCompanion.objects.create(booking=_sb, guest=guest)  # shared the stranger's room
    login(alice).get(f"/guests/p/hotel-a/{guest.pk}/")  # one access to summarise
    req = approved(hotel_a, actor=bob, decider=dave, guest=guest, booking=booking, type="export")
    from guests.privacy.testing import ready_export

    export = ready_export(req, actor=dave)
    assert export.state == "ready" and export.progress == 100
    with default_storage.open(export.file_name, "rb") as fh:
        stored = fh.read()
    assert b"PK" not in stored[:4] and guest.phone.encode() not in stored  # encrypted at rest
    response = login(dave).post(f"/guests/privacy/{req.pk}/exports/{export.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(zf.namelist())
    assert {"profile.json", "profile.csv", "bookings.json", "folio_lines.csv", "access_summary.json"} <= names
    text = "".join(zf.read(n).decode() for n in names)
    profile = json.loads(zf.read("profile.json"))[0]
    assert (
        profile["phone"] == "+8613911112222"
        and profile["documents"][0]["number"] == guest.documents.first().number
    )
    assert booking.reference in text and "cola" in text
    own = [b for b in json.loads(zf.read("bookings.json")) if b["role"] == "booking guest"]
    assert f"-> {other_room.number} (noisy neighbours)" in own[0]["room_moves"]
    for foreign in (
        "诸葛",
        "明亮",
        "+8613922223333",
        "zhuge@",
        stranger.documents.first().number,
        _sb.reference,
    ):
        assert foreign not in text
    shared = [b for b in json.loads(zf.read("bookings.json")) if b["role"] == "companion"]
    assert [b["arrival"] for b in shared] == [_sb.arrival.isoformat()]  # the stay, not the booker's data
    summary = json.loads(zf.read("access_summary.json"))
    assert any(r["role"] == "front_desk" and r["count"] >= 1 for r in summary)
    assert "alice" not in zf.read("access_summary.json").decode()
    assert AccessEvent.objects.filter(
        action="export", target_type="privacy_export", target_ids__contains=[str(export.pk)]
    ).exists()


def test_a_second_download_is_refused_and_recorded(hotel_a, bob, dave, guest_a, login):
    guest, booking = guest_a
    req = approved(hotel_a, actor=bob, decider=dave, guest=guest, booking=booking, type="access")
    from guests.privacy.testing import ready_export

    export = ready_export(req, actor=dave)
    services.privacy_export_download(actor=dave, export=export)
    with pytest.raises(ValidationError, match="already handed over"):
        services.privacy_export_download(actor=dave, export=export)
    assert _denied("second_download").filter(reason=req.purpose).count() == 1
    page = login(dave).post(f"/guests/privacy/{req.pk}/exports/{export.pk}/download/", follow=True)
    assert "already handed over" in page.content.decode()
    assert _denied("second_download").count() == 2
    # The portal hands over only to the signed-in guest it belongs to.
    other, _ob = stayed_guest(hotel_a)
    with pytest.raises(Exception, match="No such export"):
        services.privacy_export_download(actor=None, export=export, via="self_service", guest=other)


# ------------------------------------------------------------------ bad input


def test_a_request_with_no_contact_is_refused_and_recorded(hotel_a, bob, login):
    with pytest.raises(ValidationError) as err:
        services.privacy_request_register(
            actor=bob, property=hotel_a, type="access", channel="desk", claimed_name="王五", contact="  "
        )
    assert "phone number or an e-mail" in err.value.message_dict["contact"][0]
    assert _denied("no_contact").count() == 1 and not PrivacyRequest.objects.exists()
    page = login(bob).post(
        "/guests/privacy/new/",
        {"property": "hotel-a", "type": "access", "channel": "desk", "claimed_name": "王五", "contact": ""},
    )
    assert page.status_code == 200 and "phone number or an e-mail" in page.content.decode()
    assert _denied("no_contact").count() == 2 and not PrivacyRequest.objects.exists()


def test_a_verification_that_does_not_match_shows_items_not_values(hotel_a, bob, dave, guest_a, login):
    guest, booking = guest_a
    req = registered(hotel_a, actor=bob)
    data = {
        "method": "details",
        "name": "司马光华",
        "phone": "139 1111 2222",
        "room_number": "999",
        "arrival": booking.arrival.isoformat(),
        "departure": booking.departure.isoformat(),
    }
    page = login(bob).post(f"/guests/privacy/{req.pk}/verify/", data, follow=True)
    body = page.content.decode()
    assert "do not match" in body and "no match" in body
    assert guest.documents.first().number not in body and "13911112222" not in body
    attempt = req.verifications.get()
    assert attempt.matched is False
    assert attempt.items == {
        "name": True,
        "phone": True,
        "room_number": False,
        "arrival": True,
        "departure": True,
    }
    req.refresh_from_db()
    assert req.guest_id is None and req.status == "verifying"
    assert AccessEvent.objects.filter(
        target_type="privacy_request", outcome="not_found", reason=req.purpose
    ).exists()
    with pytest.raises(ValidationError, match="Verify the requester first"):
        services.privacy_request_decide(actor=dave, request=req, approve=True)


def test_an_appeal_goes_to_a_second_reviewer_and_a_fulfilled_request_cannot_be_appealed(
    hotel_a, bob, dave, guest_a
):
    guest, booking = guest_a
    req = verified(hotel_a, actor=bob, guest=guest, booking=booking, type="objection")
    with pytest.raises(ValidationError, match="reason"):
        services.privacy_request_decide(actor=dave, request=req, approve=False, refusal_reason="", text="")
    req = services.privacy_request_decide(
        actor=dave, request=req, approve=False, refusal_reason="unfounded", text="Asked ten times."
    )
    assert "appeal" in req.reply_text and "Asked ten times." in req.reply_text
    req = services.privacy_request_appeal(actor=bob, request=req, text="I only asked once.")
    assert req.status == "appealed"
    with pytest.raises(ValidationError, match="different reviewer"):
        services.privacy_request_decide(actor=dave, request=req, approve=True)
    req = services.privacy_request_decide(actor=bob, request=req, approve=True)
    assert (req.first_reviewer_id, req.second_reviewer_id) == (dave.pk, bob.pk)
    req = services.privacy_request_fulfil(actor=dave, request=req)
    with pytest.raises(ValidationError, match="fulfilled"):
        services.privacy_request_appeal(actor=dave, request=req, text="again")
    assert _denied("appeal_fulfilled").filter(reason=req.purpose).count() == 1
    assert PrivacyRequest.objects.get(pk=req.pk).status == "fulfilled"


def test_every_read_records_the_request_id_as_purpose(hotel_a, bob, dave, login):
    req = registered(hotel_a, actor=bob)
    assert login(dave).get(f"/guests/privacy/{req.pk}/").status_code == 200
    event = AccessEvent.objects.filter(action="view", target_type="privacy_request").latest("id")
    assert event.reason == req.purpose and event.actor_user_id == dave.pk


def test_the_register_highlights_overdue_requests_and_filters(hotel_a, bob, dave, login):
    from datetime import timedelta

    from django.utils import timezone

    late = registered(hotel_a, actor=bob, type="erasure")
    PrivacyRequest.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    fresh = registered(hotel_a, actor=bob, type="access")
    page = login(dave).get("/guests/privacy/", {"overdue": "on"}).content.decode()
    assert late.short_id in page and fresh.short_id not in page and 'class="danger"' in page
    page = login(dave).get("/guests/privacy/", {"type": "access"}).content.decode()
    assert fresh.short_id in page and late.short_id not in page
    summary = login(dave).get("/guests/privacy/summary/").content.decode()
    assert "2 requests received; 1 open past their due date." in summary
    assert "<td>Erasure" in summary and "<td>erasure<" not in summary  # labels, not codes


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-12"])
def test_the_summary_takes_any_month_without_a_500(month, dave, login, api_as):
    assert login(dave).get("/guests/privacy/summary/", {"month": month}).status_code == 200
    assert api_as(dave).get("/api/v1/privacy-requests/summary/", {"month": month}).status_code == 200
