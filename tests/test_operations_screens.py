"""The operations page, /metrics and /healthz: only IT and compliance see operations; an overdue
job turns /healthz to 503 when jobs are required."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from operations import health
from operations.models import BackupRecord, Heartbeat, RehearsalRecord, RouteTiming
from pms import views as pms_views
from pms.roles import Role

from .conftest import ROLE_PEOPLE

pytestmark = pytest.mark.django_db

ALLOWED = {Role.IT_ADMIN, Role.COMPLIANCE}


@pytest.mark.parametrize("role", sorted(ROLE_PEOPLE))
@pytest.mark.parametrize("url", ["/operations/", "/metrics"])
def test_only_it_and_compliance_reach_operations(role, url, people, login):
    response = login(people[ROLE_PEOPLE[role]]).get(url)
    assert response.status_code == (200 if role in ALLOWED else 404)


def test_anonymous_visitors_are_sent_to_log_in_or_get_404(client):
    assert client.get("/operations/").status_code == 302
    assert client.get("/metrics").status_code == 404


def test_metrics_with_the_it_token(client, settings):
    settings.METRICS_TOKEN = "it-token-" + "x" * 40
    ok = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.METRICS_TOKEN}")
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE pms_backup_last_success_timestamp_seconds gauge" in ok.content.decode()
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_metrics_without_a_configured_token_refuses_an_empty_bearer(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(("name", "status"), [("erin", 200), ("dave", 200), ("bob", 404), ("alice", 404)])
def test_metrics_with_a_drf_token(name, status, people, client):
    token = Token.objects.create(user=people[name])
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == status


def test_metrics_and_page_show_route_figures(erin, login):
    RouteTiming.objects.create(
        hour=timezone.now().replace(minute=0, second=0, microsecond=0),
        route="guests:detail",
        method="GET",
        count=10,
        total_ms=100,
        max_ms=40,
        buckets=[0, 0, 0, 9, 1] + [0] * 9,
    )
    client = login(erin)
    text = client.get("/metrics").content.decode()
    assert 'pms_route_requests_24h{route="guests:detail",method="GET"} 10' in text
    assert 'pms_route_p95_seconds_24h{route="guests:detail",method="GET"} 0.025' in text
    page = client.get("/operations/").content.decode()
    assert 'id="route-chart-data"' in page and "guests:detail" in page
    assert "<script>" not in page  # data through json_script only (CSP)


def test_the_page_warns_when_the_last_good_rehearsal_is_older_than_8_days(erin, login):
    RehearsalRecord.objects.create(
        ok=True, started_at=timezone.now() - timedelta(days=9), finished_at=timezone.now()
    )
    page = login(erin).get("/operations/").content.decode()
    assert 'data-rehearsal="overdue"' in page


def test_the_page_is_calm_after_a_recent_good_rehearsal(erin, login):
    RehearsalRecord.objects.create(
        ok=True, started_at=timezone.now() - timedelta(days=2), finished_at=timezone.now()
    )
    page = login(erin).get("/operations/").content.decode()
    assert 'data-rehearsal="ok"' in page


def test_the_navigation_offers_operations_to_it_only(erin, alice, client):
    client.force_login(erin)
    assert 'data-nav="operations"' in client.get("/").content.decode()
    client.force_login(alice)
    assert 'data-nav="operations"' not in client.get("/").content.decode()


# ---------------------------------------------------------------- /healthz


@pytest.fixture
def jobs_required(settings, monkeypatch):
    settings.HEALTH_REQUIRE_JOBS = True
    monkeypatch.setattr(pms_views, "HEALTH_CHECKS", dict(pms_views.HEALTH_CHECKS))
    health.register()


def _all_jobs_on_time(rehearsal_days_ago=1):
    now = timezone.now()
    BackupRecord.objects.create(ok=True, started_at=now - timedelta(hours=3), finished_at=now)
    RehearsalRecord.objects.create(
        ok=True,
        started_at=now - timedelta(days=rehearsal_days_ago),
        finished_at=now - timedelta(days=rehearsal_days_ago),
    )
    Heartbeat.objects.create(name=health.BEAT, at=now)


def test_healthz_is_200_when_every_job_is_on_time(jobs_required, client):
    _all_jobs_on_time()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["rehearsal"] == "ok" and response.json()["checks"]["backup"] == "ok"


def test_healthz_turns_503_when_the_last_rehearsal_is_overdue(jobs_required, client):
    _all_jobs_on_time(rehearsal_days_ago=9)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["rehearsal"].startswith("rehearsal: last good rehearsal 9.0 days ago")
    assert body["checks"]["backup"] == "ok" and body["checks"]["beat"] == "ok"


def test_healthz_turns_503_when_the_last_rehearsal_failed(jobs_required, client):
    _all_jobs_on_time()
    RehearsalRecord.objects.create(ok=False, finished_at=timezone.now(), differences=["x"])
    assert (
        client.get("/healthz").json()["checks"]["rehearsal"] == "rehearsal: the last restore rehearsal failed"
    )


def test_healthz_turns_503_when_beat_stops(jobs_required, client):
    _all_jobs_on_time()
    Heartbeat.objects.filter(name=health.BEAT).update(at=timezone.now() - timedelta(minutes=6))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["beat"].startswith(
        "beat: last heartbeat 6 min"
    )


def test_healthz_keeps_its_shape_when_jobs_are_not_required(settings, monkeypatch, client):
    settings.HEALTH_REQUIRE_JOBS = False
    monkeypatch.setattr(pms_views, "HEALTH_CHECKS", dict(pms_views.HEALTH_CHECKS))
    health.register()
    assert client.get("/healthz").json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_the_heartbeat_task_beats():
    from operations.tasks import heartbeat

    heartbeat.delay()
    assert timezone.now() - Heartbeat.objects.get(name=health.BEAT).at < timedelta(seconds=5)


def test_healthz_turns_503_when_audit_events_stay_unsealed(jobs_required, client, settings, alice):
    import uuid

    from audit.services import access_record

    _all_jobs_on_time()
    access_record(actor=alice, action="view", target_type="guest", guest_ids=[uuid.uuid4()])
    assert client.get("/healthz").status_code == 200  # a fresh event waits for the next seal
    settings.HEALTH_MAX_SEAL_AGE_MINUTES = -1  # now it counts as overdue
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["audit_seal"].startswith("audit_seal: events older than")


def test_expired_sessions_are_cleared_on_schedule(client, login, people, settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from operations.tasks import clear_sessions

    assert (
        settings.CELERY_BEAT_SCHEDULE["operations-clear-sessions"]["task"]
        == "operations.tasks.clear_sessions"
    )
    login(people["alice"]).get("/")
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(minutes=1)
    )
    clear_sessions()
    assert not Session.objects.filter(session_key="x" * 32).exists()
    assert Session.objects.count() == 1  # the live one stays


@pytest.mark.parametrize("path", ["/guests/p/hotel-a/", "/api/v1/me/"])
def test_the_database_down_answers_a_friendly_503(path, people, client, monkeypatch):
    from django.db import OperationalError

    from pms import permissions

    def down(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    client.force_login(people["alice"])
    monkeypatch.setattr(permissions, "active_memberships", down)
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    body = response.content.decode()
    assert "Connection refused" not in body and "Traceback" not in body
    assert ("cannot be reached" in body) or ("database" in body.lower())
