"""Indexes for the review filters on rare values (refusals, a channel), built without locking the
access log: an append-only table that every read writes to must not stop for an index build."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0004_tamper_evident_markers_verifications"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="accessevent",
            index=models.Index(
                condition=~models.Q(outcome="ok"), fields=["outcome", "at"], name="accessevent_not_ok_at"
            ),
        ),
        AddIndexConcurrently(
            model_name="accessevent",
            index=models.Index(fields=["channel", "at"], name="accessevent_channel_at"),
        ),
    ]
