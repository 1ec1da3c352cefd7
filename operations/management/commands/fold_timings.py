from django.core.management.base import BaseCommand

from operations.timing import fold, purge_old


class Command(BaseCommand):
    help = "Move response times collected in Redis into the hourly RouteTiming table; purge old hours."

    def handle(self, *args, **options):
        written = fold()
        purged = purge_old()
        self.stdout.write(f"{written} route/hour aggregate(s) written, {purged} old row(s) purged.")
