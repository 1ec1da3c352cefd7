"""Route coverage for the guest portal, with the guest as actor.

tests/test_audit_coverage.py matches events by the staff user it signs in; portal events have no
user (the guest is the actor, channel self-service), so the portal's declarations
(reservations/portal/audit_routes.py) are checked here: every portal route is declared, and each
PERSONAL one, requested with a staff user signed in on the same client (which must not matter),
records its event with no user, channel self-service, and the expected target."""

import pytest

from audit.models import AccessEvent
from reservations.portal.audit_routes import NOT_PERSONAL, PERSONAL
from tests.audit_routes_walk import all_routes

pytestmark = pytest.mark.django_db


def test_every_portal_route_is_declared():
    portal = {name for name, _ in all_routes() if name.startswith("portal:")}
    assert portal, "the portal's URLs are included from pms/urls.py"
    assert portal == set(PERSONAL) | set(NOT_PERSONAL)
    assert not set(PERSONAL) & set(NOT_PERSONAL)


@pytest.mark.parametrize("route", sorted(PERSONAL))
def test_portal_route_records_its_event_with_the_guest_as_actor(route, people, hotel_a, hotel_b, client):
    spec = PERSONAL[route](people, {"a": hotel_a, "b": hotel_b})
    client.force_login(spec["user"])
    if spec.get("setup"):
        spec["setup"](client)
    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = getattr(client, spec["method"])(spec["url"], spec.get("data"))
    assert response.status_code == spec["status"], (route, response.status_code)
    events = AccessEvent.objects.filter(
        id__gt=before,
        actor_user_id__isnull=True,
        channel="self_service",
        action=spec["action"],
        target_type=spec["target_type"],
        target_ids__contains=[str(spec["target_id"])],
    )
    assert events.exists(), f"{route}: no self-service event {spec['action']} on {spec['target_id']}"
    assert not AccessEvent.objects.filter(id__gt=before, actor_user_id=spec["user"].pk).exists()
