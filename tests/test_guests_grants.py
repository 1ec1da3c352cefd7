"""Access grants: dual review end to end, no self-approval, break-the-glass, expiry on read."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

from guests import services
from guests.models import AccessGrant, GrantState
from pms.roles import Role
from tests.factories import MembershipFactory, UserFactory

from .guests_fixtures import *  # noqa: F403  (fixtures)
from .guests_fixtures import events

pytestmark = pytest.mark.django_db


def _level(api, guest, where="hotel-a"):
    response = api.get(f"/api/v1/guests/{guest.pk}/?property={where}")
    return response.json()["level"] if response.status_code == 200 else response.status_code


def test_dual_review_end_to_end(alice, bob, api_as, guest_a, settings, django_capture_on_commit_callbacks):
    bob.email = "bob@example.com"
    bob.save()
    settings.GUEST_GRANT_MINUTES = 30
    front, manager = api_as(alice), api_as(bob)
    assert _level(front, guest_a) == "basic"

    with django_capture_on_commit_callbacks(execute=True):
        created = front.post(
            f"/api/v1/guests/{guest_a.pk}/access-requests/",
            {"property": "hotel-a", "reason": "lost property claim"},
        )
    assert created.status_code == 201 and created.json()["state"] == "requested"
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    assert _level(front, guest_a) == "basic"  # nothing before approval

    queue = manager.get("/api/v1/access-grants/", {"property": "hotel-a"}).json()
    assert [g["id"] for g in queue] == [created.json()["id"]]
    approved = manager.post(f"/api/v1/access-grants/{queue[0]['id']}/approve/", {"note": "ok for 30 minutes"})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    grant = AccessGrant.objects.get()
    assert timedelta(minutes=29) < grant.expires_at - timezone.now() <= timedelta(minutes=30)
    assert alice in get_users_with_perms(guest_a, only_with_perms_in=["view_guest_full"])

    assert _level(front, guest_a) == "full"
    reveal = front.post(
        f"/api/v1/guests/{guest_a.pk}/reveal/",
        {"property": "hotel-a", "field": "phone", "reason": "call the owner"},
    )
    assert reveal.status_code == 200
    view = events(action="view", actor_user_id=alice.pk)[-1]
    assert view.reason == "lost property claim" and view.criteria["level"] == "full"

    # Expiry: it stops at once on read, before the task has run.
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _level(front, guest_a) == "basic"
    call_command("expire_grants")
    grant.refresh_from_db()
    assert grant.state == GrantState.EXPIRED
    assert alice not in get_users_with_perms(guest_a, only_with_perms_in=["view_guest_full"])


def test_an_approved_grant_without_the_guardian_permission_does_not_count(alice, bob, api_as, guest_a):
    from guardian.shortcuts import remove_perm

    grant = services.grant_request(
        actor=alice, property=guest_a.home_property, guest=guest_a, reason="lost item"
    )
    services.grant_approve(actor=bob, grant=grant)
    remove_perm("guests.view_guest_full", alice, guest_a)
    assert _level(api_as(alice), guest_a) == "basic"


def test_nobody_approves_their_own_request(hotel_a, guest_a):
    manager = UserFactory(username="mona")
    MembershipFactory(user=manager, property=hotel_a, role=Role.FRONT_DESK)
    MembershipFactory(user=manager, property=hotel_a, role=Role.MANAGER)
    grant = AccessGrant.objects.create(
        guest=guest_a, requester=manager, property=hotel_a, kind="dual_review", reason="asking myself"
    )
    with pytest.raises(PermissionDenied):
        services.grant_approve(actor=manager, grant=grant)
    grant.refresh_from_db()
    assert grant.state == GrantState.REQUESTED and grant.approver is None


def test_a_manager_of_another_hotel_cannot_approve(alice, ivan, api_as, guest_a):
    grant = services.grant_request(
        actor=alice, property=guest_a.home_property, guest=guest_a, reason="lost item"
    )
    assert api_as(ivan).post(f"/api/v1/access-grants/{grant.pk}/approve/", {}).status_code == 404
    assert AccessGrant.objects.get().state == GrantState.REQUESTED


def test_a_refusal_needs_a_note_and_gives_no_access(alice, bob, api_as, guest_a):
    grant = services.grant_request(
        actor=alice, property=guest_a.home_property, guest=guest_a, reason="curious"
    )
    response = api_as(bob).post(f"/api/v1/access-grants/{grant.pk}/refuse/", {"note": ""})
    assert response.status_code == 400 and "note" in response.json()["errors"]
    response = api_as(bob).post(f"/api/v1/access-grants/{grant.pk}/refuse/", {"note": "not a reason"})
    assert response.json()["state"] == "refused"
    assert _level(api_as(alice), guest_a) == "basic"
    assert api_as(bob).post(f"/api/v1/access-grants/{grant.pk}/approve/", {}).status_code == 409


@pytest.mark.parametrize("reason", ["", "   ", "too short"])
def test_a_request_without_a_real_reason_is_refused(reason, alice, api_as, guest_a):
    field = "access-requests" if reason != "too short" else "break-glass"
    response = api_as(alice).post(
        f"/api/v1/guests/{guest_a.pk}/{field}/", {"property": "hotel-a", "reason": reason}
    )
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert AccessGrant.objects.count() == 0


def test_break_the_glass_opens_at_once_notifies_and_waits_for_review(
    carol, bob, ivan, dave, api_as, guest_a, django_capture_on_commit_callbacks
):
    for user, address in ((bob, "bob@example.com"), (ivan, "ivan@example.com"), (dave, "dave@example.com")):
        user.email = address
        user.save()
    api = api_as(carol)
    assert _level(api, guest_a, "hotel-b") == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/guests/{guest_a.pk}/break-glass/",
            {"property": "hotel-b", "reason": "guest collapsed, need allergy notes"},
        )
    assert response.status_code == 201
    assert _level(api, guest_a, "hotel-b") == "full"
    (event,) = events(action="break_glass")
    assert event.reason == "guest collapsed, need allergy notes" and event.target_ids == [str(guest_a.pk)]
    # Managers of the property where the glass was broken and compliance are told; not Hotel A's.
    assert sorted(mail.outbox[0].to) == ["dave@example.com", "ivan@example.com"]
    assert "王" not in mail.outbox[0].body and guest_a.phone not in mail.outbox[0].body

    grant = AccessGrant.objects.get()
    assert services.pending_count(ivan) == 1 and services.pending_count(bob) == 0
    # Compliance sees every break-the-glass grant; review is a manager's.
    from guests.selectors import break_glass_grants

    assert [g.pk for g in break_glass_grants(actor=dave)] == [grant.pk]
    with pytest.raises(Exception) as exc:
        services.grant_review(actor=dave, grant=grant, verdict="justified")
    assert exc.type.__name__ == "Http404"
    with pytest.raises(ValidationError):
        services.grant_review(actor=ivan, grant=grant, verdict="unjustified", note="")
    response = api_as(ivan).post(f"/api/v1/access-grants/{grant.pk}/review/", {"verdict": "justified"})
    assert response.status_code == 200 and response.json()["review_verdict"] == "justified"
    assert services.pending_count(ivan) == 0


def test_the_queue_pages_show_the_request_and_the_badge(alice, bob, login, guest_a):
    services.grant_request(
        actor=alice, property=guest_a.home_property, guest=guest_a, reason="lost property claim"
    )
    html = login(bob).get("/guests/p/hotel-a/access-requests/").content.decode()
    assert "lost property claim" in html and 'data-nav="guest-grants"' in html
    assert '<span class="badge"' in html


def test_the_queue_is_404_for_front_desk(alice, login):
    assert login(alice).get("/guests/p/hotel-a/access-requests/").status_code == 404


# ---------------------------------------------------------------- ending a grant early


def _open_grant(alice, bob, hotel_a, guest_a):
    grant = services.grant_request(actor=alice, property=hotel_a, guest=guest_a, reason="lost property claim")
    return services.grant_approve(actor=bob, grant=grant, note="ok")


def test_a_manager_ends_a_grant_and_access_stops_at_once(alice, bob, api_as, hotel_a, guest_a):
    grant = _open_grant(alice, bob, hotel_a, guest_a)
    front = api_as(alice)
    assert _level(front, guest_a) == "full"

    refused = api_as(bob).post(f"/api/v1/access-grants/{grant.pk}/revoke/", {"note": " "})
    assert refused.status_code == 400 and "note" in refused.json()["errors"]
    assert _level(front, guest_a) == "full"  # a refused revocation changes nothing

    ended = api_as(bob).post(f"/api/v1/access-grants/{grant.pk}/revoke/", {"note": "claim settled"})
    assert ended.status_code == 200 and ended.json()["state"] == "revoked"
    assert ended.json()["revoke_note"] == "claim settled"
    assert _level(front, guest_a) == "basic"
    assert alice not in get_users_with_perms(guest_a, only_with_perms_in=["view_guest_full"])
    again = api_as(bob).post(f"/api/v1/access-grants/{grant.pk}/revoke/", {"note": "twice"})
    assert again.status_code == 409


def test_the_requester_may_end_their_own_grant_without_a_note(alice, bob, client, login, hotel_a, guest_a):
    grant = _open_grant(alice, bob, hotel_a, guest_a)
    login(alice)
    page = client.get(f"/guests/p/{hotel_a.code}/my-access/").content.decode()
    assert f"/guests/p/{hotel_a.code}/access-grants/{grant.pk}/revoke/" in page
    r = client.post(f"/guests/p/{hotel_a.code}/access-grants/{grant.pk}/revoke/")
    assert r.status_code == 302 and r["Location"].endswith("/my-access/")
    grant.refresh_from_db()
    assert grant.state == GrantState.REVOKED and grant.revoked_by == alice


def test_the_queue_lists_open_grants_for_managers_to_end(alice, bob, client, login, hotel_a, guest_a):
    grant = _open_grant(alice, bob, hotel_a, guest_a)
    login(bob)
    page = client.get(f"/guests/p/{hotel_a.code}/access-requests/").content.decode()
    assert f"/access-grants/{grant.pk}/revoke/" in page and "lost property claim" in page
    r = client.post(f"/guests/p/{hotel_a.code}/access-grants/{grant.pk}/revoke/", {"note": "done"})
    assert r.status_code == 302
    grant.refresh_from_db()
    assert grant.state == GrantState.REVOKED and grant.revoked_by == bob and grant.revoke_note == "done"


@pytest.mark.parametrize("who", ["carol", "ivan", "heidi", "dave", "erin", "frank", "grace"])
def test_nobody_else_may_end_a_grant(who, people, alice, bob, api_as, hotel_a, guest_a):
    grant = _open_grant(alice, bob, hotel_a, guest_a)
    r = api_as(people[who]).post(f"/api/v1/access-grants/{grant.pk}/revoke/", {"note": "not mine"})
    assert r.status_code == 404
    grant.refresh_from_db()
    assert grant.state == GrantState.APPROVED
