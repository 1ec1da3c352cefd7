from django.core.management.base import BaseCommand

from audit.anomalies import scan


class Command(BaseCommand):
    help = "Run the anomaly rules over the last two hours and raise alerts (also every 5 minutes)."

    def handle(self, *args, **options):
        alerts = scan()
        for a in alerts:
            self.stdout.write(
                f"alert {a.pk}: {a.rule} {a.operator_username} {a.window_start:%Y-%m-%d %H:%M} figure {a.figure:g}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(alerts)} new alert(s)."))
