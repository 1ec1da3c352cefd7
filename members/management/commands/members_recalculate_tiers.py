"""manage.py members_recalculate_tiers [--date YYYY-MM-DD]: the beat job, for cron."""

from django.core.management.base import BaseCommand

from members.tasks import recalculate_tiers


class Command(BaseCommand):
    help = "Run the members job recalculate_tiers once."

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="the day to run for (default: today)")

    def handle(self, *args, **options):
        self.stdout.write(str(recalculate_tiers(options["date"])))
