import getpass
import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime

from audit.models import AccessEvent, Action, Channel
from audit.services import access_record
from audit.templatetags.audit_tags import masked_criteria


class Command(BaseCommand):
    help = "Write access events since a date as JSON lines (for a SIEM); criteria masked."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="ISO date or date-time, e.g. 2026-01-31")

    def handle(self, *args, since, **options):
        from datetime import datetime, time

        from django.utils import timezone

        try:
            when = parse_datetime(since) if "T" in since else None
            day = None if when is not None else parse_date(since)
        except ValueError:  # well-formed but impossible, e.g. 2026-02-30
            when = day = None
        if when is None:
            if day is None:
                raise CommandError("--since must be an ISO date (YYYY-MM-DD) or date-time.")
            when = datetime.combine(day, time.min)
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        qs = AccessEvent.objects.filter(at__gte=when).order_by("id")
        # The export is itself an access to the trail: recorded before a line is written (fail
        # closed), as a system-channel export by whoever ran the command on this machine.
        with transaction.atomic():
            last = qs.order_by("-id").values_list("id", flat=True).first() or 0
            qs = qs.filter(id__lte=last)
            access_record(
                actor=None,
                action=Action.EXPORT,
                channel=Channel.SYSTEM,
                username=f"manage.py audit_export ({getpass.getuser()})"[:150],
                target_type="access_event",
                criteria={"since": when.isoformat(), "rows": qs.count(), "format": "jsonl"},
            )
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
                        "user_agent": e.user_agent,
                    },
                    ensure_ascii=False,
                )
            )
