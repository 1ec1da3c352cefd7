"""manage.py members_expire_points [--date YYYY-MM-DD]: the beat job, for cron."""

from django.core.management.base import BaseCommand

from members.tasks import expire_points


class Command(BaseCommand):
    help = "Run the members job expire_points once."

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="the day to run for (default: today)")

    def handle(self, *args, **options):
        self.stdout.write(str(expire_points(options["date"])))
