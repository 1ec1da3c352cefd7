"""Every read of member data: takes `actor`, checks the right, records the access event in the same
transaction, returns data with contact data masked. A member is visible wherever their guest profile
is (`guests.access.profile_level`); otherwise the membership does not exist for the actor (404, and a
denied event). Segments, churn and exports answer marketing and supervisors with masked rows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.http import Http404
from django.utils import timezone

from audit.models import Action, Outcome
from audit.services import access_record
from pms.crypto import criterion, mask_email, mask_name, mask_phone
from pms.permissions import has_capability_anywhere, has_property_perm
from pms.roles import Capability

from .models import (
    ZERO,
    ApprovalState,
    CampaignRecipient,
    Feedback,
    Membership,
    MemberStay,
    PointsEntry,
    StoredValueAdjustment,
    StoredValueEntry,
    StoredValueKind,
    Tier,
)

TARGET = "membership"
STATEMENT_ROWS = 50


def _denied(actor, target_type, target_id, prop, action=Action.VIEW):
    with transaction.atomic():
        access_record(
            actor=actor,
            action=Action.DENIED,
            target_type=target_type,
            target_ids=[target_id] if target_id else [],
            criteria={"attempted": action},
            outcome=Outcome.DENIED,
            property=prop,
        )


def level_for(actor, membership: Membership, prop) -> str | None:
    from guests.access import profile_level

    level, _grant = profile_level(actor, membership.guest, prop)
    return level


def membership_or_404(actor, membership_id, prop, action=Action.VIEW) -> tuple[Membership, str]:
    """The membership and the actor's level, or a denied event and 404."""
    m = Membership.objects.select_related("guest", "tier").filter(pk=membership_id).first()
    level = level_for(actor, m, prop) if m is not None else None
    if level is None:
        _denied(actor, TARGET, membership_id, prop, action)
        raise Http404("No such member")
    return m, level


@dataclass
class MemberRow:
    """A member as lists show it: name, card and contact masked."""

    id: str
    card_masked: str
    name_masked: str
    email_masked: str
    phone_masked: str
    tier: str
    status: str
    joined_on: date
    points_balance: int
    stored_value_balance: Decimal

    @classmethod
    def of(cls, m: Membership) -> MemberRow:
        g = m.guest
        return cls(
            id=str(m.pk),
            card_masked=m.masked_card,
            name_masked=mask_name(g.display_name),
            email_masked=mask_email(g.email) if g.email else "",
            phone_masked=mask_phone(g.phone) if g.phone else "",
            tier=m.tier.display_name if m.tier_id else "",
            status=m.status,
            joined_on=m.joined_on,
            points_balance=m.points_balance,
            stored_value_balance=m.stored_value_balance,
        )


@dataclass
class MemberDetail:
    membership: Membership
    level: str
    row: MemberRow
    points: list = field(default_factory=list)
    stored_value: list = field(default_factory=list)
    vouchers: list = field(default_factory=list)
    tier_changes: list = field(default_factory=list)
    pending: list = field(default_factory=list)
    next_tier: Tier | None = None
    spend_12m: Decimal = ZERO
    nights_12m: int = 0


def statement(m: Membership) -> dict:
    """Balances and the latest statement lines (no access event: callers record it)."""
    from .services import window_start

    today = timezone.localdate()
    agg = MemberStay.objects.filter(
        membership=m, settled_on__gte=window_start(today), settled_on__lte=today
    ).aggregate(s=Sum("spend"), n=Sum("nights"))
    return {
        "points": list(PointsEntry.objects.filter(membership=m).order_by("-id")[:STATEMENT_ROWS]),
        "stored_value": list(
            StoredValueEntry.objects.filter(membership=m)
            .select_related("property")
            .order_by("-id")[:STATEMENT_ROWS]
        ),
        "vouchers": list(m.vouchers.select_related("offer").order_by("-created_at")[:20]),
        "tier_changes": list(m.tier_changes.select_related("from_tier", "to_tier")[:10]),
        "spend_12m": agg["s"] or ZERO,
        "nights_12m": agg["n"] or 0,
    }


def member_detail(*, actor, membership_id, property, action: str = Action.VIEW) -> MemberDetail:
    m, level = membership_or_404(actor, membership_id, property, action)
    with transaction.atomic():
        d = MemberDetail(membership=m, level=level, row=MemberRow.of(m), **statement(m))
        d.next_tier = (
            Tier.objects.filter(is_active=True, rank__gt=m.tier.rank if m.tier_id else -1)
            .order_by("rank")
            .first()
        )
        d.pending = list(
            StoredValueAdjustment.objects.filter(membership=m, state=ApprovalState.PENDING).select_related(
                "requested_by"
            )
        )
        access_record(
            actor=actor,
            action=action,
            target_type=TARGET,
            target_ids=[m.pk],
            guest_ids=[m.guest_id],
            property=property,
        )
    return d


LEDGER_PAGE_MAX = 200


def member_ledger(*, actor, membership_id, property, ledger: str, before: int | None = None, limit: int = 50):
    """One page of a member's points or stored-value ledger, newest first: entries older than the
    entry id `before` (the first page when None), at most `limit`. Returns (entries, next_before);
    next_before is None on the last page. Recorded as a view of the member."""
    model = {"points": PointsEntry, "stored_value": StoredValueEntry}[ledger]
    m, _level = membership_or_404(actor, membership_id, property)
    limit = max(1, min(limit, LEDGER_PAGE_MAX))
    qs = model.objects.filter(membership=m)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    with transaction.atomic():
        rows = list(qs.order_by("-id")[: limit + 1])
        access_record(
            actor=actor,
            action=Action.VIEW,
            target_type=TARGET,
            target_ids=[m.pk],
            guest_ids=[m.guest_id],
            criteria={"ledger": ledger},
            property=property,
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more else None)


def member_for_guest(*, actor, guest_id, property):
    """The guest (masked) and their membership, if any, for the enrol screen; 404 when not visible."""
    from guests.access import profile_level
    from guests.models import Guest

    guest = Guest.objects.filter(pk=guest_id).first()
    level = profile_level(actor, guest, property)[0] if guest is not None else None
    if level is None:
        _denied(actor, "guest", guest_id, property)
        raise Http404("No such guest")
    with transaction.atomic():
        m = Membership.objects.filter(guest=guest).first()
        access_record(
            actor=actor,
            action=Action.VIEW,
            target_type="guest",
            target_ids=[guest.pk],
            guest_ids=[guest.pk],
            property=property,
        )
    return {"guest": guest, "name_masked": mask_name(guest.display_name), "membership": m}


def member_list(*, actor, property, card_number: str = "", limit: int = 50) -> list[MemberRow]:
    """Members the actor can see at the property (guests linked to it), newest first; an exact card
    number narrows it (recorded masked and blind-indexed)."""
    from guests.access import visible_guests

    if not has_property_perm(actor, Capability.VIEW_GUEST_BASIC, property):
        _denied(actor, TARGET, None, property, Action.SEARCH)
        raise Http404("Not available")
    qs = Membership.objects.filter(guest__in=visible_guests(actor, property)).select_related("guest", "tier")
    crit: dict = {"property": property.code}
    card = "".join((card_number or "").split())
    if card:
        qs = qs.filter(card_number=card)
        crit["card_number"] = criterion("card_number", card)
    with transaction.atomic():
        members = list(qs.order_by("-created_at")[:limit])
        access_record(
            actor=actor,
            action=Action.SEARCH,
            target_type=TARGET,
            target_ids=[m.pk for m in members],
            guest_ids=[m.guest_id for m in members],
            criteria=crit,
            property=property,
        )
    return [MemberRow.of(m) for m in members]


# ------------------------------------------------------------------ segments, churn, exports


@dataclass
class SegmentPreview:
    count: int
    consenting_email: int
    consenting_sms: int
    sample: list[MemberRow]


def _require(actor, capability):
    if not has_capability_anywhere(actor, capability):
        _denied(actor, "segment", None, None, Action.SEARCH)
        raise Http404("Not available")


def member_statement_export(*, actor, membership_id, property) -> tuple[Membership, list[tuple]]:
    """Every entry of a member's points and stored-value ledgers, oldest first, for a full
    statement (the member page shows the latest). Recorded as an export with its row count."""
    m, _level = membership_or_404(actor, membership_id, property, Action.EXPORT)
    with transaction.atomic():
        rows = [
            ("points", e.created_at, e.get_kind_display(), e.reason, e.points, e.balance_after)
            for e in PointsEntry.objects.filter(membership=m).order_by("id")
        ] + [
            ("stored_value", e.created_at, e.get_kind_display(), e.reason, e.amount, e.balance_after)
            for e in StoredValueEntry.objects.filter(membership=m).order_by("id")
        ]
        access_record(
            actor=actor,
            action=Action.EXPORT,
            target_type=TARGET,
            target_ids=[m.pk],
            guest_ids=[m.guest_id],
            criteria={"rows": len(rows), "what": "statement"},
            property=property,
        )
    return m, rows


def segment_preview(*, actor, criteria: dict, sample_size: int = 10) -> SegmentPreview:
    from .segments import clean_criteria, roomy, segment_summary

    _require(actor, Capability.SEGMENT_QUERIES)
    c = clean_criteria(criteria)
    with transaction.atomic():
        with connection.cursor() as cur:
            roomy(cur)
        n, by_email, by_sms, ids = segment_summary(actor, c, sample_size)
        order = {pk: i for i, pk in enumerate(ids)}
        sample = sorted(
            Membership.objects.filter(pk__in=ids).select_related("guest", "tier"), key=lambda m: order[m.pk]
        )
        access_record(
            actor=actor,
            action=Action.SEARCH,
            target_type=TARGET,
            target_ids=[m.pk for m in sample],
            guest_ids=[m.guest_id for m in sample],
            criteria={"segment": c, "count": n},
        )
    return SegmentPreview(n, by_email, by_sms, [MemberRow.of(m) for m in sample])


def segment_count(*, actor, criteria: dict) -> int:
    """The count alone (an aggregate: no member is named, still recorded as a search)."""
    from .segments import clean_criteria, roomy
    from .segments import segment_count as count

    _require(actor, Capability.SEGMENT_QUERIES)
    c = clean_criteria(criteria)
    with transaction.atomic():
        with connection.cursor() as cur:
            roomy(cur)
        n = count(actor, c)
        access_record(
            actor=actor, action=Action.SEARCH, target_type="segment", criteria={"segment": c, "count": n}
        )
    return n


def segment_export(*, actor, segment) -> list[MemberRow]:
    """The segment's members, masked, for the supervisor; recorded as an export with its row count."""
    from .segments import segment_queryset

    if not has_capability_anywhere(actor, Capability.EXPORT_DATA):
        _denied(actor, "segment", segment.pk, None, Action.EXPORT)
        raise Http404("Not available")
    with transaction.atomic():
        members = list(
            segment_queryset(actor, segment.criteria).select_related("guest", "tier").order_by("card_number")
        )
        access_record(
            actor=actor,
            action=Action.EXPORT,
            target_type="segment",
            target_ids=[segment.pk],
            guest_ids=[m.guest_id for m in members],
            criteria={"segment": segment.criteria, "rows": len(members)},
        )
    return [MemberRow.of(m) for m in members]


@dataclass
class ChurnResult:
    churned: int
    by_tier: list[tuple[str, int]]
    by_month: list[tuple[str, int]]
    contacted: int
    won_back: int
    rows: list[MemberRow]

    @property
    def won_back_share(self) -> float:
        return round(100.0 * self.won_back / self.churned, 1) if self.churned else 0.0


def churn_ids(*, actor, period_from: date, period_to: date, min_stays: int, months: int):
    """Members with at least `min_stays` stays in the period and none in the `months` after it."""
    from .segments import segment_properties

    props = segment_properties(actor)
    stays = MemberStay.objects.all()
    if props is not None:
        stays = stays.filter(property__in=props)
    after_end = period_to + relativedelta(months=months)
    active = (
        stays.filter(settled_on__gte=period_from, settled_on__lte=period_to)
        .values("membership_id")
        .annotate(k=Count("id"), last=Max("settled_on"))
        .filter(k__gte=max(1, min_stays))
    )
    came_back = stays.filter(settled_on__gt=period_to, settled_on__lte=after_end).values("membership_id")
    return active.exclude(membership_id__in=came_back)


def churn_analysis(
    *, actor, period_from: date, period_to: date, min_stays: int, months: int, list_size: int = 50
) -> ChurnResult:
    _require(actor, Capability.SEGMENT_QUERIES)
    if period_from > period_to or months < 1:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(_("Choose a period that ends after it starts and at least one month after it."))
    with transaction.atomic():
        rows = list(
            churn_ids(
                actor=actor, period_from=period_from, period_to=period_to, min_stays=min_stays, months=months
            )
        )
        ids = [r["membership_id"] for r in rows]
        members = {m.pk: m for m in Membership.objects.filter(pk__in=ids).select_related("tier", "guest")}
        by_tier: dict[str, int] = {}
        by_month: dict[str, int] = {}
        for r in rows:
            m = members[r["membership_id"]]
            key = m.tier.display_name if m.tier_id else "-"
            by_tier[key] = by_tier.get(key, 0) + 1
            month = r["last"].strftime("%Y-%m")
            by_month[month] = by_month.get(month, 0) + 1
        # Won back: reached by a campaign after the period, and stayed after that message.
        first_sent = dict(
            CampaignRecipient.objects.filter(
                membership_id__in=ids, status=CampaignRecipient.Status.SENT, sent_at__date__gt=period_to
            )
            .values("membership_id")
            .annotate(first=Min("sent_at"))
            .values_list("membership_id", "first")
        )
        won = 0
        for mid, sent_at in first_sent.items():
            if MemberStay.objects.filter(
                membership_id=mid, settled_on__gte=timezone.localdate(sent_at)
            ).exists():
                won += 1
        listed = [members[i] for i in ids[:list_size]]
        access_record(
            actor=actor,
            action=Action.SEARCH,
            target_type=TARGET,
            target_ids=[m.pk for m in listed],
            guest_ids=[m.guest_id for m in listed],
            criteria={
                "churn": {
                    "from": period_from.isoformat(),
                    "to": period_to.isoformat(),
                    "min_stays": min_stays,
                    "months": months,
                },
                "count": len(ids),
            },
        )
    return ChurnResult(
        churned=len(ids),
        by_tier=sorted(by_tier.items()),
        by_month=sorted(by_month.items()),
        contacted=len(first_sent),
        won_back=won,
        rows=[MemberRow.of(m) for m in listed],
    )


# ------------------------------------------------------------------ reconciliation (aggregates)


@dataclass
class ReconciliationRow:
    day: date
    opening: Decimal
    movements: dict
    closing: Decimal

    @property
    def balanced(self) -> bool:
        return self.opening + sum(self.movements.values(), ZERO) == self.closing


def stored_value_reconciliation(*, actor, property, day: date) -> dict:
    """Opening balance + the day's movements by kind = closing balance, for the stored value taken
    and spent at this property; and the group check: the sum of all members' balances equals the
    whole ledger. Aggregates only, no member named."""
    if not has_property_perm(actor, Capability.VIEW_REPORTS, property):
        raise Http404("Not available")
    tz = property.tz  # the hotel's day, not the server's
    from datetime import datetime, time

    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    end = start + timedelta(days=1)
    here = StoredValueEntry.objects.filter(property=property)
    opening = here.filter(created_at__lt=start).aggregate(s=Sum("amount"))["s"] or ZERO
    moves = dict.fromkeys(StoredValueKind.values, ZERO)
    for kind, total in (
        here.filter(created_at__gte=start, created_at__lt=end)
        .values_list("kind")
        .annotate(s=Sum("amount"))
        .values_list("kind", "s")
    ):
        moves[kind] = total or ZERO
    closing = here.filter(created_at__lt=end).aggregate(s=Sum("amount"))["s"] or ZERO
    ledger_total = StoredValueEntry.objects.aggregate(s=Sum("amount"))["s"] or ZERO
    balances_total = Membership.objects.aggregate(s=Sum("stored_value_balance"))["s"] or ZERO
    return {
        "row": ReconciliationRow(day, opening, moves, closing),
        "group_ledger": ledger_total,
        "group_balances": balances_total,
        "group_ok": ledger_total == balances_total,
    }


# ------------------------------------------------------------------ feedback


def feedback_queue(*, actor, property, department: str = "", overdue_only: bool = False) -> list[Feedback]:
    if not has_property_perm(actor, Capability.VIEW_GUEST_BASIC, property):
        _denied(actor, "feedback", None, property, Action.VIEW)
        raise Http404("Not available")
    qs = Feedback.objects.filter(property=property).exclude(status=Feedback.Status.CLOSED)
    if department:
        qs = qs.filter(department=department)
    if overdue_only:
        qs = qs.filter(
            status__in=[Feedback.Status.NEW, Feedback.Status.IN_PROGRESS], due_at__lt=timezone.now()
        )
    with transaction.atomic():
        items = list(qs.select_related("guest").order_by("due_at")[:200])
        access_record(
            actor=actor,
            action=Action.VIEW,
            target_type="feedback",
            target_ids=[f.pk for f in items],
            guest_ids=[f.guest_id for f in items if f.guest_id],
            property=property,
            criteria={"department": department, "overdue": overdue_only},
        )
    for f in items:
        f.guest_masked = mask_name(f.guest.display_name) if f.guest_id else ""
    return items


def feedback_detail(*, actor, feedback_id, property) -> Feedback:
    f = Feedback.objects.filter(pk=feedback_id, property=property).select_related("guest").first()
    if f is None or not has_property_perm(actor, Capability.VIEW_GUEST_BASIC, property):
        _denied(actor, "feedback", feedback_id, property)
        raise Http404("No such feedback")
    with transaction.atomic():
        access_record(
            actor=actor,
            action=Action.VIEW,
            target_type="feedback",
            target_ids=[f.pk],
            guest_ids=[f.guest_id] if f.guest_id else [],
            property=property,
        )
    f.guest_masked = mask_name(f.guest.display_name) if f.guest_id else ""
    return f


def overdue_count(actor, property) -> int:
    return Feedback.objects.filter(
        property=property,
        status__in=[Feedback.Status.NEW, Feedback.Status.IN_PROGRESS],
        due_at__lt=timezone.now(),
    ).count()


# ------------------------------------------------------------------ offers (group configuration)


def offers_overview():
    """Every offer with how many vouchers were issued and redeemed (no member data)."""
    from django.db.models import Count

    from .models import Offer

    return list(
        Offer.objects.select_related("min_tier").annotate(
            issued=Count("vouchers"),
            redeemed=Count("vouchers", filter=Q(vouchers__redeemed_at__isnull=False)),
        )
    )


def offer_for_change(*, actor, code):
    """The offer marketing changes, else 404 (for anybody else too)."""
    from .models import Offer
    from .services import may_manage_offers

    offer = Offer.objects.filter(code=code).first() if may_manage_offers(actor) else None
    if offer is None:
        raise Http404("No such offer")
    return offer
