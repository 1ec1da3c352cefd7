"""Erasure of a guest, and the retention job that erases guests nobody has seen for years.

Erasure is one transaction (pretix's shredder is the model): the profile keeps its row and id, which
bookings, folios and the access log point at, but loses everything that identifies the person:
names become a pseudonym, encrypted fields and their blind indexes are emptied, tags, notes and
special needs cleared, identity documents deleted, check-in registrations emptied and detached.
Bookings and folio lines stay (accounting law) with the identity detached. The access log is never
touched: it holds only the guest id, and an `erasure` event is added as the marker.

The change log (django-auditlog) stored plain-text field values of some rows (a guest's names, a
booking's special requests). Those values of the erased rows are redacted to "***" in the same
transaction, the one place outside the retention purge that lifts the append-only trigger, and
only for that UPDATE (docs/decisions.md, "Privacy requests").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateField, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import access_record

from ..models import Gender, Guest, IdentityDocument
from .models import PrivacyExport, PrivacyRequest

MASK = "***"


class ErasureRefused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def pseudonym(guest: Guest) -> str:
    """The name an erased profile keeps: derived from its id, so it links nothing new."""
    return f"ERASED-{str(guest.pk)[:8].upper()}"


def retention_days() -> int:
    return int(getattr(settings, "GUEST_RETENTION_DAYS", 1095))


def _members():
    try:
        from members import models as m
    except ImportError:  # the members app is optional for this module
        return None
    return m


# ------------------------------------------------------------------ checks


def erasure_blockers(guest: Guest) -> list[tuple[str, str]]:
    """(code, message) of every reason the guest cannot be erased now; empty when it can."""
    from reservations.models import Booking, BookingStatus
    from reservations.services import folio_balance

    out: list[tuple[str, str]] = []
    mine = Booking.objects.filter(Q(guest=guest) | Q(companion_links__guest=guest)).distinct()
    in_house = mine.filter(status=BookingStatus.CHECKED_IN).select_related("property").first()
    if in_house is not None:
        out.append(
            (
                "in_house",
                _("The guest is in house (checked in at %(hotel)s until %(date)s): erase after check-out.")
                % {"hotel": in_house.property, "date": in_house.departure.isoformat()},
            )
        )
    upcoming = mine.filter(status=BookingStatus.CONFIRMED).order_by("arrival").first()
    if upcoming is not None:
        out.append(
            (
                "upcoming_booking",
                _(
                    "The guest has a confirmed booking arriving %(date)s: cancel it (or wait until it is over) first."
                )
                % {"date": upcoming.arrival.isoformat()},
            )
        )
    for booking in Booking.objects.filter(guest=guest, folio_lines__isnull=False).distinct():
        balance = folio_balance(booking=booking)
        if balance > 0:
            out.append(
                (
                    "open_balance",
                    _(
                        "The guest has an open balance of %(amount)s %(cur)s (stay of %(date)s): settle it first."
                    )
                    % {"amount": balance, "cur": booking.currency, "date": booking.arrival.isoformat()},
                )
            )
            break
    m = _members()
    if m is not None:
        member = m.Membership.objects.filter(guest=guest).first()
        if member is not None and member.stored_value_balance > Decimal("0"):
            out.append(
                (
                    "stored_value",
                    _("The guest's membership holds a stored-value balance of %(amount)s: refund it first.")
                    % {"amount": member.stored_value_balance},
                )
            )
    return out


# ------------------------------------------------------------------ the erasure itself


def _redact_changelog(targets: list[tuple[type, list, tuple | None]]) -> int:
    """Mask the stored values in the change-log entries of these rows. `targets`: (model, pks,
    fields or None for every field). The append-only trigger is lifted for this UPDATE only."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    changed = 0
    with connection.cursor() as cur:
        cur.execute("SET LOCAL pms.audit_purge = 'on'")
        try:
            for model, pks, fields in targets:
                if not pks:
                    continue
                ct = ContentType.objects.get_for_model(model)
                entries = LogEntry.objects.filter(content_type=ct, object_pk__in=[str(p) for p in pks])
                for entry in entries.only("pk", "changes", "serialized_data", "changes_text"):
                    changes = entry.changes if isinstance(entry.changes, dict) else {}
                    redacted = {
                        name: (MASK if (fields is None or name in fields) else value)
                        for name, value in changes.items()
                    }
                    if redacted != changes or entry.serialized_data or entry.changes_text:
                        LogEntry.objects.filter(pk=entry.pk).update(
                            changes=redacted, serialized_data=None, changes_text=""
                        )
                        changed += 1
        finally:
            cur.execute("SET LOCAL pms.audit_purge = 'off'")
    return changed


def _changelog_marker(*, actor, guest: Guest) -> None:
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from audit.changelog import current_request_id

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Guest),
        object_pk=str(guest.pk),
        object_repr=str(guest),
        action=LogEntry.Action.UPDATE,
        changes={"erased_at": ["None", guest.erased_at.isoformat()]},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        cid=current_request_id(),
    )


def _anonymise_rows(guest: Guest, now) -> list[tuple[type, list, tuple | None]]:
    """Empty every identifying value of `guest`; returns the change-log rows to redact."""
    from reservations.models import Booking, RoomMove, StayRegistration

    name = pseudonym(guest)
    guest.family_name, guest.given_name = name, ""
    guest.gender = Gender.UNSPECIFIED
    guest.phone = guest.email = guest.date_of_birth = ""
    guest.birth_month_day = guest.address = guest.special_needs = guest.staff_notes = ""
    guest.is_vip = guest.marketing_consent = False
    guest.marketing_consent_at, guest.marketing_consent_channel = None, ""
    guest.erased_at = now
    guest.save()
    guest.tags.clear()
    docs = list(IdentityDocument.objects.filter(guest=guest).values_list("pk", "number_bidx"))
    doc_ids, doc_bidx = [pk for pk, _b in docs], [b for _pk, b in docs if b]
    IdentityDocument.objects.filter(pk__in=doc_ids).delete()
    # Registrations at check-in: those linked to the profile, and those of the guest's documents
    # that were never linked (the API's check-in, or a second adult's card the guest presented).
    reg_ids = list(
        StayRegistration.objects.filter(Q(guest=guest) | Q(doc_number_bidx__in=doc_bidx)).values_list(
            "pk", flat=True
        )
    )
    StayRegistration.objects.filter(pk__in=reg_ids).update(
        full_name="", doc_number="", doc_number_bidx="", guest=None
    )
    booking_ids = list(Booking.objects.filter(guest=guest).values_list("pk", flat=True))
    Booking.objects.filter(pk__in=booking_ids).update(special_requests="")
    RoomMove.objects.filter(booking_id__in=booking_ids).update(reason="")  # free text about the stay
    PrivacyRequest.objects.filter(guest=guest).update(
        claimed_name=name, details="", contact="", contact_bidx="", contact_kind="", appeal_text=""
    )
    PrivacyRequest.objects.filter(about_guest=guest).update(authorisation_note=MASK)
    m = _members()
    if m is not None:
        m.Feedback.objects.filter(guest=guest).update(text="", reply="")
        m.Membership.objects.filter(guest=guest).update(
            status=m.MembershipStatus.CANCELLED, consent_email=False, consent_sms=False
        )
    return [
        (Guest, [guest.pk], None),
        (IdentityDocument, doc_ids, None),
        (StayRegistration, reg_ids, None),
        (Booking, booking_ids, ("special_requests",)),
    ]


def _drop_exports(guest_ids: list) -> None:
    from . import export as builder

    names = []
    for export in PrivacyExport.objects.filter(request__guest_id__in=guest_ids).exclude(file_name=""):
        names.append(export.file_name)
        if export.state in (
            PrivacyExport.State.READY,
            PrivacyExport.State.PENDING,
            PrivacyExport.State.RUNNING,
        ):
            export.state, export.error = PrivacyExport.State.FAILED, "guest erased"
        export.file_name = ""
        export.save(update_fields=["state", "error", "file_name"])
    transaction.on_commit(lambda: [builder.delete(n) for n in names])


def _erase(*, actor, guest: Guest, reason: str, criteria: dict, property=None) -> Guest:
    """Must run inside transaction.atomic. Raises ErasureRefused before changing anything."""
    from auditlog.context import disable_auditlog

    guest = Guest.objects.select_for_update().get(pk=guest.pk)
    if guest.erased_at is not None:
        raise ErasureRefused("already_erased", _("This guest was already erased."))
    blockers = erasure_blockers(guest)
    if blockers:
        raise ErasureRefused(blockers[0][0], " ".join(m for _c, m in blockers))
    now = timezone.now()
    # Profiles merged into this one are the same person.
    merged = list(Guest.objects.select_for_update().filter(merged_into=guest, erased_at__isnull=True))
    targets = []
    with disable_auditlog():  # the old values must not reach the change log as "before" of a diff
        for g in [guest, *merged]:
            targets += _anonymise_rows(g, now)
    _redact_changelog(targets)
    ids = [guest.pk, *(g.pk for g in merged)]
    _drop_exports(ids)
    for g in [guest, *merged]:
        _changelog_marker(actor=actor, guest=g)
    access_record(
        actor=actor,
        action=Action.ERASURE,
        target_type="guest",
        target_ids=ids,
        guest_ids=ids,
        criteria=criteria,
        reason=reason,
        property=property if property is not None else guest.home_property,
    )
    return guest


def guest_erase(*, actor, guest: Guest, request: PrivacyRequest) -> Guest:
    """Erase `guest` for an approved erasure request (one transaction; ErasureRefused names why not).
    A profile merged into another since the request was verified is the same person: the surviving
    profile is erased (with every profile merged into it)."""
    while guest.merged_into_id:
        guest = Guest.objects.get(pk=guest.merged_into_id)
    with transaction.atomic():
        return _erase(
            actor=actor,
            guest=guest,
            reason=request.purpose,
            criteria={"request": str(request.pk)},
            property=request.property,
        )


# ------------------------------------------------------------------ retention


def retention_cutoff(today: date | None = None) -> date:
    """Guests whose last activity is before this day are anonymised."""
    return (today or timezone.localdate()) - timedelta(days=retention_days())


def with_last_activity(qs=None):
    """Guests annotated with `last_activity`: the latest of their registration, a booking made, a
    stay's departure (as guest or companion), and membership activity (joined, stays, points,
    stored value). PostgreSQL's GREATEST skips NULLs."""
    from reservations.models import Booking, BookingCompanion

    def latest(model_qs, expr):
        return Subquery(
            model_qs.order_by().values("_g").annotate(m=Max(expr)).values("m")[:1], output_field=DateField()
        )

    own = Booking.objects.filter(guest=OuterRef("pk")).annotate(_g=F("guest"))
    comp = BookingCompanion.objects.filter(guest=OuterRef("pk")).annotate(_g=F("guest"))
    parts = [
        TruncDate("created_at"),
        latest(own, "departure"),
        latest(own, TruncDate("created_at")),
        latest(comp, "booking__departure"),
    ]
    m = _members()
    if m is not None:
        member = {"membership__guest": OuterRef("pk")}
        parts += [
            latest(m.Membership.objects.filter(guest=OuterRef("pk")).annotate(_g=F("guest")), "joined_on"),
            latest(m.MemberStay.objects.filter(**member).annotate(_g=F("membership")), "settled_on"),
            latest(
                m.PointsEntry.objects.filter(**member).annotate(_g=F("membership")),
                TruncDate("created_at"),
            ),
            latest(
                m.StoredValueEntry.objects.filter(**member).annotate(_g=F("membership")),
                TruncDate("created_at"),
            ),
        ]
    qs = qs if qs is not None else Guest.objects.all()
    return qs.filter(erased_at__isnull=True, merged_into__isnull=True).annotate(
        last_activity=Greatest(*parts, output_field=DateField())
    )


def retention_due(*, today: date | None = None, within_days: int = 0, qs=None):
    """Guests the retention job anonymises today (`within_days=0`) or within the next days."""
    cutoff = retention_cutoff(today) + timedelta(days=within_days)
    return with_last_activity(qs).filter(last_activity__lt=cutoff).order_by("last_activity", "pk")


@dataclass
class RetentionReport:
    cutoff: date
    anonymised: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (guest id, code, message)

    def as_text(self) -> str:
        lines = [
            f"retention: guests inactive before {self.cutoff.isoformat()}: "
            f"{len(self.anonymised)} anonymised, {len(self.skipped)} skipped"
        ]
        lines += [f"  skipped {gid}: {code}" for gid, code, _m in self.skipped]
        return "\n".join(lines)


def retention_run(
    *, today: date | None = None, dry_run: bool = False, limit: int | None = None
) -> RetentionReport:
    """Anonymise every guest with no activity for GUEST_RETENTION_DAYS, one transaction per guest
    (a guest who cannot be erased is skipped with the reason; the others go on)."""
    report = RetentionReport(cutoff=retention_cutoff(today))
    ids = list(retention_due(today=today).values_list("pk", flat=True)[:limit])
    for gid in ids:
        guest = Guest.objects.get(pk=gid)
        if dry_run:
            blockers = erasure_blockers(guest)
            if blockers:
                report.skipped.append((gid, blockers[0][0], blockers[0][1]))
            else:
                report.anonymised.append(gid)
            continue
        try:
            with transaction.atomic():
                _erase(
                    actor=None,
                    guest=guest,
                    reason=f"guest retention: no activity for {retention_days()} days",
                    criteria={"retention_days": retention_days(), "cutoff": report.cutoff.isoformat()},
                )
        except ErasureRefused as exc:
            report.skipped.append((gid, exc.code, exc.message))
        else:
            report.anonymised.append(gid)
    return report
