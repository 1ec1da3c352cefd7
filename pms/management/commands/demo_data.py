"""Load the demo data of every app, once. `--logins` prints the demo log-ins instead."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

# The order matters: later apps build on earlier ones' data.
DEMO_APPS = ["pms", "guests", "reservations", "members", "audit"]


class Command(BaseCommand):
    help = "Load demo hotels, staff and (from each app) guests, bookings and events. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="Print the demo log-ins and stop.")

    def handle(self, *args, logins=False, **options):
        from pms.demo import logins_table

        if logins:
            self.stdout.write("Demo log-ins (one per role):\n" + logins_table())
            return
        for label in DEMO_APPS:
            if not apps.is_installed(label):
                continue
            try:
                module = import_module(f"{label}.demo")
            except ModuleNotFoundError as exc:
                if exc.name == f"{label}.demo":
                    continue
                raise
            self.stdout.write(f"Demo data: {label}")
            module.load(lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
