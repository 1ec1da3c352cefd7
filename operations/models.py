"""What operations keeps: backups made, restore rehearsals run, response times per route and hour,
and the Celery beat heartbeat. None of it holds personal data."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BackupRecord(models.Model):
    """One run of `manage.py backup`. `ok` is set only after the file and its manifest are stored."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("complete"), default=False)
    name = models.CharField(_("file"), max_length=200, blank=True)
    manifest_name = models.CharField(_("manifest"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    manifest = models.JSONField(_("manifest"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    deleted_at = models.DateTimeField(_("removed by retention"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.name or f"backup {self.pk}"


class RehearsalRecord(models.Model):
    """One restore rehearsal: the newest backup restored into a scratch database and checked."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_seconds = models.FloatField(_("time taken (s)"), default=0)
    ok = models.BooleanField(_("passed"), default=False)
    backup_name = models.CharField(_("backup"), max_length=200, blank=True)
    checks = models.JSONField(_("checks"), default=dict, blank=True)
    differences = models.JSONField(_("what differed"), default=list, blank=True)

    class Meta:
        verbose_name = _("restore rehearsal")
        verbose_name_plural = _("restore rehearsals")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"rehearsal {self.pk}"


class RouteTiming(models.Model):
    """Response times of one route and method within one hour, folded from Redis by a job.

    `buckets[i]` counts requests of at most `operations.timing.BUCKETS_MS[i]` milliseconds (and
    above the previous bound); the last bucket is open-ended. Percentiles come from the buckets."""

    hour = models.DateTimeField(_("hour"))
    route = models.CharField(_("route"), max_length=200)
    method = models.CharField(_("method"), max_length=10)
    count = models.PositiveBigIntegerField(_("requests"), default=0)
    errors = models.PositiveBigIntegerField(_("server errors (5xx)"), default=0)
    client_errors = models.PositiveBigIntegerField(_("client errors (4xx)"), default=0)
    total_ms = models.FloatField(_("total ms"), default=0)
    max_ms = models.FloatField(_("slowest ms"), default=0)
    buckets = ArrayField(models.PositiveBigIntegerField(), default=list)

    class Meta:
        verbose_name = _("route timing")
        verbose_name_plural = _("route timings")
        constraints = [
            models.UniqueConstraint(fields=["hour", "route", "method"], name="routetiming_unique_hour")
        ]
        indexes = [models.Index(fields=["hour"], name="routetiming_hour")]

    def __str__(self) -> str:
        return f"{self.method} {self.route} @ {self.hour:%Y-%m-%d %H}:00"


class Heartbeat(models.Model):
    """The last time a scheduled job proved it runs (the beat heartbeat, every minute)."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    at = models.DateTimeField(_("last beat"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name
