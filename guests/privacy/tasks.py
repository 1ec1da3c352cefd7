"""Background jobs of privacy requests: building an export, and the retention job (beat, daily).
Tasks take ids and call the service; with no broker they run at once (tests, development)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import access_record
from pms import context

logger = logging.getLogger(__name__)


@shared_task(name="guests.privacy.build_export")
def build_export(export_id: str, actor_id: int | None = None) -> str:
    """Build the ZIP of an export, store it encrypted, mark the request fulfilled (copy ready)."""
    from . import export as builder
    from .models import PrivacyExport, PrivacyStatus, PrivacyStatusChange

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    export = PrivacyExport.objects.select_related("request__guest", "request__property").get(pk=export_id)
    req = export.request

    def progress(percent: int) -> None:
        PrivacyExport.objects.filter(pk=export.pk).update(progress=percent)

    PrivacyExport.objects.filter(pk=export.pk).update(state=PrivacyExport.State.RUNNING, progress=1)
    try:
        with context.using(channel="system"), transaction.atomic():
            content, rows = builder.build(req.guest, progress=progress)
            # The export is a read of the guest's data: recorded like any other (fail closed).
            access_record(
                actor=actor,
                action=Action.EXPORT,
                target_type="guest",
                target_ids=[req.guest_id],
                guest_ids=[req.guest_id],
                criteria={"rows": rows, "request": str(req.pk)},
                reason=req.purpose,
                property=req.property,
            )
            name = builder.store(export, content)
            export.file_name, export.size = name, len(content)
            export.state, export.progress, export.ready_at = PrivacyExport.State.READY, 100, timezone.now()
            export.save()
            if req.status != PrivacyStatus.FULFILLED:
                previous = req.status
                req.status, req.fulfilled_at, req.fulfilled_by = (
                    PrivacyStatus.FULFILLED,
                    timezone.now(),
                    actor,
                )
                req.save(update_fields=["status", "fulfilled_at", "fulfilled_by", "updated_at"])
                PrivacyStatusChange.objects.create(
                    request=req, actor=actor, from_status=previous, to_status=req.status, note="copy ready"
                )
    except Exception as exc:
        logger.error("privacy export %s failed (%s)", export_id, exc.__class__.__name__)
        PrivacyExport.objects.filter(pk=export.pk).update(
            state=PrivacyExport.State.FAILED, error=exc.__class__.__name__[:200]
        )
        raise
    return str(export.pk)


@shared_task(name="guests.privacy.retention")
def retention() -> str:
    from .erasure import retention_run

    with context.using(channel="system"):
        report = retention_run()
    logger.info("%s", report.as_text().splitlines()[0])
    return report.as_text()
