"""`flush`, which may empty the audit tables only in development and tests.

Django's transactional tests (and live-server browser tests) empty the database with `flush`, a
TRUNCATE that the append-only triggers refuse. In development and tests this command sets the purge
flag for its session; in production it does not, so a flush stops at the audit trail.
"""

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections


class Command(flush.Command):
    def handle(self, **options):
        allowed = settings.DEBUG or getattr(settings, "TESTING", False)
        connection = connections[options["database"]]
        if not allowed:
            return super().handle(**options)
        with connection.cursor() as cur:
            cur.execute("SET pms.audit_purge = 'on'")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cur:
                cur.execute("RESET pms.audit_purge")
