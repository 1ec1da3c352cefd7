"""Back-office screens of the members app, mounted at /members/. Plain function views: the permission
check first, then one service or selector, then render. Member URLs carry the membership UUID, never
the card number; searches by card number are POSTed."""

from __future__ import annotations

import csv
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pms.permissions import capability_required, has_capability_anywhere, has_property_perm, property_required
from pms.roles import Capability

from . import forms, jobs, selectors, services
from .models import Campaign, Feedback, Offer, Segment, StoredValueAdjustment, Tier

C = Capability


def _errors(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _date(value, default=None):
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _manager(request) -> None:
    if not services.is_member_manager(request.user, request.property):
        raise Http404("Not available")


# ------------------------------------------------------------------ members


@login_required
@property_required(C.VIEW_GUEST_BASIC)
def member_list(request):
    card = request.POST.get("card_number", "") if request.method == "POST" else ""
    rows = selectors.member_list(actor=request.user, property=request.property, card_number=card)
    return render(request, "members/list.html", {"rows": rows, "searched": bool(card)})


@login_required
@property_required(C.VIEW_GUEST_BASIC)
def enrol(request, guest_id):
    data = selectors.member_for_guest(actor=request.user, guest_id=guest_id, property=request.property)
    if data["membership"] is not None:
        return redirect("members:detail", request.property.code, data["membership"].pk)
    form = forms.EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            m = services.membership_enrol(
                actor=request.user,
                guest=data["guest"],
                property=request.property,
                channel="desk",
                **form.cleaned_data,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The guest is now a member."))
            return redirect("members:detail", request.property.code, m.pk)
    return render(request, "members/enrol.html", {**data, "form": form})


@login_required
@property_required(C.VIEW_GUEST_BASIC)
def detail(request, membership_id):
    d = selectors.member_detail(actor=request.user, membership_id=membership_id, property=request.property)
    ctx = {
        "d": d,
        "may_pay": has_property_perm(request.user, C.TAKE_PAYMENTS, request.property),
        "is_manager": services.is_member_manager(request.user, request.property),
        "sv_form": forms.StoredValueForm(),
        "adjust_form": forms.AdjustForm(),
        "redeem_form": forms.RedeemForm(),
        "voucher_form": forms.VoucherIssueForm(),
        "consent_form": forms.ConsentForm(
            initial={"email": d.membership.consent_email, "sms": d.membership.consent_sms}
        ),
        "status_form": forms.StatusForm(initial={"status": d.membership.status}),
    }
    return render(request, "members/detail.html", ctx)


@login_required
@property_required(C.VIEW_GUEST_BASIC)
def statement_csv(request, membership_id):
    """The member's whole points and stored-value statement as CSV (the page shows the latest)."""
    m, rows = selectors.member_statement_export(
        actor=request.user, membership_id=membership_id, property=request.property
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{m.masked_card[-4:]}.csv"'
    response["Cache-Control"] = "no-store, private"
    writer = csv.writer(response)
    writer.writerow([_("Ledger"), _("When"), _("What"), _("Note"), _("Amount"), _("Balance")])
    for ledger, at, kind, reason, amount, balance in rows:
        label = _("Points") if ledger == "points" else _("Stored value")
        writer.writerow(
            [label, timezone.localtime(at).strftime("%Y-%m-%d %H:%M"), kind, reason, amount, balance]
        )
    return response


def _member_post(request, membership_id, action):
    d = selectors.member_detail(actor=request.user, membership_id=membership_id, property=request.property)
    try:
        result = action(d.membership)
    except PermissionDenied:
        raise Http404("Not available") from None
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if isinstance(result, StoredValueAdjustment):
            messages.info(request, _("The adjustment waits for a second staff member's approval."))
        else:
            messages.success(request, _("Saved."))
    return redirect("members:detail", request.property.code, membership_id)


@login_required
@require_POST
@property_required(C.VIEW_GUEST_BASIC)
def stored_value(request, membership_id):
    form = forms.StoredValueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the amount and the payment reference."))
        return redirect("members:detail", request.property.code, membership_id)
    op = (
        services.stored_value_top_up
        if form.cleaned_data["what"] == "top_up"
        else services.stored_value_refund
    )
    return _member_post(
        request,
        membership_id,
        lambda m: op(
            actor=request.user,
            membership=m,
            amount=form.cleaned_data["amount"],
            payment_reference=form.cleaned_data["payment_reference"],
            property=request.property,
        ),
    )


@login_required
@require_POST
@property_required(C.VIEW_GUEST_BASIC)
def adjust(request, membership_id):
    form = forms.AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the amount and give a reason."))
        return redirect("members:detail", request.property.code, membership_id)
    cd = form.cleaned_data
    if cd["ledger"] == "points":
        op = lambda m: services.points_adjust(  # noqa: E731
            actor=request.user,
            membership=m,
            points=cd["amount"],
            reason=cd["reason"],
            property=request.property,
        )
    else:
        op = lambda m: services.stored_value_adjust(  # noqa: E731
            actor=request.user,
            membership=m,
            amount=cd["amount"],
            reason=cd["reason"],
            property=request.property,
        )
    return _member_post(request, membership_id, op)


@login_required
@require_POST
@property_required(C.VIEW_GUEST_BASIC)
def redeem(request, membership_id):
    form = forms.RedeemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reward."))
        return redirect("members:detail", request.property.code, membership_id)
    return _member_post(
        request,
        membership_id,
        lambda m: services.points_redeem(
            actor=request.user, membership=m, reward=form.cleaned_data["reward"], property=request.property
        ),
    )


@login_required
@require_POST
@property_required(C.APPROVE_ACCESS)
def status(request, membership_id):
    """A manager lapses, cancels or reactivates the membership."""
    _manager(request)
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("members:detail", request.property.code, membership_id)
    return _member_post(
        request,
        membership_id,
        lambda m: services.membership_status_set(
            actor=request.user, membership=m, status=form.cleaned_data["status"], property=request.property
        ),
    )


@login_required
@require_POST
@property_required(C.VIEW_GUEST_BASIC)
def consent(request, membership_id):
    form = forms.ConsentForm(request.POST)
    form.is_valid()
    cd = form.cleaned_data
    return _member_post(
        request,
        membership_id,
        lambda m: services.membership_consent_set(
            actor=request.user, membership=m, email=cd.get("email", False), sms=cd.get("sms", False)
        ),
    )


@login_required
@require_POST
@property_required(C.VIEW_GUEST_BASIC)
def voucher_issue(request, membership_id):
    _manager(request)
    form = forms.VoucherIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an offer."))
        return redirect("members:detail", request.property.code, membership_id)
    return _member_post(
        request,
        membership_id,
        lambda m: services.voucher_issue(actor=request.user, membership=m, offer=form.cleaned_data["offer"]),
    )


@login_required
@property_required(C.APPROVE_ACCESS)
def approvals(request):
    _manager(request)
    if request.method == "POST":
        adj = get_object_or_404(
            StoredValueAdjustment, pk=request.POST.get("adjustment"), property=request.property
        )
        try:
            services.stored_value_adjustment_decide(
                actor=request.user, adjustment=adj, approve=request.POST.get("decision") == "approve"
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("members:approvals", request.property.code)
    pending = StoredValueAdjustment.objects.filter(property=request.property, state="pending").select_related(
        "requested_by", "membership"
    )
    return render(request, "members/approvals.html", {"pending": pending})


@login_required
@property_required(C.APPROVE_ACCESS)
def tiers(request):
    _manager(request)
    instance = None
    if request.GET.get("tier"):
        instance = get_object_or_404(Tier, pk=request.GET["tier"])
    form = forms.TierForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.tier_save(actor=request.user, tier=form.instance, property=request.property)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Tier saved."))
            return redirect("members:tiers", request.property.code)
    offers = Offer.objects.all()
    return render(
        request, "members/tiers.html", {"tiers": Tier.objects.all(), "form": form, "offers": offers}
    )


@login_required
@capability_required(C.MARKETING)
def offers(request):
    """The group's offers: create one, or change one (?offer=<code>). Marketing only."""
    instance = (
        selectors.offer_for_change(actor=request.user, code=request.GET["offer"])
        if request.GET.get("offer")
        else None
    )
    form = forms.OfferForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_save(actor=request.user, offer=form.instance)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Offer %(code)s saved.") % {"code": offer.code})
            return redirect("members:offers")
    return render(
        request,
        "members/offers.html",
        {"offers": selectors.offers_overview(), "form": form, "editing": instance},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@property_required(C.VIEW_REPORTS)
def reconciliation(request):
    day = _date(request.GET.get("date"), services.local_today(request.property))
    data = selectors.stored_value_reconciliation(actor=request.user, property=request.property, day=day)
    return render(request, "members/reconciliation.html", {**data, "day": day})


# ------------------------------------------------------------------ segments, campaigns, churn


@login_required
@capability_required(C.SEGMENT_QUERIES)
def segments(request):
    form = forms.SegmentForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        criteria = form.criteria()
        try:
            if request.POST.get("save"):
                seg = services.segment_save(
                    actor=request.user, name=form.cleaned_data["name"], criteria=criteria
                )
                messages.success(request, _("Segment saved."))
                return redirect("members:segment", seg.pk)
            preview = selectors.segment_preview(actor=request.user, criteria=criteria)
        except ValidationError as exc:
            _errors(request, exc)
    return render(
        request,
        "members/segments.html",
        {"form": form, "preview": preview, "saved": Segment.objects.all()[:50]},
    )


@login_required
@capability_required(C.SEGMENT_QUERIES)
def segment(request, segment_id):
    seg = get_object_or_404(Segment, pk=segment_id)
    preview = selectors.segment_preview(actor=request.user, criteria=seg.criteria)
    from pms.permissions import has_capability_anywhere

    return render(
        request,
        "members/segment.html",
        {
            "segment": seg,
            "preview": preview,
            "may_export": has_capability_anywhere(request.user, C.EXPORT_DATA),
            "may_campaign": has_capability_anywhere(request.user, C.MARKETING),
        },
    )


@login_required
@require_POST
@capability_required(C.EXPORT_DATA)
def segment_export(request, segment_id):
    seg = get_object_or_404(Segment, pk=segment_id)
    rows = selectors.segment_export(actor=request.user, segment=seg)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{seg.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Card"), _("Name"), _("E-mail"), _("Phone"), _("Tier"), _("Joined")])
    for r in rows:
        writer.writerow([r.card_masked, r.name_masked, r.email_masked, r.phone_masked, r.tier, r.joined_on])
    return response


@login_required
@capability_required(C.SEGMENT_QUERIES)
def campaigns(request):
    """Campaign reports for marketing and supervisors (counts only); marketing alone sends."""
    may_send = has_capability_anywhere(request.user, C.MARKETING)
    if request.method == "POST" and not may_send:
        raise Http404("Not available")
    form = forms.CampaignForm(request.POST or None) if may_send else None
    if request.method == "POST" and form.is_valid():
        try:
            c = jobs.campaign_start(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The campaign is being sent."))
            return redirect("members:campaign", c.pk)
    return render(request, "members/campaigns.html", {"form": form, "campaigns": Campaign.objects.all()[:50]})


@login_required
@capability_required(C.SEGMENT_QUERIES)
def campaign(request, campaign_id):
    c = get_object_or_404(Campaign, pk=campaign_id)
    redeemed = c.vouchers.filter(redeemed_at__isnull=False).count()
    template = (
        "members/_campaign_progress.html" if request.headers.get("HX-Request") else "members/campaign.html"
    )
    return render(request, template, {"c": c, "redeemed": redeemed})


@login_required
@capability_required(C.SEGMENT_QUERIES)
def churn(request):
    form = forms.ChurnForm(request.GET or None)
    result = chart = None
    if form.is_valid():
        try:
            result = selectors.churn_analysis(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            chart = {
                "tiers": {"labels": [t for t, _n in result.by_tier], "data": [n for _t, n in result.by_tier]},
                "months": {
                    "labels": [m for m, _n in result.by_month],
                    "data": [n for _m, n in result.by_month],
                },
                "title": _("Members who stopped coming"),
            }
    return render(request, "members/churn.html", {"form": form, "result": result, "chart": chart})


# ------------------------------------------------------------------ feedback


@login_required
@property_required(C.VIEW_GUEST_BASIC)
def feedback(request):
    form = forms.FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_create(actor=request.user, property=request.property, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Feedback recorded and routed."))
            return redirect("members:feedback", request.property.code)
    overdue = request.GET.get("overdue") == "1" and services.is_member_manager(request.user, request.property)
    items = selectors.feedback_queue(
        actor=request.user,
        property=request.property,
        department=request.GET.get("department", ""),
        overdue_only=overdue,
    )
    return render(
        request,
        "members/feedback.html",
        {
            "form": form,
            "items": items,
            "departments": Feedback._meta.get_field("department").choices,
            "is_manager": services.is_member_manager(request.user, request.property),
            "overdue": selectors.overdue_count(request.user, request.property),
        },
    )


@login_required
@property_required(C.VIEW_GUEST_BASIC)
def feedback_detail(request, feedback_id):
    f = selectors.feedback_detail(actor=request.user, feedback_id=feedback_id, property=request.property)
    form = forms.FeedbackUpdateForm(
        request.POST or None, initial={"category": f.category, "status": f.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_update(actor=request.user, feedback=f, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:feedback", request.property.code)
    return render(request, "members/feedback_detail.html", {"f": f, "form": form})


# ------------------------------------------------------------------ public


def unsubscribe(request, token):
    """Public: the link in every marketing message. GET asks, POST withdraws (link scanners GET)."""
    if request.method == "POST":
        try:
            services.membership_unsubscribe(token=token)
        except ValidationError:
            return render(request, "members/unsubscribe.html", {"invalid": True}, status=400)
        return render(request, "members/unsubscribe.html", {"done": True})
    return render(request, "members/unsubscribe.html", {"token": token})
