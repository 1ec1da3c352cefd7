"""The guest screens: what a member of staff sees (masked values, errors that say what to do,
a revealed value that is shown once)."""

import pytest

from guests.models import AccessGrant, Guest

from .guests_fixtures import *  # noqa: F403  (fixtures)
from .guests_fixtures import EMAIL_A, ID_A, PHONE_A, events

pytestmark = pytest.mark.django_db

MASKED_ID = ID_A[:6] + "********" + ID_A[-4:]


def test_search_page_posts_and_shows_masked_rows(alice, login, guest_a):
    client = login(alice)
    assert client.get("/guests/p/hotel-a/").status_code == 200
    html = client.post("/guests/p/hotel-a/", {"id_number": ID_A}).content.decode()
    assert "王伟" in html and MASKED_ID in html and "138****8000" in html
    assert ID_A not in html and PHONE_A not in html
    assert f"/guests/p/hotel-a/{guest_a.pk}/" in html


def test_search_form_says_what_to_fix(alice, login):
    html = login(alice).post("/guests/p/hotel-a/", {"phone": "12345"}).content.decode()
    assert "country code" in html
    assert not events(action="search")


def test_front_desk_profile_shows_masked_data_and_no_staff_notes(alice, login, guest_a):
    Guest.objects.filter(pk=guest_a.pk).update(staff_notes="prefers the manager to greet him")
    html = login(alice).get(f"/guests/p/hotel-a/{guest_a.pk}/").content.decode()
    assert MASKED_ID in html and "138****8000" in html and "w***@example.com" in html
    assert ID_A not in html and PHONE_A not in html and EMAIL_A not in html
    assert "prefers the manager" not in html and "Show in full" not in html and "显示完整" not in html
    assert f"/guests/p/hotel-a/{guest_a.pk}/request-access/" in html
    (event,) = events(action="view")
    assert event.target_ids == [str(guest_a.pk)]


def test_manager_profile_shows_notes_and_reveal_forms(bob, login, guest_a):
    Guest.objects.filter(pk=guest_a.pk).update(staff_notes="prefers the manager to greet him")
    html = login(bob).get(f"/guests/p/hotel-a/{guest_a.pk}/").content.decode()
    assert "prefers the manager" in html and 'name="reason"' in html
    assert PHONE_A not in html


def test_reveal_fragment_shows_the_value_once_and_reload_shows_it_masked(bob, login, guest_a):
    client = login(bob)
    response = client.post(
        f"/guests/p/hotel-a/{guest_a.pk}/reveal/",
        {"field": "document", "reason": "document unreadable"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and ID_A in response.content.decode()
    assert "<html" not in response.content.decode()
    assert response["Cache-Control"].startswith("no-store")
    (event,) = events(action="reveal")
    assert event.reason == "document unreadable" and event.criteria["field"] == "document"
    again = client.get(f"/guests/p/hotel-a/{guest_a.pk}/").content.decode()
    assert ID_A not in again and MASKED_ID in again


def test_reveal_by_front_desk_is_refused(alice, login, guest_a):
    response = login(alice).post(
        f"/guests/p/hotel-a/{guest_a.pk}/reveal/", {"field": "phone", "reason": "because"}
    )
    assert response.status_code == 403 and PHONE_A not in response.content.decode()
    assert events(action="reveal")[0].outcome == "denied"


def test_another_hotels_front_desk_gets_404_for_the_profile(carol, login, guest_a):
    assert login(carol).get(f"/guests/p/hotel-b/{guest_a.pk}/").status_code == 404
    assert login(carol).get(f"/guests/p/hotel-a/{guest_a.pk}/").status_code == 404


def test_create_form_shows_errors_next_to_the_field_and_saves_nothing(alice, login, tags):
    response = login(alice).post(
        "/guests/p/hotel-a/new/",
        {
            "family_name": "王",
            "gender": "male",
            "nationality": "CN",
            "document_type": "prc_id",
            "document_number": "1101011985",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "18 characters" in html and "field-error" in html
    assert Guest.objects.count() == 0


def test_create_form_requires_a_document(alice, login):
    html = login(alice).post(
        "/guests/p/hotel-a/new/", {"family_name": "王", "gender": "male", "nationality": "CN"}
    )
    assert "identity document" in html.content.decode()


def test_create_then_edit_through_the_screens(alice, login, tags):
    client = login(alice)
    response = client.post(
        "/guests/p/hotel-a/new/",
        {
            "family_name": "王",
            "given_name": "芳",
            "gender": "female",
            "nationality": "CN",
            "document_type": "prc_id",
            "document_number": ID_A,
            "phone": "13800138000",
            "tags": ["non-smoking"],
        },
    )
    guest = Guest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/guests/p/hotel-a/{guest.pk}/"
    edit = client.get(f"/guests/p/hotel-a/{guest.pk}/edit/").content.decode()
    assert PHONE_A not in edit and "13800138000" not in edit
    response = client.post(
        f"/guests/p/hotel-a/{guest.pk}/edit/",
        {
            "family_name": "王",
            "given_name": "芳芳",
            "gender": "female",
            "nationality": "CN",
            "special_needs": "wheelchair",
        },
    )
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.given_name == "芳芳" and guest.special_needs == "wheelchair" and guest.phone == PHONE_A


def test_break_glass_screen_needs_ten_characters(carol, login, guest_a):
    client = login(carol)
    html = client.post(f"/guests/p/hotel-b/{guest_a.pk}/break-glass/", {"reason": "urgent"}).content.decode()
    assert "at least 10 characters" in html
    assert AccessGrant.objects.count() == 0
    response = client.post(
        f"/guests/p/hotel-b/{guest_a.pk}/break-glass/", {"reason": "fire alarm, guest missing"}
    )
    assert response.status_code == 302
    assert client.get(f"/guests/p/hotel-b/{guest_a.pk}/").status_code == 200


def test_merge_screen_for_a_manager(bob, login, guest_a, hotel_a):
    dup = Guest.objects.create(family_name="王", given_name="伟", home_property=hotel_a)
    client = login(bob)
    assert client.get(f"/guests/p/hotel-a/{guest_a.pk}/merge/").status_code == 200
    html = client.post(f"/guests/p/hotel-a/{guest_a.pk}/merge/", {"other": str(guest_a.pk)}).content.decode()
    assert "into itself" in html
    response = client.post(f"/guests/p/hotel-a/{guest_a.pk}/merge/", {"other": str(dup.pk)})
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into_id == guest_a.pk


def test_merge_screen_is_404_for_front_desk(alice, login, guest_a):
    assert login(alice).get(f"/guests/p/hotel-a/{guest_a.pk}/merge/").status_code == 404


def test_navigation_shows_guests_to_front_desk_not_to_it(alice, erin, login):
    assert 'data-nav="guests"' in login(alice).get("/").content.decode()
    assert 'data-nav="guests"' not in login(erin).get("/").content.decode()
