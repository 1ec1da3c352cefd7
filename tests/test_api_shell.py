"""The API shell: authentication, problem details, OpenAPI."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_anonymous_calls_get_401_as_problem_details():
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"} and body["status"] == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_token_authentication_works(alice):
    token = Token.objects.create(user=alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["memberships"] == [
        {
            "property": "hotel-a",
            "role": "front_desk",
            "capabilities": [
                "check_in_out",
                "manage_bookings",
                "search_guests",
                "take_payments",
                "view_guest_basic",
            ],
        }
    ]


def test_properties_lists_only_where_the_caller_works(api_as, alice, dave):
    assert [p["code"] for p in api_as(alice).get("/api/v1/properties/").json()] == ["hotel-a"]
    assert [p["code"] for p in api_as(dave).get("/api/v1/properties/").json()] == ["hotel-a", "hotel-b"]


def test_unknown_api_route_is_a_problem_404(api_as, alice):
    response = api_as(alice).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_openapi_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "openapi: 3" in out.read_text()


def test_swagger_ui_is_served_offline(client, alice):
    client.force_login(alice)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()


def test_a_change_made_with_a_token_is_logged_with_its_actor_and_request_id(bob, hotel_a):
    from auditlog.models import LogEntry

    from guests.testing import make_guest

    guest = make_guest(hotel_a, family="王", given="伟")
    token = Token.objects.create(user=bob)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.patch(
        f"/api/v1/guests/{guest.pk}/",
        {"property": "hotel-a", "staff_notes": "prefers the 12th floor"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    entry = LogEntry.objects.get_for_object(guest).order_by("-timestamp").first()
    assert entry.actor == bob
    assert entry.cid == response["X-Request-ID"]
    assert entry.remote_addr == "127.0.0.1"
