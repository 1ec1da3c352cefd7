from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from audit.integrity import purge, retention_days, seal


class Command(BaseCommand):
    help = "Delete whole sealed ranges older than AUDIT_RETENTION_DAYS (at least 180), leaving markers."

    def handle(self, *args, **options):
        try:
            days = retention_days()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        seal()
        markers = purge()
        for m in markers:
            self.stdout.write(
                f"purged events {m.first_id}-{m.last_id} ({m.count} rows), checkpoint {m.checkpoint_id}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(markers)} range(s) older than {days} days purged."))
