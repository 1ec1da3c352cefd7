"""Staff log-in: lock-out, one message for every failure, idle timeout, log-in limits."""

import time
from datetime import time as dtime

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from pms.models import StaffMembership

pytestmark = pytest.mark.django_db

WRONG = "That user name and password do not match an account"


def _post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def test_it_signs_in_with_the_right_password(client, alice, password):
    response = _post_login(client, "alice", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_it_gives_one_message_for_unknown_user_and_wrong_password(client, alice):
    unknown = _post_login(client, "nobody-here", "whatever-123")
    wrong = _post_login(client, "alice", "whatever-123")
    assert unknown.status_code == wrong.status_code == 200
    assert WRONG in unknown.content.decode() and WRONG in wrong.content.decode()


@pytest.mark.parametrize("username", ["alice", "no-such-user"])
def test_it_locks_out_after_five_failures_the_same_way_for_known_and_unknown_users(
    client, alice, password, username
):
    for _ in range(5):
        _post_login(client, username, "wrong-password-1")
    response = _post_login(client, username, password if username == "alice" else "x")
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_lockout_is_per_address(client, alice, password):
    for _ in range(5):
        _post_login(client, "alice", "wrong-password-1")
    other = client.post(reverse("login"), {"username": "alice", "password": password}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


def test_it_signs_out_after_idle_timeout(client, alice, settings):
    client.force_login(alice)
    assert client.get(reverse("dashboard")).status_code == 200
    session = client.session
    session["pms_last_seen"] = time.time() - settings.STAFF_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("dashboard")).status_code == 302  # really signed out


def test_it_refuses_log_in_outside_allowed_hours_and_records_it(client, alice, password):
    m = StaffMembership.objects.get(user=alice)
    now_local = time.localtime()
    # A two-hour window that ends before now (wrapping handled by the model); 12 hours away is safe.
    start = dtime((now_local.tm_hour + 12) % 24, 0)
    end = dtime((now_local.tm_hour + 13) % 24, 0)
    m.allowed_from, m.allowed_until = start, end
    m.save()
    response = _post_login(client, "alice", password)
    assert response.status_code == 200
    assert "may not sign in at this time" in response.content.decode()
    event = AccessEvent.objects.get(action="login_refused")
    assert event.actor_username == "alice" and event.outcome == "denied" and event.reason == "hours"


def test_it_refuses_log_in_from_another_network(client, alice, password):
    m = StaffMembership.objects.get(user=alice)
    m.allowed_networks = ["192.168.50.0/24"]
    m.save()
    response = _post_login(client, "alice", password)
    assert "may not sign in from this network" in response.content.decode()
    ok = client.post(
        reverse("login"), {"username": "alice", "password": password}, REMOTE_ADDR="192.168.50.7"
    )
    assert ok.status_code == 302


def test_a_user_without_an_active_role_cannot_sign_in(client, alice, password):
    StaffMembership.objects.filter(user=alice).update(is_active=False)
    response = _post_login(client, "alice", password)
    assert response.status_code == 200
    assert "no active role" in response.content.decode()


def test_password_change_enforces_validators(client, alice, password):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
