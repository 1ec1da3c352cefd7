"""Front-desk and back-office screens of the reservations app. Plain function views: the permission
check first (`property_required`), then one service or selector, then render. Staff URLs carry the
booking's UUID, never its reference (half of the guest's self-service credential)."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Action
from pms.crypto import mask_name
from pms.permissions import has_property_perm, property_required
from pms.roles import Capability

from . import forms, selectors, services, settlement, taking
from .models import (
    BookingStatus,
    NightAuditRun,
    RatePlan,
    RatePrice,
    Room,
    RoomBlock,
    RoomType,
)

C = Capability


def _today(request) -> date:
    return services.local_today(request.property)


def _parse_date(value, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _may_view(request) -> None:
    if not selectors.may_view_bookings(request.user, request.property):
        raise Http404("Not available")


def _detail(request, booking_id, capability=None, action=Action.VIEW, reason=""):
    return selectors.booking_detail(
        actor=request.user,
        booking_id=booking_id,
        property=request.property,
        capability=capability,
        action=action,
        reason=reason,
    )


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _attempt(form, call, *, gone: bool = False) -> int | None:
    """Run a booking service for a screen's form. None when it is done; else the status to answer
    with (409 for a conflict, 400 for a refusal), the reason on the form and nothing changed.
    `gone`: the conflict is about a room taken meanwhile."""
    try:
        call()
    except services.BookingConflict as exc:
        form.add_error(None, (_("That room has just gone.") + " " if gone else "") + exc.message)
        return 409
    except ValidationError as exc:
        _form_errors(form, exc)
        return 400
    return None


def _to_detail(request, booking):
    return redirect("reservations:booking-detail", property_code=request.property.code, booking_id=booking.pk)


# ------------------------------------------------------------------ search and detail


@login_required
@property_required()
def booking_search(request):
    _may_view(request)
    props = selectors.booking_properties(request.user)
    form = forms.SearchForm(request.GET or None, properties=props)
    rows, searched = [], False
    if form.is_bound and form.is_valid():
        chosen = [p for p in props if p.code == form.cleaned_data["property"]] or None
        if form.has_criteria() or chosen:
            searched = True
            rows = selectors.booking_search(
                actor=request.user,
                properties=chosen,
                reference=form.cleaned_data["reference"],
                name=form.cleaned_data["name"],
                arrival_from=form.cleaned_data["arrival_from"],
                arrival_to=form.cleaned_data["arrival_to"],
                status=form.cleaned_data["status"],
            )
        else:
            form.add_error(None, _("Give a reference, a name, an arrival date or a status."))
    return render(request, "reservations/search.html", {"form": form, "rows": rows, "searched": searched})


@login_required
@property_required()
def booking_detail(request, booking_id):
    detail = _detail(request, booking_id)
    b = detail.booking
    user, prop = request.user, request.property
    ctx = {
        "d": detail,
        "b": b,
        "fee_now": services.cancellation_fee(booking=b) if b.status == BookingStatus.CONFIRMED else None,
        "may_manage": has_property_perm(user, C.MANAGE_BOOKINGS, prop),
        "may_desk": has_property_perm(user, C.CHECK_IN_OUT, prop),
        "may_pay": has_property_perm(user, C.TAKE_PAYMENTS, prop),
        "overdue": b.status == BookingStatus.CHECKED_IN and b.departure < _today(request),
        "companion_form": forms.CompanionForm(),
    }
    return render(request, "reservations/detail.html", ctx)


# ------------------------------------------------------------------ new booking, quote, guest look-up


@login_required
@property_required(C.MANAGE_BOOKINGS)
def booking_new(request):
    prop = request.property
    today = _today(request)
    initial = {
        "arrival": today,
        "departure": today + timedelta(days=1),
        "channel": "desk" if request.GET.get("walk_in") else "phone",
        "rate_plan": RatePlan.objects.filter(property=prop, is_active=True).order_by("code").first(),
    }
    # "Book them here" from an ID-document hit at another hotel carries the search's document pass.
    from guests.access import document_pass_guest_id

    passed_guest = document_pass_guest_id(request.GET.get("pass", ""), request.user, prop)
    if passed_guest:
        initial.update(guest=passed_guest, guest_pass=request.GET["pass"])
    form = forms.NewBookingForm(request.POST or None, property=prop, initial=initial)
    if request.GET.get("walk_in"):
        form.fields["channel"].initial = "desk"
    alternatives = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            booking = _take_booking(request, prop, d)
        except services.BookingConflict as exc:
            form.add_error(None, exc.message)
            alternatives = exc.alternatives
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                form.add_error(None, _("Your role does not allow registering guests."))
            else:
                _form_errors(form, exc)
        else:
            messages.success(request, _("Booking %(ref)s taken.") % {"ref": booking.reference})
            return _to_detail(request, booking)
    return render(
        request,
        "reservations/new.html",
        {
            "form": form,
            "alternatives": alternatives,
            "walk_in": bool(request.GET.get("walk_in")),
            "passed_guest": bool(passed_guest) or bool(form.is_bound and form.data.get("guest")),
        },
        status=409 if alternatives else 200,
    )


def _take_booking(request, prop, d):
    """The guest (found, passed in by their document, or new) and their booking, in one go."""
    return taking.booking_take(
        actor=request.user,
        property=prop,
        guest_id=d.get("guest"),
        document_pass=d["guest_pass"],
        new_guest={"family_name": d["family_name"], "given_name": d["given_name"], "phone": d["phone"]},
        room_type=d["room_type"],
        rate_plan=d["rate_plan"],
        arrival=d["arrival"],
        departure=d["departure"],
        adults=d["adults"],
        children=d["children"],
        channel=d["channel"],
        special_requests=d["special_requests"],
    )


@login_required
@property_required(C.MANAGE_BOOKINGS)
def booking_quote(request):
    """htmx partial: room types left for the dates and party, with the price. No personal data."""
    prop = request.property
    form = forms.StayForm(request.GET or None, property=prop)
    quotes, error = [], ""
    if form.is_valid():
        d = form.cleaned_data
        if d["departure"] <= d["arrival"]:
            error = _("The departure must be after the arrival.")
        elif (d["departure"] - d["arrival"]).days > 90:
            error = _("A booking may have at most %(n)d nights; split longer stays.") % {"n": 90}
        else:
            quotes = services.availability(
                property=prop,
                arrival=d["arrival"],
                departure=d["departure"],
                adults=d["adults"],
                children=d["children"],
                rate_plan=d["rate_plan"],
            )
    else:
        error = _("Give the dates, the party and the rate plan to see prices.")
    return render(
        request,
        "reservations/_quote.html",
        {"quotes": quotes, "error": error, "selected": request.GET.get("room_type", "")},
    )


def _lookup_key(q: str) -> str:
    """What the desk typed into the guest look-up: an ID-document number (a PRC resident ID, or
    letters and digits such as a passport number), a phone number, or a name."""
    compact = q.replace(" ", "")
    if re.fullmatch(r"\d{17}[\dXx]", compact) or re.fullmatch(
        r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9]{6,20}", compact
    ):
        return "id_number"
    if compact.replace("+", "").replace("-", "").isdigit() and len(compact) >= 7:
        return "phone"
    return "name"


@login_required
@property_required(C.MANAGE_BOOKINGS)
def guest_lookup(request):
    """htmx partial: guests by name, phone or ID-document number through the guest search (masked,
    one access event)."""
    from guests.selectors import guest_search

    q = (request.GET.get("q") or "").strip()
    rows, error = [], ""
    if len(q) >= 1:
        key = _lookup_key(q)
        try:
            rows = guest_search(actor=request.user, property=request.property, criteria={key: q}).rows
        except PermissionDenied:
            error = _("Your role does not allow searching guests.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(request, "reservations/_guest_lookup.html", {"rows": rows, "q": q, "error": error})


# ------------------------------------------------------------------ modify and cancel


@login_required
@property_required(C.MANAGE_BOOKINGS)
def booking_modify(request, booking_id):
    detail = _detail(request, booking_id, C.MANAGE_BOOKINGS)
    b = detail.booking
    initial = {
        "arrival": b.arrival,
        "departure": b.departure,
        "adults": b.adults,
        "children": b.children,
        "rate_plan": b.rate_plan,
        "room_type": b.room_type,
        "version": b.version,
        "special_requests": b.special_requests,
    }
    form = forms.ModifyForm(request.POST or None, property=request.property, initial=initial)
    alternatives, status, preview = [], 200, None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        change = {
            "actor": request.user,
            "booking": b,
            "version": d["version"],
            "arrival": d["arrival"],
            "departure": d["departure"],
            "room_type": d["room_type"] or b.room_type,
            "rate_plan": d["rate_plan"],
            "adults": d["adults"],
            "children": d["children"],
            "special_requests": d["special_requests"],
        }
        try:
            if request.POST.get("step") == "preview":
                preview = services.booking_modify_preview(**change)
            else:
                done = services.booking_modify(**change, expected_total=d["total_shown"])
        except services.PriceChanged as exc:
            preview = exc.booking
            form.add_error(
                None, _("The price changed since it was shown; here is the new one. Nothing was saved.")
            )
        except services.BookingConflict as exc:
            form.add_error(None, exc.message)
            alternatives, status = exc.alternatives, 409
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if preview is None:
                messages.success(
                    request,
                    _("Booking changed; the stay now costs %(total)s %(cur)s.")
                    % {"total": done.total, "cur": done.currency},
                )
                return _to_detail(request, b)
    if preview is not None:
        # The form keeps what was entered; saving from the preview holds the price it showed.
        form.data = form.data.copy()
        form.data["total_shown"] = str(preview.total)
    return render(
        request,
        "reservations/modify.html",
        {"form": form, "b": b, "alternatives": alternatives, "preview": preview},
        status=status,
    )


@login_required
@property_required(C.MANAGE_BOOKINGS)
def booking_cancel(request, booking_id):
    detail = _detail(request, booking_id, C.MANAGE_BOOKINGS)
    b = detail.booking
    form = forms.CancelForm(request.POST or None, initial={"version": b.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        status = _attempt(
            form,
            lambda: services.booking_cancel(
                actor=request.user, booking=b, version=d["version"], reason=d["reason"]
            ),
        )
        if status is None:
            messages.success(request, _("Booking cancelled."))
            return _to_detail(request, b)
    ctx = {
        "form": form,
        "b": b,
        "fee": services.cancellation_fee(booking=b),
        "free_until": services.free_cancellation_until(booking=b),
    }
    return render(request, "reservations/cancel.html", ctx, status=status)


# ------------------------------------------------------------------ check-in, move, check-out, folio


@login_required
@property_required(C.CHECK_IN_OUT)
def booking_check_in(request, booking_id):
    detail = _detail(request, booking_id, C.CHECK_IN_OUT)
    b = detail.booking
    rooms = services.free_rooms(booking=b)
    initial = {"version": b.version, "room": b.room_id, "name_1": b.guest.display_name}
    form = forms.CheckInForm(request.POST or None, rooms=rooms, adults=b.adults, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        docs = [
            services.IdentityDocumentInput(
                full_name=d[f"name_{i}"],
                doc_type=d[f"doc_type_{i}"],
                number=d[f"number_{i}"],
                nationality=d[f"nationality_{i}"],
                guest=b.guest if i == 1 else None,
            )
            for i in range(1, b.adults + 1)
        ]
        status = _attempt(
            form,
            lambda: services.booking_check_in(
                actor=request.user, booking=b, version=d["version"], documents=docs, room=d["room"]
            ),
            gone=True,
        )
        if status is None:
            messages.success(request, _("Checked in."))
            return _to_detail(request, b)
    return render(
        request, "reservations/check_in.html", {"form": form, "b": b, "rooms": rooms}, status=status
    )


@login_required
@property_required(C.CHECK_IN_OUT)
def booking_move(request, booking_id):
    detail = _detail(request, booking_id, C.CHECK_IN_OUT)
    b = detail.booking
    candidates = [
        r
        for rt in RoomType.objects.filter(property=request.property, is_active=True)
        for r in services.free_rooms(booking=b, room_type=rt, ready_only=b.status == "checked_in")
    ]
    rooms = (
        Room.objects.filter(pk__in=[r.pk for r in candidates])
        .exclude(pk=b.room_id)
        .select_related("room_type")
    )
    form = forms.MoveForm(request.POST or None, rooms=rooms, initial={"version": b.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        status = _attempt(
            form,
            lambda: services.booking_room_move(
                actor=request.user, booking=b, version=d["version"], room=d["room"], reason=d["reason"]
            ),
            gone=True,
        )
        if status is None:
            messages.success(request, _("Room changed."))
            return _to_detail(request, b)
    return render(request, "reservations/move.html", {"form": form, "b": b}, status=status)


@login_required
@require_POST
@property_required(C.CHECK_IN_OUT)
def companion_add(request, booking_id):
    """Register another guest of the stay by their identity document (the desk holds the card)."""
    b = _detail(request, booking_id, C.CHECK_IN_OUT).booking
    form = forms.CompanionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _to_detail(request, b)
    d = form.cleaned_data
    guest = selectors.companion_by_document(
        actor=request.user, booking=b, doc_type=d["doc_type"], number=d["number"]
    )
    if guest is None:
        messages.error(
            request,
            _(
                "No guest profile holds this document. Create the guest first (Guests, New guest), then add them here."
            ),
        )
        return _to_detail(request, b)
    try:
        services.booking_companion_add(actor=request.user, booking=b, guest=guest)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(name)s is registered with this stay.") % {"name": mask_name(guest.display_name)}
        )
    return _to_detail(request, b)


@login_required
@require_POST
@property_required(C.CHECK_IN_OUT)
def companion_remove(request, booking_id, guest_id):
    b = _detail(request, booking_id, C.CHECK_IN_OUT).booking
    try:
        services.booking_companion_remove(actor=request.user, booking=b, guest_id=guest_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The companion was taken off the booking."))
    return _to_detail(request, b)


@login_required
@property_required(C.CHECK_IN_OUT)
def booking_departure(request, booking_id):
    """Extend or shorten an in-house stay (also how an overstaying guest's extra nights are booked)."""
    detail = _detail(request, booking_id, C.CHECK_IN_OUT)
    b = detail.booking
    before = (b.departure, b.total)
    form = forms.DepartureForm(request.POST or None, initial={"version": b.version, "departure": b.departure})
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        status = _attempt(
            form,
            lambda: services.booking_departure_change(
                actor=request.user, booking=b, version=d["version"], departure=d["departure"]
            ),
        )
        if status is None:
            b.refresh_from_db()
            messages.success(
                request,
                _("Departure changed from %(old)s to %(new)s; the stay now costs %(total)s %(cur)s.")
                % {
                    "old": before[0].isoformat(),
                    "new": b.departure.isoformat(),
                    "total": b.total,
                    "cur": b.currency,
                },
            )
            return _to_detail(request, b)
    ctx = {"form": form, "b": b, "overdue": b.departure < _today(request)}
    return render(request, "reservations/departure.html", ctx, status=status)


@login_required
@property_required(C.CHECK_IN_OUT)
def booking_check_out(request, booking_id):
    detail = _detail(request, booking_id, C.CHECK_IN_OUT)
    b = detail.booking
    form = forms.VersionForm(request.POST or None, initial={"version": b.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        status = _attempt(
            form, lambda: services.booking_check_out(actor=request.user, booking=b, version=version)
        )
        if status is None:
            messages.success(request, _("Checked out. Print the receipt for the guest."))
            return _to_detail(request, b)
    # What check-out will ask for: the balance plus the room nights the night audit has not posted
    # yet. A cancelled or no-show booking owes its balance alone (the fee).
    due = detail.balance
    if b.status == "checked_in":
        leave = min(max(_today(request), b.arrival + timedelta(days=1)), b.departure)
        posted = {ln.night for ln in detail.lines if ln.kind == "room"}
        due += sum((p for n, p in b.night_prices() if n < leave and n not in posted), Decimal(0))
    ctx = {
        "d": detail,
        "b": b,
        "form": form,
        "due": due,
        "charge_form": forms.ChargeForm(),
        "payment_form": forms.PaymentForm(initial={"amount": due if due > 0 else None}),
        "may_pay": has_property_perm(request.user, C.TAKE_PAYMENTS, request.property),
        "voucher_form": forms.VoucherForm() if settlement.takes_codes() else None,
        "overdue": b.status == BookingStatus.CHECKED_IN and b.departure < _today(request),
    }
    return render(request, "reservations/check_out.html", ctx, status=status)


@login_required
@require_POST
@property_required(C.TAKE_PAYMENTS)
def folio_post(request, booking_id):
    detail = _detail(request, booking_id, C.TAKE_PAYMENTS)
    b = detail.booking
    if request.POST.get("what") == "voucher":
        return _voucher_post(request, b)
    is_payment = request.POST.get("what") == "payment"
    form = (forms.PaymentForm if is_payment else forms.ChargeForm)(request.POST)
    if form.is_valid():
        post = services.folio_payment_post if is_payment else services.folio_charge_post
        try:
            post(actor=request.user, booking=b, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Payment recorded.") if is_payment else _("Charge posted."))
    else:
        messages.error(request, _("Check the amount and what it is for."))
    return redirect("reservations:booking-check-out", property_code=request.property.code, booking_id=b.pk)


def _voucher_post(request, b):
    """A member's voucher at check-out: the app that issued it checks it and posts its credit line."""
    form = forms.VoucherForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the voucher code."))
    else:
        try:
            line = settlement.redeem_code(actor=request.user, booking=b, code=form.cleaned_data["code"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Voucher redeemed: %(amount)s off.") % {"amount": line.amount})
    return redirect("reservations:booking-check-out", property_code=request.property.code, booking_id=b.pk)


PRINTS = {
    "confirmation": ("reservations/print_confirmation.html", None),
    "registration": ("reservations/print_registration.html", C.CHECK_IN_OUT),
    "receipt": ("reservations/print_receipt.html", C.CHECK_IN_OUT),
}


@login_required
@property_required()
def booking_print(request, booking_id, document):
    if document not in PRINTS:
        raise Http404
    template, capability = PRINTS[document]
    detail = selectors.booking_print(
        actor=request.user, booking_id=booking_id, property=request.property, document=document
    )
    if capability and not has_property_perm(request.user, capability, request.property):
        raise Http404
    b = detail.booking
    regs = list(b.registrations.all()) if document == "registration" else []
    return render(
        request, template, {"d": detail, "b": b, "registrations": regs, "property": request.property}
    )


# ------------------------------------------------------------------ lists, chart, housekeeping


@login_required
@property_required()
def front_desk(request):
    _may_view(request)
    day = _parse_date(request.GET.get("date"), _today(request))
    kind = request.GET.get("list", "arrivals")
    if kind not in selectors.LIST_KINDS:
        kind = "arrivals"
    rows = selectors.front_desk_list(actor=request.user, property=request.property, day=day, kind=kind)
    last_audit = NightAuditRun.objects.filter(property=request.property).order_by("-business_date").first()
    today = _today(request)
    return render(
        request,
        "reservations/front_desk.html",
        {
            "last_audit": last_audit,
            # Yesterday should be closed by now (the audit runs after midnight, hotel time).
            "audit_late": last_audit is None or last_audit.business_date < today - timedelta(days=1),
            "rows": rows,
            "day": day,
            "kind": kind,
            "kinds": [
                ("arrivals", _("Arrivals")),
                ("departures", _("Departures")),
                ("in_house", _("In house")),
            ],
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
        },
    )


@login_required
@property_required()
def room_chart(request):
    _may_view(request)
    start = _parse_date(request.GET.get("start"), _today(request))
    chart = selectors.room_chart(actor=request.user, property=request.property, start=start, days=14)
    return render(
        request,
        "reservations/room_chart.html",
        {
            "chart": chart,
            "start": start,
            "prev": start - timedelta(days=7),
            "next": start + timedelta(days=7),
        },
    )


def _active_rooms(prop):
    return (
        Room.objects.filter(property=prop, is_active=True)
        .select_related("room_type")
        .order_by("floor", "number")
    )


def _housekeeping_page(request, block_form=None, status=200):
    prop = request.property
    today = _today(request)
    rooms = _active_rooms(prop)
    occupied = set(prop.bookings.filter(status=BookingStatus.CHECKED_IN).values_list("room_id", flat=True))
    blocks = list(
        RoomBlock.objects.filter(room__property=prop, released_at__isnull=True, end__gt=today)
        .select_related("room")
        .order_by("start", "room__number")
    )
    out_now = {b.room_id: b for b in blocks if b.start <= today}
    listed = list(rooms)
    for room in listed:
        room.block_now = out_now.get(room.pk)
    ctx = {
        "rooms": listed,
        "occupied": occupied,
        "statuses": forms.STATUS_CHOICES,
        "blocks": blocks,
        "block_form": block_form or forms.RoomBlockForm(rooms=rooms, initial={"start": today}),
    }
    return render(request, "reservations/housekeeping.html", ctx, status=status)


@login_required
@property_required(C.CHECK_IN_OUT)
def housekeeping(request):
    prop = request.property
    if request.method != "POST":
        return _housekeeping_page(request)
    form = forms.HousekeepingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a room and a status."))
        return redirect("reservations:housekeeping", property_code=prop.code)
    room = get_object_or_404(Room, pk=form.cleaned_data["room"], property=prop)
    try:
        services.room_housekeeping_set(
            actor=request.user, room=room, status=form.cleaned_data["housekeeping"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Room %(n)s is now %(s)s.") % {"n": room.number, "s": room.get_housekeeping_display()},
        )
    return redirect("reservations:housekeeping", property_code=prop.code)


@login_required
@require_POST
@property_required(C.CHECK_IN_OUT)
def room_block_new(request):
    """Take a room out of order for a period: out of sale and not given to a booking."""
    form = forms.RoomBlockForm(request.POST, rooms=_active_rooms(request.property))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.room_block_create(
                actor=request.user, room=d["room"], start=d["start"], end=d["end"], reason=d["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Room %(n)s is out of order from %(s)s and sold again from %(e)s.")
                % {"n": d["room"].number, "s": d["start"].isoformat(), "e": d["end"].isoformat()},
            )
            return redirect("reservations:housekeeping", property_code=request.property.code)
    return _housekeeping_page(request, block_form=form, status=400)


@login_required
@require_POST
@property_required(C.CHECK_IN_OUT)
def room_block_release(request, pk):
    block = get_object_or_404(RoomBlock, pk=pk, room__property=request.property)
    try:
        services.room_block_release(actor=request.user, block=block)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Room %(n)s is back on sale; clean and inspect it before a guest.") % {"n": block.room.number},
        )
    return redirect("reservations:housekeeping", property_code=request.property.code)


# ------------------------------------------------------------------ configuration (no personal data)


@login_required
@property_required(C.CONFIGURE_PROPERTY)
def config(request):
    prop = request.property
    return render(
        request,
        "reservations/config.html",
        {
            "room_types": RoomType.objects.filter(property=prop),
            "rooms": Room.objects.filter(property=prop).select_related("room_type"),
            "rate_plans": RatePlan.objects.filter(property=prop),
        },
    )


def _config_save(request, form, save, kind_label):
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(what)s saved.") % {"what": kind_label})
            return redirect("reservations:config", property_code=request.property.code)
    return None


@login_required
@property_required(C.CONFIGURE_PROPERTY)
def config_room_type(request, pk=None):
    prop = request.property
    obj = get_object_or_404(RoomType, pk=pk, property=prop) if pk else RoomType(property=prop)
    form = forms.RoomTypeForm(request.POST or None, instance=obj)

    def save(f):
        services.room_type_save(actor=request.user, room_type=f.save(commit=False))

    done = _config_save(request, form, save, _("Room type"))
    return done or render(request, "reservations/config_form.html", {"form": form, "title": _("Room type")})


@login_required
@property_required(C.CONFIGURE_PROPERTY)
def config_room(request, pk=None):
    prop = request.property
    obj = get_object_or_404(Room, pk=pk, property=prop) if pk else Room(property=prop)
    form = forms.RoomForm(request.POST or None, instance=obj, property=prop)

    def save(f):
        services.room_save(actor=request.user, room=f.save(commit=False), property=prop)

    done = _config_save(request, form, save, _("Room"))
    return done or render(request, "reservations/config_form.html", {"form": form, "title": _("Room")})


@login_required
@property_required(C.CONFIGURE_PROPERTY)
def config_rate_plan(request, pk=None):
    prop = request.property
    obj = get_object_or_404(RatePlan, pk=pk, property=prop) if pk else RatePlan(property=prop)
    room_types = RoomType.objects.filter(property=prop)
    prices = dict(RatePrice.objects.filter(rate_plan=obj).values_list("room_type_id", "price")) if pk else {}
    form = forms.RatePlanForm(request.POST or None, instance=obj, room_types=room_types, prices=prices)
    override_form = forms.OverrideForm(property=prop) if pk else None

    def save(f):
        services.rate_plan_save(actor=request.user, rate_plan=f.save(commit=False), prices=f.prices())

    done = _config_save(request, form, save, _("Rate plan"))
    overrides = (
        obj.overrides.select_related("room_type").filter(date__gte=_today(request))[:200] if pk else []
    )
    return done or render(
        request,
        "reservations/config_rate_plan.html",
        {"form": form, "plan": obj if pk else None, "override_form": override_form, "overrides": overrides},
    )


@login_required
@require_POST
@property_required(C.CONFIGURE_PROPERTY)
def config_rate_override(request, pk):
    prop = request.property
    plan = get_object_or_404(RatePlan, pk=pk, property=prop)
    form = forms.OverrideForm(request.POST, property=prop)
    if form.is_valid():
        try:
            n = services.rate_override_set(actor=request.user, rate_plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(n)d nights set.") % {"n": n})
    else:
        messages.error(request, _("Check the room type, the nights and the price."))
    return redirect("reservations:config-rate-plan", property_code=prop.code, pk=plan.pk)


# ------------------------------------------------------------------ reports


def _report_params(request):
    today = _today(request)
    form = forms.ReportForm(
        request.GET or None,
        initial={"start": today.replace(day=1), "end": today + timedelta(days=1), "by": "day"},
    )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        start, end, by = d["start"], d["end"], d["by"]
    else:
        start, end, by = today.replace(day=1), today + timedelta(days=1), "day"
    if end <= start or (end - start).days > 731:
        end = start + timedelta(days=1)
    return form, start, end, by


@login_required
@property_required(C.VIEW_REPORTS)
def reports(request):
    form, start, end, by = _report_params(request)
    rows = selectors.occupancy_report(property=request.property, start=start, end=end, by=by)
    chart = {
        "labels": [r["period"].isoformat() for r in rows],
        "occupancy": [r["occupancy"] for r in rows],
        "adr": [float(r["adr"]) for r in rows],
        "revpar": [float(r["revpar"]) for r in rows],
        "titles": {"occupancy": _("Occupancy %"), "adr": _("ADR"), "revpar": _("RevPAR")},
    }
    return render(
        request,
        "reservations/reports.html",
        {
            "form": form,
            "rows": rows,
            "chart": chart,
            "may_export": has_property_perm(request.user, C.EXPORT_DATA, request.property),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@property_required(C.EXPORT_DATA)
def reports_export(request):
    _form, start, end, by = _report_params(request)
    rows = selectors.report_export(actor=request.user, property=request.property, start=start, end=end, by=by)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="occupancy-{request.property.code}-{start}-{end}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "period",
            "rooms_out_of_order",
            "rooms_available",
            "rooms_sold",
            "occupancy_pct",
            "adr",
            "revpar",
            "revenue",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r["period"],
                r["rooms_out_of_order"],
                r["rooms_available"],
                r["rooms_sold"],
                r["occupancy"],
                r["adr"],
                r["revpar"],
                r["revenue"],
            ]
        )
    return response


@login_required
@property_required()
def forecast(request):
    prop = request.property
    if not (
        has_property_perm(request.user, C.VIEW_REPORTS, prop)
        or selectors.may_view_bookings(request.user, prop)
    ):
        raise Http404
    start = _parse_date(request.GET.get("start"), _today(request))
    rows = selectors.arrivals_forecast(property=prop, start=start, days=14)
    return render(request, "reservations/forecast.html", {"rows": rows, "start": start})
