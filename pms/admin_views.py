"""IT administration in the back-office: hotels, staff accounts, roles and log-in limits.

Only holders of `manage_staff` (the IT administrator) reach these screens; everyone else gets 404.
No guest data is shown here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import MembershipForm, PropertyForm, StaffCreateForm
from .models import Property, StaffMembership
from .permissions import capability_required
from .roles import Capability

manage_staff = capability_required(Capability.MANAGE_STAFF)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@manage_staff
def property_list(request):
    return render(request, "pms/admin/property_list.html", {"properties": Property.objects.order_by("code")})


@login_required
@manage_staff
def property_edit(request, code: str | None = None):
    instance = get_object_or_404(Property, code=code) if code else None
    form = PropertyForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            prop = services.property_save(actor=request.user, instance=instance, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": prop.display_name})
            return redirect("staff_admin:property_list")
    return render(request, "pms/admin/property_form.html", {"form": form, "instance": instance})


@login_required
@manage_staff
def staff_list(request):
    User = get_user_model()
    users = (
        User.objects.filter(memberships__isnull=False)
        .distinct()
        .order_by("username")
        .prefetch_related(
            Prefetch("memberships", queryset=StaffMembership.objects.select_related("property"))
        )
    )
    return render(request, "pms/admin/staff_list.html", {"users": users})


@login_required
@manage_staff
def staff_create(request):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Created the account %(name)s.") % {"name": user.username})
            return redirect("staff_admin:staff_detail", user_id=user.pk)
    return render(request, "pms/admin/staff_form.html", {"form": form})


@login_required
@manage_staff
def staff_detail(request, user_id: int):
    user = get_object_or_404(get_user_model(), pk=user_id, memberships__isnull=False)
    return render(
        request,
        "pms/admin/staff_detail.html",
        {
            "staff": user,
            "memberships": user.memberships.select_related("property").order_by("property__code"),
            "form": MembershipForm(),
        },
    )


@login_required
@manage_staff
def membership_edit(request, user_id: int, membership_id: int | None = None):
    user = get_object_or_404(get_user_model(), pk=user_id, memberships__isnull=False)
    instance = get_object_or_404(StaffMembership, pk=membership_id, user=user) if membership_id else None
    form = MembershipForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_save(actor=request.user, user=user, instance=instance, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Role saved."))
            return redirect("staff_admin:staff_detail", user_id=user.pk)
    return render(
        request, "pms/admin/membership_form.html", {"form": form, "staff": user, "instance": instance}
    )


@login_required
@manage_staff
@require_POST
def staff_set_active(request, user_id: int):
    user = get_object_or_404(get_user_model(), pk=user_id, memberships__isnull=False)
    active = request.POST.get("active") == "1"
    try:
        services.staff_set_active(actor=request.user, user=user, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Account reactivated.") if active else _("Account suspended."))
    return redirect("staff_admin:staff_detail", user_id=user.pk)
