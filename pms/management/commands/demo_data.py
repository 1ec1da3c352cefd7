"""Load the demo data of every app, once. `--logins` prints the demo log-ins instead."""

from importlib import import_module

from django.core.management.base import BaseCommand

# The order matters: later modules build on earlier ones' data; the audit trail comes last.
DEMO_MODULES = [
    "pms.demo",
    "guests.demo",
    "reservations.demo",
    "members.demo",
    "guests.privacy.demo",
    "audit.demo",
]


class Command(BaseCommand):
    help = "Load demo hotels, staff and (from each app) guests, bookings and events. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="Print the demo log-ins and stop.")

    def handle(self, *args, logins=False, **options):
        from pms.demo import logins_table

        if logins:
            self.stdout.write("Demo log-ins (one per role):\n" + logins_table())
            return
        for name in DEMO_MODULES:
            self.stdout.write(f"Demo data: {name.removesuffix('.demo')}")
            import_module(name).load(lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
