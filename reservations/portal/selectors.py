"""Every read the portal makes of personal data. The guest is the actor: events carry no user, the
channel self-service, the role "guest", and the guest ids in their side table, so "who accessed
my profile" and the desk's review see them. Each event is written in the same transaction as the
read (fail closed), failures included, with the search values masked and blind-indexed.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from audit.models import AccessEventGuest, Action, Channel, Outcome
from audit.services import access_record
from pms.crypto import criterion
from pms.models import Property

from ..models import Booking
from .sessions import Scope

ROLE = "guest"
TARGET = "booking"
HISTORY_DAYS = 365
LIST_LIMIT = 200


def record(*, action: str, **fields):
    """An access event with the guest as actor (no user), channel self-service."""
    return access_record(
        actor=None, action=action, channel=Channel.SELF_SERVICE, role=ROLE, username="", **fields
    )


def _base():
    return Booking.objects.select_related("property", "guest", "room_type", "rate_plan")


def _name_key(value: str) -> bytes:
    """The family name as compared: NFKC, case-folded, without spaces; hashed so every comparison
    is between two 32-byte strings (constant time whatever the lengths)."""
    norm = "".join(unicodedata.normalize("NFKC", value or "").casefold().split())
    return hashlib.sha256(norm.encode()).digest()


# Compared against when no booking has the reference, so both failures do the same work.
_NO_BOOKING = hashlib.sha256(b"\x00 no booking \x00").digest()


def booking_lookup(*, reference: str, family_name: str) -> Booking | None:
    """The booking with this (normalised) reference whose guest has this family name, or None.

    A wrong reference and a wrong name take the same path: one indexed query, one comparison of
    two digests, one event with outcome not found and the same (masked) criteria."""
    criteria = {"reference": criterion("card_number", reference), "name": criterion("name", family_name)}
    with transaction.atomic():
        booking = _base().filter(reference=reference).first()
        expected = _name_key(booking.guest.family_name) if booking is not None else _NO_BOOKING
        match = hmac.compare_digest(_name_key(family_name), expected) and booking is not None
        if match:
            record(
                action=Action.SEARCH,
                target_type=TARGET,
                target_ids=[booking.pk],
                guest_ids=[booking.guest_id],
                criteria=criteria,
                property=booking.property,
            )
            return booking
        record(action=Action.SEARCH, target_type=TARGET, outcome=Outcome.NOT_FOUND, criteria=criteria)
    return None


def lookup_refused(*, reference: str, family_name: str) -> None:
    """A look-up refused by the attempt limits, recorded as denied (nothing was read)."""
    criteria = {"name": criterion("name", family_name)} if family_name else {}
    if reference:
        criteria["reference"] = criterion("card_number", reference)
    with transaction.atomic():
        record(
            action=Action.SEARCH,
            target_type=TARGET,
            outcome=Outcome.DENIED,
            criteria=criteria,
            reason="attempt limit reached",
        )


def in_scope(scope: Scope, booking: Booking) -> bool:
    if scope.signed_in:
        return str(booking.guest_id) in scope.guest_ids
    return str(booking.pk) in scope.booking_ids


def booking_for(*, scope: Scope, booking_id, action: str = Action.VIEW, reason: str = "") -> Booking:
    """One booking the guest may see, recorded as `action` (view, print, export); any other booking
    answers 404 and records a denied event (its existence is never confirmed)."""
    booking = _base().filter(pk=booking_id).first()
    with transaction.atomic():
        if booking is None or not in_scope(scope, booking):
            record(
                action=action,
                target_type=TARGET,
                target_ids=[booking_id],
                outcome=Outcome.DENIED,
                criteria={"guests": scope.guest_ids},
                reason=reason,
            )
            denied = True
        else:
            record(
                action=action,
                target_type=TARGET,
                target_ids=[booking.pk],
                guest_ids=[booking.guest_id],
                property=booking.property,
                reason=reason,
            )
            denied = False
    if denied:  # outside the atomic block, so the denied event is committed
        raise Http404
    return booking


def booking_hotels(*, scope: Scope) -> list[Property]:
    """The hotels the guest has bookings at (for the filter; not personal beyond the guest's own)."""
    ids = Booking.objects.filter(guest_id__in=scope.guest_ids).values("property_id").distinct()
    return list(Property.objects.filter(pk__in=ids).order_by("code"))


def bookings_list(
    *, scope: Scope, date_from: date | None = None, date_to: date | None = None, hotel: str = ""
) -> list[Booking]:
    """All bookings of the signed-in guest, newest arrival first: those whose stay touches the
    period, at the hotel when one is chosen."""
    qs = _base().filter(guest_id__in=scope.guest_ids)
    criteria: dict = {}
    if date_from:
        qs = qs.filter(departure__gte=date_from)
        criteria["date_from"] = date_from.isoformat()
    if date_to:
        qs = qs.filter(arrival__lte=date_to)
        criteria["date_to"] = date_to.isoformat()
    if hotel:
        qs = qs.filter(property__code=hotel)
        criteria["hotel"] = hotel
    with transaction.atomic():
        rows = list(qs.order_by("-arrival", "reference")[:LIST_LIMIT])
        record(
            action=Action.SEARCH,
            target_type=TARGET,
            target_ids=[b.pk for b in rows],
            guest_ids=scope.guest_ids,
            criteria=criteria,
        )
    return rows


@dataclass(frozen=True)
class AccessCount:
    day: date
    property_name: str
    role: str
    count: int


@dataclass(frozen=True)
class EmergencyAccess:
    at: object
    property_name: str
    reason: str
    review: str


def _role_label(value: str) -> str:
    from django.utils.translation import gettext

    from pms.roles import Role

    if value in Role.values:
        return str(Role(value).label)
    return gettext("System")


def access_summary(*, scope: Scope) -> tuple[list[AccessCount], list[EmergencyAccess]]:
    """Who accessed the guest's profile and bookings in the last year: counts by day, hotel and
    role (never staff names), and the reason of every break-the-glass access."""
    from guests.models import AccessGrant, GrantKind

    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    with transaction.atomic():
        grouped = list(
            AccessEventGuest.objects.filter(guest_id__in=scope.guest_ids, at__gte=since)
            .exclude(event__channel__in=[Channel.SELF_SERVICE, Channel.SYSTEM])  # staff access only
            .annotate(day=TruncDate("at"))
            .values("day", "event__actor_property_id", "event__actor_role")
            .annotate(n=Count("event_id", distinct=True))
            .order_by("-day", "event__actor_property_id", "event__actor_role")[:500]
        )
        grants = list(
            AccessGrant.objects.filter(guest_id__in=scope.guest_ids, kind=GrantKind.BREAK_GLASS)
            .select_related("property")
            .order_by("-created_at")[:100]
        )
        record(
            action=Action.VIEW,
            target_type="guest",
            target_ids=scope.guest_ids,
            guest_ids=scope.guest_ids,
            criteria={"section": "access_summary"},
        )
    names = {
        p.pk: p.display_name
        for p in Property.objects.filter(pk__in={r["event__actor_property_id"] for r in grouped})
    }
    counts = [
        AccessCount(
            day=r["day"],
            property_name=names.get(r["event__actor_property_id"], "—"),
            role=_role_label(r["event__actor_role"]),
            count=r["n"],
        )
        for r in grouped
    ]
    emergencies = [
        EmergencyAccess(
            at=g.created_at,
            property_name=g.property.display_name,
            reason=g.reason,
            review=g.get_review_verdict_display() if g.review_verdict else "",
        )
        for g in grants
    ]
    return counts, emergencies


def link_address(guest_id: str) -> str:
    """The e-mail address a sign-in link goes to, read by the mail task (the system, not a person),
    recorded in the same transaction; empty when the profile has gone (merged or erased meanwhile)."""
    from guests.models import Guest

    with transaction.atomic():
        guest = (
            Guest.objects.filter(pk=guest_id, merged_into__isnull=True, erased_at__isnull=True)
            .only("pk", "email")
            .first()
        )
        access_record(
            actor=None,
            action=Action.VIEW,
            channel=Channel.SYSTEM,
            username="",
            target_type="guest",
            target_ids=[guest_id],
            guest_ids=[guest_id] if guest else [],
            criteria={"field": "email", "purpose": "sign-in link"},
            outcome=Outcome.OK if guest else Outcome.NOT_FOUND,
        )
    return guest.email if guest else ""


def guests_by_email(email: str) -> list[str]:
    """Ids of the current (not merged, not erased) guest profiles with this e-mail, through the
    blind index, recorded as a search (the e-mail masked and blind-indexed). Nothing is shown: the
    page says the same either way, and a sign-in link goes to the address on file (read by the
    mail task through `link_address`)."""
    from guests.models import Guest
    from pms.crypto import blind_index

    bidx = blind_index("email", email)
    with transaction.atomic():
        guests = list(
            Guest.objects.filter(email_bidx=bidx or "-", merged_into__isnull=True, erased_at__isnull=True)
            .only("pk")
            .order_by("pk")[:20]
        )
        ids = [str(g.pk) for g in guests]
        record(
            action=Action.SEARCH,
            target_type="guest",
            target_ids=ids,
            guest_ids=ids,
            criteria={"email": criterion("email", email)},
            outcome=Outcome.OK if ids else Outcome.NOT_FOUND,
        )
    return ids


def signed_in(*, guest_ids: list[str]) -> None:
    """The e-mailed link was opened: the guest's sign-in, recorded like a log-in."""
    with transaction.atomic():
        record(action=Action.LOGIN, target_type="guest", target_ids=guest_ids, guest_ids=guest_ids)


def sign_in_refused(*, reason: str) -> None:
    with transaction.atomic():
        record(action=Action.LOGIN_FAILED, target_type="guest", outcome=Outcome.DENIED, reason=reason)


def membership_summary(*, scope: Scope):
    """The signed-in guest's membership with balances, statement lines and vouchers (through
    `members.selectors.statement`), or None; recorded as a view of the membership (or the guest)."""
    from members.models import Membership
    from members.selectors import statement

    with transaction.atomic():
        m = (
            Membership.objects.filter(guest_id__in=scope.guest_ids)
            .select_related("tier", "guest")
            .order_by("joined_on")
            .first()
        )
        data = {"membership": m, **statement(m)} if m is not None else None
        record(
            action=Action.VIEW,
            target_type="membership" if m is not None else "guest",
            target_ids=[m.pk] if m is not None else scope.guest_ids,
            guest_ids=scope.guest_ids,
        )
    return data


FEEDBACK_PER_BOOKING = 5  # enough for a real stay, too few to flood a department's queue


def booking_feedback(*, booking) -> list:
    """What the guest said about this stay and the hotel's replies, for a booking already found in
    the guest's scope (`booking_for`); the read is recorded with it, as a view of the feedback."""
    from members.models import Feedback

    with transaction.atomic():
        items = list(Feedback.objects.filter(booking=booking).order_by("created_at")[:FEEDBACK_PER_BOOKING])
        if items:
            record(
                action=Action.VIEW,
                target_type="feedback",
                target_ids=[f.pk for f in items],
                guest_ids=[booking.guest_id],
                property=booking.property,
            )
    return items


def feedback_leave(*, scope: Scope, booking_id, text: str):
    """The guest's own feedback on a booking in scope, after check-in: routed like the desk's
    (members.services.feedback_create), at most FEEDBACK_PER_BOOKING per booking."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from members.models import Feedback
    from members.services import feedback_create

    from ..models import BookingStatus

    booking = booking_for(scope=scope, booking_id=booking_id)
    if booking.status not in (BookingStatus.CHECKED_IN, BookingStatus.CHECKED_OUT):
        raise ValidationError(_("You can tell us about your stay once it has begun."))
    with transaction.atomic():
        if Feedback.objects.filter(booking=booking).count() >= FEEDBACK_PER_BOOKING:
            raise ValidationError(
                _("You have already sent us several messages about this stay; we will reply to them.")
            )
        source = (
            Feedback.Source.AFTER_CHECK_OUT
            if booking.status == BookingStatus.CHECKED_OUT
            else Feedback.Source.ONLINE
        )
        return feedback_create(
            actor=None,
            property=booking.property,
            text=text,
            source=source,
            guest=booking.guest,
            booking=booking,
        )


def _scope_guest(scope: Scope):
    from guests.models import Guest

    return (
        Guest.objects.filter(pk__in=scope.guest_ids)
        .select_related("home_property")
        .order_by("created_at")
        .first()
    )


def my_privacy_requests(*, scope: Scope) -> list:
    """The guest's privacy requests, newest first, with what the privacy team answered: whatever
    channel they came by (desk, phone, e-mail or online). Recorded as a self-service view."""
    from guests.privacy.models import PrivacyRequest

    with transaction.atomic():
        reqs = list(
            PrivacyRequest.objects.filter(guest_id__in=scope.guest_ids)
            .exclude(type="enquiry")  # about another guest: not this guest's own request
            .order_by("-received_at")[:50]
        )
        if reqs:
            record(
                action=Action.VIEW,
                target_type="privacy_request",
                target_ids=[r.pk for r in reqs],
                guest_ids=scope.guest_ids,
                criteria={"section": "privacy_requests"},
            )
    return reqs


ONLINE_REQUEST_TYPES = ("access", "correction", "erasure", "objection")


def privacy_ask(*, scope: Scope, type: str = "access", details: str = ""):
    """A privacy request from "My data": a copy, a correction, erasure or no more marketing, through
    the guests app's service, which records it. The link sign-in is the verification, so it is
    registered verified and waits for a decision by the privacy team (never carried out at once)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from guests.privacy.services import privacy_request_create

    if type not in ONLINE_REQUEST_TYPES:
        raise ValidationError(_("Choose what you are asking for."))
    details = (details or "").strip()
    if type == "correction" and not details:
        raise ValidationError(_("Tell us what is wrong and what it should say."))
    if len(details) > 2000:
        raise ValidationError(_("Keep the details under 2,000 characters."))
    with transaction.atomic():
        guest = _scope_guest(scope)
        if guest is None:
            raise ValidationError(_("This profile no longer exists."))
        return privacy_request_create(actor=None, guest=guest, type=type, details=details)


def join_property(*, scope: Scope):
    """(guest, hotel) for an online enrolment: the guest's home hotel, else their latest booking's.
    The enrolment service records the membership it creates."""
    guest = _scope_guest(scope)
    if guest is None:
        return None, None
    latest = Booking.objects.filter(guest=guest).select_related("property").order_by("-arrival").first()
    return guest, guest.home_property or getattr(latest, "property", None)
