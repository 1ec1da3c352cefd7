"""Routes of the audit app for the route-coverage test (tests/test_audit_coverage.py).

Reviewing the access log is itself an access to personal data (who looked at which guest), so every
review route is PERSONAL: the test requests it as the user given and checks the event it records."""

import uuid


def _guest_id():
    return uuid.UUID("00000000-0000-4000-8000-000000000001")


def _event(people, hotels):
    from audit.services import access_record

    return access_record(actor=people["alice"], action="view", target_type="guest", guest_ids=[_guest_id()])


def _alert(people, hotels):
    from django.utils import timezone

    from audit.models import Alert

    now = timezone.now()
    return Alert.objects.create(
        rule="volume",
        operator_user_id=people["alice"].pk,
        operator_username="alice",
        property_id=hotels["a"].pk,
        window_start=now,
        window_end=now,
        figure=99,
        limit=60,
    )


NOT_PERSONAL: dict[str, str] = {}

PERSONAL = {
    "audit:dashboard": lambda people, hotels: {
        "user": people["dave"],
        "url": "/audit/",
        "action": "search",
        "target_type": "alert",
        "target_id": None,
    },
    "audit:events": lambda people, hotels: {
        "user": people["dave"],
        "url": "/audit/events/",
        "action": "search",
        "target_type": "access_event",
        "target_id": _event(people, hotels).pk,
    },
    "audit:export": lambda people, hotels: {
        "user": people["dave"],
        "url": "/audit/events/export.csv",
        "action": "export",
        "target_type": "access_event",
        "target_id": None,
    },
    "audit:event": lambda people, hotels: (
        lambda e: {
            "user": people["bob"],
            "url": f"/audit/events/{e.pk}/",
            "action": "view",
            "target_type": "access_event",
            "target_id": e.pk,
        }
    )(_event(people, hotels)),
    "audit:guest": lambda people, hotels: {
        "user": people["dave"],
        "url": f"/audit/guests/{_guest_id()}/",
        "action": "view",
        "target_type": "guest_timeline",
        "target_id": _guest_id(),
    },
    "audit:staff": lambda people, hotels: {
        "user": people["bob"],
        "url": f"/audit/staff/{people['alice'].pk}/",
        "action": "view",
        "target_type": "staff_activity",
        "target_id": people["alice"].pk,
    },
    "audit:alerts": lambda people, hotels: (
        lambda a: {
            "user": people["dave"],
            "url": "/audit/alerts/",
            "action": "search",
            "target_type": "alert",
            "target_id": a.pk,
        }
    )(_alert(people, hotels)),
    "audit:alert": lambda people, hotels: (
        lambda a: {
            "user": people["bob"],
            "url": f"/audit/alerts/{a.pk}/",
            "action": "view",
            "target_type": "alert",
            "target_id": a.pk,
        }
    )(_alert(people, hotels)),
    # The confirmation page names the operator and the alert (the suspension itself is recorded
    # too, see tests/test_audit_alerts.py).
    "audit:alert_suspend": lambda people, hotels: (
        lambda a: {
            "user": people["dave"],
            "url": f"/audit/alerts/{a.pk}/suspend/",
            "action": "view",
            "target_type": "alert",
            "target_id": a.pk,
        }
    )(_alert(people, hotels)),
    "api-audit-events": lambda people, hotels: {
        "user": people["dave"],
        "url": "/api/v1/audit/events/",
        "action": "search",
        "target_type": "access_event",
        "target_id": _event(people, hotels).pk,
    },
    "api-audit-alerts": lambda people, hotels: (
        lambda a: {
            "user": people["bob"],
            "url": "/api/v1/audit/alerts/",
            "action": "search",
            "target_type": "alert",
            "target_id": a.pk,
        }
    )(_alert(people, hotels)),
}
