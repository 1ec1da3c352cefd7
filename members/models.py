"""Membership and loyalty: members, tiers, the points and stored-value ledgers, offers and vouchers,
segments and campaigns, feedback.

Ledgers are append-only (no code path updates or deletes an entry; `save` refuses it). The balance
cached on `Membership` is only ever changed under a row lock on the membership, in the same
transaction as the entry that explains it, and a check constraint keeps it non-negative, so the
balance always equals the sum of the ledger and never goes below zero.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")
CARD_PREFIX = "8"
CARD_LENGTH = 16


def luhn_check_digit(digits: str) -> str:
    """The Luhn check digit to append to `digits`."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # every second digit from the right, counting the one to be appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_check_digit(number[:-1]) == number[-1]


def new_card_number() -> str:
    body = CARD_PREFIX + "".join(secrets.choice("0123456789") for _ in range(CARD_LENGTH - 2))
    return body + luhn_check_digit(body)


class AppendOnly(models.Model):
    """A ledger row: written once, never changed or deleted through the app."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("ledger entries are append-only")


class Tier(models.Model):
    """A level of membership. A member qualifies for the highest tier whose spend *or* nights
    threshold they reach over a rolling 12 months; thresholds rise strictly with the rank."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    min_spend = models.DecimalField(_("qualifying spend"), max_digits=12, decimal_places=2, default=ZERO)
    min_nights = models.PositiveIntegerField(_("qualifying nights"), default=0)
    discount_percent = models.DecimalField(
        _("room-rate discount %"), max_digits=5, decimal_places=2, default=ZERO
    )
    points_multiplier = models.DecimalField(_("points multiplier"), max_digits=4, decimal_places=2, default=1)
    perks = models.TextField(_("perks"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(condition=Q(min_spend__gte=0), name="tier_spend_not_negative"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100), name="tier_discount_percent"
            ),
            models.CheckConstraint(
                condition=Q(points_multiplier__gte=0), name="tier_multiplier_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LAPSED = "lapsed", _("Lapsed")
    CANCELLED = "cancelled", _("Cancelled")


class EnrolmentChannel(models.TextChoices):
    DESK = "desk", _("At the desk")
    WEB = "web", _("Online")


class Membership(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    guest = models.OneToOneField("guests.Guest", on_delete=models.PROTECT, related_name="membership")
    card_number = models.CharField(_("card number"), max_length=20, unique=True, default=new_card_number)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    tier_since = models.DateField(_("in this tier since"), null=True, blank=True)
    # The last anniversary review of the tier (kept or lowered): a review the nightly job missed on
    # the day itself is made on the next run, and only once a year.
    tier_reviewed_on = models.DateField(_("tier last reviewed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_on = models.DateField(_("joined on"))
    channel = models.CharField(_("enrolment channel"), max_length=8, choices=EnrolmentChannel.choices)
    enrolled_property = models.ForeignKey(
        "pms.Property", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent_email = models.BooleanField(_("e-mail offers"), default=False)
    consent_sms = models.BooleanField(_("SMS offers"), default=False)
    points_balance = models.BigIntegerField(_("points"), default=0)
    stored_value_balance = models.DecimalField(
        _("stored value"), max_digits=12, decimal_places=2, default=ZERO
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(condition=Q(points_balance__gte=0), name="membership_points_not_negative"),
            models.CheckConstraint(
                condition=Q(stored_value_balance__gte=0), name="membership_stored_value_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["tier", "status"], name="membership_tier_status")]

    def __str__(self) -> str:
        return f"Membership {self.pk}"  # never the card number or name: this reaches logs

    @property
    def masked_card(self) -> str:
        from pms.crypto import mask_card_number

        return mask_card_number(self.card_number)

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class TierChange(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=20)
    spend = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    nights = models.PositiveIntegerField(default=0)
    changed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        return f"Tier change {self.pk}"


class MemberStay(models.Model):
    """One settled stay of a member (written at check-out, back-filled at enrolment): the narrow table
    tier recalculation, segments and churn aggregate over, instead of bookings and folio lines."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="stays")
    booking = models.OneToOneField(
        "reservations.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    property = models.ForeignKey("pms.Property", on_delete=models.PROTECT, related_name="+")
    settled_on = models.DateField(_("settled on"))
    nights = models.PositiveIntegerField(_("nights"), default=0)
    spend = models.DecimalField(_("spend"), max_digits=12, decimal_places=2, default=ZERO)

    class Meta:
        indexes = [
            # Covering: a segment over a period reads the index only.
            models.Index(
                fields=["settled_on", "membership", "spend", "nights"], name="memberstay_period_cover"
            ),
            models.Index(fields=["membership", "settled_on"], name="memberstay_member_date"),
        ]

    def __str__(self) -> str:
        return f"Stay {self.pk}"


class PointsKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    PAYMENT = "payment", _("Paid at check-out")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjustment")


class PointsEntry(AppendOnly):
    """One movement of points. Positive entries expire after MEMBERS_POINTS_EXPIRY_MONTHS; expiry
    consumes them first-in-first-out, computed from the ledger itself (nothing is updated)."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="points_entries")
    kind = models.CharField(_("kind"), max_length=10, choices=PointsKind.choices)
    points = models.BigIntegerField(_("points"))
    balance_after = models.BigIntegerField(_("balance"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    reward = models.CharField(_("reward"), max_length=20, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    booking = models.ForeignKey(
        "reservations.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    property = models.ForeignKey(
        "pms.Property", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["membership", "-id"], name="points_member_recent")]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="points_balance_after_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Points {self.pk}"


class ExpiryNotice(models.Model):
    """The 30-day notice for one membership and one expiry date: sent once."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    expires_on = models.DateField()
    points = models.BigIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "expires_on"], name="expiry_notice_once")
        ]

    def __str__(self) -> str:
        return f"Expiry notice {self.pk}"


class StoredValueKind(models.TextChoices):
    TOP_UP = "top_up", _("Top-up")
    PAYMENT = "payment", _("Paid at check-out")
    REFUND = "refund", _("Refund")
    ADJUST = "adjust", _("Adjustment")


class StoredValueEntry(AppendOnly):
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="stored_value_entries")
    kind = models.CharField(_("kind"), max_length=10, choices=StoredValueKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    balance_after = models.DecimalField(_("balance"), max_digits=12, decimal_places=2)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    booking = models.ForeignKey(
        "reservations.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    property = models.ForeignKey("pms.Property", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stored-value entry")
        verbose_name_plural = _("stored-value entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["membership", "-id"], name="sv_member_recent"),
            models.Index(fields=["property", "created_at"], name="sv_property_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="sv_entry_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="sv_balance_after_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Stored value {self.pk}"


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class StoredValueAdjustment(models.Model):
    """A stored-value adjustment above the threshold, waiting for a second staff member."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    property = models.ForeignKey("pms.Property", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=ApprovalState.choices, default="pending")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    entry = models.OneToOneField(
        StoredValueEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decided_by=F("requested_by")), name="sv_adjust_second_person"
            ),
        ]

    def __str__(self) -> str:
        return f"Adjustment {self.pk}"


class Offer(models.Model):
    """What a voucher gives: a percentage off or an amount off the folio, with conditions."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percentage off")
        AMOUNT = "amount", _("Amount off")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    min_spend = models.DecimalField(_("minimum folio charges"), max_digits=12, decimal_places=2, default=ZERO)
    min_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    valid_days = models.PositiveIntegerField(_("valid for (days)"), default=30)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(value__gt=0), name="offer_value_positive")]

    def __str__(self) -> str:
        return self.name


VOUCHER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_voucher_code() -> str:
    return "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(10))


class Voucher(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Issued by staff")
        BIRTHDAY = "birthday", _("Birthday")
        CAMPAIGN = "campaign", _("Campaign")

    code = models.CharField(_("code"), max_length=12, unique=True, default=new_voucher_code)
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="vouchers")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="vouchers")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    birthday_year = models.PositiveSmallIntegerField(null=True, blank=True)
    campaign = models.ForeignKey(
        "Campaign", on_delete=models.PROTECT, null=True, blank=True, related_name="vouchers"
    )
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    redeemed_booking = models.ForeignKey(
        "reservations.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    redeemed_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "birthday_year"],
                condition=Q(birthday_year__isnull=False),
                name="voucher_one_birthday_a_year",
            ),
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="voucher_valid_range"),
        ]

    def __str__(self) -> str:
        return f"Voucher {self.pk}"  # never the code: it is a credential

    @property
    def masked_code(self) -> str:
        from pms.crypto import mask_card_number

        return mask_card_number(self.code)


class Segment(models.Model):
    name = models.CharField(_("name"), max_length=100)
    criteria = models.JSONField(_("criteria"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Campaign(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Sent")

    name = models.CharField(_("name"), max_length=100)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="campaigns")
    channel = models.CharField(_("channel"), max_length=5, choices=MessageChannel.choices)
    subject = models.CharField(_("subject"), max_length=150, blank=True)
    body = models.TextField(_("message"))
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CampaignRecipient(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    voucher = models.ForeignKey(Voucher, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "membership"], name="campaign_recipient_once")
        ]
        indexes = [models.Index(fields=["membership", "sent_at"], name="recipient_member_sent")]

    def __str__(self) -> str:
        return f"Recipient {self.pk}"


class FeedbackCategory(models.TextChoices):
    ROOM = "room", _("Room")
    CLEANLINESS = "cleanliness", _("Cleanliness")
    SERVICE = "service", _("Service")
    FOOD = "food", _("Food and drink")
    BILLING = "billing", _("Billing")
    OTHER = "other", _("Other")


class Department(models.TextChoices):
    ROOMS = "rooms", _("Rooms division")
    HOUSEKEEPING = "housekeeping", _("Housekeeping")
    FRONT_OFFICE = "front_office", _("Front office")
    FOOD_BEVERAGE = "food_beverage", _("Food and beverage")
    FINANCE = "finance", _("Finance")
    GUEST_RELATIONS = "guest_relations", _("Guest relations")


CATEGORY_DEPARTMENT = {
    FeedbackCategory.ROOM: Department.ROOMS,
    FeedbackCategory.CLEANLINESS: Department.HOUSEKEEPING,
    FeedbackCategory.SERVICE: Department.FRONT_OFFICE,
    FeedbackCategory.FOOD: Department.FOOD_BEVERAGE,
    FeedbackCategory.BILLING: Department.FINANCE,
    FeedbackCategory.OTHER: Department.GUEST_RELATIONS,
}


class Feedback(models.Model):
    class Source(models.TextChoices):
        DESK = "desk", _("At the desk")
        ONLINE = "online", _("Online")
        AFTER_CHECK_OUT = "after_check_out", _("After check-out")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    property = models.ForeignKey("pms.Property", on_delete=models.PROTECT, related_name="+")
    guest = models.ForeignKey(
        "guests.Guest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    booking = models.ForeignKey(
        "reservations.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    text = models.TextField(_("feedback"))
    suggested_category = models.CharField(max_length=12, choices=FeedbackCategory.choices)
    category = models.CharField(_("category"), max_length=12, choices=FeedbackCategory.choices)
    department = models.CharField(_("department"), max_length=16, choices=Department.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    due_at = models.DateTimeField(_("reply due"))
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["property", "department", "status"], name="feedback_queue")]

    def __str__(self) -> str:
        return f"Feedback {self.pk}"
