import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from audit.models import AccessEvent
from audit.templatetags.audit_tags import masked_criteria


class Command(BaseCommand):
    help = "Write access events since a date as JSON lines (for a SIEM); criteria masked."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="ISO date or date-time, e.g. 2026-01-31")

    def handle(self, *args, since, **options):
        from datetime import datetime, time

        from django.utils import timezone

        when = parse_datetime(since) if "T" in since else None
        if when is None:
            try:
                day = parse_date(since)
            except ValueError:
                day = None
            if day is None:
                raise CommandError("--since must be an ISO date (YYYY-MM-DD) or date-time.")
            when = datetime.combine(day, time.min)
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        qs = AccessEvent.objects.filter(at__gte=when).order_by("id")
        for e in qs.iterator(chunk_size=2000):
            self.stdout.write(
                json.dumps(
                    {
                        "id": e.pk,
                        "at": e.at.isoformat(),
                        "actor_user_id": e.actor_user_id,
                        "actor_username": e.actor_username,
                        "actor_role": e.actor_role,
                        "actor_property_id": e.actor_property_id,
                        "channel": e.channel,
                        "action": e.action,
                        "target_type": e.target_type,
                        "target_ids": e.target_ids,
                        "criteria": dict(masked_criteria(e.criteria)),
                        "reason": e.reason,
                        "outcome": e.outcome,
                        "request_id": e.request_id,
                        "ip": e.ip,
                    },
                    ensure_ascii=False,
                )
            )
