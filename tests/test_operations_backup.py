"""Backups: encrypted in authenticated chunks, rehearsed into a scratch database, restored only
when verified and only over an empty database unless forced."""

import base64
import hashlib
import io
import struct

import psycopg
import pytest
from django.core.files.storage import storages
from django.core.management import CommandError, call_command, get_commands
from django.db import connection

from operations import backups, sealed
from operations.backups import RestoreError
from operations.models import BackupRecord, RehearsalRecord

KEY = b"\x07" * 32


@pytest.fixture
def backup_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def _guest(phone="13812345678", email="zhang.wei@example.com"):
    from guests.models import Guest

    guest = Guest(family_name="张", given_name="伟", phone=phone, email=email)
    guest.save()
    return guest


def _frames(data: bytes) -> tuple[bytes, list[bytes]]:
    header, rest, frames = data[: sealed.HEADER_BYTES], data[sealed.HEADER_BYTES :], []
    while rest:
        (n,) = struct.unpack(">I", rest[:4])
        frames.append(rest[: 4 + n])
        rest = rest[4 + n :]
    return header, frames


def _sealed(plain: bytes, chunk_size=16) -> bytes:
    out = io.BytesIO()
    sealed.encrypt_stream(io.BytesIO(plain), out, key=KEY, chunk_size=chunk_size)
    return out.getvalue()


def _open(data: bytes, key=KEY) -> bytes:
    return b"".join(sealed.decrypt_chunks(io.BytesIO(data), key=key))


# ---------------------------------------------------------------- the file format


def test_it_round_trips_in_several_chunks():
    plain = bytes(range(256)) * 3
    data = _sealed(plain)
    assert len(_frames(data)[1]) == len(plain) // 16  # read-ahead: the last full chunk is the final one
    assert _open(data) == plain
    assert _open(_sealed(plain + b"!")) == plain + b"!"
    assert len(_frames(_sealed(b""))[1]) == 1 and _open(_sealed(b"")) == b""


def test_it_refuses_a_flipped_byte():
    data = bytearray(_sealed(b"x" * 100))
    data[sealed.HEADER_BYTES + 30] ^= 0x01
    with pytest.raises(sealed.BackupError, match="does not authenticate"):
        _open(bytes(data))


def test_it_refuses_a_file_cut_at_a_chunk_boundary():
    header, frames = _frames(_sealed(b"y" * 64))
    with pytest.raises(sealed.BackupError, match="without its final chunk"):
        _open(header + b"".join(frames[:-1]))


def test_it_refuses_a_file_cut_inside_a_chunk():
    data = _sealed(b"y" * 64)
    with pytest.raises(sealed.BackupError, match="truncated"):
        _open(data[:-5])


def test_it_refuses_reordered_chunks():
    header, frames = _frames(_sealed(b"a" * 16 + b"b" * 16 + b"c" * 16))
    frames[0], frames[1] = frames[1], frames[0]
    with pytest.raises(sealed.BackupError, match="chunk 0 does not authenticate"):
        _open(header + b"".join(frames))


def test_it_refuses_data_after_the_final_chunk():
    with pytest.raises(sealed.BackupError, match="after the final chunk"):
        _open(_sealed(b"z" * 20) + b"more")


def test_it_names_a_wrong_key():
    with pytest.raises(sealed.BackupError, match="different key"):
        _open(_sealed(b"secret"), key=b"\x08" * 32)


def test_the_backup_key_is_not_a_data_key(settings):
    settings.PMS_BACKUP_KEY = base64.b64encode(KEY).decode()
    assert sealed.backup_key() == KEY
    settings.PMS_ENCRYPTION_KEYS = ["k1:" + settings.PMS_BACKUP_KEY]
    from operations.checks import backup_key_check

    assert [e.id for e in backup_key_check(None)] == ["operations.E001"]


# ---------------------------------------------------------------- against PostgreSQL


@pytest.mark.django_db(transaction=True)
def test_backup_then_rehearsal_round_trip(backup_storage):
    guest = _guest()
    record = backups.backup_create()

    assert record.ok and record.size > 0
    stored = backup_storage / record.name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == record.sha256 == record.manifest["sha256"]
    assert not stored.read_bytes().startswith(b"PGDMP")  # encrypted, not a plain dump
    assert record.manifest["row_counts"]["guests_guest"] == 1
    assert record.manifest["schema_version"]["operations"] == "0001_initial"

    lines: list[str] = []
    outcome = backups.rehearsal_run(log=lines.append)
    rehearsal = outcome.record
    assert rehearsal.ok, rehearsal.differences
    assert rehearsal.checks["row_counts"] == "ok" and rehearsal.checks["migrations"] == "ok"
    assert rehearsal.checks["tables_counted"] == len(record.manifest["row_counts"])
    expected_audit = "ok" if "audit_verify" in get_commands() else "not available"
    assert rehearsal.checks["audit_verify"] == expected_audit
    digests = {(s.table, s.column, s.row_id): s.sha256 for s in outcome.samples}
    assert digests[("guests_guest", "phone", str(guest.pk))] == hashlib.sha256(b"13812345678").hexdigest()
    assert (
        digests[("guests_guest", "email", str(guest.pk))]
        == hashlib.sha256(b"zhang.wei@example.com").hexdigest()
    )
    with psycopg.connect(
        dbname="postgres",
        host=connection.settings_dict["HOST"] or None,
        port=connection.settings_dict["PORT"] or None,
        user=connection.settings_dict["USER"] or None,
    ) as conn:
        scratch = backups.scratch_name(connection.settings_dict["NAME"], rehearsal.started_at)
        assert f"into scratch database {scratch}" in lines[0]
        left = conn.execute("SELECT datname FROM pg_database WHERE datname = %s", [scratch]).fetchall()
    assert left == []  # the scratch database was dropped


@pytest.mark.django_db(transaction=True)
def test_a_rehearsal_notices_a_row_count_that_differs(backup_storage):
    _guest()
    record = backups.backup_create()
    manifest_path = backup_storage / record.manifest_name
    manifest_path.write_text(manifest_path.read_text().replace('"guests_guest": 1', '"guests_guest": 2'))

    rehearsal = backups.rehearsal_run().record

    assert not rehearsal.ok
    assert rehearsal.differences == ["guests_guest: 2 rows in the manifest, 1 restored"]


@pytest.mark.django_db(transaction=True)
def test_a_tampered_backup_is_refused(backup_storage):
    record = backups.backup_create()
    path = backup_storage / record.name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    with pytest.raises(sealed.BackupError, match="does not authenticate"):
        backups.backup_verify(backups.load_manifest())
    rehearsal = backups.rehearsal_run().record
    assert not rehearsal.ok
    assert "does not authenticate" in " ".join(rehearsal.differences)
    with pytest.raises(CommandError, match=r"REFUSED.*does not authenticate"):
        call_command("restore", "--target", connection.settings_dict["NAME"] + "_never", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_truncated_backup_is_refused(backup_storage):
    record = backups.backup_create()
    path = backup_storage / record.name
    path.write_bytes(path.read_bytes()[:-100])

    with pytest.raises(sealed.BackupError, match="truncated"):
        backups.backup_verify(backups.load_manifest())
    assert not backups.rehearsal_run().record.ok


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_populated_database_without_force(backup_storage):
    _guest()
    backups.backup_create()
    before = BackupRecord.objects.count()
    out = io.StringIO()

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", stdout=out)

    assert "Restore plan:" in out.getvalue() and "will be REPLACED" in out.getvalue()
    assert BackupRecord.objects.count() == before  # nothing was touched


@pytest.mark.django_db(transaction=True)
def test_restore_with_the_database_server_unreachable_says_so_without_a_traceback(
    backup_storage, monkeypatch
):
    _guest()
    backups.backup_create()
    monkeypatch.setattr(
        backups, "_settings_dict", lambda: {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": "1"}
    )
    with pytest.raises(CommandError, match=r"the database server did not answer .*Nothing was changed"):
        call_command("restore", "--dry-run", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database(backup_storage):
    _guest()
    backups.backup_create()
    target = connection.settings_dict["NAME"] + "_restore_test"
    sd = dict(connection.settings_dict)
    try:
        call_command("restore", "--target", target, stdout=io.StringIO())
        with backups._connect(target, sd=sd) as conn:
            assert conn.execute("SELECT count(*) FROM guests_guest").fetchone()[0] == 1
    finally:
        backups._drop_database(target, sd)


@pytest.mark.django_db(transaction=True)
def test_retention_keeps_the_newest_by_count_and_age(backup_storage, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.BACKUP_KEEP_COUNT = 2
    settings.BACKUP_KEEP_DAYS = 10
    storage = storages["backups"]
    now = timezone.now()
    made = []
    for days in (0, 1, 2, 20):  # newest first
        name = storage.save(f"b{days}.pmsbak", io.BytesIO(b"x"))
        made.append(BackupRecord.objects.create(ok=True, name=name, started_at=now - timedelta(days=days)))

    removed = backups.backup_prune(now=now)

    assert sorted(r.name for r in removed) == ["b2.pmsbak", "b20.pmsbak"]
    assert storage.exists("b0.pmsbak") and storage.exists("b1.pmsbak") and not storage.exists("b2.pmsbak")


@pytest.mark.django_db
def test_the_newest_backup_survives_retention_whatever_its_age(backup_storage, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.BACKUP_KEEP_DAYS = 1
    old = BackupRecord.objects.create(ok=True, name="", started_at=timezone.now() - timedelta(days=30))
    assert backups.backup_prune() == []
    old.refresh_from_db()
    assert old.deleted_at is None


@pytest.mark.django_db
def test_a_rehearsal_without_any_backup_fails_and_says_why(backup_storage):
    rehearsal = backups.rehearsal_run().record
    assert not rehearsal.ok
    assert rehearsal.differences == [
        "RestoreError: there is no complete backup in storage (run `manage.py backup`)"
    ]
    assert RehearsalRecord.objects.get().pk == rehearsal.pk


class _FullDisk:
    """A storage whose disk fills after `after` bytes: it writes part of the file, then fails."""

    def __init__(self, inner, after):
        self.inner, self.after = inner, after

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def save(self, name, content):
        path = self.inner.path(name)
        with open(path, "wb") as fh:
            fh.write(content.read()[: self.after])  # what got written before the disk was full
        raise OSError(28, "No space left on device")


@pytest.mark.django_db(transaction=True)
def test_a_full_disk_leaves_no_file_that_looks_like_a_backup(backup_storage, monkeypatch):
    real = backups._storage()
    monkeypatch.setattr(backups, "_storage", lambda: _FullDisk(real, after=100))
    with pytest.raises(OSError, match="No space left"):
        backups.backup_create()
    monkeypatch.undo()
    assert list(backup_storage.iterdir()) == []  # nothing under the backup's name
    record = BackupRecord.objects.get()
    assert not record.ok and "No space left" in record.error
    with pytest.raises(RestoreError, match="no complete backup"):
        backups.load_manifest()


@pytest.mark.django_db(transaction=True)
def test_a_damaged_manifest_is_not_taken_for_a_backup(backup_storage):
    good = backups.backup_create()
    (backup_storage / "pms-29991231T000000Z.manifest.json").write_text('{"format": 1, "file": "pms-2999')
    assert backups.backup_names() == [good.manifest_name.removesuffix(".manifest.json")]
    assert backups.load_manifest()["sha256"] == good.sha256  # the newest *complete* one
    with pytest.raises(RestoreError, match="damaged"):
        backups.load_manifest("pms-29991231T000000Z")


@pytest.mark.django_db(transaction=True)
def test_a_rehearsal_fails_when_data_needs_a_key_that_was_dropped(backup_storage, settings):
    _guest()
    old_keys = settings.PMS_ENCRYPTION_KEYS
    backups.backup_create()
    # IT "rotates" by putting a new key first and dropping the old one, without re-encrypting.
    settings.PMS_ENCRYPTION_KEYS = ["k2099:" + base64.b64encode(b"\x07" * 32).decode()]
    try:
        rehearsal = backups.rehearsal_run().record
    finally:
        settings.PMS_ENCRYPTION_KEYS = old_keys
    assert not rehearsal.ok
    assert any("not in the key ring" in d for d in rehearsal.differences), rehearsal.differences


def test_compose_runs_a_backup_service_for_the_queue_the_backup_jobs_go_to(settings):
    """docker-compose is checked by reading (no Docker engine here): the scheduled backup and
    rehearsal go to a queue that a compose service consumes, with the backups volume, and the
    general worker does not take them."""
    from pathlib import Path

    import yaml

    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    services = compose["services"]
    queues = {
        name: svc["command"][svc["command"].index("-Q") + 1].split(",")
        for name, svc in services.items()
        if isinstance(svc.get("command"), list) and "-Q" in svc["command"]
    }
    for task in ("operations.tasks.backup", "operations.tasks.rehearse"):
        queue = settings.CELERY_TASK_ROUTES[task]["queue"]
        consumers = [name for name, qs in queues.items() if queue in qs]
        assert consumers == ["backup"], (task, queues)
        schedule = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == task]
        assert len(schedule) == 1, task
    assert "backups:/app/backups" in services["backup"]["volumes"]
    assert "backups" not in queues["worker"]
