"""Backups, their retention, restore rehearsals and real restores (issue 10).

- `backup_create`: `pg_dump --format=custom` inside an exported snapshot, so the dump, the row
  counts, the schema version and the last audit seal in the manifest all describe the same instant.
  The dump streams through `sealed.encrypt_stream` into a temporary file, which is then stored
  through the storage alias `BACKUP_STORAGE_ALIAS`; the manifest is stored last, and a backup without
  its manifest (or without its final chunk) is never taken for complete.
- `rehearsal_run`: the newest backup into a scratch database, checked, then dropped.
- `backup_restore`: a real restore, verified end to end before anything is touched.

The plaintext dump is never written to disk: it exists only in the pipe between `pg_dump` and the
encryption, and between the decryption and `pg_restore`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone
from psycopg import sql

from . import sealed
from .models import BackupRecord, RehearsalRecord

logger = logging.getLogger(__name__)

BACKUP_SUFFIX = ".pmsbak"
MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_FORMAT = 1


class RestoreError(Exception):
    """A restore cannot go ahead; the message says why and what to do."""


# ---------------------------------------------------------------- connection details


def _settings_dict() -> dict:
    return connection.settings_dict


def _libpq_args(sd: dict) -> list[str]:
    args = []
    if sd.get("HOST"):
        args += ["--host", str(sd["HOST"])]
    if sd.get("PORT"):
        args += ["--port", str(sd["PORT"])]
    if sd.get("USER"):
        args += ["--username", str(sd["USER"])]
    return args


def _libpq_env(sd: dict) -> dict:
    env = dict(os.environ)
    if sd.get("PASSWORD"):
        env["PGPASSWORD"] = str(sd["PASSWORD"])
    sslmode = (sd.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _connect(dbname: str, *, sd: dict | None = None, autocommit: bool = True) -> psycopg.Connection:
    sd = sd or _settings_dict()
    kwargs = {"dbname": dbname, "autocommit": autocommit}
    for key, arg in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if sd.get(key):
            kwargs[arg] = str(sd[key])
    sslmode = (sd.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        kwargs["sslmode"] = sslmode
    return psycopg.connect(**kwargs)


def _database_url(sd: dict, dbname: str) -> str:
    auth = quote(str(sd.get("USER") or ""), safe="")
    if sd.get("PASSWORD"):
        auth += ":" + quote(str(sd["PASSWORD"]), safe="")
    host = str(sd.get("HOST") or "")
    port = f":{sd['PORT']}" if sd.get("PORT") else ""
    return f"postgres://{auth}{'@' if auth else ''}{host}{port}/{quote(dbname, safe='')}"


def _binary(setting: str, default: str) -> str:
    name = getattr(settings, setting, default) or default
    found = shutil.which(name)
    if not found:
        raise RestoreError(f"{name} was not found on PATH; install the PostgreSQL client tools (15+).")
    return found


def _storage():
    return storages[settings.BACKUP_STORAGE_ALIAS]


# ---------------------------------------------------------------- what the manifest describes


def main_tables() -> list[str]:
    """Tables of the project's own apps (and the user table), the ones a restore must bring back."""
    tables = {apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table}
    for config in apps.get_app_configs():
        if Path(config.path).parent != Path(settings.BASE_DIR):
            continue  # third-party apps: their tables are not ours to count
        for model in config.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return sorted(tables)


def _existing(cur, tables: list[str]) -> list[str]:
    cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY(%s)",
        [tables],
    )
    return sorted(r[0] for r in cur.fetchall())


def row_counts(cur, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in _existing(cur, tables):
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cur.fetchone()[0]
    return counts


def schema_version(cur) -> dict[str, str]:
    """The latest applied migration of each app."""
    cur.execute("SELECT DISTINCT ON (app) app, name FROM django_migrations ORDER BY app, id DESC")
    return dict(cur.fetchall())


def _audit_seal(cur) -> dict | None:
    try:
        table = apps.get_model("audit", "Checkpoint")._meta.db_table
    except LookupError:
        return None
    if not _existing(cur, [table]):
        return None
    cur.execute(
        sql.SQL("SELECT id, last_id, created_at FROM {} ORDER BY last_id DESC LIMIT 1").format(
            sql.Identifier(table)
        )
    )
    row = cur.fetchone()
    if row is None:
        return None
    return {"id": row[0], "last_event_id": row[1], "at": row[2].astimezone(UTC).isoformat()}


@contextmanager
def _snapshot(sd: dict):
    """An open REPEATABLE READ transaction whose snapshot `pg_dump --snapshot` shares, with the facts
    of the manifest read inside it."""
    conn = _connect(sd["NAME"], sd=sd)
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot_id = cur.fetchone()[0]
            facts = {
                "row_counts": row_counts(cur, main_tables()),
                "schema_version": schema_version(cur),
                "audit_seal": _audit_seal(cur),
            }
            yield snapshot_id, facts
            cur.execute("COMMIT")
    finally:
        conn.close()


# ---------------------------------------------------------------- backup


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def backup_create(*, progress: Callable[[int], None] | None = None) -> BackupRecord:
    """Dump, encrypt and store the database with its manifest; then apply retention."""
    key = sealed.backup_key()  # refuse before any work when the key is missing or malformed
    pg_dump = _binary("PG_DUMP", "pg_dump")
    sd = dict(_settings_dict())
    storage = _storage()
    record = BackupRecord.objects.create()
    base = f"pms-{_stamp(record.started_at)}"
    stored_name = manifest_name = ""
    t0 = time.monotonic()
    try:
        with (
            _snapshot(sd) as (snapshot_id, facts),
            tempfile.NamedTemporaryFile(
                dir=settings.BACKUP_TMP_DIR or None, prefix=base, suffix=".part"
            ) as tmp,
            tempfile.TemporaryFile() as errors,
        ):
            args = [pg_dump, "--format=custom", f"--snapshot={snapshot_id}", "--no-password"]
            proc = subprocess.Popen(  # noqa: S603  (argument list from settings, no shell)
                [*args, *_libpq_args(sd), sd["NAME"]],
                stdout=subprocess.PIPE,
                stderr=errors,
                env=_libpq_env(sd),
            )
            try:
                size, digest = sealed.encrypt_stream(
                    proc.stdout, tmp, key=key, chunk_size=settings.BACKUP_CHUNK_BYTES, progress=progress
                )
            finally:
                proc.stdout.close()
                returncode = proc.wait()
            if returncode != 0:
                errors.seek(0)
                raise RestoreError(
                    f"pg_dump failed ({returncode}): {errors.read().decode(errors='replace')[-2000:]}"
                )
            tmp.flush()
            os.fsync(tmp.fileno())
            tmp.seek(0)
            stored_name = _save_whole(storage, base + BACKUP_SUFFIX, File(tmp, name=base + BACKUP_SUFFIX))
        manifest = {
            "format": MANIFEST_FORMAT,
            "file": stored_name,
            "created_at": record.started_at.astimezone(UTC).isoformat(),
            "size": size,
            "sha256": digest,
            "key_fingerprint": sealed.key_fingerprint(key).hex(),
            "chunk_bytes": settings.BACKUP_CHUNK_BYTES,
            "database": sd["NAME"],
            "duration_seconds": round(time.monotonic() - t0, 3),
            **facts,
        }
        manifest_name = _save_whole(
            storage,
            base + MANIFEST_SUFFIX,
            ContentFile(json.dumps(manifest, indent=2, sort_keys=True).encode()),
        )
    except BaseException as exc:
        for name in (stored_name, manifest_name):
            if name:
                _delete_quietly(storage, name)
        record.error = f"{exc.__class__.__name__}: {exc}"[:4000]
        record.finished_at = timezone.now()
        record.save(update_fields=["error", "finished_at"])
        logger.error("backup failed: %s", record.error)
        raise
    record.ok = True
    record.finished_at = timezone.now()
    record.name, record.manifest_name = stored_name, manifest_name
    record.size, record.sha256, record.manifest = size, digest, manifest
    record.save()
    logger.info("backup stored: %s (%d bytes)", stored_name, size)
    backup_prune()
    return record


def _save_whole(storage, name: str, content) -> str:
    """Save through the storage API, and leave nothing under `name` if the write fails part-way (a
    full disk): storages write to the final name, so a cut-short file would look like a backup."""
    existed = storage.exists(name)
    try:
        return storage.save(name, content)
    except BaseException:
        if not existed and storage.exists(name):
            _delete_quietly(storage, name)
        raise


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the original error matters more than a failed clean-up
        logger.exception("could not remove %s after a failed backup", name)


def backup_prune(*, now: datetime | None = None) -> list[BackupRecord]:
    """Remove backups beyond the newest BACKUP_KEEP_COUNT or older than BACKUP_KEEP_DAYS.
    The newest complete backup is always kept, whatever its age."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BACKUP_KEEP_DAYS)
    storage = _storage()
    removed = []
    live = BackupRecord.objects.filter(ok=True, deleted_at__isnull=True).order_by("-started_at")
    for rank, record in enumerate(live):
        if rank == 0 or (rank < settings.BACKUP_KEEP_COUNT and record.started_at >= cutoff):
            continue
        for name in (record.manifest_name, record.name):  # manifest first: never a manifest without file
            if name and storage.exists(name):
                storage.delete(name)
        record.deleted_at = now
        record.save(update_fields=["deleted_at"])
        removed.append(record)
    return removed


# ---------------------------------------------------------------- reading backups


def backup_names() -> list[str]:
    """Complete backups in storage (a manifest that reads, and its file), oldest first. A manifest
    cut short or a file missing is not a backup: it is skipped, and logged for IT."""
    storage = _storage()
    _, files = storage.listdir("")
    names = []
    for f in sorted(f for f in files if f.endswith(MANIFEST_SUFFIX)):
        try:
            with storage.open(f, "rb") as fh:
                manifest = json.loads(fh.read())
            whole = isinstance(manifest, dict) and storage.exists(manifest.get("file", ""))
        except (ValueError, OSError):
            whole = False
        if whole:
            names.append(f[: -len(MANIFEST_SUFFIX)])
        else:
            logger.warning("backup storage: %s is not a complete backup; skipped", f)
    return names


def load_manifest(base: str | None = None) -> dict:
    """The manifest of backup `base` (a file name with or without suffix), or of the newest."""
    if base is None:
        names = backup_names()
        if not names:
            raise RestoreError("there is no complete backup in storage (run `manage.py backup`)")
        base = names[-1]
    base = base.removesuffix(MANIFEST_SUFFIX).removesuffix(BACKUP_SUFFIX)
    storage = _storage()
    if not storage.exists(base + MANIFEST_SUFFIX):
        raise RestoreError(f"no manifest {base}{MANIFEST_SUFFIX} in backup storage: not a complete backup")
    with storage.open(base + MANIFEST_SUFFIX, "rb") as fh:
        try:
            manifest = json.loads(fh.read())
        except ValueError:
            raise RestoreError(
                f"the manifest {base}{MANIFEST_SUFFIX} is damaged (cut short?): not a usable backup"
            ) from None
    if not isinstance(manifest, dict) or not {"file", "sha256", "size"} <= manifest.keys():
        raise RestoreError(f"the manifest {base}{MANIFEST_SUFFIX} lacks its file, size or SHA-256")
    return manifest


def backup_verify(manifest: dict) -> int:
    """Authenticate every chunk and compare size and SHA-256 with the manifest. Returns plaintext bytes."""
    storage = _storage()
    if not storage.exists(manifest["file"]):
        raise RestoreError(f"the backup file {manifest['file']} is missing from storage")
    with storage.open(manifest["file"], "rb") as fh:
        plain, digest = sealed.verify_stream(fh)
    if digest != manifest["sha256"]:
        raise sealed.BackupError("the file's SHA-256 differs from its manifest")
    return plain


def _restore_into(manifest: dict, dbname: str, *, clean: bool, sd: dict) -> None:
    """Stream the decrypted dump into `pg_restore` in one transaction: any failure leaves `dbname`
    as it was (authenticated chunks only reach pg_restore; an error aborts its transaction)."""
    pg_restore = _binary("PG_RESTORE", "pg_restore")
    args = [pg_restore, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", "--no-password"]
    if clean:
        args += ["--clean", "--if-exists"]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(  # noqa: S603  (argument list from settings, no shell)
            [*args, *_libpq_args(sd), "--dbname", dbname],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=_libpq_env(sd),
        )
        try:
            with _storage().open(manifest["file"], "rb") as fh:
                for chunk in sealed.decrypt_chunks(fh):
                    proc.stdin.write(chunk)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # pg_restore stopped early; its exit status and message say why
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if proc.wait() != 0:
            errors.seek(0)
            raise RestoreError(f"pg_restore failed: {errors.read().decode(errors='replace')[-2000:]}")


def _database_exists(dbname: str, sd: dict) -> bool:
    with _connect("postgres", sd=sd) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone() is not None


def _create_database(dbname: str, sd: dict) -> None:
    with _connect("postgres", sd=sd) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))


def _drop_database(dbname: str, sd: dict) -> None:
    with _connect("postgres", sd=sd) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def table_count(dbname: str, sd: dict) -> int:
    with _connect(dbname, sd=sd) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%' "
            "AND c.relkind IN ('r', 'p')"
        ).fetchone()[0]


# ---------------------------------------------------------------- rehearsal


@dataclass
class Sample:
    table: str
    column: str
    row_id: str
    sha256: str  # of the decrypted value; kept in memory for the caller, never stored or logged


@dataclass
class RehearsalOutcome:
    record: RehearsalRecord
    samples: list[Sample] = field(default_factory=list)


def unapplied_migrations(applied: set[tuple[str, str]]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    missing = []
    for node in sorted(loader.graph.nodes):
        if node in applied:
            continue
        replaced = loader.replacements.get(node)
        if replaced and all(r in applied for r in replaced.replaces):
            continue
        missing.append(f"{node[0]}.{node[1]}")
    return missing


def encrypted_columns() -> list[tuple[str, str, str]]:
    """(table, primary-key column, encrypted column) of every EncryptedTextField."""
    from pms.fields import EncryptedTextField

    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                found.append((model._meta.db_table, model._meta.pk.column, f.column))
    return sorted(found)


def _decrypt_sample(cur, size: int) -> tuple[dict, list[str], list[Sample]]:
    from pms import crypto

    report, differences, samples = {}, [], []
    tables = set(_existing(cur, [t for t, _, _ in encrypted_columns()]))
    for table, pk, column in encrypted_columns():
        if table not in tables:
            differences.append(f"{table}: table missing in the restored database")
            continue
        names = {"pk": sql.Identifier(pk), "col": sql.Identifier(column), "tbl": sql.Identifier(table)}
        # Every key id the data uses must be in the key ring: a key dropped while rows still need it
        # is found here, whichever rows the sample below happens to take.
        cur.execute(
            sql.SQL(
                "SELECT split_part({col}, ':', 2), count(*) FROM {tbl} WHERE {col} <> '' GROUP BY 1"
            ).format(**names)
        )
        keys = crypto.key_ring().keys
        for kid, n in cur.fetchall():
            if kid not in keys:
                differences.append(
                    f"{table}.{column}: {n} values under key {kid!r}, which is not in the key ring"
                )
        # A different sample each run: (encrypted rows have uuid4 keys, as the associated data needs)
        # from a random point on through the index,
        # wrapping round to the start when the end comes first.
        start = str(uuid.uuid4())
        cur.execute(
            sql.SQL(
                "(SELECT {pk}, {col} FROM {tbl} WHERE {col} <> '' AND {pk} >= %s::uuid ORDER BY {pk} LIMIT %s)"
                " UNION ALL "
                "(SELECT {pk}, {col} FROM {tbl} WHERE {col} <> '' AND {pk} < %s::uuid ORDER BY {pk} LIMIT %s)"
            ).format(**names),
            [start, size, start, size],
        )
        ok = failed = 0
        for row_id, stored in cur.fetchall()[:size]:
            try:
                plain = crypto.decrypt(stored, table=table, field=column, row_id=row_id)
            except crypto.DecryptionError:
                failed += 1
                continue
            ok += 1
            samples.append(Sample(table, column, str(row_id), hashlib.sha256(plain.encode()).hexdigest()))
        report[f"{table}.{column}"] = {"decrypted": ok, "failed": failed}
        if failed:
            differences.append(f"{table}.{column}: {failed} of {ok + failed} sampled values do not decrypt")
    return report, differences, samples


def _audit_verify(dbname: str, sd: dict) -> tuple[str, str | None]:
    """Run `manage.py audit_verify` against the scratch database. (status, difference or None)."""
    from django.core.management import get_commands

    if "audit_verify" not in get_commands():
        return "not available", None
    env = {**os.environ, "DATABASE_URL": _database_url(sd, dbname)}
    proc = subprocess.run(  # noqa: S603  (our own manage.py, no shell)
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "audit_verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=settings.REHEARSAL_AUDIT_TIMEOUT,
        cwd=settings.BASE_DIR,
        check=False,
    )
    if proc.returncode == 0:
        return "ok", None
    detail = (proc.stderr.strip().splitlines() or proc.stdout.strip().splitlines() or ["no output"])[-1]
    return "failed", f"audit_verify on the restored database: {detail[:500]}"


def scratch_name(base: str, now: datetime) -> str:
    suffix = f"_rehearsal_{_stamp(now).lower()}"
    return base[: 63 - len(suffix)] + suffix


def rehearsal_run(*, backup: str | None = None, log: Callable[[str], None] | None = None) -> RehearsalOutcome:
    """Restore the newest (or the named) backup into a scratch database, check it, drop it, record it."""
    log = log or (lambda line: None)
    sd = dict(_settings_dict())
    record = RehearsalRecord.objects.create()
    t0 = time.monotonic()
    checks: dict = {}
    differences: list[str] = []
    samples: list[Sample] = []
    scratch = scratch_name(sd["NAME"], record.started_at)
    created = False
    try:
        manifest = load_manifest(backup)
        record.backup_name = manifest["file"]
        log(f"Backup {manifest['file']} ({manifest['size']:,} bytes) into scratch database {scratch}")
        _create_database(scratch, sd)
        created = True
        _restore_into(manifest, scratch, clean=False, sd=sd)
        checks["restore"] = "ok"
        log("  restored")
        with _connect(scratch, sd=sd) as conn, conn.cursor() as cur:
            cur.execute("SELECT app, name FROM django_migrations")
            missing = unapplied_migrations(set(cur.fetchall()))
            checks["migrations"] = "ok" if not missing else f"{len(missing)} unapplied"
            differences += [f"migration not applied in the backup: {m}" for m in missing]
            counts = row_counts(cur, list(manifest.get("row_counts", {})))
            count_diffs = [
                f"{table}: {expected} rows in the manifest, {counts.get(table, 'no table')} restored"
                for table, expected in manifest.get("row_counts", {}).items()
                if counts.get(table) != expected
            ]
            checks["row_counts"] = "ok" if not count_diffs else f"{len(count_diffs)} differ"
            checks["tables_counted"] = len(counts)
            differences += count_diffs
            sample_report, sample_diffs, samples = _decrypt_sample(cur, settings.REHEARSAL_SAMPLE_SIZE)
            checks["decryption"] = sample_report
            differences += sample_diffs
        log(f"  migrations {checks['migrations']}, row counts {checks['row_counts']}")
        status, diff = _audit_verify(scratch, sd)
        checks["audit_verify"] = status
        if diff:
            differences.append(diff)
        log(f"  audit verification: {status}")
    except Exception as exc:  # a rehearsal always ends recorded, with the reason
        differences.append(f"{exc.__class__.__name__}: {exc}"[:2000])
    finally:
        if created:
            try:
                _drop_database(scratch, sd)
            except psycopg.Error as exc:
                differences.append(f"the scratch database {scratch} could not be dropped: {exc}")
        record.finished_at = timezone.now()
        record.duration_seconds = round(time.monotonic() - t0, 3)
        record.ok = not differences and checks.get("restore") == "ok"
        record.checks, record.differences = checks, differences
        record.save()
    logger.info(
        "restore rehearsal %s in %.1f s", "passed" if record.ok else "FAILED", record.duration_seconds
    )
    return RehearsalOutcome(record=record, samples=samples)


# ---------------------------------------------------------------- real restore


@dataclass
class RestorePlan:
    manifest: dict
    target: str
    exists: bool
    tables: int

    @property
    def populated(self) -> bool:
        return self.tables > 0


def restore_plan(*, backup: str | None = None, target: str | None = None) -> RestorePlan:
    sd = dict(_settings_dict())
    manifest = load_manifest(backup)
    target = target or sd["NAME"]
    exists = _database_exists(target, sd)
    return RestorePlan(manifest, target, exists, table_count(target, sd) if exists else 0)


def backup_restore(plan: RestorePlan, *, force: bool) -> None:
    """Verify the whole backup, then restore it into the plan's target database in one transaction."""
    if plan.populated and not force:
        raise RestoreError(
            f"database {plan.target} is not empty ({plan.tables} tables); nothing was changed. "
            "Restore into an empty database, or pass --force to replace its contents."
        )
    backup_verify(plan.manifest)  # before touching anything: wrong key, tampering, truncation
    sd = dict(_settings_dict())
    from django.db import connections

    connections.close_all()
    if not plan.exists:
        _create_database(plan.target, sd)
    _restore_into(plan.manifest, plan.target, clean=plan.populated, sd=sd)
