"""Guest profiles. ID numbers, phone, e-mail and date of birth are encrypted (pms.fields);
exact search on them goes through their blind indexes."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pms.fields import BlindIndexField, EncryptedTextField

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNSPECIFIED = "unspecified", _("Not given")


class ConsentChannel(models.TextChoices):
    DESK = "desk", _("At the desk")
    PHONE = "phone", _("By phone")
    WEB = "web", _("Online")
    EMAIL = "email", _("By e-mail")


class PreferenceTag(models.Model):
    """The managed vocabulary of preference tags (non-smoking, quiet room, high floor, ...)."""

    class Category(models.TextChoices):
        ROOM = "room", _("Room")
        SLEEP = "sleep", _("Sleep")
        FOOD = "food", _("Food and drink")
        SERVICE = "service", _("Service")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=80)
    label_en = models.CharField(_("English label"), max_length=80, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.ROOM)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("preference tag")
        verbose_name_plural = _("preference tags")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        from django.utils.translation import get_language

        if self.label_en and (get_language() or "").startswith("en"):
            return self.label_en
        return self.label


class Guest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, default=Gender.UNSPECIFIED)
    nationality = models.CharField(
        _("nationality"), max_length=2, default="CN", help_text=_("ISO country code")
    )
    phone = EncryptedTextField(_("phone"))
    phone_bidx = BlindIndexField(source="phone", kind="phone")
    email = EncryptedTextField(_("e-mail"))
    email_bidx = BlindIndexField(source="email", kind="email")
    date_of_birth = EncryptedTextField(_("date of birth"), help_text=_("YYYY-MM-DD"))
    birth_month_day = models.CharField(
        _("birthday (month-day)"),
        max_length=5,
        blank=True,
        db_index=True,
        help_text=_("MM-DD, kept in clear for birthday offers"),
    )
    address = models.TextField(_("address"), blank=True)
    tags = models.ManyToManyField(
        PreferenceTag, blank=True, related_name="guests", verbose_name=_("preference tags")
    )
    special_needs = models.TextField(_("special needs"), blank=True)
    staff_notes = models.TextField(_("staff notes"), blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    marketing_consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    marketing_consent_channel = models.CharField(
        _("consent channel"), max_length=10, choices=ConsentChannel.choices, blank=True
    )
    home_property = models.ForeignKey(
        "pms.Property",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered at"),
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_profiles"
    )
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        # Guardian object permission created by an approved AccessGrant (dual review or break-the-glass).
        permissions = [("view_guest_full", _("See this guest's full profile (access grant)"))]
        indexes = [models.Index(fields=["family_name"], name="guest_family_name")]

    def __str__(self) -> str:
        return f"Guest {self.pk}"  # never the name: this string reaches logs and admin history

    @property
    def is_chinese_name(self) -> bool:
        return bool(_CJK.search(self.family_name + self.given_name))

    @property
    def display_name(self) -> str:
        """王伟 for Chinese names (family name first, no space); 'John Smith' otherwise."""
        if self.is_chinese_name:
            return f"{self.family_name}{self.given_name}"
        return f"{self.given_name} {self.family_name}".strip()


class DocumentType(models.TextChoices):
    PRC_ID = "prc_id", _("PRC resident ID")
    PASSPORT = "passport", _("Passport")
    HK_MACAU_PERMIT = "hk_macau_permit", _("Hong Kong/Macau permit")
    TAIWAN_PERMIT = "taiwan_permit", _("Taiwan permit")
    OTHER = "other", _("Other")


class IdentityDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices)
    number = EncryptedTextField(_("document number"))
    number_bidx = BlindIndexField(source="number", kind="id_number")
    issuing_country = models.CharField(_("issuing country"), max_length=2, default="CN")
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    is_primary = models.BooleanField(_("primary"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "number_bidx"],
                condition=~models.Q(number_bidx=""),
                name="document_unique_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} of guest {self.guest_id}"


class GrantKind(models.TextChoices):
    DUAL_REVIEW = "dual_review", _("Dual review")
    BREAK_GLASS = "break_glass", _("Break-the-glass")


class GrantState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ReviewVerdict(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    UNJUSTIFIED = "unjustified", _("Not justified")


class AccessGrant(models.Model):
    """Access to one guest's full profile beyond the requester's role, for a reason and a short time.

    The right itself is a guardian object permission (`guests.view_guest_full` on the Guest) given on
    approval and removed on expiry; this row holds the why, who and until when. A grant counts only
    while it is approved and `expires_at` lies in the future (checked on every read)."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="access_grants")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guest_access_grants"
    )
    property = models.ForeignKey(
        "pms.Property", on_delete=models.PROTECT, related_name="+", verbose_name=_("property")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=GrantKind.choices)
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=20, choices=GrantState.choices, default=GrantState.REQUESTED
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approver"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    review_verdict = models.CharField(_("review"), max_length=20, choices=ReviewVerdict.choices, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    review_note = models.TextField(_("review note"), blank=True)
    # Ended before its expiry by a manager of the property or by the requester (grant_revoke).
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_note = models.TextField(_("revocation note"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["property", "state"], name="grant_property_state"),
            models.Index(fields=["guest", "requester", "state"], name="grant_guest_requester"),
            models.Index(fields=["state", "expires_at"], name="grant_state_expires"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="approved") | models.Q(expires_at__isnull=False),
                name="grant_approved_has_expiry",
            ),
            models.CheckConstraint(
                condition=~models.Q(approver=models.F("requester")),
                name="grant_not_self_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} grant {self.pk} for guest {self.guest_id}"


from .privacy.models import *  # noqa: E402, F403  (privacy requests live in guests/privacy/)
