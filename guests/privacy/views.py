"""Back-office screens of privacy requests (compliance everywhere; a manager for their hotel).
Thin: parse, call one service or selector, render. No personal value travels in a URL: what the
requester gives for verification is POSTed, and the page shows only match / no match."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pms.permissions import capability_required, properties_for

from . import selectors, services
from .forms import (
    AppealForm,
    AuthorisationForm,
    DecisionForm,
    FilterForm,
    FulfilForm,
    RegisterForm,
    VerifyDetailsForm,
    VerifyDocumentForm,
)
from .models import PrivacyExport, RefusalReason

HANDLE = services.HANDLE


def _messages_of(exc: ValidationError) -> list[str]:
    return exc.messages


def _back(request_id):
    return redirect("guests:privacy:detail", request_id=request_id)


def _fail(request, exc: ValidationError, request_id):
    for m in _messages_of(exc):
        messages.error(request, m)
    return _back(request_id)


@login_required
@capability_required(HANDLE)
@require_GET
def register(request):
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.request_list(actor=request.user, filters=filters)
    today = timezone.localdate()
    for r in rows:
        r.overdue = r.is_overdue(today)
    return render(request, "guests/privacy/register.html", {"form": form, "rows": rows})


@login_required
@capability_required(HANDLE)
@require_http_methods(["GET", "POST"])
def new(request):
    props = properties_for(request.user, HANDLE)
    form = RegisterForm(request.POST or None, properties=props)
    if request.method == "POST" and form.is_valid():
        prop = next(p for p in props if p.code == form.cleaned_data["property"])
        try:
            req = services.privacy_request_register(
                actor=request.user,
                property=prop,
                type=form.cleaned_data["type"],
                channel=form.cleaned_data["channel"],
                claimed_name=form.cleaned_data["claimed_name"],
                contact=form.cleaned_data["contact"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                for m in msgs:
                    form.add_error(name if name in form.fields else None, m)
        else:
            messages.success(request, _("Request %(ref)s registered.") % {"ref": req.short_id})
            return _back(req.pk)
    return render(request, "guests/privacy/new.html", {"form": form})


@login_required
@capability_required(HANDLE)
@require_GET
def detail(request, request_id):
    req = selectors.request_detail(actor=request.user, request_id=request_id)
    return render(
        request,
        "guests/privacy/detail.html",
        {
            "req": req,
            "history": req.history.select_related("actor"),
            "attempts": req.verifications.all(),
            "exports": req.exports.all(),
            "details_form": VerifyDetailsForm(),
            "document_form": VerifyDocumentForm(),
            "decision_form": DecisionForm(),
            "appeal_form": AppealForm(),
            "authorisation_form": AuthorisationForm(),
            "fulfil_form": FulfilForm(),
            "overdue": req.is_overdue(),
            "reasons": RefusalReason.choices,
            "erasure_blockers": req.erasure_blockers,
        },
    )


@login_required
@capability_required(HANDLE)
@require_POST
def verify(request, request_id):
    req = services.request_for(request.user, request_id)
    method = request.POST.get("method", "")
    form = (VerifyDocumentForm if method == "document" else VerifyDetailsForm)(request.POST)
    if not form.is_valid():
        messages.error(request, _("Fill in every item the requester gave; dates as YYYY-MM-DD."))
        return _back(req.pk)
    try:
        attempt = services.privacy_request_verify(
            actor=request.user, request=req, method=method, **form.cleaned_data
        )
    except ValidationError as exc:
        return _fail(request, exc, req.pk)
    if attempt.matched:
        messages.success(request, _("Every item matches: the requester is verified."))
    else:
        messages.error(
            request,
            _(
                "The details do not match our records (see which items below). Ask for another proof, or refuse."
            ),
        )
    return _back(req.pk)


@login_required
@capability_required(HANDLE)
@require_POST
def authorisation(request, request_id):
    req = services.request_for(request.user, request_id)
    form = AuthorisationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the document number and describe the written authorisation."))
        return _back(req.pk)
    try:
        services.privacy_authorisation_record(actor=request.user, request=req, **form.cleaned_data)
    except ValidationError as exc:
        return _fail(request, exc, req.pk)
    messages.success(request, _("The written authorisation is recorded."))
    return _back(req.pk)


@login_required
@capability_required(HANDLE)
@require_POST
def decide(request, request_id):
    req = services.request_for(request.user, request_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return _back(req.pk)
    try:
        services.privacy_request_decide(
            actor=request.user,
            request=req,
            approve=form.cleaned_data["decision"] == "approve",
            refusal_reason=form.cleaned_data["refusal_reason"],
            text=form.cleaned_data["text"],
        )
    except ValidationError as exc:
        return _fail(request, exc, req.pk)
    messages.success(request, _("Decision recorded; the reply to the guest is below."))
    return _back(req.pk)


@login_required
@capability_required(HANDLE)
@require_POST
def appeal(request, request_id):
    req = services.request_for(request.user, request_id)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write down what the guest says in their appeal."))
        return _back(req.pk)
    try:
        services.privacy_request_appeal(actor=request.user, request=req, text=form.cleaned_data["text"])
    except ValidationError as exc:
        return _fail(request, exc, req.pk)
    messages.success(request, _("Appeal recorded: another reviewer decides it."))
    return _back(req.pk)


@login_required
@capability_required(HANDLE)
@require_POST
def fulfil(request, request_id):
    req = services.request_for(request.user, request_id)
    form = FulfilForm(request.POST)
    form.is_valid()
    try:
        result = services.privacy_request_fulfil(
            actor=request.user,
            request=req,
            reply=form.cleaned_data.get("reply", ""),
            correction=form.correction(),
        )
    except ValidationError as exc:
        return _fail(request, exc, req.pk)
    if isinstance(result, PrivacyExport):
        messages.success(request, _("The copy is being prepared; this page shows when it is ready."))
    else:
        messages.success(request, _("Done: the request is fulfilled."))
    return _back(req.pk)


@login_required
@capability_required(HANDLE)
@require_GET
def export_progress(request, request_id, export_id):
    _req, export = selectors.export_for(actor=request.user, request_id=request_id, export_id=export_id)
    return render(request, "guests/privacy/export_progress.html", {"req": _req, "export": export})


@login_required
@capability_required(HANDLE)
@require_POST
def export_download(request, request_id, export_id):
    req, export = selectors.export_for(actor=request.user, request_id=request_id, export_id=export_id)
    try:
        name, content = services.privacy_export_download(actor=request.user, export=export, via="desk")
    except ValidationError as exc:
        return _fail(request, exc, req.pk)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@capability_required(HANDLE)
@require_GET
def summary(request):
    try:
        month = date.fromisoformat((request.GET.get("month") or "") + "-01")
    except ValueError:
        month = timezone.localdate().replace(day=1)
    data = selectors.monthly_summary(actor=request.user, month=month)
    return render(request, "guests/privacy/summary.html", {"s": data, "month": month.strftime("%Y-%m")})


@login_required
@capability_required(HANDLE)
@require_GET
def retention(request):
    rows = selectors.retention_upcoming(actor=request.user, days=30)
    return render(request, "guests/privacy/retention.html", {"rows": rows})
