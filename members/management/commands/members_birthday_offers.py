"""manage.py members_birthday_offers [--date YYYY-MM-DD]: the beat job, for cron."""

from django.core.management.base import BaseCommand

from members.tasks import birthday_offers


class Command(BaseCommand):
    help = "Run the members job birthday_offers once."

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="the day to run for (default: today)")

    def handle(self, *args, **options):
        self.stdout.write(str(birthday_offers(options["date"])))
