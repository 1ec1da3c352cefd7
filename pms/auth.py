"""Staff log-in and log-out: django-axes lock-out, log-in limits, the same message for every failure."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from . import context
from .loginlimits import LoginWindow
from .permissions import active_memberships
from .roles import Role


class LoginRefused(forms.ValidationError):
    pass


class StaffAuthenticationForm(AuthenticationForm):
    """The standard form, with one message for a wrong name or password and the log-in limits."""

    error_messages = {
        "invalid_login": gettext_lazy(
            "That user name and password do not match an account. Check both and try again; "
            "after 5 failed attempts the account is locked from this computer for 15 minutes."
        ),
        "inactive": gettext_lazy(
            "That user name and password do not match an account. Check both and try again; "
            "after 5 failed attempts the account is locked from this computer for 15 minutes."
        ),
        "no_role": gettext_lazy("This account has no active role at any hotel. Ask your IT administrator."),
        "hours": gettext_lazy(
            "Your account may not sign in at this time. Ask your manager if this is wrong."
        ),
        "network": gettext_lazy(
            "Your account may not sign in from this network. Ask your manager if this is wrong."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        memberships = active_memberships(user)
        refusal = LoginWindow.for_memberships(memberships).refusal(context.current().ip)
        if refusal:
            from audit.models import Action, Outcome
            from audit.services import access_record

            access_record(
                actor=None,
                action=Action.LOGIN_REFUSED,
                target_type="user",
                target_ids=[user.pk],
                outcome=Outcome.DENIED,
                reason=refusal,
                username=user.get_username(),
                role=memberships[0].role if memberships else "",
            )
            raise LoginRefused(self.error_messages[refusal], code=refusal)


@sensitive_post_parameters()
def login_view(request):
    view = auth_views.LoginView.as_view(
        template_name="registration/login.html",
        authentication_form=StaffAuthenticationForm,
        redirect_authenticated_user=True,
    )
    response = view(request)
    if request.user.is_authenticated and request.method == "POST":
        memberships = active_memberships(request.user)
        window = LoginWindow.for_memberships(memberships)
        if window.is_limited:
            request.session["pms_login_window"] = window.to_session()
        roles = {m.role for m in memberships}
        request.session["pms_channel"] = "phone" if roles == {Role.RESERVATIONS} else "desk"
    return response


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out user sees: the log-in page with a general message, status 429."""
    form = StaffAuthenticationForm(request)
    response = TemplateResponse(
        request,
        "registration/login.html",
        {
            "form": form,
            "locked_out": True,
            "lockout_message": _(
                "Too many failed attempts. Sign-in from this computer is locked for 15 minutes. "
                "If you have forgotten your password, ask your IT administrator."
            ),
        },
        status=429,
    )
    return response.render()
