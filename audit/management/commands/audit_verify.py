from django.core.management.base import BaseCommand, CommandError

from audit.integrity import verify


class Command(BaseCommand):
    help = "Recompute every checkpoint; exit non-zero naming the first altered or missing event."

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(
                f"Audit trail NOT intact: {result.detail} (first bad event id {result.first_bad_id})."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit trail intact: {result.checkpoints} checkpoint(s), {result.rows} event(s)."
            )
        )
