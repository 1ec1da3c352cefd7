"""Back-office screens of guest profiles. Thin: parse, call one service or selector, render.

Every URL is property-scoped (`/guests/p/<property_code>/...`): another property answers 404. No
personal value travels in a URL: searches are POSTed, reveals are POSTed and shown once.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pms.permissions import has_property_perm, property_required
from pms.problems import Conflict
from pms.roles import Capability

from . import access, selectors, services
from . import search as search_registry
from .forms import DecisionForm, GuestForm, MergeForm, ReasonForm, RevealForm, ReviewForm, SearchForm, TagForm
from .models import GrantKind, Guest, PreferenceTag


def _profile_url(prop, guest_id) -> str:
    return reverse("guests:detail", kwargs={"property_code": prop.code, "guest_id": guest_id})


def _errors_to(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, msgs in errors.items():
        for m in msgs:
            form.add_error(name if name in form.fields else None, m)


@login_required
@property_required(Capability.SEARCH_GUESTS)
@require_http_methods(["GET", "POST"])
def search(request):
    prop = request.property
    extra = search_registry.registered()
    form = SearchForm(request.POST or None, extra_criteria=extra)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = selectors.guest_search(
                actor=request.user,
                property=prop,
                criteria=form.criteria(),
                date_from=form.cleaned_data.get("date_from"),
                date_to=form.cleaned_data.get("date_to"),
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            # The typed ID number or phone is not echoed back into the page with the results.
            form = SearchForm(extra_criteria=extra)
    return render(
        request,
        "guests/search.html",
        {
            "property": prop,
            "form": form,
            "result": result,
            "rows": [
                (row, access.pass_actions(request.user, prop, row.document_pass) if row.document_pass else [])
                for row in (result.rows if result else [])
            ],
            "may_create": has_property_perm(request.user, Capability.VIEW_GUEST_BASIC, prop),
        },
    )


@login_required
@property_required(Capability.VIEW_GUEST_BASIC)
@require_http_methods(["GET", "POST"])
def create(request):
    prop = request.property
    full = has_property_perm(request.user, Capability.VIEW_GUEST_FULL, prop)
    form = GuestForm(request.POST or None, full=full)
    if request.method == "POST" and form.is_valid():
        try:
            guest = services.guest_create(
                actor=request.user, property=prop, documents_required=True, **form.service_data(editing=False)
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The guest profile was created."))
            return redirect(_profile_url(prop, guest.pk))
    return render(request, "guests/form.html", {"property": prop, "form": form, "editing": False})


@login_required
@property_required()
def detail(request, guest_id):
    prop = request.property
    profile = selectors.guest_profile(actor=request.user, guest_id=guest_id, property=prop)
    common = {"property": prop, "profile": profile, "guest": profile.guest}
    # Each section renders with its own context (as its app registered it) plus the profile.
    sections = [
        (section, render_to_string(section.template, {**common, **ctx}, request=request))
        for section, ctx in profile.sections
    ]
    return render(
        request,
        "guests/profile.html",
        {
            **common,
            "sections": sections,
            "all_tags": PreferenceTag.objects.filter(is_active=True),
            "may_merge": profile.level == "full"
            and has_property_perm(request.user, Capability.VIEW_GUEST_FULL, prop),
        },
    )


@login_required
@property_required()
@require_http_methods(["GET", "POST"])
def edit(request, guest_id):
    prop = request.property
    profile = selectors.guest_profile(actor=request.user, guest_id=guest_id, property=prop)
    guest = profile.guest
    full = profile.level == "full"
    initial = {
        "family_name": guest.family_name,
        "given_name": guest.given_name,
        "gender": guest.gender,
        "nationality": guest.nationality,
        "address": guest.address if full else "",
        "special_needs": guest.special_needs,
        "tags": [t.code for t in guest.tags.all()],
        "marketing_consent": guest.marketing_consent,
        "marketing_consent_channel": guest.marketing_consent_channel,
        "staff_notes": guest.staff_notes,
        "is_vip": guest.is_vip,
    }
    form = GuestForm(request.POST or None, initial=initial, full=full, editing=True)
    if not full:
        del form.fields["address"]  # address is shown at the full level only
    if request.method == "POST" and form.is_valid():
        try:
            services.guest_update(
                actor=request.user, property=prop, guest=guest, **form.service_data(editing=True)
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The guest profile was saved."))
            return redirect(_profile_url(prop, guest.pk))
    return render(
        request,
        "guests/form.html",
        {"property": prop, "form": form, "editing": True, "profile": profile, "guest": guest},
    )


@login_required
@property_required()
@require_POST
def reveal(request, guest_id):
    prop = request.property
    form = RevealForm(request.POST)
    value, error = None, None
    if not form.is_valid():
        error = _("Choose what to reveal and say why.")
    else:
        try:
            value = selectors.guest_reveal(
                actor=request.user,
                guest_id=guest_id,
                property=prop,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
                document_id=form.cleaned_data.get("document_id"),
            )
        except ValidationError as exc:
            error = (
                " ".join(m for msgs in exc.message_dict.values() for m in msgs)
                if hasattr(exc, "error_dict")
                else " ".join(exc.messages)
            )
        except PermissionDenied as exc:
            return render(
                request,
                "guests/reveal.html",
                {"property": prop, "error": str(exc), "guest_id": guest_id},
                status=403,
            )
    template = "guests/reveal_fragment.html" if request.htmx else "guests/reveal.html"
    return render(
        request,
        template,
        {
            "property": prop,
            "value": value,
            "error": error,
            "field": form.data.get("field"),
            "guest_id": guest_id,
        },
        status=400 if error else 200,
    )


@login_required
@property_required()
@require_POST
def tags(request, guest_id):
    prop = request.property
    form = TagForm(request.POST)
    guest = get_object_or_404(Guest, pk=guest_id)
    if form.is_valid():
        op = services.guest_tag_add if form.cleaned_data["op"] == "add" else services.guest_tag_remove
        try:
            op(actor=request.user, property=prop, guest=guest, code=form.cleaned_data["code"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Preference tags saved."))
    return redirect(_profile_url(prop, guest.pk))


@login_required
@property_required(Capability.VIEW_GUEST_FULL)
@require_http_methods(["GET", "POST"])
def merge(request, guest_id):
    prop = request.property
    profile = selectors.guest_profile(actor=request.user, guest_id=guest_id, property=prop)
    if profile.level != "full":
        raise Http404("No such guest")
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = selectors.guest_for_merge(
                actor=request.user, guest_id=form.cleaned_data["other"], property=prop
            )
        except Http404:
            form.add_error("other", _("No guest has this number; copy it from the search results."))
        else:
            try:
                services.guest_merge(actor=request.user, property=prop, source=source, target=profile.guest)
            except ValidationError as exc:
                for msgs in exc.message_dict.values():
                    for m in msgs:
                        form.add_error("other", m)
            except Http404:
                form.add_error("other", _("No guest has this number; copy it from the search results."))
            else:
                messages.success(request, _("The two profiles were merged into this one."))
                return redirect(_profile_url(prop, profile.guest.pk))
    return render(
        request,
        "guests/merge.html",
        {"property": prop, "form": form, "profile": profile, "guest": profile.guest},
    )


def _reason_view(request, guest_id, *, kind: str):
    prop = request.property
    guest = get_object_or_404(Guest, pk=guest_id, erased_at__isnull=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if kind == GrantKind.BREAK_GLASS:
                services.grant_break_glass(
                    actor=request.user, property=prop, guest=guest, reason=form.cleaned_data["reason"]
                )
                messages.warning(
                    request,
                    _("Emergency access is open for %(n)d minutes. Your manager and compliance were told.")
                    % {"n": services.grant_minutes()},
                )
                return redirect(_profile_url(prop, guest.pk))
            services.grant_request(
                actor=request.user, property=prop, guest=guest, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Your request was sent to the managers of this hotel."))
            return redirect(_profile_url(prop, guest.pk))
        except ValidationError as exc:
            _errors_to(form, exc)
    template = "guests/break_glass.html" if kind == GrantKind.BREAK_GLASS else "guests/request_access.html"
    return render(request, template, {"property": prop, "form": form, "guest_id": guest.pk})


@login_required
@property_required(Capability.VIEW_GUEST_BASIC)
@require_http_methods(["GET", "POST"])
def request_access(request, guest_id):
    # Only someone who can see the basic profile asks for more (the service checks it again).
    selectors.guest_access(actor=request.user, guest_id=guest_id, property=request.property)
    return _reason_view(request, guest_id, kind=GrantKind.DUAL_REVIEW)


@login_required
@property_required()
@require_http_methods(["GET", "POST"])
def break_glass(request, guest_id):
    return _reason_view(request, guest_id, kind=GrantKind.BREAK_GLASS)


@login_required
@property_required(Capability.APPROVE_ACCESS)
def grant_queue(request):
    prop = request.property
    return render(
        request,
        "guests/grant_queue.html",
        {
            "property": prop,
            "grants": selectors.grant_queue(actor=request.user, property=prop),
            "open_grants": selectors.open_grants(actor=request.user, property=prop),
            "form": DecisionForm(),
        },
    )


@login_required
@property_required(Capability.APPROVE_ACCESS)
@require_POST
def grant_decide(request, grant_id):
    prop = request.property
    grant = selectors.grant_for_decision(
        actor=request.user, grant_id=grant_id, property=prop, kind=GrantKind.DUAL_REVIEW
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("guests:grant-queue", property_code=prop.code)
    try:
        if form.cleaned_data["decision"] == "approve":
            services.grant_approve(actor=request.user, grant=grant, note=form.cleaned_data["note"])
            messages.success(request, _("Approved for %(n)d minutes.") % {"n": services.grant_minutes()})
        else:
            services.grant_refuse(actor=request.user, grant=grant, note=form.cleaned_data["note"])
            messages.success(request, _("Refused; the requester sees your note."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except (PermissionDenied, Conflict) as exc:
        messages.error(request, str(exc.detail if isinstance(exc, Conflict) else exc))
    return redirect("guests:grant-queue", property_code=prop.code)


@login_required
@property_required()
@require_POST
def grant_revoke(request, grant_id):
    """End an open grant early: a manager from the queue page, or the requester from "My access"."""
    prop = request.property
    grant = selectors.grant_to_revoke(actor=request.user, grant_id=grant_id, property=prop)
    own = grant.requester_id == request.user.pk
    try:
        services.grant_revoke(actor=request.user, grant=grant, note=request.POST.get("note", ""))
        messages.success(request, _("The access has ended."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, str(exc.detail))
    return redirect("guests:my-grants" if own else "guests:grant-queue", property_code=prop.code)


@login_required
@property_required(Capability.REVIEW_AUDIT)
def break_glass_queue(request):
    prop = request.property
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "guests/break_glass_queue.html",
        {
            "property": prop,
            "grants": selectors.break_glass_grants(
                actor=request.user, property=None if show_all else prop, open_only=False
            ),
            "show_all": show_all,
            "may_review": has_property_perm(request.user, Capability.APPROVE_ACCESS, prop),
            "form": ReviewForm(),
        },
    )


@login_required
@property_required(Capability.APPROVE_ACCESS)
@require_POST
def break_glass_review(request, grant_id):
    prop = request.property
    grant = selectors.grant_for_decision(
        actor=request.user, grant_id=grant_id, property=prop, kind=GrantKind.BREAK_GLASS
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.grant_review(
                actor=request.user,
                grant=grant,
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Review saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except (PermissionDenied, Conflict) as exc:
            messages.error(request, str(exc.detail if isinstance(exc, Conflict) else exc))
    else:
        messages.error(request, _("Choose a verdict."))
    return redirect("guests:break-glass-queue", property_code=prop.code)


@login_required
@property_required()
def my_grants(request):
    prop = request.property
    return render(
        request,
        "guests/my_grants.html",
        {
            "property": prop,
            "grants": selectors.my_grants(actor=request.user, property=prop),
            "now": timezone.now(),
        },
    )
