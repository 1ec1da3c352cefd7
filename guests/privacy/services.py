"""Every write of the privacy-request workflow: keyword-only, one verb each, each in one transaction.

The life of a request: `privacy_request_register` (staff: desk, phone, e-mail) or
`privacy_request_create` (the self-service portal, guest already signed in) -> `privacy_request_verify`
(match / no match per item, never a stored value) -> `privacy_request_decide` (compliance, or a manager
for their hotel) -> `privacy_request_fulfil` (export, correction, erasure, objection, reply) or, after a
refusal, `privacy_request_appeal` -> a second reviewer decides again.

Bad input is refused with a `ValidationError` naming the field, and the refusal itself is recorded in
the access log (action `denied`, criteria `{"refused": <code>}`, the request id as reason) in its own
transaction, after the work it refused was rolled back: nothing is half done.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action, Outcome
from audit.services import access_record
from pms import crypto
from pms.permissions import group_wide_roles, has_property_perm
from pms.roles import Capability, capabilities_of

from ..models import Guest, IdentityDocument
from .models import (
    OPEN_STATUSES,
    PrivacyChannel,
    PrivacyExport,
    PrivacyRequest,
    PrivacyRequestType,
    PrivacyStatus,
    PrivacyStatusChange,
    PrivacyVerification,
    RefusalReason,
)

HANDLE = Capability.HANDLE_PRIVACY_REQUESTS
APPEAL_DAYS = 30


def due_days() -> int:
    return int(getattr(settings, "PRIVACY_DUE_DAYS", 15))


# ------------------------------------------------------------------ who may handle a request


def handles_everywhere(actor) -> bool:
    """A group-wide holder of the capability (compliance): every request, with or without a hotel."""
    return any(HANDLE in capabilities_of(role) for role in group_wide_roles(actor))


def may_handle(actor, prop) -> bool:
    if handles_everywhere(actor):
        return True
    return prop is not None and has_property_perm(actor, HANDLE, prop)


def request_for(actor, request_id) -> PrivacyRequest:
    """The request if the actor may handle it, else 404 (another hotel's request does not exist)."""
    req = PrivacyRequest.objects.select_related("property", "guest").filter(pk=request_id).first()
    if req is None or not may_handle(actor, req.property):
        raise Http404("No such privacy request")
    return req


# ------------------------------------------------------------------ refusals, recorded


class Refused(Exception):
    """Raised inside a transaction; turned into a recorded refusal once it has rolled back."""

    def __init__(self, code: str, field: str, message: str):
        super().__init__(message)
        self.code, self.field, self.message = code, field, message


def record_refusal(*, actor, code: str, req: PrivacyRequest | None = None, property=None) -> None:
    """The access-log entry of a refused step (no personal value: a code and the request id)."""
    with transaction.atomic():
        access_record(
            actor=actor,
            action=Action.DENIED,
            target_type="privacy_request",
            target_ids=[req.pk] if req is not None else [],
            guest_ids=[req.guest_id] if req is not None and req.guest_id else [],
            criteria={"refused": code},
            reason=req.purpose if req is not None else "privacy request (not registered)",
            outcome=Outcome.DENIED,
            property=property if property is not None else getattr(req, "property", None),
        )


def _refuse(exc: Refused, *, actor, req=None, property=None):
    record_refusal(actor=actor, code=exc.code, req=req, property=property)
    raise ValidationError({exc.field: [exc.message]})


def _transition(req: PrivacyRequest, to_status: str, *, actor, note: str = "", fields=()) -> None:
    previous = req.status
    req.status = to_status
    req.save(update_fields=["status", "updated_at", *fields])
    PrivacyStatusChange.objects.create(
        request=req,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=previous,
        to_status=to_status,
        note=note[:300],
    )


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# ------------------------------------------------------------------ registering


def _contact(value: str) -> tuple[str, str]:
    """(kind, normalised value) of a phone number or e-mail address, or a Refused."""
    from ..validators import normalise_email, normalise_phone

    value = (value or "").strip()
    if not value:
        raise Refused(
            "no_contact",
            "contact",
            _("Give a phone number or an e-mail address: we must be able to answer the requester."),
        )
    try:
        if "@" in value:
            return "email", normalise_email(value)
        return "phone", normalise_phone(value)
    except ValidationError:
        raise Refused(
            "bad_contact",
            "contact",
            _("This is neither a phone number nor an e-mail address we can answer at; check it."),
        ) from None


def _set_contact(req: PrivacyRequest, kind: str, value: str) -> None:
    req.contact = value
    req.contact_kind = kind
    req.contact_bidx = crypto.blind_index(kind, value)
    req.contact_masked = crypto.mask(kind, value)


def privacy_request_register(
    *,
    actor,
    property,
    type: str,
    channel: str,
    claimed_name: str,
    contact: str,
    details: str = "",
    received_at=None,
) -> PrivacyRequest:
    """Register a request made at the desk, by phone or by e-mail (staff who handle requests)."""
    if not may_handle(actor, property):
        raise Http404("No such property")
    try:
        if type not in PrivacyRequestType.values:
            raise Refused("bad_type", "type", _("Choose one of the listed request types."))
        if channel not in PrivacyChannel.values or channel == PrivacyChannel.ONLINE:
            raise Refused(
                "bad_channel",
                "channel",
                _("Choose desk, phone or e-mail; online requests come from the self-service pages."),
            )
        claimed_name = (claimed_name or "").strip()
        if not claimed_name:
            raise Refused("no_name", "claimed_name", _("Write the name the requester gave."))
        kind, value = _contact(contact)
        with transaction.atomic():
            now = received_at or timezone.now()
            req = PrivacyRequest(
                property=property,
                type=type,
                channel=channel,
                claimed_name=claimed_name[:200],
                details=(details or "").strip(),
                received_at=now,
                received_by=_user(actor),
                due_on=timezone.localdate(now) + timedelta(days=due_days()),
            )
            _set_contact(req, kind, value)
            req.save()
            PrivacyStatusChange.objects.create(
                request=req, actor=_user(actor), to_status=PrivacyStatus.RECEIVED
            )
        return req
    except Refused as exc:
        _refuse(exc, actor=actor, property=property)


def privacy_request_create(
    *, actor=None, guest: Guest, type: str, channel: str = PrivacyChannel.ONLINE, details: str = ""
) -> PrivacyRequest:
    """A request from a guest already signed in to the self-service portal (the portal's sign-in is
    the verification): registered, verified and waiting for a decision. `actor` is None for the
    guest themself. Raises ValidationError for an unknown type, an erased or merged profile."""
    if type not in PrivacyRequestType.values:
        raise ValidationError({"type": [_("Choose one of the listed request types.")]})
    if guest.erased_at is not None or guest.merged_into_id:
        raise ValidationError({"guest": [_("This profile no longer exists.")]})
    with transaction.atomic():
        open_one = (
            PrivacyRequest.objects.select_for_update()
            .filter(guest=guest, type=type, channel=channel, status__in=OPEN_STATUSES)
            .order_by("received_at")
            .first()
        )
        if open_one is not None:  # a refresh or a second click files nothing new
            raise ValidationError(
                {
                    "type": [
                        _("You already asked on %(day)s; we will answer by %(due)s.")
                        % {"day": timezone.localdate(open_one.received_at), "due": open_one.due_on}
                    ]
                }
            )
        now = timezone.now()
        req = PrivacyRequest(
            property=guest.home_property,
            type=type,
            channel=channel,
            claimed_name=guest.display_name[:200],
            details=(details or "").strip(),
            received_at=now,
            received_by=_user(actor),
            due_on=timezone.localdate(now) + timedelta(days=due_days()),
            guest=guest,
            verified_at=now,
        )
        if guest.email:
            _set_contact(req, "email", guest.email)
        elif guest.phone:
            _set_contact(req, "phone", guest.phone)
        else:
            req.contact_kind, req.contact_masked = "portal", "self-service"
        req.status = PrivacyStatus.VERIFYING
        req.save()
        PrivacyStatusChange.objects.create(request=req, actor=_user(actor), to_status=PrivacyStatus.RECEIVED)
        PrivacyStatusChange.objects.create(
            request=req,
            actor=_user(actor),
            from_status=PrivacyStatus.RECEIVED,
            to_status=PrivacyStatus.VERIFYING,
            note="verified by the self-service sign-in",
        )
        PrivacyVerification.objects.create(
            request=req,
            actor=_user(actor),
            method=PrivacyVerification.Method.SELF_SERVICE,
            items={"sign_in": True},
            matched=True,
        )
        access_record(
            actor=actor,
            action=Action.VIEW,
            target_type="privacy_request",
            target_ids=[req.pk],
            guest_ids=[guest.pk],
            reason=req.purpose,
            property=guest.home_property,
            channel="self_service" if actor is None else None,
        )
    return req


# ------------------------------------------------------------------ verification


def _name_key(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).casefold()


def _name_matches(guest: Guest, given: str) -> bool:
    key = _name_key(given)
    if not key:
        return False
    forms = {
        _name_key(guest.family_name + guest.given_name),
        _name_key(guest.given_name + guest.family_name),
    }
    return key in forms


def _phone_guests(phone: str) -> list[Guest]:
    from ..validators import normalise_phone

    try:
        bidx = crypto.blind_index("phone", normalise_phone(phone))
    except ValidationError:
        return []
    if not bidx:
        return []
    return list(Guest.objects.filter(phone_bidx=bidx, erased_at__isnull=True, merged_into__isnull=True)[:20])


def _document_guests(number: str) -> list[Guest]:
    bidx = crypto.blind_index("id_number", number or "")
    if not bidx:
        return []
    ids = set(IdentityDocument.objects.filter(number_bidx=bidx).values_list("guest_id", flat=True))
    return list(Guest.objects.filter(pk__in=ids, erased_at__isnull=True, merged_into__isnull=True))


def _match_details(data: dict) -> tuple[Guest | None, dict[str, bool]]:
    from reservations.models import Booking

    room = (data.get("room_number") or "").strip()
    arrival, departure = data.get("arrival"), data.get("departure")
    best: tuple[Guest | None, dict[str, bool]] = (
        None,
        {"name": False, "phone": False, "room_number": False, "arrival": False, "departure": False},
    )
    for guest in _phone_guests(data.get("phone") or ""):
        bookings = Booking.objects.filter(guest=guest)
        items = {
            "name": _name_matches(guest, data.get("name") or ""),
            "phone": True,
            "room_number": bool(room) and bookings.filter(room__number=room).exists(),
            "arrival": bool(arrival) and bookings.filter(arrival=arrival).exists(),
            "departure": bool(departure) and bookings.filter(departure=departure).exists(),
        }
        stay = bool(room and arrival and departure) and (
            bookings.filter(room__number=room, arrival=arrival, departure=departure).exists()
        )
        if all(items.values()) and stay:
            return guest, items
        if sum(items.values()) > sum(best[1].values()):
            best = (None, items)
    return best


def _match_document(data: dict) -> tuple[Guest | None, dict[str, bool]]:
    from reservations.models import Booking

    reference = re.sub(r"\s", "", data.get("booking_reference") or "").upper()
    best: tuple[Guest | None, dict[str, bool]] = (None, {"document": False, "booking_reference": False})
    for guest in _document_guests(data.get("document_number") or ""):
        items = {
            "document": True,
            "booking_reference": bool(reference)
            and Booking.objects.filter(guest=guest, reference=reference).exists(),
        }
        if all(items.values()):
            return guest, items
        best = (None, items)
    return best


def privacy_request_verify(*, actor, request: PrivacyRequest, method: str, **data) -> PrivacyVerification:
    """Check what the requester gives against the records. `method` "details": name, phone,
    room_number, arrival, departure; "document": document_number, booking_reference. Every item
    answers match or no match; all must match. The attempt is kept (which items matched, never a
    value) and recorded in the access log either way; a mismatch leaves the request unverified."""
    req = request_for(actor, request.pk)
    if not req.is_open or req.status == PrivacyStatus.APPROVED:
        record_refusal(actor=actor, code="verify_closed", req=req)
        raise ValidationError({"__all__": [_("This request is already decided; verification is closed.")]})
    if method == PrivacyVerification.Method.DETAILS:
        guest, items = _match_details(data)
    elif method == PrivacyVerification.Method.DOCUMENT:
        guest, items = _match_document(data)
    else:
        raise ValidationError({"method": [_("Choose how the requester proves who they are.")]})
    with transaction.atomic():
        req = PrivacyRequest.objects.select_for_update().get(pk=req.pk)
        attempt = PrivacyVerification.objects.create(
            request=req, actor=_user(actor), method=method, items=items, matched=guest is not None
        )
        if guest is not None:
            req.guest = guest
            req.verified_at = timezone.now()
            req.verified_by = _user(actor)
            req.save(update_fields=["guest", "verified_at", "verified_by", "updated_at"])
        if req.status == PrivacyStatus.RECEIVED:
            _transition(req, PrivacyStatus.VERIFYING, actor=actor)
        access_record(
            actor=actor,
            action=Action.SEARCH,
            target_type="privacy_request",
            target_ids=[req.pk],
            guest_ids=[guest.pk] if guest else [],
            criteria={"verification": method, "matched": guest is not None},
            reason=req.purpose,
            outcome=Outcome.OK if guest is not None else Outcome.NOT_FOUND,
            property=req.property,
        )
    request.refresh_from_db()
    return attempt


def privacy_authorisation_record(
    *, actor, request: PrivacyRequest, document_number: str, note: str
) -> PrivacyRequest:
    """Record the other guest's written authorisation for an enquiry: found by their identity
    document number (blind index), described by `note` (what was signed, where it is filed)."""
    req = request_for(actor, request.pk)
    try:
        if req.type != PrivacyRequestType.ENQUIRY:
            raise Refused("not_enquiry", "__all__", _("Only an enquiry about another guest needs this."))
        if not (note or "").strip():
            raise Refused(
                "no_authorisation_note",
                "note",
                _("Describe the written authorisation: who signed it, when, and where it is filed."),
            )
        others = _document_guests(document_number)
        if len(others) != 1:
            raise Refused(
                "authorisation_no_match",
                "document_number",
                _("No guest matches this document number; check it against the signed authorisation."),
            )
        with transaction.atomic():
            req = PrivacyRequest.objects.select_for_update().get(pk=req.pk)
            req.about_guest = others[0]
            req.authorisation_note = note.strip()
            req.authorisation_recorded_at = timezone.now()
            req.authorisation_recorded_by = _user(actor)
            req.save()
            PrivacyStatusChange.objects.create(
                request=req,
                actor=_user(actor),
                from_status=req.status,
                to_status=req.status,
                note="written authorisation recorded",
            )
        return req
    except Refused as exc:
        _refuse(exc, actor=actor, req=req)


# ------------------------------------------------------------------ decision and appeal


def refusal_reply(req: PrivacyRequest) -> str:
    return _(
        "We cannot grant your request %(ref)s. Reason: %(reason)s. %(text)s\n"
        "If you disagree, you may appeal within %(days)d days at any of our front desks, by replying "
        "to this message, or on our self-service pages, quoting %(ref)s; a different reviewer will "
        "look at your request again. You may also complain to the personal-information protection "
        "authority."
    ) % {
        "ref": req.short_id,
        "reason": RefusalReason(req.refusal_reason).label,
        "text": req.decision_text,
        "days": APPEAL_DAYS,
    }


def approval_reply(req: PrivacyRequest) -> str:
    return _("Your request %(ref)s (%(type)s) was approved; we will complete it by %(due)s.") % {
        "ref": req.short_id,
        "type": PrivacyRequestType(req.type).label,
        "due": req.due_on.isoformat(),
    }


def privacy_request_decide(
    *, actor, request: PrivacyRequest, approve: bool, refusal_reason: str = "", text: str = ""
) -> PrivacyRequest:
    """Approve or refuse. A refusal needs a reason from RefusalReason and a text; the reply explains
    both and how to appeal. After an appeal the decider must not be the first reviewer."""
    req = request_for(actor, request.pk)
    try:
        with transaction.atomic():
            req = PrivacyRequest.objects.select_for_update().get(pk=req.pk)
            appeal = req.status == PrivacyStatus.APPEALED
            if req.status not in (PrivacyStatus.RECEIVED, PrivacyStatus.VERIFYING, PrivacyStatus.APPEALED):
                raise Refused(
                    "decide_closed",
                    "__all__",
                    _("This request was already decided; it cannot be decided again."),
                )
            if appeal and req.first_reviewer_id == actor.pk:
                raise Refused(
                    "same_reviewer",
                    "__all__",
                    _(
                        "You decided this request the first time: a different reviewer must decide the appeal."
                    ),
                )
            text = (text or "").strip()
            if approve:
                if req.type == PrivacyRequestType.ENQUIRY and not req.authorisation_recorded_at:
                    raise Refused(
                        "no_authorisation",
                        "__all__",
                        _(
                            "An enquiry about another guest can only be approved once that guest's written "
                            "authorisation is recorded. Record it, or refuse the request."
                        ),
                    )
                if req.type != PrivacyRequestType.ENQUIRY and req.guest_id is None:
                    raise Refused(
                        "not_verified",
                        "__all__",
                        _("Verify the requester first: no guest record is linked to this request yet."),
                    )
                req.decision, req.refusal_reason = "approved", ""
            else:
                if refusal_reason not in RefusalReason.values:
                    raise Refused("no_reason", "refusal_reason", _("Choose the reason for the refusal."))
                if not text:
                    raise Refused(
                        "no_reason_text", "text", _("Explain the refusal in a sentence; the guest reads it.")
                    )
                req.decision, req.refusal_reason = "refused", refusal_reason
            req.decision_text = text
            req.decided_at = timezone.now()
            req.decided_by = actor
            if appeal:
                req.second_reviewer = actor
            else:
                req.first_reviewer = actor
            req.reply_text = approval_reply(req) if approve else refusal_reply(req)
            _transition(
                req,
                PrivacyStatus.APPROVED if approve else PrivacyStatus.REFUSED,
                actor=actor,
                note=("appeal: " if appeal else "") + (req.refusal_reason or "approved"),
                fields=[
                    "decision",
                    "refusal_reason",
                    "decision_text",
                    "decided_at",
                    "decided_by",
                    "first_reviewer",
                    "second_reviewer",
                    "reply_text",
                ],
            )
        return req
    except Refused as exc:
        _refuse(exc, actor=actor, req=req)


def privacy_request_appeal(*, actor, request: PrivacyRequest, text: str) -> PrivacyRequest:
    """The requester appeals a refusal (staff record it): the request reopens for a second reviewer."""
    req = request_for(actor, request.pk) if actor is not None else request
    try:
        with transaction.atomic():
            req = PrivacyRequest.objects.select_for_update().get(pk=req.pk)
            if req.status == PrivacyStatus.FULFILLED:
                raise Refused(
                    "appeal_fulfilled",
                    "__all__",
                    _(
                        "This request was fulfilled; there is nothing to appeal. Register a new request instead."
                    ),
                )
            if req.status != PrivacyStatus.REFUSED:
                raise Refused("appeal_not_refused", "__all__", _("Only a refused request can be appealed."))
            if req.second_reviewer_id:
                raise Refused(
                    "appeal_twice",
                    "__all__",
                    _("The appeal was already decided; the guest may turn to the protection authority."),
                )
            text = (text or "").strip()
            if not text:
                raise Refused("no_appeal_text", "text", _("Write down what the guest says in their appeal."))
            req.appeal_text = text
            req.appealed_at = timezone.now()
            _transition(req, PrivacyStatus.APPEALED, actor=actor, fields=["appeal_text", "appealed_at"])
        return req
    except Refused as exc:
        _refuse(exc, actor=actor, req=req)


# ------------------------------------------------------------------ fulfilment

CORRECTABLE = ("family_name", "given_name", "phone", "email", "address", "date_of_birth", "nationality")


def _correct(*, actor, req: PrivacyRequest, data: dict) -> list[str]:
    """A correction through the guests services' own validation and normalisation (their
    `_clean_fields`): the same rules as a profile edit, without the profile-level check (the
    approved request is the authority here). Saved through the model, so the change log has it."""
    from ..services import _clean_fields, _Errors

    wanted = {k: v for k, v in data.items() if k in CORRECTABLE and v not in (None, "")}
    if not wanted:
        raise Refused("no_correction", "__all__", _("Enter at least one corrected value."))
    errors = _Errors()
    fields = _clean_fields(wanted, errors, creating=False)
    if errors.errors:
        raise ValidationError(errors.errors)
    guest = Guest.objects.select_for_update().get(pk=req.guest_id)
    dob = fields.pop("date_of_birth", None)
    for name, value in fields.items():
        setattr(guest, name, value)
    if dob:
        guest.date_of_birth = dob.isoformat()
        guest.birth_month_day = dob.strftime("%m-%d")
    guest.save()
    return sorted(wanted)


def _object(*, req: PrivacyRequest) -> None:
    guest = Guest.objects.select_for_update().get(pk=req.guest_id)
    guest.marketing_consent = False
    guest.marketing_consent_at = None
    guest.marketing_consent_channel = ""
    guest.save()
    try:
        from members.models import Membership
    except ImportError:  # members not installed
        return
    for m in Membership.objects.select_for_update().filter(guest=guest):
        m.consent_email = m.consent_sms = False
        m.save(update_fields=["consent_email", "consent_sms"])


def privacy_request_fulfil(
    *, actor, request: PrivacyRequest, reply: str = "", correction: dict | None = None
) -> PrivacyRequest | PrivacyExport:
    """Carry out an approved request. Access/export: start the export (background; the request is
    fulfilled when the file is ready) and return the PrivacyExport. Correction: `correction` holds the
    new values. Erasure: anonymise the guest (guests.privacy.erasure). Objection: marketing consent
    withdrawn everywhere. Enquiry: `reply` is what was told to the requester."""
    from .erasure import ErasureRefused, guest_erase

    req = request_for(actor, request.pk)
    try:
        if req.status != PrivacyStatus.APPROVED:
            raise Refused("fulfil_not_approved", "__all__", _("Only an approved request can be carried out."))
        if req.type in (PrivacyRequestType.ACCESS, PrivacyRequestType.EXPORT):
            return _export_start(actor=actor, req=req)
        with transaction.atomic():
            req = PrivacyRequest.objects.select_for_update().get(pk=req.pk)
            fields = ["fulfilled_at", "fulfilled_by", "reply_text"]
            if req.type == PrivacyRequestType.CORRECTION:
                req.corrected_fields = _correct(actor=actor, req=req, data=correction or {})
                fields.append("corrected_fields")
                reply = reply or _("We corrected your record: %(fields)s.") % {
                    "fields": ", ".join(req.corrected_fields)
                }
            elif req.type == PrivacyRequestType.OBJECTION:
                _object(req=req)
                reply = reply or _("You will receive no more marketing from us.")
            elif req.type == PrivacyRequestType.ERASURE:
                guest_erase(actor=actor, guest=req.guest, request=req)
                req.refresh_from_db()
                reply = reply or _(
                    "Your personal data was erased; what accounting law requires is kept anonymously."
                )
            elif req.type == PrivacyRequestType.ENQUIRY and not (reply or "").strip():
                raise Refused("no_reply", "reply", _("Write what was told to the requester."))
            req.fulfilled_at = timezone.now()
            req.fulfilled_by = _user(actor)
            req.reply_text = (reply or "").strip()
            _transition(req, PrivacyStatus.FULFILLED, actor=actor, fields=fields)
        return req
    except ErasureRefused as exc:
        _refuse(Refused(exc.code, "__all__", exc.message), actor=actor, req=req)
    except Refused as exc:
        _refuse(exc, actor=actor, req=req)


# ------------------------------------------------------------------ exports


def _export_start(*, actor, req: PrivacyRequest) -> PrivacyExport:
    from .tasks import build_export

    if req.guest_id is None:
        raise Refused("not_verified", "__all__", _("Verify the requester first."))
    with transaction.atomic():
        export = PrivacyExport.objects.create(request=req)
        PrivacyStatusChange.objects.create(
            request=req,
            actor=_user(actor),
            from_status=req.status,
            to_status=req.status,
            note="export started",
        )
        actor_id = getattr(_user(actor), "pk", None)
        transaction.on_commit(lambda: build_export.delay(str(export.pk), actor_id))
    return export


def privacy_export_download(
    *, actor, export: PrivacyExport, via: str = "desk", guest: Guest | None = None
) -> tuple[str, bytes]:
    """The ZIP, once: staff hand it over at the desk (`via="desk"`), or the portal gives it to the
    signed-in guest (`actor=None, via="self_service", guest=<signed-in guest>`). The stored file is
    deleted as it is handed over; a second download is refused and recorded."""
    from . import export as builder

    req = export.request
    if actor is not None:
        req = request_for(actor, req.pk)
    elif guest is None or req.guest_id != guest.pk:
        raise Http404("No such export")
    channel = "self_service" if actor is None else None
    try:
        with transaction.atomic():
            export = PrivacyExport.objects.select_for_update().get(pk=export.pk)
            if export.state == PrivacyExport.State.DOWNLOADED:
                raise Refused(
                    "second_download",
                    "__all__",
                    _(
                        "This copy was already handed over on %(when)s; a copy is given once. Start a new "
                        "export if the guest needs another."
                    )
                    % {"when": timezone.localtime(export.downloaded_at).strftime("%Y-%m-%d %H:%M")},
                )
            if export.state != PrivacyExport.State.READY:
                raise Refused(
                    "export_not_ready", "__all__", _("The copy is not ready yet; try again shortly.")
                )
            content = builder.read(export)
            export.state = PrivacyExport.State.DOWNLOADED
            export.downloaded_at = timezone.now()
            export.downloaded_by = _user(actor)
            export.handed_over_via = via
            export.save()
            PrivacyStatusChange.objects.create(
                request=req,
                actor=_user(actor),
                from_status=req.status,
                to_status=req.status,
                note=f"copy handed over ({via})",
            )
            access_record(
                actor=actor,
                action=Action.EXPORT,
                target_type="privacy_export",
                target_ids=[export.pk],
                guest_ids=[req.guest_id],
                criteria={"request": str(req.pk), "handed_over": via},
                reason=req.purpose,
                property=req.property,
                channel=channel,
            )
            name = export.file_name
            transaction.on_commit(lambda: builder.delete(name))
        return f"privacy-{req.short_id}.zip", content
    except Refused as exc:
        if channel:
            with transaction.atomic():
                access_record(
                    actor=None,
                    action=Action.DENIED,
                    target_type="privacy_export",
                    target_ids=[export.pk],
                    criteria={"refused": exc.code},
                    reason=req.purpose,
                    outcome=Outcome.DENIED,
                    channel=channel,
                )
            raise ValidationError({exc.field: [exc.message]}) from None
        _refuse(exc, actor=actor, req=req)


def require_any_handle(actor) -> None:
    """404 unless the actor handles privacy requests somewhere."""
    from pms.permissions import require_any

    require_any(actor, [HANDLE])
