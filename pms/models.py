"""What every app shares: the hotel (`Property`) and who works there in which role."""

import builtins
import ipaddress
import zoneinfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .roles import Capability, Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(tz)s is not a time zone; use a name such as Asia/Shanghai."), params={"tz": value}
        )


def validate_network(value: str) -> None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        raise ValidationError(
            _("%(net)s is not a network; write it as 10.0.0.0/24 or a single address."), params={"net": value}
        ) from exc


class Property(models.Model):
    """A hotel of the group."""

    code = models.SlugField(
        _("code"), max_length=20, unique=True, help_text=_("Short code used in addresses, e.g. sh-bund.")
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    address = models.TextField(_("address"), blank=True)
    address_en = models.TextField(_("English address"), blank=True)
    phone = models.CharField(_("front desk phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["code"]
        permissions = [(c.value, c.label) for c in Capability]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def display_address(self) -> str:
        if self.address_en and (get_language() or "").startswith("en"):
            return self.address_en
        return self.address

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class StaffMembership(models.Model):
    """A user's role at one property, or group-wide when `property` is empty.

    Optional log-in limits live here, next to the role: allowed hours (property time) and networks.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    property = models.ForeignKey(
        Property,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("Empty for a group-wide role."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    allowed_from = models.TimeField(_("may log in from"), null=True, blank=True)
    allowed_until = models.TimeField(_("may log in until"), null=True, blank=True)
    allowed_networks = ArrayField(
        models.CharField(max_length=64, validators=[validate_network]),
        verbose_name=_("allowed networks"),
        default=list,
        blank=True,
        help_text=_("Leave empty to allow any network."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "property", "role"], nulls_distinct=False, name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(allowed_from__isnull=True, allowed_until__isnull=True)
                    | models.Q(allowed_from__isnull=False, allowed_until__isnull=False)
                ),
                name="membership_hours_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        where = self.property.code if self.property_id else _("group-wide")
        return f"{self.user} · {self.get_role_display()} · {where}"

    @builtins.property  # the field `property` shadows the builtin in this class body
    def is_group_wide(self) -> bool:
        return self.property_id is None

    def clean(self) -> None:
        if (self.allowed_from is None) != (self.allowed_until is None):
            raise ValidationError(_("Give both log-in hours, from and until, or neither."))
