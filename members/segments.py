"""Segment criteria and the queries behind them: members by spend, nights and stays in a period,
tier, preference tags, last stay before/after a date, property and birthday month ("spent over
5,000 in 2023" is `{"period_from": "2023-01-01", "period_to": "2023-12-31", "spend_over": "5000"}`).

Spend, nights and stays come from `MemberStay` (one row per settled stay), aggregated with a
covering index over (settled_on, membership, spend, nights). A user whose segment right is limited
to some properties sees only members enrolled or staying there, and only those stays count.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from pms.permissions import active_memberships, properties_for
from pms.roles import Capability, capabilities_of

from .models import Membership, MemberStay, Tier

DATE_KEYS = ("period_from", "period_to", "last_stay_before", "last_stay_after")
MONEY_KEYS = ("spend_over", "spend_under")
INT_KEYS = ("nights_min", "stays_min", "birthday_month")
LIST_KEYS = ("tiers", "tags")
KEYS = (*DATE_KEYS, *MONEY_KEYS, *INT_KEYS, *LIST_KEYS, "property")


def clean_criteria(raw: dict) -> dict:
    """Validated criteria as JSON-ready values; unknown keys and blanks dropped."""
    out: dict = {}
    errors: dict[str, list[str]] = {}
    for key in KEYS:
        value = raw.get(key)
        if value in (None, "", []):
            continue
        try:
            if key in DATE_KEYS:
                out[key] = (value if isinstance(value, date) else date.fromisoformat(str(value))).isoformat()
            elif key in MONEY_KEYS:
                amount = Decimal(str(value))
                if amount < 0:
                    raise ValueError
                out[key] = str(amount)
            elif key in INT_KEYS:
                n = int(value)
                if n < 0 or (key == "birthday_month" and not 1 <= n <= 12):
                    raise ValueError
                out[key] = n
            elif key in LIST_KEYS:
                items = value if isinstance(value, list | tuple) else str(value).split(",")
                out[key] = sorted({str(i).strip() for i in items if str(i).strip()})
            else:
                out[key] = str(value).strip()
        except (ValueError, TypeError, InvalidOperation):
            errors[key] = [_("This value is not valid.")]
    if out.get("period_from") and out.get("period_to") and out["period_from"] > out["period_to"]:
        errors["period_to"] = [_("The period ends before it starts.")]
    if errors:
        raise ValidationError(errors)
    return out


def segment_properties(actor) -> list | None:
    """None when the actor's segment right is group-wide, else the properties it covers."""
    if any(
        m.property_id is None and Capability.SEGMENT_QUERIES in capabilities_of(m.role)
        for m in active_memberships(actor)
    ):
        return None
    return properties_for(actor, Capability.SEGMENT_QUERIES)


def _stays_in_period(stays, c: dict):
    """The stays of the criteria's period, and the condition on their per-member aggregate
    (s: spend, n: nights, k: stays)."""
    if c.get("period_from"):
        stays = stays.filter(settled_on__gte=c["period_from"])
    if c.get("period_to"):
        stays = stays.filter(settled_on__lte=c["period_to"])
    having = Q()
    if "spend_over" in c:
        having &= Q(s__gt=Decimal(c["spend_over"]))
    if "spend_under" in c:
        having &= Q(s__lt=Decimal(c["spend_under"]))
    if c.get("nights_min"):
        having &= Q(n__gte=c["nights_min"])
    if c.get("stays_min"):
        having &= Q(k__gte=c["stays_min"])
    return stays, having


def _qualifying(period, having):
    """Per member: spend (s), nights (n) and stays (k) in the period, kept where `having` holds."""
    return (
        period.values("membership_id").annotate(s=Sum("spend"), n=Sum("nights"), k=Count("id")).filter(having)
    )


def segment_queryset(actor, criteria: dict):
    c = clean_criteria(criteria)
    props = segment_properties(actor)
    qs = Membership.objects.all()
    stays = MemberStay.objects.all()
    if props is not None:
        stays = stays.filter(property__in=props)
        qs = qs.filter(Q(enrolled_property__in=props) | Q(pk__in=stays.values("membership_id")))
    if c.get("property"):
        stays = stays.filter(property__code=c["property"])
        qs = qs.filter(Q(enrolled_property__code=c["property"]) | Q(pk__in=stays.values("membership_id")))
    period, having = _stays_in_period(stays, c)
    if having:
        if "spend_under" in c and not any(k in c for k in ("spend_over", "nights_min", "stays_min")):
            # "spent under X" includes members who spent nothing in the period
            qs = qs.exclude(
                pk__in=period.values("membership_id")
                .annotate(s=Sum("spend"))
                .filter(s__gte=Decimal(c["spend_under"]))
                .values("membership_id")
            )
        else:
            qs = qs.filter(pk__in=_qualifying(period, having).values("membership_id"))
    if c.get("last_stay_before") or c.get("last_stay_after"):
        last = stays.values("membership_id").annotate(last=Max("settled_on"))
        if c.get("last_stay_before"):
            last = last.filter(last__lt=c["last_stay_before"])
        if c.get("last_stay_after"):
            last = last.filter(last__gt=c["last_stay_after"])
        qs = qs.filter(pk__in=last.values("membership_id"))
    if c.get("tiers"):
        qs = qs.filter(tier__in=Tier.objects.filter(code__in=c["tiers"]))
    if c.get("tags"):
        qs = qs.filter(guest__tags__code__in=c["tags"]).distinct()
    if c.get("birthday_month"):
        qs = qs.filter(guest__birth_month_day__startswith=f"{c['birthday_month']:02d}-")
    return qs


STAY_ONLY = {"period_from", "period_to", "spend_over", "nights_min", "stays_min"}
ROOMY = "SET LOCAL work_mem = '64MB'; SET LOCAL max_parallel_workers_per_gather = 0"


def roomy(cursor) -> None:
    """Inside the caller's transaction: memory enough for the stay aggregate to stay out of temporary
    files, and no parallel plan (on a couple of cores, the parallel hash join built the aggregate
    once per worker, three times the work)."""
    cursor.execute(ROOMY)


def segment_count(actor, criteria: dict) -> int:
    """The number of members in the segment. "Spent over X in a period" (and nights and stays) for a
    group-wide user is counted straight from the stay aggregate: every stay belongs to a member, so
    the join to the members adds nothing but time."""
    c = clean_criteria(criteria)
    if (
        set(c) <= STAY_ONLY
        and c.keys() & {"spend_over", "nights_min", "stays_min"}
        and segment_properties(actor) is None
    ):
        return _qualifying(*_stays_in_period(MemberStay.objects.all(), c)).count()
    return segment_queryset(actor, c).count()


def segment_summary(actor, criteria: dict, sample_size: int) -> tuple[int, int, int, list]:
    """(members, consenting by e-mail, consenting by SMS, ids of the newest `sample_size`) in one
    statement: the segment is worked out once (a materialised CTE), not once per figure."""
    from django.db import connection

    qs = segment_queryset(actor, criteria).values("pk", "created_at", "consent_email", "consent_sms")
    inner, params = qs.query.sql_with_params()  # Django's SQL with its parameters kept apart
    # The only interpolation is the ORM's own statement; its values stay parameters.
    sql = f"""
        WITH seg (pk, created_at, consent_email, consent_sms) AS MATERIALIZED ({inner})
        SELECT count(*),
               count(*) FILTER (WHERE consent_email),
               count(*) FILTER (WHERE consent_sms),
               (SELECT array_agg(pk) FROM (SELECT pk FROM seg ORDER BY created_at DESC, pk LIMIT %s) AS newest)
          FROM seg
    """  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(sql, [*params, sample_size])
        n, by_email, by_sms, ids = cur.fetchone()
    return n, by_email, by_sms, list(ids or [])
