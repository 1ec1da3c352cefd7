"""Every write of the members app: keyword-only `<noun>_<verb>` functions, each in one transaction.

Ledger writes lock the membership row (`SELECT ... FOR UPDATE`) before reading its balance, append
the entry with the new balance and update the cached balance in the same transaction; the check
constraints on both tables have the last word, so two concurrent redemptions can never take the
balance below zero, and the balance always equals the sum of the ledger.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import pairwise

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pms.permissions import has_property_perm
from pms.roles import Capability
from reservations.models import LineKind

from .models import (
    CATEGORY_DEPARTMENT,
    ZERO,
    ApprovalState,
    Campaign,
    CampaignRecipient,
    EnrolmentChannel,
    ExpiryNotice,
    Feedback,
    FeedbackCategory,
    Membership,
    MembershipStatus,
    MemberStay,
    MessageChannel,
    Offer,
    PointsEntry,
    PointsKind,
    Segment,
    StoredValueAdjustment,
    StoredValueEntry,
    StoredValueKind,
    Tier,
    TierChange,
    Voucher,
)

log = logging.getLogger(__name__)

DISCOUNT_KIND = LineKind.DISCOUNT  # the tier discount: a folio credit line
VOUCHER_KIND = LineKind.VOUCHER  # a redeemed voucher: a folio credit line too
CREDIT_KINDS = (DISCOUNT_KIND, VOUCHER_KIND)
CENT = Decimal("0.01")


# ------------------------------------------------------------------ helpers


def _u(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def money(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive amount with two decimals, or a clear ValidationError."""
    try:
        amount = Decimal(str(value).strip()).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("Enter an amount such as 100.00.")]}) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: [_("The amount must be more than zero.")]})
    if amount >= Decimal("1000000000"):
        raise ValidationError({field: [_("The amount is too large.")]})
    return amount


def _points(value, *, field: str = "points") -> int:
    try:
        points = int(str(value).strip())
    except (ValueError, TypeError):
        raise ValidationError({field: [_("Enter a whole number of points.")]}) from None
    if points <= 0:
        raise ValidationError({field: [_("The number of points must be more than zero.")]})
    return points


def local_today(prop=None) -> date:
    if prop is not None:
        from reservations.services import local_today as hotel_today

        return hotel_today(prop)
    return timezone.localdate()


def is_member_manager(actor, prop) -> bool:
    """Manager-level member operations (adjustments, approvals, tiers): a manager at `prop`."""
    return has_property_perm(actor, Capability.VIEW_GUEST_FULL, prop) and has_property_perm(
        actor, Capability.APPROVE_ACCESS, prop
    )


def _lock(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().get(pk=membership.pk)


def anniversary(joined: date, year: int) -> date:
    """The membership anniversary in `year` (29 February becomes 28 February in other years)."""
    try:
        return joined.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def last_anniversary(joined: date, today: date) -> date | None:
    """The most recent membership anniversary on or before `today`; None in the first year."""
    this_year = anniversary(joined, today.year)
    last = this_year if this_year <= today else anniversary(joined, today.year - 1)
    return last if last > joined else None


def review_due(m: Membership, today: date) -> bool:
    """A tier may be lowered once a year, at the anniversary: due when an anniversary has passed
    since the member reached the tier and since the last review (a missed night catches up)."""
    last = last_anniversary(m.joined_on, today)
    if last is None:
        return False
    seen = max(d for d in (m.tier_reviewed_on, m.tier_since, m.joined_on) if d is not None)
    return last > seen


def window_start(today: date) -> date:
    """First day of the rolling 12 months that end with `today` (both days count)."""
    return today - relativedelta(months=12) + timedelta(days=1)


# ------------------------------------------------------------------ tiers


def tiers_validate(tiers: list[Tier]) -> None:
    """Thresholds must rise strictly with the rank, so every member qualifies for exactly one tier."""
    active = sorted((t for t in tiers if t.is_active), key=lambda t: t.rank)
    for lower, higher in pairwise(active):
        if higher.min_spend <= lower.min_spend or higher.min_nights <= lower.min_nights:
            raise ValidationError(
                _(
                    "The thresholds of %(higher)s must be above those of %(lower)s "
                    "(spend and nights both higher); tier thresholds may not overlap."
                )
                % {"higher": higher.code, "lower": lower.code}
            )


def tier_save(*, actor, tier: Tier, property) -> Tier:
    """Create or change a tier (managers). Refuses thresholds that overlap another active tier's."""
    if not is_member_manager(actor, property):
        raise PermissionDenied
    if tier.discount_percent is not None and not (0 <= tier.discount_percent <= 100):
        raise ValidationError({"discount_percent": [_("A discount is between 0 and 100 %.")]})
    if tier.min_spend is not None and tier.min_spend < 0:
        raise ValidationError({"min_spend": [_("The amount must not be negative.")]})
    with transaction.atomic():
        others = list(Tier.objects.select_for_update().exclude(pk=tier.pk))
        tiers_validate([*others, tier])
        tier.full_clean()
        tier.save()
    return tier


def qualifying_tier(spend: Decimal, nights: int, tiers: list[Tier]) -> Tier | None:
    """The highest active tier whose spend or nights threshold is reached."""
    best = None
    for t in sorted((t for t in tiers if t.is_active), key=lambda t: t.rank):
        if spend >= t.min_spend or nights >= t.min_nights:
            best = t
    return best


@dataclass
class TierRunResult:
    members: int = 0
    upgraded: int = 0
    downgraded: int = 0


def _tier_change(m: Membership, new: Tier | None, reason: str, spend, nights, today: date) -> TierChange:
    change = TierChange.objects.create(
        membership=m,
        from_tier=m.tier,
        to_tier=new,
        reason=reason,
        spend=spend,
        nights=nights,
        changed_on=today,
    )
    Membership.objects.filter(pk=m.pk).update(tier=new, tier_since=today)
    m.tier, m.tier_since = new, today
    from .notices import send_tier_notice

    transaction.on_commit(lambda cid=change.pk: send_tier_notice.delay(cid))
    return change


def tiers_recalculate(*, today: date | None = None, membership_ids=None, batch: int = 5000) -> TierRunResult:
    """The nightly job: upgrade as soon as a tier is earned, lower a tier only at the membership
    anniversary (`review_due`: on the day, or on the first run after it when a night was missed).
    Aggregates the rolling 12 months of settled stays in one query per batch."""
    today = today or timezone.localdate()
    start = window_start(today)
    tiers = list(Tier.objects.filter(is_active=True))
    result = TierRunResult()
    if not tiers:
        return result
    rank = {t.pk: t.rank for t in tiers}
    qs = Membership.objects.filter(status=MembershipStatus.ACTIVE)
    if membership_ids is not None:
        qs = qs.filter(pk__in=membership_ids)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        totals = {
            row["membership_id"]: (row["s"] or ZERO, row["n"] or 0)
            for row in MemberStay.objects.filter(
                membership_id__in=chunk, settled_on__gte=start, settled_on__lte=today
            )
            .values("membership_id")
            .annotate(s=Sum("spend"), n=Sum("nights"))
        }
        with transaction.atomic():
            members = (
                Membership.objects.select_for_update()
                .filter(pk__in=chunk)
                .only("pk", "tier_id", "joined_on", "tier_since", "tier_reviewed_on")
            )
            changes: list[TierChange] = []
            moved: dict[int | None, list] = {}
            reviewed: list = []
            for m in members:
                result.members += 1
                spend, nights = totals.get(m.pk, (ZERO, 0))
                target = qualifying_tier(spend, nights, tiers)
                current_rank = rank.get(m.tier_id, -1)
                target_rank = target.rank if target else -1
                due = current_rank >= 0 and review_due(m, today)
                if due:
                    reviewed.append(m.pk)
                if target_rank > current_rank:
                    reason = "upgrade"
                    result.upgraded += 1
                elif target_rank < current_rank and due:
                    reason = "downgrade"
                    result.downgraded += 1
                else:
                    continue
                changes.append(
                    TierChange(
                        membership_id=m.pk,
                        from_tier_id=m.tier_id,
                        to_tier=target,
                        reason=reason,
                        spend=spend,
                        nights=nights,
                        changed_on=today,
                    )
                )
                moved.setdefault(target.pk if target else None, []).append(m.pk)
            # Set-based writes: one UPDATE per target tier and one INSERT for the history.
            for tier_id, member_ids in moved.items():
                Membership.objects.filter(pk__in=member_ids).update(tier_id=tier_id, tier_since=today)
            if reviewed:
                Membership.objects.filter(pk__in=reviewed).update(tier_reviewed_on=today)
            created = TierChange.objects.bulk_create(changes)
            if created:
                from .notices import send_tier_notices

                change_ids = [c.pk for c in created]
                transaction.on_commit(lambda ids=change_ids: send_tier_notices.delay(ids))
    return result


# ------------------------------------------------------------------ enrolment


def _stay_spend(booking) -> tuple[Decimal, dict[str, Decimal]]:
    """Settled spend of a booking: charges by category (no penalties), less its discount lines."""
    from reservations.models import FolioLine, LineKind

    by_kind: dict[str, Decimal] = {}
    for kind, total in (
        FolioLine.objects.filter(booking=booking)
        .values_list("kind")
        .annotate(s=Sum("amount"))
        .values_list("kind", "s")
    ):
        by_kind[kind] = total or ZERO
    discount = by_kind.pop(DISCOUNT_KIND, ZERO) + by_kind.pop(VOUCHER_KIND, ZERO)
    categories = {
        k: v
        for k, v in by_kind.items()
        if k
        in (
            LineKind.ROOM,
            LineKind.MINIBAR,
            LineKind.RESTAURANT,
            LineKind.LAUNDRY,
            LineKind.PHONE,
            LineKind.OTHER,
        )
    }
    if discount and categories.get(LineKind.ROOM):
        categories[LineKind.ROOM] = max(ZERO, categories[LineKind.ROOM] - discount)
    return sum(categories.values(), ZERO), categories


def membership_enrol(
    *,
    actor,
    guest,
    property,
    channel: str = EnrolmentChannel.DESK,
    consent_email: bool = False,
    consent_sms: bool = False,
    today: date | None = None,
) -> Membership:
    """Enrol a guest (one membership per guest). Past settled stays count towards the first tier."""
    from reservations.models import Booking, BookingStatus

    if channel not in EnrolmentChannel.values:
        raise ValidationError({"channel": [_("Choose how the guest enrols.")]})
    if guest.erased_at is not None or guest.merged_into_id is not None:
        raise ValidationError(_("This guest profile can no longer be enrolled."))
    today = today or local_today(property)
    with transaction.atomic():
        if Membership.objects.filter(guest=guest).exists():
            raise ValidationError(_("This guest is already a member."))
        try:
            with transaction.atomic():
                m = Membership.objects.create(
                    guest=guest,
                    joined_on=today,
                    channel=channel,
                    enrolled_property=property,
                    consent_email=consent_email,
                    consent_sms=consent_sms,
                    enrolled_by=_u(actor),
                )
        except IntegrityError:
            raise ValidationError(_("This guest is already a member.")) from None
        for b in Booking.objects.filter(guest=guest, status=BookingStatus.CHECKED_OUT).select_related(
            "property"
        ):
            spend, _by = _stay_spend(b)
            settled = timezone.localdate(b.checked_out_at) if b.checked_out_at else b.departure
            MemberStay.objects.create(
                membership=m, booking=b, property=b.property, settled_on=settled, nights=b.nights, spend=spend
            )
        base = qualifying_tier(ZERO, 0, list(Tier.objects.filter(is_active=True)))
        if base is not None:
            TierChange.objects.create(membership=m, to_tier=base, reason="enrol", changed_on=today)
            Membership.objects.filter(pk=m.pk).update(tier=base, tier_since=today)
            m.tier, m.tier_since = base, today
        tiers_recalculate(today=today, membership_ids=[m.pk])
        m.refresh_from_db()
    return m


def membership_consent_set(*, actor, membership: Membership, email: bool, sms: bool) -> Membership:
    with transaction.atomic():
        m = _lock(membership)
        m.consent_email, m.consent_sms = bool(email), bool(sms)
        m.save(update_fields=["consent_email", "consent_sms"])
    return m


def membership_status_set(*, actor, membership: Membership, status: str, property) -> Membership:
    """A manager lapses, cancels (the guest asked) or reactivates a membership. A member who is not
    active gets no tier discount, earns and redeems no points (balances are kept, not forfeited);
    the change is in the change log."""
    if not is_member_manager(actor, property):
        raise PermissionDenied
    if status not in MembershipStatus.values:
        raise ValidationError({"status": [_("Choose a status.")]})
    with transaction.atomic():
        m = _lock(membership)
        if m.status == status:
            raise ValidationError({"status": [_("The membership already has this status.")]})
        m.status = status
        m.save(update_fields=["status"])
    return m


# ------------------------------------------------------------------ points


def _points_append(m: Membership, *, kind: str, points: int, **fields) -> PointsEntry:
    """Append one entry to a locked membership's points ledger and move its balance."""
    new_balance = m.points_balance + points
    if new_balance < 0:
        raise ValidationError(
            {"points": [_("Only %(balance)s points are available.") % {"balance": m.points_balance}]}
        )
    entry = PointsEntry.objects.create(
        membership=m, kind=kind, points=points, balance_after=new_balance, **fields
    )
    Membership.objects.filter(pk=m.pk).update(points_balance=new_balance)
    m.points_balance = new_balance
    return entry


def _expiry(today: date) -> date:
    return today + relativedelta(months=settings.MEMBERS_POINTS_EXPIRY_MONTHS)


def points_earn(
    *, membership: Membership, spend_by_category: dict[str, Decimal], booking=None, property=None, today=None
):
    """Points for settled spend: per category rate x the tier's multiplier, rounded down."""
    rates = {k: Decimal(v) for k, v in settings.MEMBERS_POINTS_PER_UNIT.items()}
    base = sum((amount * rates.get(k, ZERO) for k, amount in spend_by_category.items()), Decimal(0))
    with transaction.atomic():
        m = _lock(membership)
        if not m.is_active:
            return None
        multiplier = m.tier.points_multiplier if m.tier_id else Decimal(1)
        points = math.floor(base * multiplier)
        if points <= 0:
            return None
        today = today or local_today(property)
        return _points_append(
            m,
            kind=PointsKind.EARN,
            points=points,
            expires_on=_expiry(today),
            booking=booking,
            property=property,
        )


def points_redeem(*, actor, membership: Membership, reward: str, property, quantity: int = 1) -> PointsEntry:
    """Redeem points for a reward (room night, dining, spa) at the configured rate."""
    rates = settings.MEMBERS_REWARDS
    if reward not in rates:
        raise ValidationError({"reward": [_("Choose a reward.")]})
    quantity = _points(quantity, field="quantity")
    with transaction.atomic():
        m = _lock(membership)
        if not m.is_active:
            raise ValidationError(_("Only an active membership can redeem points."))
        return _points_append(
            m,
            kind=PointsKind.REDEEM,
            points=-rates[reward] * quantity,
            reward=reward,
            reason=f"{reward} x {quantity}",
            property=property,
            created_by=_u(actor),
        )


def points_adjust(*, actor, membership: Membership, points, reason: str, property) -> PointsEntry:
    """A manager's correction, with a reason. `points` may be negative (never below a zero balance)."""
    if not is_member_manager(actor, property):
        raise PermissionDenied
    try:
        points = int(str(points).strip())
    except (TypeError, ValueError):
        raise ValidationError({"points": [_("Enter a whole number of points.")]}) from None
    if points == 0:
        raise ValidationError({"points": [_("An adjustment cannot be zero.")]})
    if len((reason or "").strip()) < 5:
        raise ValidationError({"reason": [_("Give a reason of at least 5 characters.")]})
    with transaction.atomic():
        m = _lock(membership)
        extra = {"expires_on": _expiry(local_today(property))} if points > 0 else {}
        return _points_append(
            m,
            kind=PointsKind.ADJUST,
            points=points,
            reason=reason.strip()[:200],
            property=property,
            created_by=_u(actor),
            **extra,
        )


def points_expiring(*, membership: Membership, on: date) -> int:
    """Points that will have expired by the end of `on` (FIFO): positive entries expiring on or
    before `on`, less everything already consumed (redeemed, paid, expired, taken off)."""
    agg = PointsEntry.objects.filter(membership=membership).aggregate(
        due=Sum("points", filter=Q(points__gt=0, expires_on__lte=on)),
        used=Sum("points", filter=Q(points__lt=0)),
    )
    return max(0, (agg["due"] or 0) + (agg["used"] or 0))


def points_expire(*, membership: Membership, today: date) -> PointsEntry | None:
    """Expire what is due by `today` (first in, first out). Idempotent for a day."""
    with transaction.atomic():
        m = _lock(membership)
        due = min(points_expiring(membership=m, on=today), m.points_balance)
        if due <= 0:
            return None
        return _points_append(m, kind=PointsKind.EXPIRE, points=-due, reason=today.isoformat())


def points_expiry_run(*, today: date | None = None) -> dict:
    """Expire due points of every member and send the 30-day notices."""
    today = today or timezone.localdate()
    expired = notices = 0
    due_ids = (
        PointsEntry.objects.filter(points__gt=0, expires_on__lte=today)
        .values_list("membership_id", flat=True)
        .distinct()
    )
    for m in Membership.objects.filter(pk__in=list(due_ids), points_balance__gt=0):
        if points_expire(membership=m, today=today):
            expired += 1
    horizon = today + timedelta(days=settings.MEMBERS_POINTS_NOTICE_DAYS)
    upcoming = (
        PointsEntry.objects.filter(points__gt=0, expires_on__gt=today, expires_on__lte=horizon)
        .values_list("membership_id", "expires_on")
        .distinct()
    )
    from .notices import send_expiry_notice

    for membership_id, expires_on in upcoming:
        m = Membership.objects.get(pk=membership_id)
        points = points_expiring(membership=m, on=expires_on) - points_expiring(
            membership=m, on=expires_on - timedelta(days=1)
        )
        if points <= 0:
            continue
        with transaction.atomic():
            notice, created = ExpiryNotice.objects.get_or_create(
                membership=m, expires_on=expires_on, defaults={"points": points}
            )
            if created:
                notices += 1
                transaction.on_commit(lambda nid=notice.pk: send_expiry_notice.delay(nid))
    return {"expired": expired, "notices": notices}


# ------------------------------------------------------------------ stored value


def _sv_append(m: Membership, *, kind: str, amount: Decimal, **fields) -> StoredValueEntry:
    new_balance = m.stored_value_balance + amount
    if new_balance < 0:
        raise ValidationError(
            {
                "amount": [
                    _("Only %(balance)s is available in stored value.") % {"balance": m.stored_value_balance}
                ]
            }
        )
    entry = StoredValueEntry.objects.create(
        membership=m, kind=kind, amount=amount, balance_after=new_balance, **fields
    )
    Membership.objects.filter(pk=m.pk).update(stored_value_balance=new_balance)
    m.stored_value_balance = new_balance
    return entry


def _reference(value: str) -> str:
    ref = (value or "").strip()
    if len(ref) < 3:
        raise ValidationError(
            {"payment_reference": [_("Give the payment reference (receipt or terminal number).")]}
        )
    return ref[:60]


def stored_value_top_up(
    *, actor, membership: Membership, amount, payment_reference: str, property
) -> StoredValueEntry:
    if not has_property_perm(actor, Capability.TAKE_PAYMENTS, property):
        raise PermissionDenied
    amount = money(amount)
    ref = _reference(payment_reference)
    with transaction.atomic():
        m = _lock(membership)
        if not m.is_active:
            raise ValidationError(_("Only an active membership can be topped up."))
        return _sv_append(
            m,
            kind=StoredValueKind.TOP_UP,
            amount=amount,
            payment_reference=ref,
            property=property,
            created_by=_u(actor),
        )


def stored_value_refund(
    *, actor, membership: Membership, amount, payment_reference: str, property
) -> StoredValueEntry:
    if not has_property_perm(actor, Capability.TAKE_PAYMENTS, property):
        raise PermissionDenied
    amount = money(amount)
    ref = _reference(payment_reference)
    with transaction.atomic():
        m = _lock(membership)
        return _sv_append(
            m,
            kind=StoredValueKind.REFUND,
            amount=-amount,
            payment_reference=ref,
            property=property,
            created_by=_u(actor),
        )


def stored_value_adjust(*, actor, membership: Membership, amount, reason: str, property):
    """A manager's correction. Above MEMBERS_SV_APPROVAL_THRESHOLD (absolute) it waits for a second
    staff member (`stored_value_adjustment_decide`); returns the entry or the pending adjustment."""
    if not is_member_manager(actor, property):
        raise PermissionDenied
    try:
        value = Decimal(str(amount).strip()).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [_("Enter an amount such as 100.00 or -20.00.")]}) from None
    if value == 0:
        raise ValidationError({"amount": [_("An adjustment cannot be zero.")]})
    if len((reason or "").strip()) < 5:
        raise ValidationError({"reason": [_("Give a reason of at least 5 characters.")]})
    with transaction.atomic():
        m = _lock(membership)
        if m.stored_value_balance + value < 0:
            raise ValidationError(
                {
                    "amount": [
                        _("Only %(balance)s is available in stored value.")
                        % {"balance": m.stored_value_balance}
                    ]
                }
            )
        if abs(value) > Decimal(settings.MEMBERS_SV_APPROVAL_THRESHOLD):
            return StoredValueAdjustment.objects.create(
                membership=m, property=property, amount=value, reason=reason.strip()[:200], requested_by=actor
            )
        return _sv_append(
            m,
            kind=StoredValueKind.ADJUST,
            amount=value,
            reason=reason.strip()[:200],
            property=property,
            created_by=_u(actor),
        )


def stored_value_adjustment_decide(
    *, actor, adjustment: StoredValueAdjustment, approve: bool
) -> StoredValueAdjustment:
    """The second person: another manager at the property approves or refuses."""
    with transaction.atomic():
        adj = StoredValueAdjustment.objects.select_for_update().get(pk=adjustment.pk)
        if not is_member_manager(actor, adj.property):
            raise PermissionDenied
        if adj.state != ApprovalState.PENDING:
            raise ValidationError(_("This adjustment has already been decided."))
        if adj.requested_by_id == actor.pk:
            raise ValidationError(_("A second staff member must approve; you asked for this adjustment."))
        adj.decided_by, adj.decided_at = actor, timezone.now()
        if approve:
            m = _lock(adj.membership)
            adj.entry = _sv_append(
                m,
                kind=StoredValueKind.ADJUST,
                amount=adj.amount,
                reason=adj.reason,
                property=adj.property,
                created_by=adj.requested_by,
                approved_by=actor,
            )
            adj.state = ApprovalState.APPROVED
        else:
            adj.state = ApprovalState.REFUSED
        adj.save()
    return adj


# ------------------------------------------------------------------ check-out integration


def membership_for_booking(booking) -> Membership | None:
    return Membership.objects.filter(guest_id=booking.guest_id).select_related("tier").first()


def folio_payment_debit(*, actor, booking, line) -> None:
    """Called by reservations.services.folio_payment_post, in its transaction, for a stored-value or
    points payment: the ledger entry is written with the folio line or neither is."""
    from reservations.models import LineKind

    m = membership_for_booking(booking)
    if m is None:
        raise ValidationError({"kind": [_("The guest is not a member: choose another way to pay.")]})
    m = _lock(m)
    if not m.is_active:
        raise ValidationError({"kind": [_("The membership is not active: choose another way to pay.")]})
    if line.kind == LineKind.STORED_VALUE:
        _sv_append(
            m,
            kind=StoredValueKind.PAYMENT,
            amount=-line.amount,
            booking=booking,
            property=booking.property,
            created_by=_u(actor),
        )
    elif line.kind == LineKind.POINTS:
        points = int(
            (line.amount / Decimal(settings.MEMBERS_POINT_VALUE)).to_integral_value(rounding="ROUND_CEILING")
        )
        _points_append(
            m,
            kind=PointsKind.PAYMENT,
            points=-points,
            booking=booking,
            property=booking.property,
            created_by=_u(actor),
        )


def settlement_discount_sync(*, booking, actor=None):
    """The member's tier discount on the room nights posted so far, as one folio credit line
    (kind "discount"). Called whenever room nights are posted (night audit, check-out), so the desk
    sees it before taking the payment. No tier or a lapsed membership: no line."""
    from reservations.models import FolioLine, LineKind

    m = membership_for_booking(booking)
    line = FolioLine.objects.filter(booking=booking, kind=DISCOUNT_KIND).first()
    pct = m.tier.discount_percent if (m and m.is_active and m.tier_id) else ZERO
    rooms = (
        FolioLine.objects.filter(booking=booking, kind=LineKind.ROOM).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    amount = (rooms * pct / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount <= 0:
        if line is not None:
            line.delete()
        return None
    description = _("Member discount: %(tier)s, %(pct)s%%") % {
        "tier": m.tier.display_name,
        "pct": format(pct.normalize(), "f"),
    }
    if line is None:
        return FolioLine.objects.create(
            booking=booking,
            kind=DISCOUNT_KIND,
            amount=amount,
            description=description[:200],
            posted_by=_u(actor),
        )
    if line.amount != amount:
        line.amount, line.description = amount, description[:200]
        line.save(update_fields=["amount", "description"])
    return line


def stay_settle(*, booking, actor=None) -> MemberStay | None:
    """At check-out: record the member's settled stay and earn its points. Idempotent per booking."""
    m = membership_for_booking(booking)
    if m is None or not m.is_active:
        return None
    if MemberStay.objects.filter(booking=booking).exists():
        return None
    spend, by_category = _stay_spend(booking)
    today = local_today(booking.property)
    stay = MemberStay.objects.create(
        membership=m,
        booking=booking,
        property=booking.property,
        settled_on=today,
        nights=booking.nights,
        spend=spend,
    )
    points_earn(
        membership=m, spend_by_category=by_category, booking=booking, property=booking.property, today=today
    )
    return stay


# ------------------------------------------------------------------ offers and vouchers


def may_manage_offers(actor) -> bool:
    """Offers are the group's (a voucher is good at every hotel): marketing sets them up."""
    from pms.permissions import has_capability_anywhere

    return has_capability_anywhere(actor, Capability.MARKETING)


def offer_problems(*, kind, value, min_spend, valid_days) -> dict[str, list[str]]:
    """What is wrong with an offer's terms, by field (the screen's form asks the same)."""
    problems: dict[str, list[str]] = {}
    if value is None or value <= 0:
        problems["value"] = [_("The value must be more than zero.")]
    elif kind == Offer.Kind.PERCENT and value > 100:
        problems["value"] = [_("A percentage is at most 100.")]
    if min_spend is not None and min_spend < 0:
        problems["min_spend"] = [_("The minimum spend cannot be negative.")]
    if not valid_days or valid_days < 1:
        problems["valid_days"] = [_("A voucher must be valid for at least one day.")]
    return problems


def offer_save(*, actor, offer: Offer) -> Offer:
    """Create or change an offer. Vouchers already issued keep their validity dates; a changed value
    or condition applies to every unredeemed voucher of the offer from now on."""
    if not may_manage_offers(actor):
        raise PermissionDenied(_("Offers are set up by marketing."))
    problems = offer_problems(
        kind=offer.kind, value=offer.value, min_spend=offer.min_spend, valid_days=offer.valid_days
    )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        offer.full_clean()
        offer.save()
    return offer


def voucher_issue(
    *,
    actor,
    membership: Membership,
    offer: Offer,
    source: str = Voucher.Source.MANUAL,
    today: date | None = None,
    campaign=None,
    birthday_year: int | None = None,
) -> Voucher:
    if not offer.is_active:
        raise ValidationError({"offer": [_("This offer is no longer active.")]})
    today = today or timezone.localdate()
    with transaction.atomic():
        return Voucher.objects.create(
            offer=offer,
            membership=membership,
            source=source,
            valid_from=today,
            valid_until=today + timedelta(days=offer.valid_days),
            campaign=campaign,
            birthday_year=birthday_year,
        )


def voucher_redeem(*, actor, booking, code: str):
    """Redeem a voucher once, on the folio of a checked-in member's booking: a discount line."""
    from reservations.models import BookingStatus, FolioLine, LineKind
    from reservations.services import folio_balance

    code = re.sub(r"[\s-]", "", (code or "").upper())
    with transaction.atomic():
        v = (
            Voucher.objects.select_for_update(of=("self",))
            .select_related("offer", "membership__tier")
            .filter(code=code)
            .first()
        )
        m = membership_for_booking(booking)
        if v is None or m is None or v.membership_id != m.pk:
            raise ValidationError({"code": [_("No voucher with this code belongs to this guest.")]})
        if v.redeemed_at is not None:
            raise ValidationError({"code": [_("This voucher has already been used.")]})
        today = local_today(booking.property)
        if not (v.valid_from <= today <= v.valid_until):
            raise ValidationError(
                {
                    "code": [
                        _("This voucher is not valid today (valid %(f)s to %(u)s).")
                        % {"f": v.valid_from, "u": v.valid_until}
                    ]
                }
            )
        if booking.status != BookingStatus.CHECKED_IN:
            raise ValidationError(_("A voucher is redeemed on the folio of a checked-in guest."))
        offer = v.offer
        if offer.min_tier_id and (m.tier is None or m.tier.rank < offer.min_tier.rank):
            raise ValidationError({"code": [_("This voucher needs a higher membership tier.")]})
        charges = (
            FolioLine.objects.filter(booking=booking)
            .exclude(kind__in=["cash", "card", "stored_value", "points", *CREDIT_KINDS, LineKind.PENALTY])
            .aggregate(s=Sum("amount"))["s"]
            or ZERO
        )
        if charges < offer.min_spend:
            raise ValidationError(
                {"code": [_("This voucher needs charges of at least %(min)s.") % {"min": offer.min_spend}]}
            )
        value = (
            (charges * offer.value / 100).quantize(CENT) if offer.kind == Offer.Kind.PERCENT else offer.value
        )
        value = min(value, max(folio_balance(booking=booking), ZERO))
        if value <= 0:
            raise ValidationError({"code": [_("Nothing is left to pay on this folio.")]})
        line = FolioLine.objects.create(
            booking=booking,
            kind=VOUCHER_KIND,
            amount=value,
            description=(_("Voucher: %(offer)s") % {"offer": offer.name})[:200],
            posted_by=_u(actor),
        )
        v.redeemed_at, v.redeemed_booking, v.redeemed_amount = timezone.now(), booking, value
        v.save(update_fields=["redeemed_at", "redeemed_booking", "redeemed_amount"])
    return line


def birthday_offers_issue(*, today: date | None = None) -> list[int]:
    """Members with a birthday in the next 7 days (today included) who consented to e-mail or SMS
    get this year's birthday voucher (once a year) and a message."""
    from guests.models import Guest

    today = today or timezone.localdate()
    offer = Offer.objects.filter(code=settings.MEMBERS_BIRTHDAY_OFFER_CODE, is_active=True).first()
    if offer is None:
        log.warning("birthday offers: no active offer %r", settings.MEMBERS_BIRTHDAY_OFFER_CODE)
        return []
    days = [today + timedelta(days=i) for i in range(7)]
    month_days = {d.strftime("%m-%d") for d in days}
    if "02-28" in month_days and not any(d.month == 2 and d.day == 29 for d in days):
        month_days.add("02-29")  # born on 29 February: celebrated on the 28th in other years
    guests = Guest.objects.filter(
        birth_month_day__in=month_days, erased_at__isnull=True, merged_into__isnull=True
    )
    members = Membership.objects.filter(guest__in=guests, status=MembershipStatus.ACTIVE).filter(
        Q(consent_email=True) | Q(consent_sms=True)
    )
    issued = []
    from .notices import send_voucher_message

    for m in members.select_related("guest"):
        year = today.year
        if m.guest.birth_month_day < today.strftime("%m-%d") and today.month == 12:
            year += 1  # a January birthday seen from late December belongs to next year
        with transaction.atomic():
            if Voucher.objects.filter(membership=m, birthday_year=year).exists():
                continue
            try:
                with transaction.atomic():
                    v = voucher_issue(
                        actor=None,
                        membership=m,
                        offer=offer,
                        source=Voucher.Source.BIRTHDAY,
                        today=today,
                        birthday_year=year,
                    )
            except IntegrityError:
                continue
            issued.append(v.pk)
            transaction.on_commit(lambda vid=v.pk: send_voucher_message.delay(vid))
    return issued


# ------------------------------------------------------------------ segments and campaigns


def segment_save(*, actor, name: str, criteria: dict) -> Segment:
    from .segments import clean_criteria

    if not has_capability(actor, Capability.SEGMENT_QUERIES):
        raise PermissionDenied
    if not (name or "").strip():
        raise ValidationError({"name": [_("Give the segment a name.")]})
    criteria = clean_criteria(criteria)
    with transaction.atomic():
        return Segment.objects.create(name=name.strip()[:100], criteria=criteria, created_by=_u(actor))


def has_capability(actor, capability) -> bool:
    from pms.permissions import has_capability_anywhere

    return has_capability_anywhere(actor, capability)


def campaign_create(
    *,
    actor,
    segment: Segment,
    name: str,
    channel: str,
    body: str,
    subject: str = "",
    offer: Offer | None = None,
) -> Campaign:
    """Queue a campaign to the consenting members of a segment; sending runs in a Celery task."""
    from .segments import segment_queryset

    if not has_capability(actor, Capability.MARKETING):
        raise PermissionDenied
    if channel not in MessageChannel.values:
        raise ValidationError({"channel": [_("Choose e-mail or SMS.")]})
    if not (body or "").strip():
        raise ValidationError({"body": [_("Write the message.")]})
    if not (name or "").strip():
        raise ValidationError({"name": [_("Give the campaign a name.")]})
    consent = {"consent_email": True} if channel == MessageChannel.EMAIL else {"consent_sms": True}
    with transaction.atomic():
        ids = list(
            segment_queryset(actor, segment.criteria)
            .filter(status=MembershipStatus.ACTIVE, **consent)
            .values_list("pk", flat=True)
        )
        if not ids:
            raise ValidationError(
                _("No member of this segment has agreed to receive messages by this channel.")
            )
        campaign = Campaign.objects.create(
            name=name.strip()[:100],
            segment=segment,
            channel=channel,
            subject=subject[:150],
            body=body,
            offer=offer,
            total=len(ids),
            created_by=_u(actor),
        )
        CampaignRecipient.objects.bulk_create(
            [CampaignRecipient(campaign=campaign, membership_id=i) for i in ids]
        )
    return campaign


def campaign_send(*, campaign_id: int, batch: int = 200) -> Campaign:
    """Send to every pending recipient (resumable: a recipient is marked in the batch that sends it)."""
    from . import messaging

    Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.QUEUED).update(
        status=Campaign.Status.SENDING
    )
    campaign = Campaign.objects.select_related("offer").get(pk=campaign_id)
    while True:
        with transaction.atomic():
            rows = list(
                CampaignRecipient.objects.select_for_update(skip_locked=True)
                .filter(campaign=campaign, status=CampaignRecipient.Status.PENDING)
                .select_related("membership__guest")[:batch]
            )
            if not rows:
                break
            sent = failed = 0
            for r in rows:
                m = r.membership
                consented = m.consent_email if campaign.channel == MessageChannel.EMAIL else m.consent_sms
                voucher = None
                if consented and m.is_active and campaign.offer_id:
                    voucher = voucher_issue(
                        actor=None,
                        membership=m,
                        offer=campaign.offer,
                        source=Voucher.Source.CAMPAIGN,
                        campaign=campaign,
                    )
                ok = (
                    consented
                    and m.is_active
                    and messaging.send_to_member(
                        m,
                        channel=campaign.channel,
                        subject=campaign.subject,
                        body=campaign.body,
                        voucher=voucher,
                    )
                )
                r.status = CampaignRecipient.Status.SENT if ok else CampaignRecipient.Status.FAILED
                r.voucher, r.sent_at = voucher, timezone.now()
                r.save(update_fields=["status", "voucher", "sent_at"])
                sent += bool(ok)
                failed += not ok
            Campaign.objects.filter(pk=campaign.pk).update(sent=F("sent") + sent, failed=F("failed") + failed)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DONE, finished_at=timezone.now())
    campaign.refresh_from_db()
    return campaign


def membership_unsubscribe(*, token: str) -> Membership:
    """The public unsubscribe link: withdraw consent for the channel the message came by."""
    from .tokens import unsubscribe_claim

    data = unsubscribe_claim(token)
    if data is None:
        raise ValidationError(_("This unsubscribe link is not valid."))
    with transaction.atomic():
        m = Membership.objects.select_for_update().filter(pk=data.get("m")).first()
        if m is None:
            raise ValidationError(_("This unsubscribe link is not valid."))
        field = "consent_sms" if data.get("c") == MessageChannel.SMS else "consent_email"
        setattr(m, field, False)
        m.save(update_fields=[field])
    return m


# ------------------------------------------------------------------ feedback

KEYWORDS: dict[str, tuple[str, ...]] = {
    FeedbackCategory.CLEANLINESS: (
        "dirty",
        "clean",
        "dust",
        "stain",
        "hair",
        "smell",
        "脏",
        "干净",
        "灰",
        "污",
        "头发",
        "异味",
        "卫生",
    ),
    FeedbackCategory.ROOM: (
        "room",
        "bed",
        "noise",
        "noisy",
        "air con",
        "shower",
        "view",
        "房间",
        "床",
        "噪音",
        "吵",
        "空调",
        "淋浴",
        "窗",
    ),
    FeedbackCategory.FOOD: (
        "breakfast",
        "restaurant",
        "food",
        "dinner",
        "coffee",
        "drink",
        "早餐",
        "餐厅",
        "饭",
        "菜",
        "咖啡",
        "饮料",
    ),
    FeedbackCategory.BILLING: (
        "bill",
        "charge",
        "invoice",
        "refund",
        "price",
        "overcharged",
        "账单",
        "收费",
        "发票",
        "退款",
        "价格",
        "多收",
    ),
    FeedbackCategory.SERVICE: (
        "staff",
        "rude",
        "service",
        "slow",
        "friendly",
        "reception",
        "服务",
        "员工",
        "态度",
        "前台",
        "热情",
        "慢",
    ),
}


def feedback_classify(text: str) -> str:
    """The category whose keywords occur most often in the text (ties: the order above); other."""
    lowered = (text or "").lower()
    best, hits = FeedbackCategory.OTHER, 0
    for category, words in KEYWORDS.items():
        n = sum(lowered.count(w) for w in words)
        if n > hits:
            best, hits = category, n
    return str(best)


def feedback_create(
    *, actor, property, text: str, source: str, guest=None, booking=None, category: str | None = None
) -> Feedback:
    if not (text or "").strip():
        raise ValidationError({"text": [_("Write down what the guest said.")]})
    if source not in Feedback.Source.values:
        raise ValidationError({"source": [_("Choose where the feedback came from.")]})
    suggested = feedback_classify(text)
    category = category or suggested
    if category not in FeedbackCategory.values:
        raise ValidationError({"category": [_("Choose a category.")]})
    with transaction.atomic():
        return Feedback.objects.create(
            property=property,
            guest=guest,
            booking=booking,
            source=source,
            text=text.strip(),
            suggested_category=suggested,
            category=category,
            department=CATEGORY_DEPARTMENT[category],
            due_at=timezone.now() + timedelta(hours=settings.MEMBERS_FEEDBACK_REPLY_HOURS),
            created_by=_u(actor),
        )


def feedback_update(
    *, actor, feedback: Feedback, status: str | None = None, reply: str = "", category: str | None = None
) -> Feedback:
    with transaction.atomic():
        f = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if category:
            if category not in FeedbackCategory.values:
                raise ValidationError({"category": [_("Choose a category.")]})
            f.category, f.department = category, CATEGORY_DEPARTMENT[category]
        if status:
            if status not in Feedback.Status.values:
                raise ValidationError({"status": [_("Choose a status.")]})
            if status == Feedback.Status.REPLIED and not (reply or f.reply).strip():
                raise ValidationError({"reply": [_("Write the reply before marking it replied.")]})
            f.status = status
        if reply.strip():
            f.reply = reply.strip()
            f.replied_at = f.replied_at or timezone.now()
            if f.status in (Feedback.Status.NEW, Feedback.Status.IN_PROGRESS) and not status:
                f.status = Feedback.Status.REPLIED
        f.save()
    return f


def today_of(dt: datetime | None) -> date:
    return timezone.localdate(dt) if dt else timezone.localdate()
