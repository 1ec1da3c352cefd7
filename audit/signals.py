"""Log-in, log-out, failed log-in and lock-out, recorded as access events.

A failed log-in stores the attempted user name only when it names an account; otherwise masked
(`mask_name`), since people type passwords into the name field. A password is never stored.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from pms.crypto import mask_name

from .models import Action, Outcome
from .services import access_record


def _attempted(username: str):
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    return user, (user.get_username() if user else mask_name(username))


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    access_record(actor=user, action=Action.LOGIN, target_type="user", target_ids=[user.pk])


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        access_record(actor=user, action=Action.LOGOUT, target_type="user", target_ids=[user.pk])


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    user, shown = _attempted(str(credentials.get("username", "") or ""))
    access_record(
        actor=None,
        action=Action.LOGIN_FAILED,
        target_type="user",
        target_ids=[user.pk] if user else [],
        outcome=Outcome.DENIED,
        username=shown,
    )


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    user, shown = _attempted(str(username or ""))
    access_record(
        actor=None,
        action=Action.LOCKOUT,
        target_type="user",
        target_ids=[user.pk] if user else [],
        outcome=Outcome.DENIED,
        username=shown,
    )
