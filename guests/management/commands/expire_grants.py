"""`manage.py expire_grants`: the access-grant expiry job, for cron."""

from django.core.management.base import BaseCommand

from guests.services import grants_expire


class Command(BaseCommand):
    help = "Mark expired guest access grants and remove their object permissions."

    def handle(self, *args, **options):
        n = grants_expire()
        self.stdout.write(f"Expired grants: {n}")
