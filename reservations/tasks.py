"""Background work of the reservations app: the night audit per property, and the self-service
sign-in e-mail."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reservations.night_audit")
def night_audit(property_id: int | None = None, business_date: str | None = None) -> list[dict]:
    """Run the night audit for one property (by id) or every active one."""
    from datetime import date

    from pms.models import Property

    from .services import night_audit_run

    props = Property.objects.filter(is_active=True)
    if property_id is not None:
        props = props.filter(pk=property_id)
    day = date.fromisoformat(business_date) if business_date else None
    results = []
    for prop in props:
        r = night_audit_run(property=prop, business_date=day)
        results.append(
            {
                "property": r.property_code,
                "date": r.business_date.isoformat(),
                "room_charges": r.room_charges,
                "no_shows": r.no_shows,
                "overstays": r.overstays,
            }
        )
    return results


@shared_task(name="reservations.portal_send_link", ignore_result=True)
def portal_send_link(guest_id: str, url: str, language: str = "zh-hans") -> None:
    """Send a self-service sign-in link. The message carries the guest id and the single-use link
    (which expires in PORTAL_LINK_MINUTES), never the address: it is read here, from the profile,
    through a recorded selector. Sending outside the request also keeps the "link sent" page equally
    fast whether or not the address is known."""
    import logging

    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import gettext as _

    from .portal.selectors import link_address

    address = link_address(guest_id)
    if not address:
        return
    with translation.override(language):
        body = render_to_string(
            "portal/email_signin.txt", {"url": url, "minutes": settings.PORTAL_LINK_MINUTES}
        )
        subject = _("Your link to your bookings")
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:
        # Neither the address nor the link goes into the log.
        logging.getLogger(__name__).exception("portal: the sign-in e-mail could not be sent")
