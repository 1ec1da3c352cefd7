"""Named people, as in the house style: a permission test should read in one line.

alice  front desk at Hotel A      bob    manager at Hotel A       carol  front desk at Hotel B
dave   compliance (group-wide)    erin   it_admin (group-wide)    frank  supervisor (group-wide)
grace  marketing (group-wide)     heidi  reservations at Hotel A  ivan   manager at Hotel B
"""

import os

import pytest
from rest_framework.test import APIClient

from pms.roles import Role

from .factories import PASSWORD, MembershipFactory, PropertyFactory, UserFactory

# Playwright's live_server teardown otherwise raises SynchronousOnlyOperation (KNOWN-GOOD.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PEOPLE = {
    "alice": (Role.FRONT_DESK, "a"),
    "bob": (Role.MANAGER, "a"),
    "carol": (Role.FRONT_DESK, "b"),
    "dave": (Role.COMPLIANCE, None),
    "erin": (Role.IT_ADMIN, None),
    "frank": (Role.SUPERVISOR, None),
    "grace": (Role.MARKETING, None),
    "heidi": (Role.RESERVATIONS, "a"),
    "ivan": (Role.MANAGER, "b"),
}
ROLE_PEOPLE = {role: name for name, (role, _) in PEOPLE.items() if name not in {"carol", "ivan"}}


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache namespace (axes, throttles, rate limits live there), in English."""
    import uuid

    settings.LANGUAGE_CODE = "en"  # assertions read English; the Chinese interface has its own tests
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex},
    }
    yield


@pytest.fixture
def hotel_a(db):
    return PropertyFactory(code="hotel-a", name="甲酒店", name_en="Hotel A")


@pytest.fixture
def hotel_b(db):
    return PropertyFactory(code="hotel-b", name="乙酒店", name_en="Hotel B")


def _person(name, hotels):
    role, where = PEOPLE[name]
    user = UserFactory(username=name)
    MembershipFactory(user=user, property=hotels[where] if where else None, role=role)
    return user


@pytest.fixture
def people(hotel_a, hotel_b):
    hotels = {"a": hotel_a, "b": hotel_b}
    return {name: _person(name, hotels) for name in PEOPLE}


@pytest.fixture
def alice(people):
    return people["alice"]


@pytest.fixture
def bob(people):
    return people["bob"]


@pytest.fixture
def carol(people):
    return people["carol"]


@pytest.fixture
def dave(people):
    return people["dave"]


@pytest.fixture
def erin(people):
    return people["erin"]


@pytest.fixture
def frank(people):
    return people["frank"]


@pytest.fixture
def grace(people):
    return people["grace"]


@pytest.fixture
def heidi(people):
    return people["heidi"]


@pytest.fixture
def ivan(people):
    return people["ivan"]


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_as():
    """api_as(user) -> a DRF APIClient authenticated as that user."""

    def _api(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return _api


@pytest.fixture
def password():
    return PASSWORD


# --- browser tests (Playwright with Debian's chromium; `playwright install` is never used) ---

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url
