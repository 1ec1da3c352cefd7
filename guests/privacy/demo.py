"""Demo privacy requests in different states. `load(out)` is called by guests/demo.py (the lead
wires it) after guests, bookings and staff exist."""

from __future__ import annotations


def load(out) -> None:
    from django.contrib.auth import get_user_model

    from guests.models import Guest
    from pms.models import Property, StaffMembership
    from reservations.models import Booking

    from . import services
    from .models import PrivacyRequest

    if PrivacyRequest.objects.exists():
        out("privacy requests: already loaded")
        return
    prop = Property.objects.order_by("pk").first()
    compliance = (
        StaffMembership.objects.filter(role="compliance", is_active=True).select_related("user").first()
    )
    manager = (
        StaffMembership.objects.filter(role="manager", property=prop, is_active=True)
        .select_related("user")
        .first()
    )
    if prop is None or compliance is None or manager is None:
        out("privacy requests: skipped (no hotel, compliance officer or manager)")
        return
    dave, bob = compliance.user, manager.user
    booking = (
        Booking.objects.filter(property=prop, guest__erased_at__isnull=True).select_related("guest").first()
    )

    def reg(type, channel, name, contact, details):
        return services.privacy_request_register(
            actor=bob,
            property=prop,
            type=type,
            channel=channel,
            claimed_name=name,
            contact=contact,
            details=details,
        )

    reg("access", "desk", "张三", "+8613900001111", "Wants to know what we keep about her stays.")
    reg("enquiry", "phone", "李四", "lisi@example.com", "Asks whether a colleague stayed here last week.")
    refused = reg("erasure", "email", "王五", "wangwu@example.com", "Erase everything.")
    services.privacy_request_decide(
        actor=dave,
        request=refused,
        approve=False,
        refusal_reason="not_verified",
        text="No proof of identity was given.",
    )
    if booking is not None and booking.guest.documents.exists():
        req = reg(
            "objection", "desk", booking.guest.display_name, "+8613900002222", "No more marketing, please."
        )
        services.privacy_request_verify(
            actor=bob,
            request=req,
            method="document",
            document_number=booking.guest.documents.first().number,
            booking_reference=booking.reference,
        )
        req.refresh_from_db()
        if req.guest_id:
            services.privacy_request_decide(actor=dave, request=req, approve=True)
            services.privacy_request_fulfil(actor=dave, request=req)
    out(
        f"privacy requests: {PrivacyRequest.objects.count()} (users {get_user_model().objects.count()}, guests {Guest.objects.count()})"
    )
