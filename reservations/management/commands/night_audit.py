"""`manage.py night_audit [--property CODE] [--date YYYY-MM-DD]`: the scheduled night audit, for cron."""

from django.core.management.base import BaseCommand, CommandError

from pms.models import Property


class Command(BaseCommand):
    help = "Post last night's room charges and mark no-shows (default: yesterday, property time)."

    def add_arguments(self, parser):
        parser.add_argument("--property", help="Property code (default: every active property).")
        parser.add_argument("--date", help="Business date YYYY-MM-DD (default: yesterday, property time).")

    def handle(self, *args, property=None, date=None, **options):
        from reservations.tasks import night_audit

        prop_id = None
        if property:
            prop = Property.objects.filter(code=property).first()
            if prop is None:
                raise CommandError(f"No property with code {property!r}.")
            prop_id = prop.pk
        for r in night_audit(property_id=prop_id, business_date=date):
            self.stdout.write(
                f"{r['property']} {r['date']}: {r['room_charges']} room charges, {r['no_shows']} no-shows, "
                f"{r['overstays']} overstays"
            )
