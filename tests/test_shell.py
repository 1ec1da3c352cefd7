"""The back-office shell: navigation per role, properties, 404 for another property, headers, health."""

import pytest
from django.urls import reverse

from pms.permissions import get_property_or_404, has_property_perm
from pms.roles import ROLE_CAPABILITIES, Capability, Role

pytestmark = pytest.mark.django_db


def test_another_propertys_page_answers_404(login, alice, hotel_a, hotel_b):
    client = login(alice)
    assert client.get(reverse("property_home", args=[hotel_a.code])).status_code == 200
    assert client.get(reverse("property_home", args=[hotel_b.code])).status_code == 404
    assert client.get(reverse("property_home", args=["no-such-hotel"])).status_code == 404


def test_group_wide_staff_see_every_property(login, dave, hotel_a, hotel_b):
    client = login(dave)
    for prop in (hotel_a, hotel_b):
        assert client.get(reverse("property_home", args=[prop.code])).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_guardian_grants_exactly_the_roles_capabilities(people, hotel_a, hotel_b, role):
    from .conftest import ROLE_PEOPLE

    user = people[ROLE_PEOPLE[role]]
    for cap in Capability:
        expected = cap in ROLE_CAPABILITIES[role]
        assert has_property_perm(user, cap, hotel_a) is expected, (role, cap)
    group_wide = role in {Role.COMPLIANCE, Role.IT_ADMIN, Role.SUPERVISOR, Role.MARKETING}
    for cap in ROLE_CAPABILITIES[role]:
        assert has_property_perm(user, cap, hotel_b) is group_wide


def test_a_deactivated_membership_loses_its_rights(alice, hotel_a):
    from pms.models import StaffMembership

    m = StaffMembership.objects.get(user=alice)
    m.is_active = False
    m.save()
    alice.refresh_from_db()
    assert not has_property_perm(alice, Capability.SEARCH_GUESTS, hotel_a)
    from django.http import Http404

    with pytest.raises(Http404):
        get_property_or_404(alice, hotel_a.code)


def test_switching_property_changes_the_active_one_and_refuses_foreign_codes(login, people, hotel_a, hotel_b):
    from pms.models import StaffMembership

    StaffMembership.objects.create(user=people["alice"], property=hotel_b, role=Role.FRONT_DESK)
    client = login(people["alice"])
    response = client.post(reverse("switch_property"), {"property": hotel_b.code, "next": "/"})
    assert response.status_code == 302
    assert client.session["pms_property"] == hotel_b.code
    page = client.get(reverse("dashboard")).content.decode()
    assert 'value="hotel-b" selected' in page
    other = login(people["carol"]).post(reverse("switch_property"), {"property": hotel_a.code})
    assert other.status_code == 404


def test_pages_carry_security_headers_and_no_store(login, alice):
    response = login(alice).get(reverse("dashboard"))
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Request-ID"]


def test_no_inline_script_in_the_shell(login, alice):
    html = login(alice).get(reverse("dashboard")).content.decode()
    assert "<script>" not in html and "<script " in html  # only script tags with src
    for tag in html.split("<script")[1:]:
        assert "src=" in tag.split(">")[0]


@pytest.mark.parametrize("lang,text", [("en", "Your roles"), ("zh-hans", "您的角色")])
def test_the_dashboard_speaks_chinese_and_english(login, alice, lang, text):
    client = login(alice)
    client.post(reverse("set_language"), {"language": lang, "next": "/"})
    assert text in client.get(reverse("dashboard")).content.decode()


def test_healthz_reports_ok(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_healthz_answers_503_naming_what_failed(client, monkeypatch):
    from pms import views

    monkeypatch.setitem(views.HEALTH_CHECKS, "redis", lambda: "redis: ConnectionError")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "redis: ConnectionError"}


def test_healthz_detects_a_real_redis_failure(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("redis:")
