"""Anomaly alerts: each rule fires above its limit and stays quiet below it; no duplicates; compliance
is mailed; compliance can suspend the operator (recorded)."""

import uuid
from datetime import time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.anomalies import scan
from audit.models import AccessEvent, Alert, AlertHistory
from audit.services import access_record
from pms.models import StaffMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    # Mid-hour, so "this hour" holds every event below.
    return timezone.now().replace(minute=30, second=0, microsecond=0)


def _lookups(user, n, at, *, action="view", outcome="ok", guests=None, **kw):
    for i in range(n):
        access_record(
            actor=user,
            action=action,
            target_type="guest",
            outcome=outcome,
            guest_ids=[guests[i]] if guests else [],
            at=at + timedelta(seconds=i),
            **kw,
        )


def _rules(alerts):
    return sorted(a.rule for a in alerts)


@pytest.mark.parametrize(("n", "fires"), [(60, False), (61, True)])
def test_volume_rule(alice, dave, now, n, fires):
    dave.email = "dave@example.com"
    dave.save()
    _lookups(alice, n, now - timedelta(minutes=20))
    alerts = scan(now=now)
    assert ("volume" in _rules(alerts)) is fires
    if fires:
        assert alerts[0].operator_username == "alice" and alerts[0].figure == 61
        assert scan(now=now) == []  # no duplicate for the same rule, operator and window
        assert Alert.objects.count() == 1


def test_compliance_is_mailed_about_new_alerts(alice, dave, now, django_capture_on_commit_callbacks):
    dave.email = "dave@example.com"
    dave.save()
    _lookups(alice, 61, now - timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        scan(now=now)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dave@example.com"]
    assert "alice" in mail.outbox[0].body


@pytest.mark.parametrize(("n", "fires"), [(20, False), (30, True)])
def test_baseline_rule_uses_the_operators_own_median(alice, now, settings, n, fires):
    settings.AUDIT_ALERT_RULES = {**settings.AUDIT_ALERT_RULES, "lookups_per_hour": 1000}
    for day in range(1, 13):  # 12 past hours with 5 lookups each: median 5, limit 25
        _lookups(alice, 5, now - timedelta(days=day))
    _lookups(alice, n, now - timedelta(minutes=20))
    assert ("baseline" in _rules(scan(now=now))) is fires


@pytest.mark.parametrize(("n", "fires"), [(40, False), (41, True)])
def test_distinct_guests_rule(alice, now, settings, n, fires):
    settings.AUDIT_ALERT_RULES = {**settings.AUDIT_ALERT_RULES, "lookups_per_hour": 1000}
    _lookups(alice, n, now - timedelta(minutes=20), guests=[uuid.uuid4() for _ in range(n)])
    assert ("distinct_guests" in _rules(scan(now=now))) is fires


@pytest.mark.parametrize(("inside", "fires"), [(True, False), (False, True)])
def test_after_hours_rule(alice, now, inside, fires):
    local = timezone.localtime(now)
    m = StaffMembership.objects.get(user=alice)
    if inside:
        m.allowed_from, m.allowed_until = time(0, 0), time(23, 59, 59)
    else:
        m.allowed_from = time((local.hour + 3) % 24, 0)
        m.allowed_until = time((local.hour + 4) % 24, 0)
    m.save()
    _lookups(alice, 2, now - timedelta(minutes=10))
    assert ("after_hours" in _rules(scan(now=now))) is fires


@pytest.mark.parametrize(("n", "fires"), [(4, False), (5, True)])
def test_denials_rule(alice, now, n, fires):
    _lookups(alice, n, now - timedelta(minutes=5), action="denied", outcome="denied")
    assert ("denials" in _rules(scan(now=now))) is fires


def test_denials_spread_over_more_than_ten_minutes_stay_quiet(alice, now):
    for i in range(5):
        access_record(actor=alice, action="denied", outcome="denied", at=now - timedelta(minutes=4 * i))
    assert "denials" not in _rules(scan(now=now))


@pytest.mark.parametrize(("rows", "fires"), [(500, False), (501, True)])
def test_mass_export_rule(frank, now, rows, fires):
    access_record(
        actor=frank,
        action="export",
        target_type="guest",
        criteria={"rows": rows},
        at=now - timedelta(minutes=3),
    )
    assert ("mass_export" in _rules(scan(now=now))) is fires


def test_the_nav_badge_counts_open_alerts_for_compliance(login, dave, alice, now):
    _lookups(alice, 61, now - timedelta(minutes=20))
    scan(now=now)
    body = login(dave).get("/").content.decode()
    assert 'class="badge"' in body


def test_compliance_suspends_an_operator_after_confirming(login, dave, alice, now):
    from auditlog.models import LogEntry

    _lookups(alice, 61, now - timedelta(minutes=20))
    alert = scan(now=now)[0]
    client = login(dave)
    url = reverse("audit:alert_suspend", args=[alert.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "volume far above normal"})  # no confirmation ticked
    assert refused.status_code == 400
    alice.refresh_from_db()
    assert alice.is_active
    response = client.post(url, {"reason": "volume far above normal", "confirm": "yes"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    assert AccessEvent.objects.filter(
        actor_user_id=dave.pk, action="suspend", target_ids=[str(alice.pk)]
    ).exists()
    assert LogEntry.objects.filter(object_pk=str(alice.pk), actor=dave).exists()
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert AlertHistory.objects.filter(alert=alert, to_status="acknowledged", actor_username="dave").exists()


def test_a_manager_cannot_suspend_or_change_alerts(login, bob, alice, now):
    _lookups(alice, 61, now - timedelta(minutes=20))
    alert = scan(now=now)[0]
    client = login(bob)
    assert client.get(reverse("audit:alert", args=[alert.pk])).status_code == 200  # own property
    assert client.get(reverse("audit:alert_suspend", args=[alert.pk])).status_code == 404
    assert client.post(reverse("audit:alert", args=[alert.pk]), {"status": "resolved"}).status_code == 404


def test_a_manager_does_not_see_another_propertys_alerts(login, ivan, alice, now):
    _lookups(alice, 61, now - timedelta(minutes=20))
    alert = scan(now=now)[0]
    assert login(ivan).get(reverse("audit:alert", args=[alert.pk])).status_code == 404
