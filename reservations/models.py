"""Room types, rooms, rate plans, inventory, bookings, folios and check-in registrations.

Invariants live in the database: inventory can never be sold beyond its total (a check constraint
on top of row locks), and a room cannot hold two active stays that overlap (an exclusion
constraint over (room, daterange(arrival, departure)) using btree_gist).
"""

from __future__ import annotations

import builtins
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pms.fields import BlindIndexField, EncryptedTextField

# No 0/O, 1/I: a reference is read aloud over the phone. 32 symbols x 10 = 50 bits of randomness.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 10
MAX_NIGHTS = 90
ZERO = Decimal("0.00")


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class DateRangeOf(Func):
    """daterange(arrival, departure): the half-open range of nights a stay occupies."""

    function = "daterange"
    output_field = DateRangeField()


class _Localised:
    @property
    def display_name(self) -> str:
        if getattr(self, "name_en", "") and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class RoomType(_Localised, models.Model):
    property = models.ForeignKey("pms.Property", on_delete=models.PROTECT, related_name="room_types")
    code = models.SlugField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    max_adults = models.PositiveSmallIntegerField(_("adults"), default=2, validators=[MinValueValidator(1)])
    max_children = models.PositiveSmallIntegerField(_("children"), default=1)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("room type")
        verbose_name_plural = _("room types")
        ordering = ["property", "code"]
        constraints = [models.UniqueConstraint(fields=["property", "code"], name="roomtype_unique_code")]

    def __str__(self) -> str:
        return self.display_name


class Housekeeping(models.TextChoices):
    CLEAN = "clean", _("Clean")
    DIRTY = "dirty", _("Dirty")
    INSPECTED = "inspected", _("Inspected")
    OUT_OF_ORDER = "out_of_order", _("Out of order")


READY_STATES = (Housekeeping.CLEAN, Housekeeping.INSPECTED)


class Room(models.Model):
    property = models.ForeignKey("pms.Property", on_delete=models.PROTECT, related_name="rooms")
    number = models.CharField(_("number"), max_length=10)
    floor = models.SmallIntegerField(_("floor"), default=1)
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="rooms")
    features = ArrayField(
        models.CharField(max_length=40), verbose_name=_("features"), default=list, blank=True
    )
    housekeeping = models.CharField(
        _("housekeeping"), max_length=20, choices=Housekeeping.choices, default=Housekeeping.CLEAN
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["property", "number"]
        constraints = [models.UniqueConstraint(fields=["property", "number"], name="room_unique_number")]

    def __str__(self) -> str:
        return self.number

    @builtins.property  # the field `property` shadows the builtin in this class body
    def is_ready(self) -> bool:
        return self.housekeeping in READY_STATES


class MealPlan(models.TextChoices):
    ROOM_ONLY = "room_only", _("Room only")
    BREAKFAST = "breakfast", _("Breakfast included")
    HALF_BOARD = "half_board", _("Half board")
    FULL_BOARD = "full_board", _("Full board")


class RatePlan(_Localised, models.Model):
    """A price list: nightly price per room type (with dated overrides) and a cancellation policy:
    free until `free_cancel_hours` before arrival, then the first night is charged."""

    property = models.ForeignKey("pms.Property", on_delete=models.PROTECT, related_name="rate_plans")
    code = models.SlugField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    meal_plan = models.CharField(_("meal plan"), max_length=20, choices=MealPlan.choices, default="room_only")
    free_cancel_hours = models.PositiveSmallIntegerField(
        _("free cancellation until (hours before arrival)"), default=24
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("rate plan")
        verbose_name_plural = _("rate plans")
        ordering = ["property", "code"]
        constraints = [models.UniqueConstraint(fields=["property", "code"], name="rateplan_unique_code")]

    def __str__(self) -> str:
        return self.display_name


class RatePrice(models.Model):
    rate_plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="prices")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="prices")
    price = models.DecimalField(_("nightly price"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("rate price")
        verbose_name_plural = _("rate prices")
        constraints = [
            models.UniqueConstraint(fields=["rate_plan", "room_type"], name="rateprice_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="rateprice_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.rate_plan_id}/{self.room_type_id}: {self.price}"


class RateOverride(models.Model):
    """One night's price for a rate plan and room type, or that night closed to arrivals and stays."""

    rate_plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="overrides")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField(_("night"))
    price = models.DecimalField(_("nightly price"), max_digits=10, decimal_places=2, null=True, blank=True)
    closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        verbose_name = _("rate override")
        verbose_name_plural = _("rate overrides")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["rate_plan", "room_type", "date"], name="rateoverride_unique"),
            models.CheckConstraint(
                condition=Q(closed=True) | Q(price__isnull=False), name="rateoverride_price_or_closed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {'closed' if self.closed else self.price}"


class RoomBlock(models.Model):
    """A room out of order for a run of nights (repairs, deep cleaning): while open it is not sold
    (each night's inventory total is one less) and not given to a booking. No personal data."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="blocks")
    start = models.DateField(_("out of order from"))
    end = models.DateField(_("back in order on"), help_text=_("The first night the room is sold again."))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(_("returned to sale"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("out-of-order period")
        verbose_name_plural = _("out-of-order periods")
        ordering = ["start", "room"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="roomblock_end_after_start"),
            ExclusionConstraint(
                name="roomblock_no_overlap",
                expressions=[
                    ("room", RangeOperators.EQUAL),
                    (DateRangeOf(F("start"), F("end")), RangeOperators.OVERLAPS),
                ],
                condition=Q(released_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id} {self.start}..{self.end}"


class Inventory(models.Model):
    """Rooms of one type for one night: how many exist and how many are sold. Rows are created on
    first use and locked (SELECT ... FOR UPDATE) by every booking that takes the night."""

    property = models.ForeignKey("pms.Property", on_delete=models.PROTECT, related_name="+")
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="inventory")
    date = models.DateField()
    total = models.PositiveIntegerField()
    sold = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("inventory night")
        verbose_name_plural = _("inventory")
        constraints = [
            models.UniqueConstraint(fields=["room_type", "date"], name="inventory_unique_night"),
            models.CheckConstraint(condition=Q(sold__lte=F("total")), name="inventory_not_oversold"),
        ]

    def __str__(self) -> str:
        return f"{self.room_type_id} {self.date}: {self.sold}/{self.total}"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CHECKED_IN = "checked_in", _("Checked in")
    CHECKED_OUT = "checked_out", _("Checked out")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


ACTIVE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


class BookingChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    DESK = "desk", _("Front desk")
    WEB = "web", _("Online")
    AGENT = "agent", _("Travel agent")


class Booking(models.Model):
    # A UUID, not a sequence: staff URLs carry it instead of the reference (half a guest credential).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("booking reference"), max_length=12, unique=True, default=new_reference)
    property = models.ForeignKey("pms.Property", on_delete=models.PROTECT, related_name="bookings")
    guest = models.ForeignKey(
        "guests.Guest", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("guest")
    )
    companions = models.ManyToManyField(
        "guests.Guest", through="BookingCompanion", related_name="companion_bookings", blank=True
    )
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="bookings")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings")
    rate_plan = models.ForeignKey(RatePlan, on_delete=models.PROTECT, related_name="bookings")
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    adults = models.PositiveSmallIntegerField(_("adults"), default=1)
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    # The price of each night, fixed at booking: decimal strings, night 0 = arrival.
    nightly_prices = models.JSONField(_("nightly prices"), default=list)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    channel = models.CharField(_("channel"), max_length=10, choices=BookingChannel.choices)
    special_requests = models.TextField(_("special requests"), blank=True)
    cancellation_fee = models.DecimalField(
        _("cancellation fee"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["arrival", "reference"]
        indexes = [
            models.Index(fields=["property", "arrival"], name="booking_property_arrival"),
            models.Index(fields=["property", "departure"], name="booking_property_departure"),
            models.Index(fields=["guest", "arrival"], name="booking_guest_arrival"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(departure__gt=F("arrival")), name="booking_departure_after"),
            models.CheckConstraint(condition=Q(adults__gte=1), name="booking_at_least_one_adult"),
            ExclusionConstraint(
                name="booking_room_no_overlap",
                expressions=[
                    ("room", RangeOperators.EQUAL),
                    (DateRangeOf(F("arrival"), F("departure")), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["confirmed", "checked_in"]) & Q(room__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk}"  # never the reference: this string reaches logs and admin history

    @builtins.property  # the field `property` shadows the builtin in this class body
    def nights(self) -> int:
        return (self.departure - self.arrival).days

    @builtins.property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def night_prices(self) -> list[tuple]:
        from datetime import timedelta

        return [
            (self.arrival + timedelta(days=i), Decimal(p)) for i, p in enumerate(self.nightly_prices or [])
        ]


class RoomMove(models.Model):
    """A stay moved from one room to another: when, by whom and why, so the desk (and a later
    question about a charge, a complaint or lost property) knows which rooms the stay used."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="room_moves")
    from_room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+")
    in_house = models.BooleanField(_("guest in house"), default=False)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    moved_at = models.DateTimeField(auto_now_add=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("room move")
        verbose_name_plural = _("room moves")
        ordering = ["moved_at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.from_room_id} -> {self.to_room_id}"


class BookingCompanion(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="companion_links")
    guest = models.ForeignKey("guests.Guest", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["booking", "guest"], name="companion_unique")]

    def __str__(self) -> str:
        return f"Companion {self.guest_id} of booking {self.booking_id}"


class LineKind(models.TextChoices):
    ROOM = "room", _("Room night")
    MINIBAR = "minibar", _("Minibar")
    RESTAURANT = "restaurant", _("Restaurant")
    LAUNDRY = "laundry", _("Laundry")
    PHONE = "phone", _("Telephone")
    OTHER = "other", _("Other")
    PENALTY = "penalty", _("Cancellation or no-show fee")
    CASH = "cash", _("Payment: cash")
    CARD = "card", _("Payment: card")
    STORED_VALUE = "stored_value", _("Payment: stored value")
    POINTS = "points", _("Payment: points")
    DISCOUNT = "discount", _("Member discount")
    VOUCHER = "voucher", _("Voucher")


CHARGE_KINDS = (
    LineKind.ROOM,
    LineKind.MINIBAR,
    LineKind.RESTAURANT,
    LineKind.LAUNDRY,
    LineKind.PHONE,
    LineKind.OTHER,
    LineKind.PENALTY,
)
EXTRA_KINDS = (LineKind.MINIBAR, LineKind.RESTAURANT, LineKind.LAUNDRY, LineKind.PHONE, LineKind.OTHER)
PAYMENT_KINDS = (LineKind.CASH, LineKind.CARD, LineKind.STORED_VALUE, LineKind.POINTS)
# Credits the members app posts at settlement: they lower the balance like a payment.
CREDIT_KINDS = (LineKind.DISCOUNT, LineKind.VOUCHER)
SETTLEMENT_KINDS = PAYMENT_KINDS + CREDIT_KINDS


class FolioLine(models.Model):
    """One line of a booking's folio (its bill): a charge (positive amount) or a payment (positive
    amount of a payment kind). The balance is charges minus payments."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="folio_lines")
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    night = models.DateField(_("night"), null=True, blank=True)
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("folio line")
        verbose_name_plural = _("folio lines")
        ordering = ["posted_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="folioline_positive"),
            # The night audit may run twice: one room charge per booking and night.
            models.UniqueConstraint(
                fields=["booking", "night"], condition=Q(kind="room"), name="folioline_one_room_charge"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"

    @property
    def is_payment(self) -> bool:
        """A payment or a credit: shown on the settlement side of the folio."""
        return self.kind in SETTLEMENT_KINDS

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.is_payment else self.amount


class NightAuditRun(models.Model):
    """What the night audit did for one business day of one hotel (counts only, no guest data):
    the desk sees that the day was closed, and how many no-shows and overstays it found."""

    property = models.ForeignKey("pms.Property", on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField(_("business date"))
    ran_at = models.DateTimeField(_("last run"))
    room_charges = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    overstays = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("night audit run")
        verbose_name_plural = _("night audit runs")
        ordering = ["-business_date"]
        constraints = [
            models.UniqueConstraint(fields=["property", "business_date"], name="nightaudit_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.property_id} {self.business_date}"


class StayRegistration(models.Model):
    """The identity document of one adult, registered and verified at check-in (as hotels in China
    must). Name and number are encrypted; the number is findable through its blind index."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="registrations")
    guest = models.ForeignKey(
        "guests.Guest", on_delete=models.PROTECT, null=True, blank=True, related_name="stay_registrations"
    )
    full_name = EncryptedTextField(_("name as on the document"))
    doc_type = models.CharField(_("document type"), max_length=20)
    doc_number = EncryptedTextField(_("document number"))
    doc_number_bidx = BlindIndexField(source="doc_number", kind="id_number")
    nationality = models.CharField(_("nationality"), max_length=2, default="CN")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stay registration")
        verbose_name_plural = _("stay registrations")

    def __str__(self) -> str:
        return f"Registration {self.pk} of booking {self.booking_id}"

    @builtins.property
    def masked_number(self) -> str:
        from pms.crypto import mask_id_number

        return mask_id_number(self.doc_number)
