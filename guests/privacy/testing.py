"""Helpers for tests, the route-coverage declarations and demo data: requests in a given state."""

from __future__ import annotations

from . import services
from .models import PrivacyExport, PrivacyRequest


def stayed_guest(prop, *, actor=None, **guest_fields):
    """A guest with one confirmed booking at `prop` (reference usable for verification)."""
    from reservations.testing import make_booking, new_guest

    guest = new_guest(prop, **guest_fields)
    booking = make_booking(prop, actor=actor, guest=guest, offset=5)
    return guest, booking


def registered(prop, *, actor, type="access", channel="desk", details="") -> PrivacyRequest:
    return services.privacy_request_register(
        actor=actor,
        property=prop,
        type=type,
        channel=channel,
        claimed_name="Test Requester",
        contact="+8613800000000",
        details=details,
    )


def verified(prop, *, actor, guest, booking, type="access", channel="desk") -> PrivacyRequest:
    """Registered and verified by identity document + booking reference."""
    req = registered(prop, actor=actor, type=type, channel=channel)
    number = guest.documents.first().number
    attempt = services.privacy_request_verify(
        actor=actor,
        request=req,
        method="document",
        document_number=number,
        booking_reference=booking.reference,
    )
    assert attempt.matched
    req.refresh_from_db()
    return req


def approved(prop, *, actor, decider, guest, booking, type="access") -> PrivacyRequest:
    req = verified(prop, actor=actor, guest=guest, booking=booking, type=type)
    return services.privacy_request_decide(actor=decider, request=req, approve=True)


def ready_export(req: PrivacyRequest, *, actor=None) -> PrivacyExport:
    """An export built synchronously (what the Celery task does after the commit)."""
    from .tasks import build_export

    export = PrivacyExport.objects.create(request=req)
    build_export(str(export.pk), getattr(actor, "pk", None))
    export.refresh_from_db()
    return export
