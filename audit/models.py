"""The access log: one append-only row per read of personal data (and per log-in attempt)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    DESK = "desk", _("Front desk")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web")
    API = "api", _("API")
    SELF_SERVICE = "self_service", _("Self-service")
    SYSTEM = "system", _("System")


class Action(models.TextChoices):
    SEARCH = "search", _("Search")
    VIEW = "view", _("View")
    REVEAL = "reveal", _("Reveal")
    EXPORT = "export", _("Export")
    PRINT = "print", _("Print")
    DENIED = "denied", _("Denied")
    LOGIN = "login", _("Log-in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOGIN_REFUSED = "login_refused", _("Refused log-in (limits)")
    LOCKOUT = "lockout", _("Lock-out")
    LOGOUT = "logout", _("Log-out")
    GRANT = "grant", _("Access granted")
    BREAK_GLASS = "break_glass", _("Break-the-glass")
    ERASURE = "erasure", _("Erasure")
    SUSPEND = "suspend", _("Account suspended")


class Outcome(models.TextChoices):
    OK = "ok", _("OK")
    DENIED = "denied", _("Denied")
    NOT_FOUND = "not_found", _("Not found")


class AccessEvent(models.Model):
    """Who looked at what, when, through which channel, and why. Never updated, never deleted
    (database triggers refuse it) except by the retention purge of sealed ranges."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    # Plain ids, not foreign keys: the trail must outlive users, properties and guests it names.
    actor_user_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    actor_property_id = models.BigIntegerField(_("property id"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("target type"), max_length=40, blank=True)
    target_ids = ArrayField(
        models.CharField(max_length=64), verbose_name=_("target ids"), default=list, blank=True
    )
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.OK)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        indexes = [
            models.Index(fields=["at"], name="accessevent_at"),
            models.Index(fields=["actor_user_id", "at"], name="accessevent_actor_at"),
            models.Index(fields=["actor_property_id", "at"], name="accessevent_property_at"),
            models.Index(fields=["action", "at"], name="accessevent_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action} {self.target_type}"


class AccessEventGuest(models.Model):
    """Narrow side table: one row per guest an event touched. Indexed on (guest, time), it answers
    "who accessed this guest" fast for every guest (KNOWN-GOOD.md: faster and steadier than GIN)."""

    event = models.ForeignKey(
        AccessEvent, on_delete=models.DO_NOTHING, related_name="guest_links", db_constraint=True
    )
    guest_id = models.UUIDField()
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["guest_id", "at"], name="accesseventguest_guest_at")]

    def __str__(self) -> str:
        return f"event {self.event_id} -> guest {self.guest_id}"
