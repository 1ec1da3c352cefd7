"""`make run` loads the demo data once: a second run adds nothing, and every role can sign in."""

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from pms.demo import DEMO_PASSWORD, USERS

pytestmark = pytest.mark.django_db

# Append-only or derived tables that the demo of one app legitimately fills once.
APPS = ("pms", "guests", "reservations", "members", "audit")


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for label in APPS
        if apps.is_installed(label)
        for m in apps.get_app_config(label).get_models()
    }


def test_a_second_demo_run_adds_nothing_and_every_demo_user_signs_in(settings):
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    assert first["guests.Guest"] >= 100
    assert first["reservations.RoomBlock"] == 2  # a room out of order at each demo hotel
    assert first["reservations.NightAuditRun"] == 2  # yesterday closed at each demo hotel
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first
    request = RequestFactory().post("/login/")
    for u in USERS:
        assert authenticate(request, username=u.username, password=DEMO_PASSWORD) is not None, u.username
