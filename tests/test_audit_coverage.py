"""Route coverage: every route of the project is either declared as serving personal data, and then
requesting it records the right access event, or declared as not personal with a reason.

HOW TO DECLARE YOUR ROUTES (one module per app: `<app>/audit_routes.py`, found automatically for every
installed project app):

    NOT_PERSONAL = {
        "reservations:availability": "room counts per night, no guest data",
        "staff_admin:*": "a trailing * matches every name (or pattern) with that prefix",
    }

    PERSONAL = {
        # route name -> callable(people, hotels) -> dict; it may create the data it needs.
        "guests:detail": lambda people, hotels: {
            "user": people["alice"],          # who requests it (named people, tests/conftest.py)
            "method": "get",                  # optional, default "get"
            "url": f"/guests/{guest.pk}/",    # what to request
            "data": None,                     # optional: query (get) or body (post)
            "action": "view",                 # the AccessEvent.action it must record
            "target_type": "guest",           # ... with this target_type
            "target_id": guest.pk,            # ... and this id among target_ids (None: any)
            "status": 200,                    # optional expected status, default: any below 400
        },
    }

`people` is the dict of named people (alice, bob, carol, dave, erin, frank, grace, heidi, ivan) and
`hotels` is {"a": hotel_a, "b": hotel_b}. A key is a route name ("app:name") or, for unnamed routes,
the route pattern ("api/v1/things/<int:pk>/"). URLs under /api/ are requested with DRF's APIClient
(force_authenticate); others with Django's test client (force_login). The test fails for a route in
neither dict, for a route in both, and for a key that names no route (stale declarations).
A spec may add `"setup": callable(client)` (run before the request, e.g. to open a guest's
self-service session) and `"actor": "guest"` (the event has no staff user and is on the
self-service channel, `"channel"` to say another).
"""

from __future__ import annotations

import fnmatch
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from rest_framework.test import APIClient

from audit.models import AccessEvent

from .audit_routes_walk import all_routes

pytestmark = pytest.mark.django_db


def _declarations() -> tuple[dict, dict]:
    personal, not_personal = {}, {}
    for config in apps.get_app_configs():
        if not (settings.BASE_DIR / config.label).is_dir():
            continue  # third-party apps are declared by pms/audit_routes.py
        try:
            module = import_module(f"{config.name}.audit_routes")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.audit_routes":
                continue
            raise
        personal.update(getattr(module, "PERSONAL", {}))
        not_personal.update(getattr(module, "NOT_PERSONAL", {}))
    return personal, not_personal


PERSONAL, NOT_PERSONAL = _declarations()


def _matches(key: str, name: str, pattern: str) -> bool:
    if key.endswith("*"):
        return fnmatch.fnmatchcase(name, key) or fnmatch.fnmatchcase(pattern, key)
    return key in (name, pattern)


def _declared(decls: dict, name: str, pattern: str) -> bool:
    return any(_matches(k, name, pattern) for k in decls)


def test_every_route_is_declared_personal_or_not():
    missing = [
        name or pattern
        for name, pattern in all_routes()
        if not _declared(PERSONAL, name, pattern) and not _declared(NOT_PERSONAL, name, pattern)
    ]
    assert not missing, (
        "Routes not declared in any <app>/audit_routes.py (see tests/test_audit_coverage.py): "
        + ", ".join(missing)
    )


def test_no_route_is_declared_both_ways():
    both = [
        name or pattern
        for name, pattern in all_routes()
        if _declared(PERSONAL, name, pattern) and _declared(NOT_PERSONAL, name, pattern)
    ]
    assert not both, "Declared both PERSONAL and NOT_PERSONAL: " + ", ".join(both)


def test_every_declaration_names_a_route():
    routes = all_routes()
    stale = [k for k in {**PERSONAL, **NOT_PERSONAL} if not any(_matches(k, n, p) for n, p in routes)]
    assert not stale, "Declared routes that do not exist (remove them): " + ", ".join(stale)


def test_an_undeclared_route_would_fail(settings):
    """The walk sees a route added anywhere: a guard that the coverage test itself can fail."""
    assert not _declared(NOT_PERSONAL, "guests:made-up", "guests/made-up/")
    assert not _declared(PERSONAL, "guests:made-up", "guests/made-up/")


@pytest.mark.parametrize("route", sorted(PERSONAL))
def test_personal_route_records_its_access_event(route, people, hotel_a, hotel_b, client):
    spec = PERSONAL[route](people, {"a": hotel_a, "b": hotel_b})
    user = spec["user"]
    if spec["url"].startswith("/api/"):
        http = APIClient()
        http.force_authenticate(user)
    else:
        http = client
        http.force_login(user)
    if spec.get("setup"):
        spec["setup"](http)  # e.g. open a guest's self-service session
    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = getattr(http, spec.get("method", "get"))(spec["url"], spec.get("data"))
    expected = spec.get("status")
    if expected is not None:
        assert response.status_code == expected, (route, response.status_code)
    else:
        assert response.status_code < 400, (route, response.status_code)
    events = AccessEvent.objects.filter(id__gt=before, action=spec["action"], target_type=spec["target_type"])
    if spec.get("actor") == "guest":  # the guest is the actor: no staff user, the self-service channel
        events = events.filter(actor_user_id__isnull=True, channel=spec.get("channel", "self_service"))
    else:
        events = events.filter(actor_user_id=user.pk)
    if spec.get("target_id") is not None:
        events = events.filter(target_ids__contains=[str(spec["target_id"])])
    assert events.exists(), (
        f"{route}: no access event by {getattr(user, 'username', 'the guest')} with action={spec['action']} "
        f"target_type={spec['target_type']} target_id={spec.get('target_id')}"
    )
