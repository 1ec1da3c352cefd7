"""The trail cannot be quietly rewritten: triggers refuse changes, seals detect what gets past them,
and the retention purge removes whole sealed ranges while the chain stays verifiable."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.integrity import purge, seal, verify
from audit.models import AccessEvent, Checkpoint, RetentionMarker, Verification
from audit.services import access_record

pytestmark = pytest.mark.django_db

TABLES = [
    "audit_accessevent",
    "audit_accesseventguest",
    "audit_checkpoint",
    "audit_retentionmarker",
    "audit_alerthistory",
    "auditlog_logentry",
    "audit_verification",
]


def _events(alice, n=5, **kwargs):
    import uuid

    return [
        access_record(actor=alice, action="view", target_type="guest", guest_ids=[uuid.uuid4()], **kwargs)
        for _ in range(n)
    ]


def _sql(sql, params=()):
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def _as_attacker(sql, params=()):
    """A superuser who disables the trigger, changes a row, and enables it again."""
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER audit_accessevent_no_change")
        cur.execute(sql, params)
        cur.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER audit_accessevent_no_change")


def _marker(cp, *, retention_days=200, at=None, sealed=True):
    """A retention marker for `cp` as the purge writes it (sealed), or as an attacker would (not)."""
    from audit.integrity import marker_mac

    m = RetentionMarker(
        checkpoint=cp,
        first_id=cp.first_id,
        last_id=cp.last_id,
        count=0,
        checkpoint_mac=cp.mac,
        retention_days=retention_days,
        at=at or timezone.now(),
    )
    m.mac = marker_mac(m) if sealed else ""
    m.save()
    return m


@pytest.fixture
def one_row_each(alice, dave):
    """A row in every audit table (row triggers only fire on rows)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from audit.models import Alert
    from audit.services import alert_transition

    _events(alice, 2, at=timezone.now() - timedelta(days=400))
    cp = seal()[0]
    _marker(cp, retention_days=200)
    verify()  # a verification record
    now = timezone.now()
    alert = Alert.objects.create(
        rule="volume",
        operator_user_id=alice.pk,
        operator_username="alice",
        window_start=now,
        window_end=now,
        figure=70,
        limit=60,
    )
    alert_transition(actor=dave, alert=alert, to_status="acknowledged")
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(alice),
        object_pk=str(alice.pk),
        object_repr="alice",
        action=LogEntry.Action.UPDATE,
        changes={"is_active": ["True", "False"]},
    )
    for table in TABLES:
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred FK checks would block TRUNCATE
            cur.execute(f"SELECT count(*) FROM {table}")
            assert cur.fetchone()[0] > 0, table


@pytest.mark.parametrize("table", TABLES)
def test_triggers_refuse_update_delete_and_truncate(table, one_row_each):
    for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}", f"TRUNCATE {table} CASCADE"):
        with pytest.raises(DatabaseError, match="append-only"):
            _sql(sql)


def test_an_update_of_a_real_event_is_refused(alice):
    event = _events(alice, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("UPDATE audit_accessevent SET actor_username = 'nobody' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.actor_username == "alice"


def test_verify_passes_on_an_untouched_trail(alice):
    _events(alice, 7)
    assert len(seal(chunk=3)) == 3
    result = verify()
    assert result.ok and result.rows == 7 and result.checkpoints == 3
    call_command("audit_verify")
    assert Verification.objects.order_by("-at").first().ok


def test_verify_names_an_altered_row(alice):
    events = _events(alice, 6)
    seal(chunk=4)
    _as_attacker("UPDATE audit_accessevent SET actor_username = 'mallory' WHERE id = %s", [events[4].pk])
    result = verify()
    assert not result.ok and result.first_bad_id == events[4].pk and "altered" in result.detail
    with pytest.raises(CommandError, match=f"first bad event id {events[4].pk}"):
        call_command("audit_verify")
    last = Verification.objects.order_by("-at").first()
    assert last.ok is False and last.first_bad_id == events[4].pk


def test_verify_names_a_deleted_row(alice):
    events = _events(alice, 6)
    seal()
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE audit_accesseventguest DISABLE TRIGGER audit_accesseventguest_no_change")
        cur.execute("DELETE FROM audit_accesseventguest WHERE event_id = %s", [events[2].pk])
        cur.execute("ALTER TABLE audit_accesseventguest ENABLE TRIGGER audit_accesseventguest_no_change")
    _as_attacker("DELETE FROM audit_accessevent WHERE id = %s", [events[2].pk])
    result = verify()
    assert not result.ok and result.first_bad_id == events[2].pk and "missing" in result.detail


def test_verify_notices_a_removed_guest_link(alice):
    """Hiding a look at a guest by deleting only the timeline link is caught too."""
    events = _events(alice, 3)
    seal()
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE audit_accesseventguest DISABLE TRIGGER audit_accesseventguest_no_change")
        cur.execute("DELETE FROM audit_accesseventguest WHERE event_id = %s", [events[1].pk])
        cur.execute("ALTER TABLE audit_accesseventguest ENABLE TRIGGER audit_accesseventguest_no_change")
    result = verify()
    assert not result.ok and result.first_bad_id == events[1].pk


def test_sealing_twice_adds_nothing_and_new_events_get_a_new_checkpoint(alice):
    _events(alice, 2)
    assert len(seal()) == 1
    assert seal() == []
    _events(alice, 1)
    made = seal()
    assert len(made) == 1 and made[0].prev_mac == Checkpoint.objects.order_by("first_id").first().mac
    assert verify().ok


def test_purge_removes_old_sealed_ranges_and_the_chain_still_verifies(alice, settings):
    settings.AUDIT_RETENTION_DAYS = 200
    old = _events(alice, 3, at=timezone.now() - timedelta(days=400))
    seal()
    recent = _events(alice, 2)
    seal()
    markers = purge()
    assert len(markers) == 1
    marker = markers[0]
    assert (marker.first_id, marker.count) == (1 if old[0].pk == 1 else marker.first_id, 3)
    assert marker.last_id == old[-1].pk and marker.checkpoint_mac == marker.checkpoint.mac
    assert not AccessEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AccessEvent.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    assert AccessEvent.objects.filter(action="purge").exists()  # the purge is in the trail itself
    seal()
    assert verify().ok
    # The purge flag ended with it: the triggers refuse again.
    with pytest.raises(DatabaseError, match="append-only"):
        _sql("DELETE FROM audit_accessevent")


def test_purge_refuses_a_retention_under_180_days(alice, settings):
    _events(alice, 2, at=timezone.now() - timedelta(days=400))
    seal()
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(ImproperlyConfigured, match="at least 180 days"):
        purge()
    with pytest.raises(CommandError, match="at least 180 days"):
        call_command("audit_purge")
    assert AccessEvent.objects.count() == 2 and not RetentionMarker.objects.exists()


def test_purge_keeps_events_younger_than_the_retention(alice, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    _events(alice, 2, at=timezone.now() - timedelta(days=100))
    seal()
    assert purge() == []
    assert AccessEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_still_empty_the_database(people):
    """Django's flush (used by transactional and browser tests) may empty the audit tables in tests."""
    access_record(actor=people["alice"], action="view", target_type="guest")
    call_command("flush", interactive=False, verbosity=0)
    assert AccessEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_sealer_gives_way_to_a_slow_recorder_instead_of_stalling_every_other(people, settings):
    """An inserting transaction that stays open makes the sealer give up after a few short tries (so
    the recorders queued behind its lock request wait a moment, not seconds), and seal next time."""
    import time

    import psycopg

    settings.AUDIT_SEAL_LOCK_MS, settings.AUDIT_SEAL_LOCK_TRIES = 50, 3
    _events(people["alice"], 2)
    sd = connection.settings_dict
    args = {
        "dbname": sd["NAME"],
        "host": sd["HOST"] or None,
        "port": sd["PORT"] or None,
        "user": sd["USER"] or None,
    }
    with psycopg.connect(**args) as slow, psycopg.connect(**args, autocommit=True) as other:
        slow.execute("LOCK TABLE audit_accessevent IN ROW EXCLUSIVE MODE")  # what an insert takes
        t0 = time.monotonic()
        assert seal() == []
        assert time.monotonic() - t0 < 3
        # Meanwhile another recorder is not held up: nothing is waiting for the lock any more.
        t0 = time.monotonic()
        other.execute("SET lock_timeout = '1s'")
        other.execute("BEGIN")
        other.execute("LOCK TABLE audit_accessevent IN ROW EXCLUSIVE MODE")
        other.execute("ROLLBACK")
        assert time.monotonic() - t0 < 0.5
        slow.rollback()
    made = seal()
    assert len(made) == 1 and made[0].count == 2 and verify().ok


def test_audit_export_writes_masked_lines_and_records_itself(alice, hotel_a):
    import io
    import json

    from pms.crypto import criterion

    with transaction.atomic():
        access_record(
            actor=alice,
            action="search",
            target_type="guest",
            criteria={"phone": criterion("phone", "+8613800138000")},
            property=hotel_a,
        )
    out = io.StringIO()
    call_command("audit_export", since="2000-01-01", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["action"] for line in lines] == ["search"]  # the export's own event comes after
    assert "13800138000" not in out.getvalue()
    export = AccessEvent.objects.get(action="export", channel="system")
    assert export.target_type == "access_event" and export.criteria["rows"] == 1
    assert export.actor_username.startswith("manage.py audit_export")


def test_audit_export_refuses_a_bad_date():
    for since in ("yesterday", "2026-02-30", "2026-02-30T10:00"):
        with pytest.raises(CommandError, match="ISO date"):
            call_command("audit_export", since=since)
    assert not AccessEvent.objects.filter(action="export").exists()


# ---------------------------------------------------------------- what a database administrator might try


def _delete_range(cp):
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE audit_accesseventguest DISABLE TRIGGER audit_accesseventguest_no_change")
        cur.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER audit_accessevent_no_change")
        cur.execute(
            "DELETE FROM audit_accesseventguest WHERE event_id BETWEEN %s AND %s", [cp.first_id, cp.last_id]
        )
        cur.execute("DELETE FROM audit_accessevent WHERE id BETWEEN %s AND %s", [cp.first_id, cp.last_id])
        cur.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER audit_accessevent_no_change")
        cur.execute("ALTER TABLE audit_accesseventguest ENABLE TRIGGER audit_accesseventguest_no_change")


def test_a_hand_written_retention_marker_does_not_hide_a_deletion(alice):
    _events(alice, 3)
    cp = seal()[0]
    _marker(cp, sealed=False)  # the MAC is unknown without PMS_AUDIT_KEY
    _delete_range(cp)
    result = verify()
    assert not result.ok and "forged" in result.detail


def test_a_sealed_marker_for_events_younger_than_the_retention_is_refused(alice):
    _events(alice, 3, at=timezone.now() - timedelta(days=10))
    cp = seal()[0]
    _marker(cp, retention_days=200)  # genuine MAC, but these events were only 10 days old
    _delete_range(cp)
    result = verify()
    assert not result.ok and "before their retention ended" in result.detail


def test_removing_the_newest_checkpoints_is_noticed_at_the_next_verification(alice):
    _events(alice, 3)
    seal()
    _events(alice, 2)
    newest = seal()[-1]
    assert verify().ok  # records the head: the newest checkpoint and its MAC
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_no_change")
        cur.execute("DELETE FROM audit_checkpoint WHERE id = %s", [newest.pk])
        cur.execute("ALTER TABLE audit_checkpoint ENABLE TRIGGER audit_checkpoint_no_change")
    result = verify()
    assert not result.ok and "end of the chain was removed" in result.detail


def test_a_forged_intact_verification_shows_as_forged_on_the_dashboard(alice, dave, login):
    from audit.models import Verification

    _events(alice, 2)
    seal()
    verify()
    Verification.objects.create(ok=True, checkpoints=99, rows=999)  # inserted by hand, no seal
    page = login(dave).get("/audit/").content.decode()
    assert 'data-verification="forged"' in page
    assert "does not carry a valid seal" in page
