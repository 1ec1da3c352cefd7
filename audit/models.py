"""The access log: one append-only row per read of personal data (and per log-in attempt)."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
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
    PURGE = "purge", _("Retention purge")


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
            # Review filters on rare values: refusals and not-found answers, and one channel.
            models.Index(fields=["outcome", "at"], condition=~Q(outcome="ok"), name="accessevent_not_ok_at"),
            models.Index(fields=["channel", "at"], name="accessevent_channel_at"),
            # "Who searched for this ID number": criteria hold {"kind": {"masked", "bidx"}}.
            GinIndex(fields=["criteria"], opclasses=["jsonb_path_ops"], name="accessevent_criteria"),
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


class Checkpoint(models.Model):
    """An HMAC seal over a contiguous id range of access events, chained to the previous seal.

    `rows_digest` is SHA-256 over the sealed ids and their per-row MACs (`row_macs`, 8 bytes each),
    so `audit_verify` can name the first altered or missing row; `mac` covers the range, the count,
    `rows_digest` and the previous checkpoint's `mac`. The retention purge may empty `row_macs` and
    `ids` of a purged range; `rows_digest` and `mac` keep the chain verifiable.
    """

    first_id = models.BigIntegerField(_("first event id"))
    last_id = models.BigIntegerField(_("last event id"))
    count = models.PositiveIntegerField(_("rows"))
    last_at = models.DateTimeField(_("newest event"))
    ids = models.TextField(_("sealed ids"), blank=True, help_text=_("Runs of ids: 1-500,502-900"))
    row_macs = models.BinaryField(_("row MACs"), blank=True, default=b"")
    rows_digest = models.CharField(_("rows digest"), max_length=64)
    prev_mac = models.CharField(_("previous MAC"), max_length=64, blank=True)
    mac = models.CharField(_("MAC"), max_length=64)
    created_at = models.DateTimeField(_("sealed at"), default=timezone.now)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["first_id"]
        constraints = [models.UniqueConstraint(fields=["first_id"], name="checkpoint_unique_first")]

    def __str__(self) -> str:
        return f"checkpoint {self.first_id}-{self.last_id} ({self.count})"


class Verification(models.Model):
    """One run of `audit_verify`: compliance's dashboard shows the last."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    ok = models.BooleanField(_("intact"))
    checkpoints = models.PositiveIntegerField(_("checkpoints checked"), default=0)
    rows = models.PositiveBigIntegerField(_("rows checked"), default=0)
    first_bad_id = models.BigIntegerField(_("first bad event id"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    # The chain's head when it was checked (newest checkpoint id and MAC): a later run finds a
    # removed tail of checkpoints. `mac` (PMS_AUDIT_KEY) makes a forged "intact" row detectable.
    head_checkpoint_id = models.BigIntegerField(null=True, blank=True)
    head_mac = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"verification {self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'FAILED'}"


class RetentionMarker(models.Model):
    """What the retention purge removed: a whole sealed range, its count and its checkpoint."""

    at = models.DateTimeField(_("purged at"), default=timezone.now)
    checkpoint = models.OneToOneField(
        Checkpoint, on_delete=models.PROTECT, related_name="purge_marker", verbose_name=_("checkpoint")
    )
    first_id = models.BigIntegerField(_("first event id"))
    last_id = models.BigIntegerField(_("last event id"))
    count = models.PositiveIntegerField(_("rows removed"))
    checkpoint_mac = models.CharField(_("checkpoint MAC"), max_length=64)
    retention_days = models.PositiveIntegerField(_("retention (days)"))
    # HMAC (PMS_AUDIT_KEY) over the above: a marker written by hand to hide a deletion does not verify.
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("retention marker")
        verbose_name_plural = _("retention markers")
        ordering = ["first_id"]

    def __str__(self) -> str:
        return f"purged {self.first_id}-{self.last_id} ({self.count})"


class AlertRule(models.TextChoices):
    VOLUME = "volume", _("Lookups per hour above the limit")
    BASELINE = "baseline", _("Lookups per hour far above the operator's own median")
    DISTINCT_GUESTS = "distinct_guests", _("Distinct guests per hour above the limit")
    AFTER_HOURS = "after_hours", _("Access outside allowed hours")
    DENIALS = "denials", _("Repeated denials")
    MASS_EXPORT = "mass_export", _("Export above the row limit")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Alert(models.Model):
    """An anomaly the scan found in one operator's access, for compliance to work through."""

    rule = models.CharField(_("rule"), max_length=20, choices=AlertRule.choices)
    operator_user_id = models.BigIntegerField(_("operator user id"))
    operator_username = models.CharField(_("operator"), max_length=150)
    property_id = models.BigIntegerField(_("property id"), null=True, blank=True)
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    figure = models.FloatField(_("figure"))
    limit = models.FloatField(_("limit"))
    status = models.CharField(
        _("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "operator_user_id", "window_start"], name="alert_unique_rule_operator_window"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="alert_status_created")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} · {self.operator_username} · {self.window_start:%Y-%m-%d %H:%M}"


class AlertHistory(models.Model):
    """Every status change of an alert (append-only, like the access log)."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="history")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor_user_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("alert history")
        verbose_name_plural = _("alert history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"alert {self.alert_id}: {self.from_status} -> {self.to_status}"
