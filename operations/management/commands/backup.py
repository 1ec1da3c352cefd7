import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from operations.backups import RestoreError, backup_create
from operations.sealed import BackupError


class Command(BaseCommand):
    help = "Dump the database (pg_dump, custom format), encrypt it under PMS_BACKUP_KEY and store it with a manifest."

    def handle(self, *args, **options):
        last = [0.0]

        def progress(done: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 1.0:
                last[0] = now
                self.stdout.write(f"  {done / 1048576:,.1f} MiB dumped and encrypted")

        self.stdout.write("Backing up the database...")
        try:
            record = backup_create(progress=progress)
        except (RestoreError, BackupError, ImproperlyConfigured, OSError) as exc:
            raise CommandError(f"Backup FAILED: {exc}") from exc
        counts = record.manifest.get("row_counts", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup stored: {record.name} ({record.size:,} bytes, sha256 {record.sha256[:16]}..., "
                f"{len(counts)} tables, {sum(counts.values()):,} rows)."
            )
        )
