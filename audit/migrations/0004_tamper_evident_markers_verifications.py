"""Seals on retention markers and verification records, and verifications made append-only.

Markers and verifications written before this migration were written by the purge and by
audit_verify themselves, so they are sealed here with the audit key. From now on a marker or a
verification without a valid seal is reported by audit_verify and on the compliance dashboard.
"""

from django.db import migrations, models

from audit.migrations._triggers import create_triggers, drop_triggers


def seal_existing(apps, schema_editor):
    from audit.integrity import marker_mac, verification_mac

    RetentionMarker = apps.get_model("audit", "RetentionMarker")
    Verification = apps.get_model("audit", "Verification")
    if not RetentionMarker.objects.exists() and not Verification.objects.exists():
        return
    schema_editor.execute("SET LOCAL pms.audit_purge = 'on'")
    for m in RetentionMarker.objects.all():
        RetentionMarker.objects.filter(pk=m.pk).update(mac=marker_mac(m))
    for v in Verification.objects.all():
        Verification.objects.filter(pk=v.pk).update(mac=verification_mac(v))
    schema_editor.execute("SET LOCAL pms.audit_purge = 'off'")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_append_only_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="retentionmarker",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="verification",
            name="head_checkpoint_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="verification",
            name="head_mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="verification",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RunSQL(create_triggers("audit_verification"), drop_triggers("audit_verification")),
    ]
