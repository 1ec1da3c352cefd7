"""The navigation shows each role only what it may use (and what it shows, the role can open)."""

import re

import pytest
from django.urls import reverse

from pms.navigation import _registry
from pms.roles import ROLE_CAPABILITIES, Role

from .conftest import ROLE_PEOPLE

pytestmark = pytest.mark.django_db

SHELL = {"dashboard", "property"}


def _nav_keys(html: str) -> set[str]:
    return set(re.findall(r'data-nav="([^"]+)"', html))


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_the_entries_of_its_capabilities(login, people, role):
    user = people[ROLE_PEOPLE[role]]
    keys = _nav_keys(login(user).get(reverse("dashboard")).content.decode())
    expected = {
        item.key
        for item in _registry.values()
        if item.capability is None or item.capability in ROLE_CAPABILITIES[role]
    }
    assert keys == expected
    assert keys >= SHELL


@pytest.mark.parametrize("role", list(Role))
def test_every_entry_a_role_sees_opens_for_it(login, people, role):
    client = login(people[ROLE_PEOPLE[role]])
    html = client.get(reverse("dashboard")).content.decode()
    for href in re.findall(r'<a href="([^"]+)" data-nav=', html):
        assert client.get(href).status_code == 200, href


def test_only_it_sees_staff_and_hotels(login, alice, erin):
    assert {"staff", "hotels"} <= _nav_keys(login(erin).get("/").content.decode())
    assert not {"staff", "hotels"} & _nav_keys(login(alice).get("/").content.decode())
