"""`manage.py privacy_retention [--dry-run]`: anonymise guests with no activity for
GUEST_RETENTION_DAYS and print what was done (the beat job `guests.privacy.retention` runs the same).

Django finds commands only in an installed app's management/commands: guests/management/commands/
must re-export this class (see the privacy report) until then, call it with call_command(Command())."""

from django.core.management.base import BaseCommand

from pms import context


class Command(BaseCommand):
    help = "Anonymise guests with no stay, booking or membership activity for GUEST_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be anonymised.")

    def handle(self, *args, dry_run=False, **options):
        from guests.privacy.erasure import retention_run

        with context.using(channel="system"):
            report = retention_run(dry_run=dry_run)
        self.stdout.write(("(dry run) " if dry_run else "") + report.as_text())
