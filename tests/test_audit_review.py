"""Reviewing the access log: who may, what they see, bad filters, the export, log-in events, and a
failing audit write that lets no data out."""

import uuid

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from audit.services import access_record
from pms.crypto import blind_index, criterion
from pms.roles import Role

from .conftest import ROLE_PEOPLE

pytestmark = pytest.mark.django_db

REVIEW_URLS = ["audit:dashboard", "audit:events", "audit:alerts", "audit:export"]


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.MANAGER, Role.COMPLIANCE)])
@pytest.mark.parametrize("url_name", REVIEW_URLS)
def test_roles_without_review_audit_get_404(people, login, role, url_name):
    client = login(people[ROLE_PEOPLE[role]])
    assert client.get(reverse(url_name)).status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.MANAGER, Role.COMPLIANCE)])
def test_roles_without_review_audit_get_404_from_the_api(people, api_as, role):
    assert api_as(people[ROLE_PEOPLE[role]]).get("/api/v1/audit/events/").status_code == 404


def test_the_nav_shows_the_access_log_to_compliance_and_managers_only(login, dave, bob, alice):
    assert 'data-nav="audit"' in login(dave).get("/").content.decode()
    assert 'data-nav="audit"' in login(bob).get("/").content.decode()
    assert 'data-nav="audit"' not in login(alice).get("/").content.decode()


def test_compliance_sees_every_property(login, dave, alice, carol):
    a = access_record(actor=alice, action="view", target_type="guest")
    c = access_record(actor=carol, action="view", target_type="guest")
    body = login(dave).get(reverse("audit:events")).content.decode()
    assert f"/audit/events/{a.pk}/" in body and f"/audit/events/{c.pk}/" in body


def test_a_manager_sees_only_their_own_property(login, bob, alice, carol, hotel_b):
    a = access_record(actor=alice, action="view", target_type="guest")
    c = access_record(actor=carol, action="view", target_type="guest")
    client = login(bob)
    body = client.get(reverse("audit:events")).content.decode()
    assert f"/audit/events/{a.pk}/" in body and f"/audit/events/{c.pk}/" not in body
    assert client.get(reverse("audit:event", args=[c.pk])).status_code == 404
    assert client.get(reverse("audit:event", args=[a.pk])).status_code == 200
    assert client.get(reverse("audit:events"), {"property": hotel_b.code}).status_code == 404
    assert client.get(reverse("audit:staff", args=[carol.pk])).status_code == 404
    assert client.get(reverse("audit:export")).status_code == 404  # CSV export is for compliance
    api = client.get("/api/v1/audit/events/", {"property": hotel_b.code})
    assert api.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-13-45"},
        {"from": "2026-02-30T10:00"},  # well-formed, impossible
        {"to": "2026-01-01T25:00"},
        {"to": "yesterday"},
        {"colour": "red"},
        {"action": "peek"},
        {"guest": "abc"},
        {"from": "2026-02-01", "to": "2026-01-01"},
        {"before": "x"},
    ],
)
def test_bad_filters_answer_400_with_a_clear_page(login, dave, query):
    response = login(dave).get(reverse("audit:events"), query)
    assert response.status_code == 400
    assert "Invalid filter" in response.content.decode() or "筛选" in response.content.decode()


@pytest.mark.parametrize(
    "query", [{"from": "not-a-date"}, {"from": "2026-02-30T10:00"}, {"colour": "red"}, {"outcome": "maybe"}]
)
def test_bad_api_filters_answer_problem_400(api_as, dave, query):
    response = api_as(dave).get("/api/v1/audit/events/", query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 400


def test_an_id_number_in_the_address_is_refused(login, dave):
    response = login(dave).get(reverse("audit:events"), {"id_number": "110101199003071234"})
    assert response.status_code == 400


def test_filters_narrow_the_list(login, dave, alice, heidi):
    a = access_record(actor=alice, action="view", target_type="guest")
    h = access_record(actor=heidi, action="search", target_type="guest")
    body = login(dave).get(reverse("audit:events"), {"staff": "heidi", "action": "search"}).content.decode()
    assert f"/audit/events/{h.pk}/" in body and f"/audit/events/{a.pk}/" not in body


def test_who_searched_for_an_id_number_without_storing_it(login, dave, alice, heidi):
    number = "110101199003071234"
    hit = access_record(
        actor=alice,
        action="search",
        target_type="guest",
        criteria={"id_number": criterion("id_number", number)},
    )
    miss = access_record(
        actor=heidi,
        action="search",
        target_type="guest",
        criteria={"id_number": criterion("id_number", "310101198001011111")},
    )
    response = login(dave).post(reverse("audit:events"), {"id_number": number})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"/audit/events/{hit.pk}/" in body and f"/audit/events/{miss.pk}/" not in body
    review = AccessEvent.objects.filter(actor_user_id=dave.pk, action="search").latest("id")
    assert review.criteria["id_number"] == {
        "masked": "110101********1234",
        "bidx": blind_index("id_number", number),
    }
    assert number not in str(AccessEvent.objects.values_list("criteria", "reason", "target_ids"))


def test_a_guests_timeline_shows_who_looked(login, dave, alice, carol):
    guest = uuid.uuid4()
    a = access_record(
        actor=alice,
        action="view",
        target_type="guest",
        target_ids=[guest],
        guest_ids=[guest],
        reason="check-in",
    )
    other = access_record(actor=carol, action="view", target_type="guest", guest_ids=[uuid.uuid4()])
    body = login(dave).get(reverse("audit:guest", args=[guest])).content.decode()
    assert (
        f"/audit/events/{a.pk}/" in body and "check-in" in body and f"/audit/events/{other.pk}/" not in body
    )


def test_the_review_is_itself_recorded(login, dave, alice):
    event = access_record(actor=alice, action="view", target_type="guest")
    login(dave).get(reverse("audit:event", args=[event.pk]))
    assert AccessEvent.objects.filter(
        actor_user_id=dave.pk, action="view", target_type="access_event", target_ids=[str(event.pk)]
    ).exists()


def test_compliance_exports_csv_and_the_export_is_recorded(login, dave, alice):
    access_record(
        actor=alice,
        action="search",
        target_type="guest",
        criteria={"phone": criterion("phone", "13812345678")},
    )
    response = login(dave).get(reverse("audit:export"), {"staff": "alice"})
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "alice" in body and "138****5678" in body and "13812345678" not in body
    export = AccessEvent.objects.get(actor_user_id=dave.pk, action="export")
    assert export.criteria["rows"] == 1


def test_api_lists_events_for_a_siem(api_as, dave, alice):
    e = access_record(
        actor=alice, action="view", target_type="guest", criteria={"phone": criterion("phone", "13812345678")}
    )
    data = api_as(dave).get("/api/v1/audit/events/", {"action": "view"}).json()
    row = next(r for r in data["results"] if r["id"] == e.pk)
    assert row["criteria"] == {"phone": "138****5678"}


# ---------------------------------------------------------------- log-in events


def _post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def test_log_in_and_log_out_are_recorded(client, alice, password):
    _post_login(client, "alice", password)
    client.post(reverse("logout"))
    actions = list(
        AccessEvent.objects.filter(actor_user_id=alice.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["login", "logout"]
    assert AccessEvent.objects.get(action="login").ip == "10.1.2.3"


def test_a_failed_log_in_is_recorded_without_the_password(client, alice):
    _post_login(client, "alice", "Wrong-Secret-77")
    event = AccessEvent.objects.get(action="login_failed")
    assert (
        event.actor_username == "alice" and event.outcome == "denied" and event.target_ids == [str(alice.pk)]
    )
    assert "Wrong-Secret-77" not in str(AccessEvent.objects.values())


def test_an_unknown_user_name_is_stored_masked(client, people):
    _post_login(client, "MySecretPassw0rd", "x")
    event = AccessEvent.objects.get(action="login_failed")
    assert event.actor_username == "M***************" and event.target_ids == []


def test_a_lock_out_is_recorded(client, alice):
    for _ in range(5):
        _post_login(client, "alice", "wrong-password-1")
    assert AccessEvent.objects.filter(action="lockout", actor_username="alice", outcome="denied").exists()


# ---------------------------------------------------------------- fail closed


def test_a_failing_audit_write_lets_no_data_out(login, dave, alice, monkeypatch):
    event = access_record(actor=alice, action="view", target_type="guest", reason="SECRET-REASON-XYZ")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    client = login(dave)
    client.raise_request_exception = False
    monkeypatch.setattr("audit.services._insert", broken)
    response = client.get(reverse("audit:event", args=[event.pk]))
    body = response.content.decode()
    assert response.status_code == 500
    assert "SECRET-REASON-XYZ" not in body and "Traceback" not in body and "disk full" not in body


def test_a_failing_audit_write_gives_the_api_a_problem_500(api_as, dave, alice, monkeypatch, settings):
    settings.DEBUG = True  # even the debug page must not show the data
    access_record(actor=alice, action="view", target_type="guest", reason="SECRET-REASON-XYZ")
    monkeypatch.setattr("audit.services._insert", lambda **kw: (_ for _ in ()).throw(RuntimeError("boom")))
    client = api_as(dave)
    client.raise_request_exception = False
    response = client.get("/api/v1/audit/events/")
    assert response.status_code == 500
    assert response.json()["status"] == 500 and "SECRET-REASON-XYZ" not in response.content.decode()


def test_refused_looks_at_the_trail_are_recorded(login, alice, bob, hotel_b, ivan):
    from audit.models import Alert

    desk = login(alice)
    assert desk.get(reverse("audit:events")).status_code == 404
    assert desk.get(reverse("audit:event", args=[1])).status_code == 404
    refused = AccessEvent.objects.filter(actor_user_id=alice.pk, outcome="denied")
    assert {(e.target_type, tuple(e.target_ids)) for e in refused} == {
        ("audit_log", ()),
        ("access_event", ("1",)),
    }
    # A manager probing another hotel's event and alert: refused, recorded.
    other = access_record(actor=ivan, action="view", target_type="guest", property=hotel_b)
    alert = Alert.objects.create(
        rule="volume", operator_user_id=ivan.pk, operator_username="ivan", property_id=hotel_b.pk,
        window_start=other.at, window_end=other.at, figure=99, limit=60,
    )  # fmt: skip
    manager = login(bob)
    assert manager.get(reverse("audit:event", args=[other.pk])).status_code == 404
    assert manager.get(reverse("audit:alert", args=[alert.pk])).status_code == 404
    assert manager.get(reverse("audit:export")).status_code == 404  # the CSV export is compliance's
    denied = AccessEvent.objects.filter(actor_user_id=bob.pk, outcome="denied")
    assert sorted((e.action, e.target_type) for e in denied) == [
        ("export", "access_event"), ("view", "access_event"), ("view", "alert"),
    ]  # fmt: skip
