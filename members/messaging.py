"""Messages to members: e-mail through Django's e-mail backends, SMS through `members.sms`. Called from
Celery tasks only (members.notices, members.tasks). Contact data is decrypted here, used, and never logged."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Membership, MessageChannel, Voucher
from .sms import get_backend
from .tokens import unsubscribe_token

log = logging.getLogger(__name__)


def _unsubscribe_url(membership: Membership, channel: str) -> str:
    base = getattr(settings, "PMS_PUBLIC_URL", "") or ""
    return base + reverse("members:unsubscribe", args=[unsubscribe_token(membership, channel)])


def send_to_member(
    membership: Membership,
    *,
    channel: str,
    subject: str,
    body: str,
    voucher: Voucher | None = None,
    marketing: bool = True,
) -> bool:
    """Send one message; True when the backend accepted it. Marketing messages carry the unsubscribe
    link. Failures are logged by membership id only."""
    guest = membership.guest
    text = body
    if voucher is not None:
        text += "\n\n" + _("Your voucher code: %(code)s (valid until %(until)s)") % {
            "code": voucher.code,
            "until": voucher.valid_until.isoformat(),
        }
    if marketing:
        text += "\n\n" + _("Unsubscribe: %(url)s") % {"url": _unsubscribe_url(membership, channel)}
    try:
        if channel == MessageChannel.EMAIL:
            if not guest.email:
                return False
            send_mail(subject or _("News from your hotel"), text, None, [guest.email])
        else:
            if not guest.phone:
                return False
            get_backend().send(guest.phone, text)
    except Exception as exc:
        log.warning("members: message to membership %s failed (%s)", membership.pk, exc.__class__.__name__)
        return False
    return True


def preferred_channel(membership: Membership) -> str | None:
    if membership.consent_email and membership.guest.email:
        return MessageChannel.EMAIL
    if membership.consent_sms and membership.guest.phone:
        return MessageChannel.SMS
    return None
