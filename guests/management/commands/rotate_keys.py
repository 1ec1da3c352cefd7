"""`manage.py rotate_keys`: re-encrypt every encrypted column under the primary key.

Generic over every installed model with an `EncryptedTextField`. Rows whose value carries another
key id are re-encrypted in batches, each batch in its own transaction under row locks, so the command
can be stopped at any time and run again: it continues with what is left. It prints rows per key id
before and after; when no row uses an old key any more, that key can be dropped from
PMS_ENCRYPTION_KEYS. Values are never printed, only counts and row ids.
"""

from __future__ import annotations

import sys

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from pms import crypto
from pms.fields import EncryptedTextField


def encrypted_models() -> list[tuple[type, list[EncryptedTextField]]]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def key_counts() -> dict[str, dict[str, int]]:
    """{"table.column": {kid: rows}} for every encrypted column (empty values left out)."""
    qn = connection.ops.quote_name
    out: dict[str, dict[str, int]] = {}
    with connection.cursor() as cur:
        for model, fields in encrypted_models():
            table = model._meta.db_table
            for f in fields:
                cur.execute(
                    f"SELECT split_part({qn(f.column)}, ':', 2), count(*) FROM {qn(table)} "  # noqa: S608 (names from model metadata, quoted)
                    f"WHERE {qn(f.column)} <> '' GROUP BY 1 ORDER BY 1"
                )
                out[f"{table}.{f.column}"] = dict(cur.fetchall())
    return out


class Command(BaseCommand):
    help = "Re-encrypt personal data under the first key of PMS_ENCRYPTION_KEYS (batched, resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="Only print rows per key id.")

    def handle(self, *args, batch_size: int = 500, dry_run: bool = False, **options):
        ring = crypto.key_ring()
        self.stdout.write(f"Primary key: {ring.primary}; known keys: {', '.join(ring.keys)}")
        self._print_counts("Before", key_counts())
        if dry_run:
            return
        total = 0
        for model, fields in encrypted_models():
            total += self._rotate_model(model, fields, ring.primary, batch_size)
        after = key_counts()
        self._print_counts("After", after)
        old = sorted({kid for per in after.values() for kid in per if kid != ring.primary})
        if old:
            raise CommandError(f"Rows still on old keys: {', '.join(old)}; run the command again.")
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {total} rows. Keys other than {ring.primary} may be dropped.")
        )

    def _print_counts(self, title: str, counts: dict[str, dict[str, int]]) -> None:
        self.stdout.write(f"{title}: rows per key id")
        for column, per in counts.items():
            shown = ", ".join(f"{kid}={n}" for kid, n in sorted(per.items())) or "empty"
            self.stdout.write(f"  {column}: {shown}")

    def _rotate_model(self, model, fields, primary: str, batch_size: int) -> int:
        qn = connection.ops.quote_name
        table, pk = model._meta.db_table, model._meta.pk.column
        prefix = f"{crypto.VERSION}:{primary}:"
        stale = " OR ".join(f"({qn(f.column)} <> '' AND {qn(f.column)} NOT LIKE %s)" for f in fields)
        params = [prefix.replace("_", r"\_") + "%"] * len(fields)
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {qn(table)} WHERE {stale}", params)  # noqa: S608 (names from model metadata, quoted)
            todo = cur.fetchone()[0]
        if not todo:
            return 0
        done = 0
        label = f"{model._meta.label} ({table})"
        cols = ", ".join(qn(f.column) for f in fields)
        while True:
            with transaction.atomic(), connection.cursor() as cur:
                # SKIP LOCKED: a row being edited right now is left for the next pass, never overwritten.
                cur.execute(
                    f"SELECT {qn(pk)}, {cols} FROM {qn(table)} WHERE {stale} "  # noqa: S608 (names from model metadata, quoted)
                    f"ORDER BY {qn(pk)} LIMIT %s FOR UPDATE SKIP LOCKED",
                    [*params, batch_size],
                )
                rows = cur.fetchall()
                if not rows:
                    break
                updates = []
                for row in rows:
                    row_id, values = row[0], row[1:]
                    new_values = []
                    for f, stored in zip(fields, values, strict=True):
                        if not stored or stored.startswith(prefix):
                            new_values.append(stored)
                            continue
                        try:
                            plain = crypto.decrypt(stored, table=table, field=f.column, row_id=row_id)
                        except crypto.DecryptionError as exc:
                            raise CommandError(
                                f"{table}.{f.column} of row {row_id} does not decrypt ({exc}); "
                                "fix or restore that row, then run again (finished batches are kept)."
                            ) from None
                        new_values.append(crypto.encrypt(plain, table=table, field=f.column, row_id=row_id))
                    updates.append([*new_values, row_id])
                sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
                cur.executemany(f"UPDATE {qn(table)} SET {sets} WHERE {qn(pk)} = %s", updates)  # noqa: S608 (names from model metadata, quoted)
            done += len(rows)
            self._progress(label, min(done, todo), todo)
        sys.stdout.flush()
        self.stdout.write("")
        return done

    def _progress(self, label: str, done: int, todo: int) -> None:
        width = 30
        filled = int(width * done / todo) if todo else width
        self.stdout.write(f"\r  {label}: [{'#' * filled}{'.' * (width - filled)}] {done}/{todo}", ending="")
        self.stdout.flush()
