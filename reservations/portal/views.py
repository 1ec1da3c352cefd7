"""Screens of the guest portal. Plain function views: parse, call one selector or service, render.

Nothing personal travels in a URL: the look-up and the e-mail are POSTed, bookings are addressed
by their UUID (never the reference), and answers that must not tell anything apart (a wrong
reference or a wrong name; a known or an unknown e-mail) render the same bytes.
"""

from __future__ import annotations

import logging
import time
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import Action

from ..models import BookingStatus
from ..services import (
    BookingConflict,
    PriceChanged,
    StaleBooking,
    booking_cancel,
    booking_modify,
    cancellation_fee,
    free_cancellation_until,
    local_today,
)
from . import forms, ics, limits, selectors, tokens
from .sessions import VIA_LINK, Scope, portal_view

logger = logging.getLogger(__name__)

CANCEL_REASON = "Cancelled by the guest (self-service)"
DONE = {
    "cancelled": lambda: _("Your booking is cancelled. A confirmation is shown below."),
    "changed": lambda: _("Your booking is changed. The new dates, room type and price are shown below."),
    "feedback": lambda: _("Thank you. The hotel has your message and will reply on this page."),
}


def _too_many(request):
    return render(
        request, "portal/too_many.html", {"minutes": settings.PORTAL_ALERT_WINDOW_MINUTES}, status=429
    )


# ---------------------------------------------------------------- find my booking


LOOKUP_FAILED = "lookup_failed"


@require_http_methods(["GET", "POST"])
@portal_view()
def lookup(request):
    """POST, then redirect either way (to the booking, or back here with a one-time notice in the
    portal session): found and not found do the same work, a query, an event, the same counters,
    a session write, and a 302; a wrong reference and a wrong name are the same answer."""
    form = forms.LookupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            if limits.lookup_limited(request, ""):
                return _too_many(request)
        else:
            started = time.monotonic()
            reference, family_name = form.cleaned_data["reference"], form.cleaned_data["family_name"]
            if limits.lookup_limited(request, reference):
                selectors.lookup_refused(reference=reference, family_name=family_name)
                return _too_many(request)
            booking = selectors.booking_lookup(reference=reference, family_name=family_name)
            limits.lookup_counted(request, reference, found=booking is not None)
            if booking is None:
                request.portal.set_flash(LOOKUP_FAILED)
                _no_sooner_than(started, settings.PORTAL_LOOKUP_MIN_MS)
                return redirect("portal:lookup")
            scope = request.portal.scope
            if scope is None or not selectors.in_scope(scope, booking):
                request.portal.start(Scope(guest_ids=[str(booking.guest_id)], booking_ids=[str(booking.pk)]))
            else:
                request.portal.set_flash("")  # the same session write as the other paths
            _no_sooner_than(started, settings.PORTAL_LOOKUP_MIN_MS)
            return redirect("portal:booking", booking_id=booking.pk)
    error = ""
    if request.method == "GET" and request.portal.pop_flash() == LOOKUP_FAILED:
        error = _(
            "We could not find a booking with this reference and family name. Check both and "
            "try again, or ask the hotel."
        )
    return render(request, "portal/lookup.html", {"form": form, "error": error})


def _no_sooner_than(started: float, floor_ms: int) -> None:
    """Wait out the rest of `floor_ms` since `started`: found and not-found answers leave at the same
    time (the session is saved after this, the same write on both paths)."""
    left = floor_ms / 1000 - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)


def _booking_context(request, b) -> dict:
    deadline = timezone.localtime(free_cancellation_until(booking=b), b.property.tz)
    now = timezone.now()
    confirmed = b.status == BookingStatus.CONFIRMED
    return {
        "b": b,
        "nights": b.night_prices(),
        "deadline": deadline,
        "free_now": now < deadline,
        "fee_now": cancellation_fee(booking=b, at=now),
        "can_cancel": confirmed,
        "can_change": confirmed and now < deadline and b.arrival >= local_today(b.property),
        "signed_in": request.portal.scope.signed_in,
    }


@require_http_methods(["GET"])
@portal_view(require="booking")
def booking(request, booking_id):
    b = selectors.booking_for(scope=request.portal.scope, booking_id=booking_id)
    ctx = _booking_context(request, b)
    done = DONE.get(request.GET.get("done", ""))
    ctx["done"] = done() if done else ""
    ctx.update(_feedback_context(b))
    return render(request, "portal/booking.html", ctx)


def _feedback_context(b, form=None) -> dict:
    open_for_feedback = b.status in (BookingStatus.CHECKED_IN, BookingStatus.CHECKED_OUT)
    return {
        "feedback": selectors.booking_feedback(booking=b) if open_for_feedback else [],
        "feedback_form": (form or forms.FeedbackForm()) if open_for_feedback else None,
    }


@require_POST
@portal_view(require="booking")
def feedback(request, booking_id):
    """The guest's feedback on their stay: routed to the department, answered on this page."""
    form = forms.FeedbackForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            selectors.feedback_leave(
                scope=request.portal.scope, booking_id=booking_id, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect(reverse("portal:booking", kwargs={"booking_id": booking_id}) + "?done=feedback")
    b = selectors.booking_for(scope=request.portal.scope, booking_id=booking_id)
    ctx = {**_booking_context(request, b), **_feedback_context(b, form), "feedback_error": error, "done": ""}
    return render(request, "portal/booking.html", ctx, status=400)


@require_http_methods(["GET"])
@portal_view(require="booking")
def booking_print(request, booking_id):
    b = selectors.booking_for(scope=request.portal.scope, booking_id=booking_id, action=Action.PRINT)
    return render(request, "portal/print.html", _booking_context(request, b))


@require_http_methods(["GET"])
@portal_view(require="booking")
def booking_ics(request, booking_id):
    b = selectors.booking_for(scope=request.portal.scope, booking_id=booking_id, action=Action.EXPORT)
    response = HttpResponse(ics.calendar(b), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{b.arrival.isoformat()}.ics"'
    return response


# ---------------------------------------------------------------- cancel and change


class _Undo(Exception):
    """Raised inside a transaction to roll a service call back (a preview, or a changed price)."""

    def __init__(self, booking):
        super().__init__("undo")
        self.booking = booking


def _cancel_refusal(b) -> str:
    if b.status == BookingStatus.CHECKED_IN:
        return _(
            "You have already checked in, so this booking can no longer be cancelled here. Please speak to the front desk."
        )
    if b.status != BookingStatus.CONFIRMED:
        return _("This booking is %(status)s; it can no longer be cancelled.") % {
            "status": b.get_status_display().lower()
        }
    return ""


def _conflict_message(exc: BookingConflict) -> str:
    if isinstance(exc, StaleBooking):
        return _(
            "This booking was changed a moment ago (perhaps at the hotel). Nothing was changed now; please look at it again and repeat your change."
        )
    return _(
        "Sorry, no room of this type is free for these dates any more. Nothing was changed; try other dates or another room type."
    )


@require_http_methods(["GET", "POST"])
@portal_view(require="booking")
def cancel(request, booking_id):
    b = selectors.booking_for(
        scope=request.portal.scope, booking_id=booking_id, reason="self-service: cancel"
    )
    ctx = _booking_context(request, b)
    refusal = _cancel_refusal(b)
    error = ""
    if request.method == "POST" and not refusal:
        form = forms.ConfirmForm(request.POST)
        if not form.is_valid():
            error = _("Something was missing from the confirmation; please confirm again.")
        else:
            try:
                with transaction.atomic():
                    done = booking_cancel(
                        actor=None, booking=b, version=form.cleaned_data["version"], reason=CANCEL_REASON
                    )
                    if done.cancellation_fee != form.cleaned_data["fee_shown"]:
                        raise _Undo(done)
            except _Undo as undo:
                ctx["fee_now"] = undo.booking.cancellation_fee
                ctx["free_now"] = False
                error = _(
                    "The free-cancellation deadline has passed while this page was open: the fee is now "
                    "%(fee)s %(cur)s. Nothing was cancelled; confirm again to cancel with this fee."
                ) % {"fee": undo.booking.cancellation_fee, "cur": b.currency}
            except BookingConflict as exc:
                error = _conflict_message(exc)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect(reverse("portal:booking", kwargs={"booking_id": b.pk}) + "?done=cancelled")
    ctx.update({"refusal": refusal, "error": error})
    return render(
        request, "portal/cancel.html", ctx, status=409 if (refusal and request.method == "POST") else 200
    )


def _change_refusal(b, ctx) -> str:
    if b.status == BookingStatus.CHECKED_IN:
        return _(
            "You have already checked in, so this booking can no longer be changed here. Please speak to the front desk."
        )
    if b.status != BookingStatus.CONFIRMED:
        return _("This booking is %(status)s; it can no longer be changed.") % {
            "status": b.get_status_display().lower()
        }
    if not ctx["can_change"]:
        return _(
            "The free-cancellation deadline has passed, so this booking can no longer be changed online. Please contact the hotel."
        )
    return ""


@require_http_methods(["GET", "POST"])
@portal_view(require="booking")
def change(request, booking_id):
    b = selectors.booking_for(
        scope=request.portal.scope, booking_id=booking_id, reason="self-service: change"
    )
    ctx = _booking_context(request, b)
    refusal = _change_refusal(b, ctx)
    initial = {"arrival": b.arrival, "departure": b.departure, "room_type": b.room_type, "version": b.version}
    form = forms.ChangeForm(initial=initial, booking=b)
    preview, error = None, ""
    if request.method == "POST" and not refusal:
        form = forms.ChangeForm(request.POST, booking=b)
        if form.is_valid():
            cd = form.cleaned_data
            confirm = request.POST.get("step") == "confirm"
            if (cd["arrival"], cd["departure"], cd["room_type"].pk) == (
                b.arrival,
                b.departure,
                b.room_type_id,
            ):
                error = _(
                    "These are the dates and room type you have booked; choose other dates or another room type."
                )
            else:
                try:
                    booking_modify(
                        actor=None,
                        booking=b,
                        version=cd["version"],
                        arrival=cd["arrival"],
                        departure=cd["departure"],
                        room_type=cd["room_type"],
                        # Show the price first (nothing is kept); keep the change only at the price shown.
                        dry_run=not confirm or cd["total_shown"] is None,
                        expected_total=cd["total_shown"],
                    )
                except PriceChanged as changed:
                    new = changed.booking
                    if confirm:
                        error = _(
                            "The price has changed since you saw it; here is the new price. Nothing was changed yet."
                        )
                    preview = {
                        "arrival": new.arrival,
                        "departure": new.departure,
                        "nights": new.nights,
                        "room_type": new.room_type,
                        "nightly": new.night_prices(),
                        "total": new.total,
                        "difference": new.total - b.total,
                        "version": cd["version"],
                    }
                except BookingConflict as exc:
                    error = _conflict_message(exc)
                    if isinstance(exc, StaleBooking):
                        # Show the booking as it is now, with its new version: the next try can work.
                        b.refresh_from_db()
                        ctx = _booking_context(request, b)
                        data = request.POST.copy()
                        data["version"] = str(b.version)
                        form = forms.ChangeForm(data, booking=b)
                        form.is_valid()
                except ValidationError as exc:
                    error = " ".join(exc.messages)
                else:
                    return redirect(reverse("portal:booking", kwargs={"booking_id": b.pk}) + "?done=changed")
    ctx.update({"form": form, "preview": preview, "error": error, "refusal": refusal})
    status = 409 if (refusal and request.method == "POST") else 200
    return render(request, "portal/change.html", ctx, status=status)


# ---------------------------------------------------------------- my bookings (sign-in by e-mail)


def _browser_nonce(request) -> tuple[str, bool]:
    nonce = request.COOKIES.get(settings.PORTAL_BROWSER_COOKIE, "")
    if 16 <= len(nonce) <= 64:
        return nonce, False
    return tokens.new_browser_nonce(), True


def _send_link(request, guest_id: str, signed: str) -> None:
    """Queue the sign-in e-mail (reservations.portal_send_link) once the request's work is committed."""
    from django.utils.translation import get_language

    from ..tasks import portal_send_link

    url = request.build_absolute_uri(reverse("portal:sign-in", kwargs={"token": signed}))
    language = get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: portal_send_link.delay(guest_id, url, language))


@require_http_methods(["GET", "POST"])
@portal_view()
def bookings_request(request):
    nonce, new_nonce = _browser_nonce(request)
    form = forms.EmailForm(request.POST if request.method == "POST" else None)
    sent = False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if limits.link_limited(request, email):
            return _too_many(request)
        guest_ids = selectors.guests_by_email(email)
        if guest_ids:
            _send_link(request, guest_ids[0], tokens.link_issue(guest_ids=guest_ids, browser_nonce=nonce))
        sent = True
        form = forms.EmailForm()
    elif request.method == "POST" and limits.link_limited(request, ""):
        return _too_many(request)
    response = render(
        request,
        "portal/bookings_request.html",
        {"form": form, "sent": sent, "minutes": settings.PORTAL_LINK_MINUTES},
    )
    if new_nonce:
        response.set_cookie(
            settings.PORTAL_BROWSER_COOKIE,
            nonce,
            max_age=24 * 3600,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )
    return response


LINK_REFUSALS = {
    "expired": (
        410,
        lambda: _("This link has expired: links are valid for %(m)d minutes. Ask for a new one below."),
    ),
    "used": (
        410,
        lambda: _("This link has already been used; each link works once. Ask for a new one below."),
    ),
    "other_browser": (
        403,
        lambda: _(
            "This link works only in the browser where you asked for it. Open it there, or ask for a new link in this browser."
        ),
    ),
    "invalid": (404, lambda: _("This link is not valid. Ask for a new one below.")),
}


@require_http_methods(["GET"])
@portal_view()
def sign_in(request, token):
    try:
        redeemed = tokens.link_redeem(
            signed=token, browser_nonce=request.COOKIES.get(settings.PORTAL_BROWSER_COOKIE)
        )
    except tokens.LinkRefused as exc:
        selectors.sign_in_refused(reason=exc.reason)
        status, message = LINK_REFUSALS[exc.reason]
        text = message()
        if exc.reason == "expired":
            text = text % {"m": settings.PORTAL_LINK_MINUTES}
        return render(request, "portal/link_refused.html", {"message": text}, status=status)
    selectors.signed_in(guest_ids=redeemed.guest_ids)
    request.portal.start(Scope(guest_ids=redeemed.guest_ids, via=VIA_LINK))
    return redirect("portal:bookings")


@require_http_methods(["GET"])
@portal_view(require=VIA_LINK)
def bookings(request):
    scope = request.portal.scope
    hotels = selectors.booking_hotels(scope=scope)
    form = forms.FilterForm(request.GET or None, hotels=hotels)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.bookings_list(
        scope=scope,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        hotel=filters.get("hotel", ""),
    )
    today = timezone.localdate()
    return render(
        request,
        "portal/bookings.html",
        {
            "form": form,
            "upcoming": [b for b in rows if b.departure >= today],
            "past": [b for b in rows if b.departure < today],
        },
    )


@require_http_methods(["GET", "POST"])
@portal_view(require=VIA_LINK)
def my_data(request):
    scope = request.portal.scope
    requested, error = None, ""
    asked = request.POST.get("type", "access") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            requested = selectors.privacy_ask(
                scope=scope, type=asked, details=request.POST.get("details", "")
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:  # after the POST, a GET: a reload does not ask again
            return redirect(reverse("portal:my-data") + f"?due={requested.due_on.isoformat()}")
    if request.method == "GET" and request.GET.get("due"):
        try:
            requested = {"due_on": date.fromisoformat(request.GET["due"])}
        except ValueError:
            requested = None
    counts, emergencies = selectors.access_summary(scope=scope)
    return render(
        request,
        "portal/my_data.html",
        {
            "my_requests": selectors.my_privacy_requests(scope=scope),
            "counts": counts,
            "emergencies": emergencies,
            "requested": requested,
            "error": error,
            "asked": asked,
            "details": request.POST.get("details", "") if error else "",
        },
    )


# ---------------------------------------------------------------- membership


@require_http_methods(["GET", "POST"])
@portal_view(require=VIA_LINK)
def membership(request):
    from members.models import EnrolmentChannel
    from members.services import membership_enrol

    scope = request.portal.scope
    form = forms.JoinForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        guest, prop = selectors.join_property(scope=scope)
        if guest is None or prop is None:
            error = _(
                "We could not find the hotel to register your membership with; please ask the front desk."
            )
        else:
            try:
                membership_enrol(
                    actor=None,
                    guest=guest,
                    property=prop,
                    channel=EnrolmentChannel.WEB,
                    consent_email=form.cleaned_data["consent_email"],
                    consent_sms=form.cleaned_data["consent_sms"],
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect(reverse("portal:membership") + "?done=joined")
    summary = selectors.membership_summary(scope=scope)
    return render(
        request,
        "portal/membership.html",
        {"summary": summary, "form": form, "error": error, "joined": request.GET.get("done") == "joined"},
    )


@require_POST
@portal_view()
def sign_out(request):
    request.portal.end()
    return redirect("portal:lookup")
