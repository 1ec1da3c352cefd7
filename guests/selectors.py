"""Every read of guest personal data: takes the actor, checks, records one access event in the same
transaction (fail closed: no event, no data), returns masked data unless a reveal was asked for.

    guest_search(*, actor, property, criteria, date_from=None, date_to=None) -> SearchResult
    guest_profile(*, actor, guest_id, property) -> GuestProfile
    guest_reveal(*, actor, guest_id, property, field, reason, document_id=None) -> str
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    F,
    FloatField,
    Func,
    OuterRef,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, JSONObject
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action, Outcome
from audit.services import access_record
from pms import crypto
from pms.permissions import has_property_perm, properties_for
from pms.roles import Capability

from . import access
from . import search as search_registry
from . import sections as section_registry
from .models import AccessGrant, DocumentType, GrantKind, GrantState, Guest, IdentityDocument
from .validators import normalise_phone

MAX_RESULTS = 50
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Built-in criteria: key -> masking kind for the audit trail.
BUILTIN_CRITERIA = {"id_number": "id_number", "phone": "phone", "email": "email", "name": "name"}
REVEAL_FIELDS = ("document", "phone", "email", "date_of_birth")
REVEAL_MIN_REASON = 5
FUZZY_THRESHOLD = 0.5  # word similarity for typos: 'jonson' ~ 'johnson' is 0.5


@dataclass(frozen=True)
class GuestRow:
    """One search hit, masked."""

    id: uuid.UUID
    name: str
    document_type: str
    document: str
    phone: str
    email: str
    nationality: str
    is_vip: bool
    openable: bool
    # For a hit the actor cannot open (an exact ID-document match from another hotel): the signed,
    # short-lived pass that lets the actor book the guest here (guests.access.document_pass).
    document_pass: str = ""


@dataclass
class SearchResult:
    rows: list[GuestRow]
    truncated: bool
    event_id: int


@dataclass
class GuestProfile:
    guest: Guest
    property: object
    level: str
    grant: AccessGrant | None
    can_reveal: bool
    can_request: bool
    sections: list[tuple[section_registry.ProfileSection, dict]] = field(default_factory=list)
    event_id: int | None = None

    @property
    def masked(self) -> dict:
        return masked_identity(self.guest)


def masked_identity(guest: Guest) -> dict:
    docs = sorted(guest.documents.all(), key=lambda d: (not d.is_primary, d.created_at))
    return {
        "name": guest.display_name,
        "documents": [
            {
                "id": d.pk,
                "dom_id": f"reveal-document-{d.pk}",
                "type": d.doc_type,
                "type_label": d.get_doc_type_display(),
                "number": crypto.mask_id_number(d.number),
                "issuing_country": d.issuing_country,
            }
            for d in docs
        ],
        "phone": crypto.mask_phone(guest.phone),
        "email": crypto.mask_email(guest.email),
        "birthday": guest.birth_month_day,
    }


# ------------------------------------------------------------------ search


def _name_filters(qs, query: str) -> list[tuple[object, str | None]]:
    """Querysets to try in order, each with the SQL to run before it (or None): the first that
    finds anyone wins. Chinese: bigram GIN index (+ LIKE recheck); a single character is the family
    name. Latin: a substring through the trigram index first; only when nothing matches, word
    similarity (typos: "jonson" finds Johnson), which is slower and looser."""
    text = " ".join((query or "").split())
    compact = text.replace(" ", "").lower()
    if _CJK.search(compact):
        if len(compact) == 1:
            return [(qs.filter(family_name=compact).order_by("given_name", "id"), None)]
        bigrams = sorted({compact[i : i + 2] for i in range(len(compact) - 1)})
        qs = qs.annotate(
            _bigrams=Func(
                F("family_name"),
                F("given_name"),
                function="guests_name_bigrams",
                output_field=ArrayField(TextField()),
            ),
            _compact=Func(
                F("family_name"), F("given_name"), function="guests_name_compact", output_field=TextField()
            ),
        )
        exact = qs.filter(
            _bigrams__contains=Cast(Value(bigrams), ArrayField(TextField())), _compact__contains=compact
        ).order_by("family_name", "given_name", "id")
        return [(exact, None)]
    lowered = text.lower()
    if len(lowered) < 3:
        raise ValidationError(
            {"name": [_("Type at least 3 letters of a Latin name (2 Chinese characters).")]}
        )
    qs = qs.annotate(
        _name=Func(F("family_name"), F("given_name"), function="guests_name_text", output_field=TextField())
    )
    # No ORDER BY here: with LIMIT 51 the bitmap heap scan stops early instead of visiting every
    # "smith" in the group; the rows found are ranked in Python (a common surname past 50 hits says
    # "narrow the search" anyway).
    substring = (
        qs.filter(_name__contains=lowered)
        .annotate(_sim=Func(F("_name"), Value(lowered), function="similarity", output_field=FloatField()))
        .order_by()
    )
    # The same for typos: unordered, so the heap scan stops at 51 rows instead of scoring every
    # candidate (about 4,000 for "mueller" over a million names, 20 ms); ranked in Python. Past 50
    # matches the page says "narrow the search", as for a common surname.
    fuzzy = (
        qs.filter(_name__trigram_word_similar=lowered)
        .annotate(
            _sim=Func(Value(lowered), F("_name"), function="word_similarity", output_field=FloatField())
        )
        .order_by()
    )
    return [(substring, None), (fuzzy, f"SET LOCAL pg_trgm.word_similarity_threshold = {FUZZY_THRESHOLD}")]


def _clean_criteria(criteria: dict) -> dict[str, str]:
    registered = {c.key: c for c in search_registry.registered()}
    cleaned: dict[str, str] = {}
    for key, value in (criteria or {}).items():
        value = (value or "").strip() if isinstance(value, str) else value
        if not value:
            continue
        if key not in BUILTIN_CRITERIA and key not in registered:
            raise ValidationError({key: [_("Unknown search criterion.")]})
        if key == "phone":
            try:
                value = normalise_phone(value)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from None
        cleaned[key] = value
    if not cleaned:
        raise ValidationError(
            {"__all__": [_("Give an ID number, a phone number, an e-mail address or a name to search for.")]}
        )
    return cleaned


def _audit_criteria(cleaned: dict, date_from, date_to) -> dict:
    kinds = {**BUILTIN_CRITERIA, **{c.key: c.kind for c in search_registry.registered()}}
    out: dict = {}
    for key, value in cleaned.items():
        kind = kinds.get(key)
        out[key] = crypto.criterion(kind, value) if kind else value
    if date_from:
        out["date_from"] = str(date_from)
    if date_to:
        out["date_to"] = str(date_to)
    return out


def guest_search(
    *,
    actor,
    property,
    criteria: dict,
    date_from: date | None = None,
    date_to: date | None = None,
) -> SearchResult:
    """Find guests; criteria are ANDed. An exact ID-document number finds the guest anywhere in the
    group (the guest hands the document over); every other criterion finds only guests linked to
    the property (see guests.access). At most 50 rows, masked, one access event."""
    cleaned = _clean_criteria(criteria)
    audit_criteria = _audit_criteria(cleaned, date_from, date_to)
    if not has_property_perm(actor, Capability.SEARCH_GUESTS, property):
        with transaction.atomic():
            access_record(
                actor=actor,
                action=Action.SEARCH,
                target_type="guest",
                criteria=audit_criteria,
                outcome=Outcome.DENIED,
                property=property,
            )
        raise PermissionDenied(_("Your role does not allow searching guests."))

    if "id_number" in cleaned:  # the document finds the guest group-wide (see the docstring)
        qs = Guest.objects.filter(merged_into__isnull=True, erased_at__isnull=True)
    else:
        qs = access.visible_guests(actor, property, Capability.SEARCH_GUESTS)
    if "id_number" in cleaned:
        bidx = crypto.blind_index("id_number", cleaned["id_number"])
        qs = qs.filter(pk__in=IdentityDocument.objects.filter(number_bidx=bidx).values("guest_id"))
    if "phone" in cleaned:
        qs = qs.filter(phone_bidx=crypto.blind_index("phone", cleaned["phone"]))
    if "email" in cleaned:
        qs = qs.filter(email_bidx=crypto.blind_index("email", cleaned["email"]))
    props = [property]
    for crit in search_registry.registered():
        if crit.key in cleaned:
            if crit.needs_dates and not (date_from and date_to):
                raise ValidationError(
                    {
                        "date_from": [
                            _("Give a date window (from and to) with %(what)s.") % {"what": crit.label}
                        ]
                    }
                )
            qs = qs.filter(pk__in=crit.guest_ids(actor, cleaned[crit.key], props, date_from, date_to))
    attempts = (
        _name_filters(qs, cleaned["name"])
        if "name" in cleaned
        else [(qs.order_by("family_name", "given_name", "id"), None)]
    )
    # One query: the primary document comes as one JSON annotation (one correlated subquery, not
    # three); only the columns the masked row needs are read.
    primary = IdentityDocument.objects.filter(guest=OuterRef("pk")).order_by("-is_primary", "created_at")
    extra = {
        "_doc": Subquery(primary.values(j=JSONObject(id="id", t="doc_type", n="number")).values("j")[:1])
    }
    columns = ("family_name", "given_name", "phone", "email", "nationality", "is_vip", "home_property_id")
    doc_types = {k: str(v) for k, v in DocumentType.choices}  # translated once, not per row
    with transaction.atomic():
        found = []
        if set(cleaned) == {"id_number"}:
            # The desk's most frequent look-up, the document alone: one fixed statement, the same
            # rows as the ORM path below without building the query each time.
            found = list(Guest.objects.raw(_BY_DOCUMENT_SQL, [bidx, MAX_RESULTS + 1]))
            attempts = []
        for attempt, prelude in attempts:
            if prelude:
                with connection.cursor() as cur:
                    cur.execute(prelude)
            found = list(attempt.only(*columns).annotate(**extra)[: MAX_RESULTS + 1])
            if found:
                if not attempt.query.order_by:
                    found.sort(key=lambda g: (-g._sim, g.family_name, str(g.pk)))
                break
        truncated = len(found) > MAX_RESULTS
        found = found[:MAX_RESULTS]
        ids = [g.pk for g in found]
        unopenable = _not_openable(actor, property, found) if "id_number" in cleaned else set()
        rows = []
        for g in found:
            doc = g._doc or {}
            number = (
                crypto.decrypt(
                    doc["n"], table=IdentityDocument._meta.db_table, field="number", row_id=doc["id"]
                )
                if doc.get("n")
                else ""
            )
            openable = g.pk not in unopenable
            rows.append(
                GuestRow(
                    id=g.pk,
                    name=g.display_name,
                    document_type=doc_types.get(doc.get("t"), "") if doc.get("t") else "",
                    document=crypto.mask_id_number(number),
                    phone=crypto.mask_phone(g.phone),
                    email=crypto.mask_email(g.email),
                    nationality=g.nationality,
                    is_vip=g.is_vip,
                    openable=openable,
                    document_pass="" if openable else access.document_pass(actor, property, g.pk),
                )
            )
        event = access_record(
            actor=actor,
            action=Action.SEARCH,
            target_type="guest",
            target_ids=ids,
            guest_ids=ids,
            criteria=audit_criteria,
            outcome=Outcome.OK if ids else Outcome.NOT_FOUND,
            property=property,
        )
    return SearchResult(rows=rows, truncated=truncated, event_id=event.pk)


_BY_DOCUMENT_SQL = """
    SELECT g.id, g.family_name, g.given_name, g.phone, g.email, g.nationality, g.is_vip,
           g.home_property_id,
           (SELECT json_build_object('id', d.id, 't', d.doc_type, 'n', d.number)
              FROM guests_identitydocument d
             WHERE d.guest_id = g.id
             ORDER BY d.is_primary DESC, d.created_at
             LIMIT 1) AS _doc
      FROM guests_guest g
     WHERE g.id IN (SELECT guest_id FROM guests_identitydocument WHERE number_bidx = %s)
       AND g.merged_into_id IS NULL AND g.erased_at IS NULL
     ORDER BY g.family_name, g.given_name, g.id
     LIMIT %s
"""


def _not_openable(actor, property, found) -> set:
    """Hits of an ID-document search the actor may not open here: guests not linked to the property
    (see guests.access). Registered here is the common case and needs no query."""
    if access.sees_all_guests(actor, Capability.SEARCH_GUESTS):
        return set()
    return {g.pk for g in found} - access.linked_among(property, found)


# ------------------------------------------------------------------ profile


def _parse_id(guest_id) -> uuid.UUID | None:
    try:
        return guest_id if isinstance(guest_id, uuid.UUID) else uuid.UUID(str(guest_id))
    except (ValueError, TypeError):
        return None


def _deny(*, actor, action: str, property, guest_id, outcome: str = Outcome.DENIED, criteria=None):
    with transaction.atomic():
        access_record(
            actor=actor,
            action=action,
            target_type="guest",
            target_ids=[guest_id] if guest_id else [],
            guest_ids=[guest_id] if guest_id else [],
            criteria=criteria or {},
            outcome=outcome,
            property=property,
        )


def _load_guest(*, actor, guest_id, property, action: str) -> Guest:
    pk = _parse_id(guest_id)
    guest = Guest.objects.filter(pk=pk).first() if pk else None
    if guest is None:
        _deny(actor=actor, action=action, property=property, guest_id=pk, outcome=Outcome.NOT_FOUND)
        raise Http404("No such guest")
    return guest


def guest_access(*, actor, guest_id, property, action: str = Action.VIEW):
    """(guest, level, grant) for an actor who may see the guest at all; else a denied event and 404."""
    guest = _load_guest(actor=actor, guest_id=guest_id, property=property, action=action)
    level, grant = access.profile_level(actor, guest, property)
    if level is None:
        _deny(actor=actor, action=action, property=property, guest_id=guest.pk)
        raise Http404("No such guest")
    return guest, level, grant


def guest_profile(*, actor, guest_id, property) -> GuestProfile:
    """The profile at the level the actor may see, built from the registered sections."""
    guest, level, grant = guest_access(actor=actor, guest_id=guest_id, property=property)
    with transaction.atomic():
        profile = GuestProfile(
            guest=guest,
            property=property,
            level=level,
            grant=grant,
            can_reveal=access.may_reveal(actor, guest, property, level, grant),
            can_request=level == "basic",
        )
        for section in section_registry.sections_for(level):
            profile.sections.append((section, section.context(actor, guest, property) or {}))
        event = access_record(
            actor=actor,
            action=Action.VIEW,
            target_type="guest",
            target_ids=[guest.pk],
            guest_ids=[guest.pk],
            criteria={"level": level, **({"grant": grant.pk} if grant else {})},
            reason=grant.reason if grant else "",
            property=property,
        )
        profile.event_id = event.pk
    return profile


def guest_reveal(
    *,
    actor,
    guest_id,
    property,
    field: str,
    reason: str,
    document_id=None,
) -> str:
    """One unmasked value, for a typed reason, recorded as a reveal event. Not allowed: a denied
    event, then 404 (guest not visible) or PermissionDenied (visible, but masked only)."""
    if field not in REVEAL_FIELDS:
        raise ValidationError(
            {"field": [_("Choose what to reveal: document, phone, e-mail or date of birth.")]}
        )
    guest, level, grant = guest_access(
        actor=actor, guest_id=guest_id, property=property, action=Action.REVEAL
    )
    if not access.may_reveal(actor, guest, property, level, grant):
        _deny(
            actor=actor, action=Action.REVEAL, property=property, guest_id=guest.pk, criteria={"field": field}
        )
        raise PermissionDenied(_("Your role shows this guest's data masked; ask a manager for access."))
    reason = (reason or "").strip()
    if len(reason) < REVEAL_MIN_REASON:
        raise ValidationError(
            {
                "reason": [
                    _("Say why you need the full value (at least %(n)d characters); it is recorded.")
                    % {"n": REVEAL_MIN_REASON}
                ]
            }
        )
    criteria: dict = {"field": field}
    with transaction.atomic():
        if field == "document":
            docs = guest.documents.order_by("-is_primary", "created_at")
            if document_id:
                docs = docs.filter(pk=_parse_id(document_id))
            doc = docs.first()
            if doc is None:
                raise ValidationError({"document_id": [_("This guest has no such document.")]})
            value = doc.number
            criteria["document_id"] = str(doc.pk)
            criteria["document_type"] = doc.doc_type
        else:
            value = getattr(guest, field)
        if grant is not None:
            criteria["grant"] = grant.pk
        access_record(
            actor=actor,
            action=Action.REVEAL,
            target_type="guest",
            target_ids=[guest.pk],
            guest_ids=[guest.pk],
            criteria=criteria,
            reason=reason,
            property=property,
        )
    return value


# ------------------------------------------------------------------ grant queues (no personal data)


def grant_queue(*, actor, property):
    """Open dual-review requests at the property, for those who may approve them."""
    if not has_property_perm(actor, Capability.APPROVE_ACCESS, property):
        raise Http404("Not available")
    return list(
        AccessGrant.objects.filter(property=property, kind=GrantKind.DUAL_REVIEW, state=GrantState.REQUESTED)
        .select_related("requester", "guest")
        .order_by("created_at")
    )


def open_grants(*, actor, property):
    """Grants giving access right now at the property (dual review and break-the-glass), for the
    managers who may end them early."""
    if not has_property_perm(actor, Capability.APPROVE_ACCESS, property):
        raise Http404("Not available")
    return list(
        AccessGrant.objects.filter(
            property=property, state=GrantState.APPROVED, expires_at__gt=timezone.now()
        )
        .select_related("requester")
        .order_by("expires_at")
    )


def grant_to_revoke(*, actor, grant_id, property=None):
    """A grant the actor may end: their own, or any at a property where they approve access (and
    at `property` when given), else 404."""
    filters = {"pk": grant_id} if property is None else {"pk": grant_id, "property": property}
    grant = AccessGrant.objects.select_related("property").filter(**filters).first()
    if grant is None or not (
        grant.requester_id == actor.pk or has_property_perm(actor, Capability.APPROVE_ACCESS, grant.property)
    ):
        raise Http404("No such grant")
    return grant


def break_glass_grants(*, actor, property=None, open_only: bool = False):
    """Break-the-glass grants: a manager sees their properties', compliance (review_audit
    group-wide) sees all of them."""
    props = properties_for(actor, Capability.REVIEW_AUDIT)
    if property is not None:
        props = [p for p in props if p.pk == property.pk]
    if not props:
        raise Http404("Not available")
    qs = AccessGrant.objects.filter(kind=GrantKind.BREAK_GLASS, property__in=props)
    if open_only:
        qs = qs.filter(review_verdict="")
    return list(qs.select_related("requester", "guest", "property", "reviewer").order_by("-created_at")[:200])


def my_grants(*, actor, property):
    return list(
        AccessGrant.objects.filter(requester=actor, property=property)
        .select_related("guest", "approver")
        .order_by("-created_at")[:50]
    )


def grant_for_decision(*, actor, grant_id, property=None, kind: str | None = None):
    """The access grant a manager approves, refuses or reviews: one at a hotel where the actor may
    approve access (and at `property` / of `kind` when given), else 404. Decisions are written by
    the services, which record them; this only finds the grant."""
    from .models import AccessGrant

    filters = {"pk": grant_id}
    if property is not None:
        filters["property"] = property
    if kind is not None:
        filters["kind"] = kind
    grant = AccessGrant.objects.select_related("property").filter(**filters).first()
    if grant is None or not has_property_perm(actor, Capability.APPROVE_ACCESS, grant.property):
        raise Http404("No such request")
    return grant


def guest_for_merge(*, actor, guest_id, property):
    """The profile a manager merges into another: one they may see in full at `property`, else 404
    (the merge service records the change; the profile page already recorded the view)."""
    guest = _guest_or_404(guest_id)
    if access.profile_level(actor, guest, property)[0] != "full":
        raise Http404("No such guest")
    return guest


def _guest_or_404(guest_id):
    from .models import Guest

    guest = Guest.objects.filter(pk=guest_id, merged_into__isnull=True, erased_at__isnull=True).first()
    if guest is None:
        raise Http404("No such guest")
    return guest
