"""The register of privacy requests (issue 9): every request a guest makes about their records, who
asked, how they were verified, the decision and the reply, and each change of status.

These are models of the guests app (`guests.PrivacyRequest`, ...): guests/models.py imports this
module at its end. The requester's contact is personal data: encrypted, findable through a keyed
hash, shown masked. Verification attempts keep only which item matched, never a value.
"""

from __future__ import annotations

import builtins
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pms.fields import EncryptedTextField

__all__ = [
    "PrivacyChannel",
    "PrivacyExport",
    "PrivacyRequest",
    "PrivacyRequestType",
    "PrivacyStatus",
    "PrivacyStatusChange",
    "PrivacyVerification",
    "RefusalReason",
]


class PrivacyRequestType(models.TextChoices):
    ACCESS = "access", _("Access or copy")
    EXPORT = "export", _("Export (take the data away)")
    CORRECTION = "correction", _("Correction")
    ERASURE = "erasure", _("Erasure")
    OBJECTION = "objection", _("Objection to marketing")
    ENQUIRY = "enquiry", _("Enquiry about another guest")


class PrivacyChannel(models.TextChoices):
    DESK = "desk", _("At the desk")
    PHONE = "phone", _("By phone")
    EMAIL = "email", _("By e-mail")
    ONLINE = "online", _("Online (self-service)")


class PrivacyStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFYING = "verifying", _("Verifying the requester")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    FULFILLED = "fulfilled", _("Fulfilled")
    APPEALED = "appealed", _("Appealed")


OPEN_STATUSES = (
    PrivacyStatus.RECEIVED,
    PrivacyStatus.VERIFYING,
    PrivacyStatus.APPROVED,
    PrivacyStatus.APPEALED,
)


class RefusalReason(models.TextChoices):
    NOT_VERIFIED = "not_verified", _("We could not verify who is asking")
    OTHER_PERSON = "other_person", _("It concerns another person who has not authorised it")
    LEGAL_HOLD = "legal_hold", _("The law requires us to keep these records")
    MANIFESTLY_UNFOUNDED = "unfounded", _("The request is manifestly unfounded or excessive")
    NO_DATA = "no_data", _("We hold no data about the requester")
    OTHER = "other", _("Another reason (explained below)")


class PrivacyRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    property = models.ForeignKey(
        "pms.Property",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received at (hotel)"),
        help_text=_("Empty for requests made online without a hotel: compliance handles them."),
    )
    type = models.CharField(_("type"), max_length=20, choices=PrivacyRequestType.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=PrivacyChannel.choices)
    details = models.TextField(_("what was asked"), blank=True)
    claimed_name = models.CharField(_("name given by the requester"), max_length=200)
    contact = EncryptedTextField(_("contact (phone or e-mail)"))
    contact_kind = models.CharField(_("contact kind"), max_length=10, blank=True)
    # HMAC of the normalised contact (pms.crypto.blind_index): "all requests from this address".
    contact_bidx = models.CharField(max_length=64, blank=True, default="", editable=False, db_index=True)
    contact_masked = models.CharField(_("contact"), max_length=200, blank=True)
    guest = models.ForeignKey(
        "guests.Guest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="privacy_requests",
        verbose_name=_("guest (once verified)"),
    )
    about_guest = models.ForeignKey(
        "guests.Guest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the other guest (enquiries)"),
    )
    authorisation_note = models.TextField(_("written authorisation"), blank=True)
    authorisation_recorded_at = models.DateTimeField(null=True, blank=True)
    authorisation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("answer due"))
    status = models.CharField(
        _("status"), max_length=12, choices=PrivacyStatus.choices, default=PrivacyStatus.RECEIVED
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(
        _("decision"),
        max_length=10,
        blank=True,
        choices=[("approved", _("Approved")), ("refused", _("Refused"))],
    )
    refusal_reason = models.CharField(
        _("refusal reason"), max_length=20, blank=True, choices=RefusalReason.choices
    )
    decision_text = models.TextField(_("decision note"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first reviewer"),
    )
    reply_text = models.TextField(_("reply to the requester"), blank=True)
    appeal_text = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second reviewer"),
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Names of the fields a correction changed (never their values).
    corrected_fields = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="privacyreq_status_due"),
            models.Index(fields=["property", "received_at"], name="privacyreq_property_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(second_reviewer=models.F("first_reviewer")),
                name="privacyreq_second_reviewer_differs",
            ),
        ]

    def __str__(self) -> str:
        return f"Privacy request {self.short_id}"  # never the name: this string reaches logs

    @builtins.property  # the field `property` shadows the builtin in this class body
    def short_id(self) -> str:
        return str(self.pk)[:8].upper()

    @builtins.property  # the field `property` shadows the builtin in this class body
    def claimed_name_masked(self) -> str:
        from pms.crypto import mask_name

        return mask_name(self.claimed_name)

    @builtins.property  # the field `property` shadows the builtin in this class body
    def purpose(self) -> str:
        """The access-event reason of every read made for this request."""
        return f"privacy request {self.pk}"

    @builtins.property  # the field `property` shadows the builtin in this class body
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        from django.utils import timezone

        return self.is_open and self.due_on < (today or timezone.localdate())


class PrivacyStatusChange(models.Model):
    """Every status change of a request, with who made it: the request's life, in order."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("privacy request status change")
        verbose_name_plural = _("privacy request status changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} -> {self.to_status}"


class PrivacyVerification(models.Model):
    """One attempt to verify a requester: which items matched (true/false), never the values."""

    class Method(models.TextChoices):
        DETAILS = "details", _("Name, phone, room and dates")
        DOCUMENT = "document", _("Identity document and booking reference")
        SELF_SERVICE = "self_service", _("Self-service sign-in")

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="verifications")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=15, choices=Method.choices)
    items = models.JSONField(default=dict)  # {"name": true, "phone": false, ...}
    matched = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("verification attempt")
        verbose_name_plural = _("verification attempts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Verification {self.pk} of {self.request_id}: {'match' if self.matched else 'no match'}"


class PrivacyExport(models.Model):
    """A copy of a guest's data for a request: built in the background, stored encrypted under a
    random name through Django's storage, downloadable once, then deleted from storage."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready to hand over")
        DOWNLOADED = "downloaded", _("Handed over")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="exports")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handed_over_via = models.CharField(max_length=20, blank=True)  # desk, self_service, e-mail
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("privacy export")
        verbose_name_plural = _("privacy exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export {self.pk} of {self.request_id}"


def _register_changelog() -> None:
    """In the change log (django-auditlog) like every personal-data model: the contact is encrypted
    (masked automatically), the free texts that may name people are masked too."""
    from auditlog.registry import auditlog

    from audit.changelog import register

    if not auditlog.contains(PrivacyRequest):
        register(
            PrivacyRequest,
            masked_fields=["claimed_name", "details", "authorisation_note", "appeal_text", "reply_text"],
            exclude_fields=["contact_bidx", "updated_at"],
        )


_register_changelog()
