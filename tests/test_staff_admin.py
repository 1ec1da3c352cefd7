"""IT administration: hotels, staff accounts, roles and log-in limits."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse

from pms.models import Property, StaffMembership
from pms.permissions import has_property_perm
from pms.roles import Role

from .conftest import ROLE_PEOPLE

pytestmark = pytest.mark.django_db

URLS = [
    ("staff_admin:staff_list", {}),
    ("staff_admin:staff_create", {}),
    ("staff_admin:property_list", {}),
    ("staff_admin:property_create", {}),
]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.IT_ADMIN])
@pytest.mark.parametrize("name,kwargs", URLS)
def test_no_other_role_reaches_it_screens(login, people, role, name, kwargs):
    assert login(people[ROLE_PEOPLE[role]]).get(reverse(name, kwargs=kwargs)).status_code == 404


@pytest.mark.parametrize("name,kwargs", URLS)
def test_it_admin_reaches_them(login, erin, name, kwargs):
    assert login(erin).get(reverse(name, kwargs=kwargs)).status_code == 200


def test_it_admin_creates_a_front_desk_account_that_can_work_at_its_hotel(login, erin, hotel_b):
    response = login(erin).post(
        reverse("staff_admin:staff_create"),
        {
            "username": "mei",
            "first_name": "Mei",
            "last_name": "Lin",
            "email": "mei@hotel.example",
            "password": "Sunrise-Lobby-77",
            "property": hotel_b.pk,
            "role": Role.FRONT_DESK,
        },
    )
    assert response.status_code == 302
    mei = get_user_model().objects.get(username="mei")
    assert has_property_perm(mei, "search_guests", hotel_b)
    assert LogEntry.objects.get_for_object(StaffMembership.objects.get(user=mei)).exists()


def test_a_weak_password_is_refused_and_nothing_is_created(login, erin, hotel_b):
    before = get_user_model().objects.count()
    response = login(erin).post(
        reverse("staff_admin:staff_create"),
        {
            "username": "mei",
            "first_name": "Mei",
            "last_name": "Lin",
            "email": "mei@hotel.example",
            "password": "1234567890",
            "property": hotel_b.pk,
            "role": Role.FRONT_DESK,
        },
    )
    assert response.status_code == 200
    assert "entirely numeric" in response.content.decode()
    assert get_user_model().objects.count() == before


def test_log_in_limits_are_set_on_a_role_with_clear_errors(login, erin, alice):
    m = StaffMembership.objects.get(user=alice)
    url = reverse("staff_admin:membership_edit", args=[alice.pk, m.pk])
    bad = login(erin).post(
        url,
        {
            "property": m.property_id,
            "role": m.role,
            "is_active": "on",
            "allowed_from": "08:00",
            "allowed_networks": "10.0.0.0/33",
        },
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "is not a network" in body
    m.refresh_from_db()
    assert m.allowed_from is None and m.allowed_networks == []
    ok = login(erin).post(
        url,
        {
            "property": m.property_id,
            "role": m.role,
            "is_active": "on",
            "allowed_from": "08:00",
            "allowed_until": "20:00",
            "allowed_networks": "10.0.0.0/8",
        },
    )
    assert ok.status_code == 302
    m.refresh_from_db()
    assert m.allowed_networks == ["10.0.0.0/8"] and m.allowed_from.hour == 8


def test_a_new_hotel_gets_its_role_groups(login, erin):
    response = login(erin).post(
        reverse("staff_admin:property_create"),
        {
            "code": "bj-park",
            "name": "北京公园酒店",
            "name_en": "Park Hotel Beijing",
            "time_zone": "Asia/Shanghai",
            "currency": "CNY",
            "address": "北京",
            "address_en": "",
            "phone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    prop = Property.objects.get(code="bj-park")
    manager = get_user_model().objects.create(username="newmgr")
    StaffMembership.objects.create(user=manager, property=prop, role=Role.MANAGER)
    assert has_property_perm(manager, "approve_access", prop)


def test_an_invalid_time_zone_is_refused(login, erin):
    response = login(erin).post(
        reverse("staff_admin:property_create"),
        {"code": "x", "name": "X", "time_zone": "Mars/Olympus", "currency": "CNY", "is_active": "on"},
    )
    assert response.status_code == 200 and "is not a time zone" in response.content.decode()
    assert not Property.objects.filter(code="x").exists()


def test_a_suspended_account_cannot_work(login, erin, alice):
    login(erin).post(reverse("staff_admin:staff_set_active", args=[alice.pk]), {"active": "0"})
    alice.refresh_from_db()
    assert not alice.is_active
    from django.test import Client

    c = Client()
    c.force_login(alice)
    assert c.get(reverse("dashboard")).status_code == 302


def test_it_admin_cannot_suspend_themself(login, erin):
    login(erin).post(reverse("staff_admin:staff_set_active", args=[erin.pk]), {"active": "0"})
    erin.refresh_from_db()
    assert erin.is_active
