"""Scheduled work of the reservations app: the night audit, per property."""

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
            }
        )
    return results
