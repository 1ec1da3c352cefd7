"""Every write of the guests app: keyword-only, one verb each, each in one transaction.

Validation errors are `django.core.exceptions.ValidationError` with a dict naming the field, so
forms and the API (problem details, 400) show them next to the right input. Values are normalised
through `guests.validators` before they are encrypted; a failure leaves nothing half-saved.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from audit.models import Action
from audit.services import access_record
from pms.models import StaffMembership
from pms.permissions import active_memberships, has_property_perm
from pms.roles import Capability, Role

from . import access
from .models import (
    AccessGrant,
    ConsentChannel,
    DocumentType,
    Gender,
    GrantKind,
    GrantState,
    Guest,
    IdentityDocument,
    PreferenceTag,
    ReviewVerdict,
)
from .validators import normalise_email, normalise_phone, prc_birth_date, validate_document_number

BREAK_GLASS_MIN_REASON = 10
REQUEST_MIN_REASON = 5

# Fields a caller may set through guest_create / guest_update.
PLAIN_FIELDS = ("family_name", "given_name", "gender", "nationality", "address", "special_needs")
FULL_ONLY_FIELDS = ("staff_notes", "is_vip")


def grant_minutes() -> int:
    return int(getattr(settings, "GUEST_GRANT_MINUTES", 30))


# ------------------------------------------------------------------ validation helpers


class _Errors:
    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, error: ValidationError | str) -> None:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        self.errors.setdefault(field, []).extend(messages)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _clean_document(doc: dict, errors: _Errors, index: int = 0) -> dict | None:
    prefix = "document_number" if index == 0 else f"documents.{index}.number"
    doc_type = doc.get("doc_type") or DocumentType.PRC_ID
    if doc_type not in DocumentType.values:
        errors.add("document_type", _("Choose one of the listed document types."))
        return None
    try:
        number = validate_document_number(doc_type, doc.get("number", ""))
    except ValidationError as exc:
        errors.add(prefix, exc)
        return None
    country = (doc.get("issuing_country") or ("CN" if doc_type == DocumentType.PRC_ID else "")).upper()
    if doc_type == DocumentType.PRC_ID:
        country = "CN"
    if len(country) != 2 or not country.isalpha():
        errors.add("issuing_country", _("Give the issuing country as a two-letter code, e.g. CN or GB."))
        return None
    return {
        "doc_type": doc_type,
        "number": number,
        "issuing_country": country,
        "expires_on": doc.get("expires_on") or None,
    }


def _clean_dob(value, errors: _Errors) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        born = value
    else:
        try:
            born = date.fromisoformat(str(value).strip())
        except ValueError:
            errors.add("date_of_birth", _("Write the date of birth as YYYY-MM-DD, e.g. 1985-03-07."))
            return None
    if born > timezone.localdate() or born.year < 1900:
        errors.add("date_of_birth", _("This date of birth is not possible; check the year."))
        return None
    return born


def _clean_fields(data: dict, errors: _Errors, *, creating: bool) -> dict:
    out: dict = {}
    for name in (*PLAIN_FIELDS, *FULL_ONLY_FIELDS):
        if name in data:
            value = data[name]
            out[name] = value.strip() if isinstance(value, str) else value
    if (creating or "family_name" in out) and not out.get("family_name"):
        errors.add("family_name", _("Enter the family name as on the guest's document."))
    if "gender" in out and out["gender"] not in Gender.values:
        errors.add("gender", _("Choose one of the listed genders."))
    if "nationality" in out:
        out["nationality"] = (out["nationality"] or "").upper()
        if len(out["nationality"]) != 2 or not out["nationality"].isalpha():
            errors.add("nationality", _("Give the nationality as a two-letter code, e.g. CN or GB."))
    for name, limit in (("family_name", 100), ("given_name", 100)):
        if len(out.get(name) or "") > limit:
            errors.add(name, _("At most %(n)d characters.") % {"n": limit})
    if "phone" in data:
        try:
            out["phone"] = normalise_phone(data["phone"] or "")
        except ValidationError as exc:
            errors.add("phone", exc)
    if "email" in data:
        try:
            out["email"] = normalise_email(data["email"] or "")
        except ValidationError as exc:
            errors.add("email", exc)
    if "date_of_birth" in data:
        out["date_of_birth"] = _clean_dob(data["date_of_birth"], errors)
    if "marketing_consent" in data:
        out["marketing_consent"] = bool(data["marketing_consent"])
        channel = data.get("marketing_consent_channel") or ""
        if out["marketing_consent"] and channel not in ConsentChannel.values:
            errors.add("marketing_consent_channel", _("Say how the guest gave their consent."))
        out["marketing_consent_channel"] = channel if out["marketing_consent"] else ""
    return out


def _documents_from(data: dict) -> list[dict]:
    docs = list(data.get("documents") or [])
    if data.get("document_number"):
        docs.insert(
            0,
            {
                "doc_type": data.get("document_type") or DocumentType.PRC_ID,
                "number": data["document_number"],
                "issuing_country": data.get("issuing_country") or "",
                "expires_on": data.get("document_expires_on"),
            },
        )
    return docs


def _check_unique_documents(docs: list[dict], errors: _Errors, *, exclude_guest=None) -> None:
    from pms.crypto import blind_index

    for i, doc in enumerate(docs):
        qs = IdentityDocument.objects.filter(
            doc_type=doc["doc_type"], number_bidx=blind_index("id_number", doc["number"])
        )
        if exclude_guest is not None:
            qs = qs.exclude(guest=exclude_guest)
        if qs.exists():
            errors.add(
                "document_number" if i == 0 else f"documents.{i}.number",
                _("A guest with this document number exists already: search for them instead of adding one."),
            )


def _apply_dob(guest: Guest, dob: date | None, docs: list[dict], errors: _Errors) -> None:
    """A PRC resident ID carries the birth date: derive it, and refuse a different one."""
    prc = next((d for d in docs if d["doc_type"] == DocumentType.PRC_ID), None)
    derived = prc_birth_date(prc["number"]) if prc else None
    if dob and derived and dob != derived:
        errors.add(
            "date_of_birth",
            _("The date of birth does not match the one in the resident ID (%(d)s).")
            % {"d": derived.isoformat()},
        )
        return
    born = dob or derived
    if born:
        guest.date_of_birth = born.isoformat()
        guest.birth_month_day = born.strftime("%m-%d")


def _require_basic(actor, prop) -> None:
    if not has_property_perm(actor, Capability.VIEW_GUEST_BASIC, prop):
        raise PermissionDenied(_("Your role does not allow this."))


def _level_or_404(actor, guest: Guest, prop) -> str:
    from django.http import Http404

    level, _grant = access.profile_level(actor, guest, prop)
    if level is None:
        raise Http404("No such guest")
    return level


# ------------------------------------------------------------------ guests


def guest_create(*, actor, property, documents_required: bool = False, **data) -> Guest:
    """Register a guest at `property`. `data`: the fields of PLAIN_FIELDS, phone, email,
    date_of_birth, marketing_consent(+_channel), tags (codes), and either document_type +
    document_number (+ issuing_country) or documents=[{doc_type, number, issuing_country}]."""
    _require_basic(actor, property)
    errors = _Errors()
    fields = _clean_fields(data, errors, creating=True)
    if not has_property_perm(actor, Capability.VIEW_GUEST_FULL, property):
        for name in FULL_ONLY_FIELDS:
            fields.pop(name, None)
    docs = [c for i, raw in enumerate(_documents_from(data)) if (c := _clean_document(raw, errors, i))]
    if documents_required and not docs and "document_number" not in errors.errors:
        errors.add("document_number", _("Enter the number of the guest's identity document."))
    tags = _tags_from_codes(data.get("tags") or [], errors)
    _check_unique_documents(docs, errors)
    dob = fields.pop("date_of_birth", None)
    guest = Guest(home_property=property, created_by=actor if actor.is_authenticated else None, **fields)
    _apply_dob(guest, dob, docs, errors)
    errors.raise_if_any()
    if guest.marketing_consent:
        guest.marketing_consent_at = timezone.now()
    try:
        with transaction.atomic():
            guest.save()
            for i, doc in enumerate(docs):
                IdentityDocument.objects.create(guest=guest, is_primary=(i == 0), **doc)
            if tags:
                guest.tags.add(*tags)
    except IntegrityError:
        # A concurrent registration of the same document won the race.
        raise ValidationError(
            {"document_number": [_("A guest with this document number exists already: search for them.")]}
        ) from None
    return guest


def guest_update(*, actor, property, guest: Guest, **data) -> Guest:
    """Change a guest's profile. Staff notes and the VIP flag need the full level."""
    level = _level_or_404(actor, guest, property)
    errors = _Errors()
    fields = _clean_fields(data, errors, creating=False)
    if level != "full":
        for name in FULL_ONLY_FIELDS:
            if name in fields:
                errors.add(name, _("Only a manager (or a holder of an access grant) may change this."))
    docs = [c for i, raw in enumerate(_documents_from(data)) if (c := _clean_document(raw, errors, i))]
    _check_unique_documents(docs, errors, exclude_guest=guest)
    dob = fields.pop("date_of_birth", None)
    with transaction.atomic():
        guest = Guest.objects.select_for_update().get(pk=guest.pk)
        was_consent = guest.marketing_consent
        for name, value in fields.items():
            setattr(guest, name, value)
        existing = {d.doc_type: d for d in guest.documents.all()}
        all_docs = docs + [
            {"doc_type": t, "number": d.number}
            for t, d in existing.items()
            if t not in {x["doc_type"] for x in docs}
        ]
        if dob or any(d["doc_type"] == DocumentType.PRC_ID for d in docs):
            _apply_dob(guest, dob, all_docs, errors)
        errors.raise_if_any()
        if guest.marketing_consent and not was_consent:
            guest.marketing_consent_at = timezone.now()
        if not guest.marketing_consent:
            guest.marketing_consent_at = None
        guest.save()
        for doc in docs:
            current = existing.get(doc["doc_type"])
            if current is None:
                IdentityDocument.objects.create(guest=guest, is_primary=not existing, **doc)
            elif current.number != doc["number"]:
                current.number = doc["number"]
                current.issuing_country = doc["issuing_country"]
                current.expires_on = doc["expires_on"]
                current.save()
        if "tags" in data:
            tags = _tags_from_codes(data["tags"] or [], errors)
            errors.raise_if_any()
            guest.tags.set(tags)
    return guest


def _tags_from_codes(codes, errors: _Errors) -> list[PreferenceTag]:
    codes = list(dict.fromkeys(codes))
    tags = list(PreferenceTag.objects.filter(code__in=codes, is_active=True))
    unknown = set(codes) - {t.code for t in tags}
    if unknown:
        errors.add("tags", _("Unknown preference tag: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    return tags


def guest_tag_add(*, actor, property, guest: Guest, code: str) -> PreferenceTag:
    _level_or_404(actor, guest, property)
    errors = _Errors()
    tags = _tags_from_codes([code], errors)
    errors.raise_if_any()
    with transaction.atomic():
        guest.tags.add(tags[0])
    return tags[0]


def guest_tag_remove(*, actor, property, guest: Guest, code: str) -> None:
    _level_or_404(actor, guest, property)
    with transaction.atomic():
        guest.tags.remove(*PreferenceTag.objects.filter(code=code))


def _conflicting_documents(source: Guest, target: Guest) -> list[str]:
    mine = {d.doc_type: d.number_bidx for d in source.documents.all()}
    theirs = {d.doc_type: d.number_bidx for d in target.documents.all()}
    return [t for t in mine if t in theirs and mine[t] != theirs[t]]


def guest_merge(*, actor, property, source: Guest, target: Guest) -> Guest:
    """Merge `source` into `target` (two profiles of one person). Everything that points at the
    source through a foreign key (documents, grants, other apps' bookings...) moves to the target,
    found generically through the model's relations, so apps added later follow without change.
    The source keeps `merged_into` and leaves the search. Manager (full level on both) only."""
    if not has_property_perm(actor, Capability.VIEW_GUEST_FULL, property):
        raise PermissionDenied(_("Only a manager may merge guest profiles."))
    if source.pk == target.pk:
        raise ValidationError(
            {"target": [_("A profile cannot be merged into itself; choose the other profile.")]}
        )
    for g, field in ((source, "source"), (target, "target")):
        if access.profile_level(actor, g, property)[0] != "full":
            from django.http import Http404

            raise Http404("No such guest")
        if g.merged_into_id:
            raise ValidationError({field: [_("This profile was already merged into another one.")]})
    conflicts = _conflicting_documents(source, target)
    if conflicts:
        labels = ", ".join(str(DocumentType(c).label) for c in conflicts)
        raise ValidationError(
            {
                "target": [
                    _(
                        "These profiles hold different document numbers of the same type (%(types)s): "
                        "they are two people and cannot be merged."
                    )
                    % {"types": labels}
                ]
            }
        )
    with transaction.atomic():
        source = Guest.objects.select_for_update().get(pk=source.pk)
        target = Guest.objects.select_for_update().get(pk=target.pk)
        _move_relations(source, target)
        # Fill the target's blanks from the source (plaintext re-encrypted for the target's row).
        for name in ("phone", "email", "date_of_birth", "address", "special_needs", "birth_month_day"):
            if not getattr(target, name) and getattr(source, name):
                setattr(target, name, getattr(source, name))
        if source.staff_notes:
            target.staff_notes = "\n".join(x for x in (target.staff_notes, source.staff_notes) if x)
        target.is_vip = target.is_vip or source.is_vip
        target.save()
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        access_record(
            actor=actor,
            action=Action.VIEW,
            target_type="guest_merge",
            target_ids=[source.pk, target.pk],
            guest_ids=[source.pk, target.pk],
            criteria={"merged": str(source.pk), "into": str(target.pk)},
            property=property,
        )
    return target


def _move_relations(source: Guest, target: Guest) -> None:
    for rel in Guest._meta.related_objects:
        model = rel.related_model
        if rel.many_to_many:
            through = rel.through
            fk = next(f for f in through._meta.fields if f.is_relation and f.related_model is Guest)
            other = next(f for f in through._meta.fields if f.is_relation and f.related_model is not Guest)
            already = set(through.objects.filter(**{fk.name: target}).values_list(other.attname, flat=True))
            through.objects.filter(**{fk.name: source, f"{other.attname}__in": already}).delete()
            through.objects.filter(**{fk.name: source}).update(**{fk.name: target})
            continue
        if not (rel.one_to_many or rel.one_to_one):
            continue
        field = rel.field
        if model is Guest and field.name == "merged_into":
            model.objects.filter(merged_into=source).update(merged_into=target)
            continue
        if (
            rel.one_to_one
            and model.objects.filter(**{field.name: target}).exists()
            and model.objects.filter(**{field.name: source}).exists()
        ):
            raise ValidationError(
                {
                    "target": [
                        _("Both profiles have a %(what)s; resolve one first.")
                        % {"what": model._meta.verbose_name}
                    ]
                }
            )
        if model is IdentityDocument and target.documents.filter(is_primary=True).exists():
            model.objects.filter(guest=source).update(is_primary=False)
        model._base_manager.filter(**{field.name: source}).update(**{field.name: target})
    # Forward many-to-many fields (tags): the union.
    for m2m in Guest._meta.many_to_many:
        getattr(target, m2m.name).add(*getattr(source, m2m.name).all())


# ------------------------------------------------------------------ access grants


def _recipients(prop, roles: set[str]) -> list[str]:
    qs = StaffMembership.objects.filter(is_active=True, role__in=roles, user__is_active=True).filter(
        Q(property=prop) | Q(property__isnull=True)
    )
    return sorted({e for e in qs.values_list("user__email", flat=True) if e})


def _notify(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
        )


def _check_reason(reason: str, minimum: int) -> str:
    reason = (reason or "").strip()
    if len(reason) < minimum:
        raise ValidationError(
            {
                "reason": [
                    _("Say why you need this access, in at least %(n)d characters; it is recorded.")
                    % {"n": minimum}
                ]
            }
        )
    return reason


def grant_request(*, actor, property, guest: Guest, reason: str) -> AccessGrant:
    """Dual review, step one: a member of staff asks for full access to one guest, with a reason."""
    level = _level_or_404(actor, guest, property)
    if level == "full":
        raise ValidationError({"reason": [_("You can already see this guest's full profile.")]})
    reason = _check_reason(reason, REQUEST_MIN_REASON)
    with transaction.atomic():
        if AccessGrant.objects.filter(
            guest=guest, requester=actor, property=property, state=GrantState.REQUESTED
        ).exists():
            raise ValidationError(
                {"reason": [_("You have already asked for access to this guest; wait for a manager.")]}
            )
        grant = AccessGrant.objects.create(
            guest=guest, requester=actor, property=property, kind=GrantKind.DUAL_REVIEW, reason=reason
        )
        url = reverse("guests:grant-queue", kwargs={"property_code": property.code})
        _notify(
            _("Access request waiting for review"),
            _("%(user)s asks for full access to a guest profile at %(prop)s. Review it at %(url)s")
            % {"user": actor.get_username(), "prop": property.code, "url": url},
            _recipients(property, {Role.MANAGER}),
        )
    return grant


def _may_decide(actor, grant: AccessGrant) -> None:
    from django.http import Http404

    if not has_property_perm(actor, Capability.APPROVE_ACCESS, grant.property):
        raise Http404("No such request")
    if grant.requester_id == actor.pk:
        raise PermissionDenied(_("Nobody approves or reviews their own access; another manager must."))


def _give(grant: AccessGrant, now) -> None:
    grant.state = GrantState.APPROVED
    grant.approved_at = now
    grant.expires_at = now + timedelta(minutes=grant_minutes())
    assign_perm(access.GRANT_PERM, grant.requester, grant.guest)


def grant_approve(*, actor, grant: AccessGrant, note: str = "") -> AccessGrant:
    """Dual review, step two: a manager of the property (not the requester) approves."""
    from pms.problems import Conflict

    _may_decide(actor, grant)
    with transaction.atomic():
        grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.state != GrantState.REQUESTED:
            raise Conflict(_("This request was already decided."))
        now = timezone.now()
        grant.approver = actor
        grant.decision_note = (note or "").strip()
        grant.decided_at = now
        _give(grant, now)
        grant.save()
        access_record(
            actor=actor,
            action=Action.GRANT,
            target_type="access_grant",
            target_ids=[grant.pk],
            guest_ids=[grant.guest_id],
            reason=grant.reason,
            property=grant.property,
        )
    return grant


def grant_refuse(*, actor, grant: AccessGrant, note: str) -> AccessGrant:
    from pms.problems import Conflict

    _may_decide(actor, grant)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Tell the requester why you refuse; the note is shown to them.")]})
    with transaction.atomic():
        grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.state != GrantState.REQUESTED:
            raise Conflict(_("This request was already decided."))
        grant.state = GrantState.REFUSED
        grant.approver = actor
        grant.decision_note = note
        grant.decided_at = timezone.now()
        grant.save()
    return grant


def grant_break_glass(*, actor, property, guest: Guest, reason: str) -> AccessGrant:
    """Emergency access: immediate and short; managers and compliance are told; reviewed later."""
    from django.http import Http404

    if not active_memberships(actor) or guest.erased_at is not None:
        raise Http404("No such guest")
    reason = _check_reason(reason, BREAK_GLASS_MIN_REASON)
    with transaction.atomic():
        now = timezone.now()
        grant = AccessGrant(
            guest=guest, requester=actor, property=property, kind=GrantKind.BREAK_GLASS, reason=reason
        )
        grant.decided_at = now
        _give(grant, now)
        grant.save()
        access_record(
            actor=actor,
            action=Action.BREAK_GLASS,
            target_type="guest",
            target_ids=[guest.pk],
            guest_ids=[guest.pk],
            reason=reason,
            property=property,
        )
        url = reverse("guests:break-glass-queue", kwargs={"property_code": property.code})
        _notify(
            _("Break-the-glass access opened"),
            _(
                "%(user)s opened a guest profile at %(prop)s beyond their role (break-the-glass) until "
                "%(until)s. Review the reason at %(url)s"
            )
            % {"user": actor.get_username(), "prop": property.code, "until": grant.expires_at, "url": url},
            _recipients(property, {Role.MANAGER, Role.COMPLIANCE}),
        )
    return grant


def grant_review(*, actor, grant: AccessGrant, verdict: str, note: str = "") -> AccessGrant:
    """A manager of the property marks a break-the-glass access justified or not."""
    from pms.problems import Conflict

    _may_decide(actor, grant)
    if grant.kind != GrantKind.BREAK_GLASS:
        raise ValidationError({"verdict": [_("Only break-the-glass access is reviewed afterwards.")]})
    if verdict not in ReviewVerdict.values:
        raise ValidationError({"verdict": [_("Choose justified or not justified.")]})
    note = (note or "").strip()
    if verdict == ReviewVerdict.UNJUSTIFIED and not note:
        raise ValidationError({"note": [_("Say what was wrong with this access; compliance reads it.")]})
    with transaction.atomic():
        grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.review_verdict:
            raise Conflict(_("This access was already reviewed."))
        grant.review_verdict = verdict
        grant.reviewer = actor
        grant.review_note = note
        grant.reviewed_at = timezone.now()
        grant.save()
    return grant


def _drop_perm_unless_still_granted(grant: AccessGrant, now) -> None:
    """Take the guardian permission away unless another valid grant of the same person for the
    same guest still stands."""
    still = (
        AccessGrant.objects.filter(
            guest_id=grant.guest_id,
            requester_id=grant.requester_id,
            state=GrantState.APPROVED,
            expires_at__gt=now,
        )
        .exclude(pk=grant.pk)
        .exists()
    )
    if not still:
        remove_perm(access.GRANT_PERM, get_user_model().objects.get(pk=grant.requester_id), grant.guest)


def grant_revoke(*, actor, grant: AccessGrant, note: str = "") -> AccessGrant:
    """End an open grant before its expiry: a manager of the property (with a note, shown to the
    requester), or the requester, who is done with the profile. Access stops at the next read."""
    from django.http import Http404

    from pms.problems import Conflict

    own = grant.requester_id == actor.pk
    if not own and not has_property_perm(actor, Capability.APPROVE_ACCESS, grant.property):
        raise Http404("No such grant")
    note = (note or "").strip()
    if not own and not note:
        raise ValidationError({"note": [_("Say why you end this access; the requester sees the note.")]})
    with transaction.atomic():
        grant = AccessGrant.objects.select_for_update().select_related("guest").get(pk=grant.pk)
        now = timezone.now()
        if grant.state != GrantState.APPROVED or grant.expires_at is None or grant.expires_at <= now:
            raise Conflict(_("This access is not open any more; nothing was changed."))
        grant.state = GrantState.REVOKED
        grant.expires_at = now
        grant.revoked_by = actor
        grant.revoked_at = now
        grant.revoke_note = note
        grant.save(update_fields=["state", "expires_at", "revoked_by", "revoked_at", "revoke_note"])
        _drop_perm_unless_still_granted(grant, now)
    return grant


def grants_expire(*, now=None) -> int:
    """Mark approved grants past their expiry as expired and take their guardian permission away
    (unless another valid grant of the same person for the same guest still stands)."""
    now = now or timezone.now()
    done = 0
    ids = list(
        AccessGrant.objects.filter(state=GrantState.APPROVED, expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        with transaction.atomic():
            grant = AccessGrant.objects.select_for_update().select_related("guest").get(pk=pk)
            if grant.state != GrantState.APPROVED or grant.expires_at > now:
                continue
            grant.state = GrantState.EXPIRED
            grant.save(update_fields=["state"])
            _drop_perm_unless_still_granted(grant, now)
            done += 1
    return done


def pending_count(user) -> int:
    """Requests and unreviewed break-the-glass grants a manager should look at (navigation badge)."""
    from pms.permissions import properties_for

    props = properties_for(user, Capability.APPROVE_ACCESS)
    if not props:
        return 0
    return (
        AccessGrant.objects.filter(property__in=props)
        .exclude(requester=user)
        .filter(
            Q(kind=GrantKind.DUAL_REVIEW, state=GrantState.REQUESTED)
            | Q(kind=GrantKind.BREAK_GLASS, review_verdict="")
        )
        .count()
    )
