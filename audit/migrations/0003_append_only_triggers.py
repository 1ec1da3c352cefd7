"""Append-only audit tables, enforced by the database (DESIGN.md, Audit).

A trigger refuses UPDATE, DELETE and TRUNCATE on every audit table, for every database role the app
uses. The retention purge (and only it) runs `SET LOCAL pms.audit_purge = 'on'` inside its own
transaction; the setting dies with that transaction. The purge never truncates; the only other
holder of the flag is `flush` in development and tests (audit/management/commands/flush.py), which
Django's transactional tests call to empty the database.
"""

from django.db import migrations

TABLES = [
    "audit_accessevent",
    "audit_accesseventguest",
    "audit_checkpoint",
    "audit_retentionmarker",
    "audit_alerthistory",
    "auditlog_logentry",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION pms_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('pms.audit_purge', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit table %: % refused, the audit trail is append-only', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


from audit.migrations._triggers import create_triggers as _create  # noqa: E402
from audit.migrations._triggers import drop_triggers as _drop  # noqa: E402


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_checkpoints_alerts"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS pms_audit_append_only();"),
        *[migrations.RunSQL(_create(t), _drop(t)) for t in TABLES],
    ]
