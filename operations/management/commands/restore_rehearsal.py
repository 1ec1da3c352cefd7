from django.core.management.base import BaseCommand, CommandError

from operations.backups import rehearsal_run


class Command(BaseCommand):
    help = (
        "Restore the newest backup into a scratch database, check migrations, row counts, the audit "
        "trail and a sample of encrypted fields, drop it and record the result."
    )

    def add_arguments(self, parser):
        parser.add_argument("--backup", help="a backup file name (default: the newest in storage)")

    def handle(self, *args, backup=None, **options):
        outcome = rehearsal_run(backup=backup, log=self.stdout.write)
        record = outcome.record
        if not record.ok:
            for line in record.differences:
                self.stderr.write(f"  - {line}")
            raise CommandError(f"Restore rehearsal FAILED after {record.duration_seconds:.1f} s.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore rehearsal passed in {record.duration_seconds:.1f} s ({record.backup_name})."
            )
        )
