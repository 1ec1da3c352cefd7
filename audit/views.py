"""Review screens of the access log: the list with filters, an event, a guest's timeline, a staff
member's activity, the CSV export, alerts and the compliance dashboard. Thin: each view parses,
calls one selector or service, renders. Everything here answers 404 to those without review_audit."""

from __future__ import annotations

import csv
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pms.models import Property

from . import selectors, services
from .models import Action, AlertStatus, Channel, Checkpoint, Outcome
from .selectors import FilterError, parse_filters, scope_or_404

PAGE = getattr(settings, "AUDIT_REVIEW_PAGE_SIZE", 50)


def _bad_filters(request, exc: FilterError):
    return render(request, "audit/bad_filters.html", {"errors": exc.errors}, status=400)


def _filter_context(request, scope, params, filters=None) -> dict:
    from pms.roles import Role

    props = (
        Property.objects.all() if scope.all_properties else Property.objects.filter(pk__in=scope.property_ids)
    )
    return {
        "scope": scope,
        "params": {
            k: v
            for k, v in params.items()
            if k not in selectors.SECRET_FILTERS | {"before", "csrfmiddlewaretoken"}
        },
        "secret": {k: params.get(k, "") for k in selectors.SECRET_FILTERS if params.get(k)},
        "filters": filters,
        "properties": props.order_by("code"),
        "actions": Action.choices,
        "outcomes": Outcome.choices,
        "channels": Channel.choices,
        "roles": Role.choices,
    }


@login_required
@require_http_methods(["GET", "POST"])
def event_list(request):
    scope = scope_or_404(request.user)
    params = request.POST if request.method == "POST" else request.GET
    try:
        filters = parse_filters(params, scope, allow_secret=request.method == "POST")
    except FilterError as exc:
        return _bad_filters(request, exc)
    page = selectors.event_list(actor=request.user, filters=filters, size=PAGE)
    ctx = _filter_context(request, scope, params, filters)
    ctx.update({"page": page, "method": request.method.lower()})
    return render(request, "audit/event_list.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def export_csv(request):
    scope = scope_or_404(request.user, target_type="access_event")
    if not scope.is_compliance:
        selectors.refuse(request.user, target_type="access_event", action="export")
    params = request.POST if request.method == "POST" else request.GET
    try:
        filters = parse_filters(params, scope, allow_secret=request.method == "POST")
    except FilterError as exc:
        return _bad_filters(request, exc)
    rows = selectors.export_rows(
        actor=request.user, filters=filters, limit=getattr(settings, "AUDIT_EXPORT_MAX_ROWS", 100_000)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "at",
            "user_id",
            "user",
            "role",
            "property_id",
            "channel",
            "action",
            "target_type",
            "target_ids",
            "criteria",
            "reason",
            "outcome",
            "request_id",
            "ip",
            "user_agent",
        ]
    )
    for e in rows:
        writer.writerow(
            [
                e.pk,
                e.at.isoformat(),
                e.actor_user_id or "",
                e.actor_username,
                e.actor_role,
                e.actor_property_id or "",
                e.channel,
                e.action,
                e.target_type,
                " ".join(e.target_ids),
                masked_criteria_text(e.criteria),
                _csv_safe(e.reason),
                e.outcome,
                e.request_id,
                e.ip or "",
                _csv_safe(e.user_agent),
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """No spreadsheet formulas from typed text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def masked_criteria_text(criteria) -> str:
    from .templatetags.audit_tags import masked_criteria

    return "; ".join(f"{k}={v}" for k, v in masked_criteria(criteria))


@login_required
def event_detail(request, pk: int):
    event = selectors.event_detail(actor=request.user, event_id=pk)
    return render(request, "audit/event_detail.html", {"event": event})


@login_required
def guest_timeline(request, guest_id: uuid.UUID):
    before = request.GET.get("before", "")
    if (set(request.GET) - {"before"}) or (before and not before.isdigit()):
        return _bad_filters(request, FilterError({"before": _("Not a page marker.")}))
    page = selectors.guest_timeline(
        actor=request.user, guest_id=guest_id, before=int(before or 0) or None, size=PAGE
    )
    return render(request, "audit/guest_timeline.html", {"page": page, "guest_id": guest_id})


@login_required
def staff_activity(request, user_id: int):
    before = request.GET.get("before", "")
    if (set(request.GET) - {"before"}) or (before and not before.isdigit()):
        return _bad_filters(request, FilterError({"before": _("Not a page marker.")}))
    page = selectors.staff_activity(
        actor=request.user, user_id=user_id, before=int(before or 0) or None, size=PAGE
    )
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.filter(pk=user_id).only("username", "is_active").first()
    return render(request, "audit/staff_activity.html", {"page": page, "staff_id": user_id, "staff": staff})


@login_required
def dashboard(request):
    from .integrity import last_verification

    scope = scope_or_404(request.user)
    alerts = selectors.alert_list(actor=request.user, status=AlertStatus.OPEN)
    verification, genuine = last_verification()
    return render(
        request,
        "audit/dashboard.html",
        {
            "scope": scope,
            "alerts": alerts[:20],
            "open_count": len(alerts),
            "verification": verification,
            "verification_genuine": genuine,
            "seal": Checkpoint.objects.order_by("-last_id").first(),
        },
    )


@login_required
def alert_list(request):
    status = request.GET.get("status", "")
    if (set(request.GET) - {"status"}) or (status and status not in AlertStatus.values):
        return _bad_filters(
            request,
            FilterError(
                {"status": _("Choose one of: %(choices)s.") % {"choices": ", ".join(AlertStatus.values)}}
            ),
        )
    alerts = selectors.alert_list(actor=request.user, status=status)
    return render(
        request,
        "audit/alert_list.html",
        {"alerts": alerts, "status": status, "statuses": AlertStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request, pk: int):
    scope = scope_or_404(request.user)
    alert = selectors.alert_detail(actor=request.user, alert_id=pk)
    if request.method == "POST":
        if not scope.is_compliance:
            selectors.refuse(request.user, target_type="alert", target_ids=[pk])
        to_status = request.POST.get("status", "")
        note = request.POST.get("note", "").strip()[:2000]
        if to_status not in AlertStatus.values:
            return _bad_filters(request, FilterError({"status": _("Choose a status.")}))
        services.alert_transition(actor=request.user, alert=alert, to_status=to_status, note=note)
        messages.success(
            request, _("The alert is now %(status)s.") % {"status": AlertStatus(to_status).label}
        )
        return redirect("audit:alert", pk=alert.pk)
    return render(
        request,
        "audit/alert_detail.html",
        {"alert": alert, "scope": scope, "history": alert.history.all(), "statuses": AlertStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_suspend(request, pk: int):
    """Suspend the operator an alert names, after a confirmation step with a reason (compliance)."""
    from django.contrib.auth import get_user_model

    scope = scope_or_404(request.user, target_type="alert", target_ids=[pk])
    if not scope.is_compliance:
        selectors.refuse(request.user, target_type="alert", target_ids=[pk])
    alert = selectors.alert_detail(actor=request.user, alert_id=pk)
    operator = get_user_model().objects.filter(pk=alert.operator_user_id).first()
    if operator is None:
        raise Http404("No such user")
    error = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("confirm") != "yes" or len(reason) < 5:
            error = _("Tick the confirmation and give a reason of at least a few words.")
        elif operator.pk == request.user.pk:
            error = _("You cannot suspend your own account.")
        else:
            services.operator_suspend(actor=request.user, alert=alert, reason=reason[:2000])
            messages.success(
                request, _("%(user)s can no longer sign in.") % {"user": operator.get_username()}
            )
            return redirect("audit:alert", pk=alert.pk)
    return render(
        request,
        "audit/alert_suspend.html",
        {"alert": alert, "operator": operator, "error": error},
        status=400 if error else 200,
    )
