"""No plaintext anywhere: after a guest is created, searched for and revealed, neither the ID number
nor the phone nor the e-mail appears in any text, JSON or array column of any table."""

import pytest
from django.db import connection

from guests.testing import prc_id

pytestmark = pytest.mark.django_db

ID_NUMBER = prc_id("440305", "19921130", "736")
PHONE_TYPED, PHONE_E164, PHONE_NATIONAL = "139 1234 5678", "+8613912345678", "13912345678"
EMAIL_TYPED = "Secret.Guest@Example.com"
NEEDLES = [
    ID_NUMBER,
    ID_NUMBER[:-1],
    PHONE_E164,
    PHONE_NATIONAL,
    PHONE_TYPED,
    EMAIL_TYPED.lower(),
    "secret.guest@",
]


def _columns():
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea')
            """
        )
        return cur.fetchall()


def _hits():
    found = []
    with connection.cursor() as cur:
        for table, column in _columns():
            for needle in NEEDLES:
                cur.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',
                    ["%" + needle.replace("%", r"\%").replace("_", r"\_") + "%"],
                )
                if cur.fetchone()[0]:
                    found.append((table, column, needle))
    return found


def test_no_plaintext_in_any_column_after_create_search_and_reveal(alice, bob, api_as, login):
    front, manager = api_as(alice), api_as(bob)
    created = front.post(
        "/api/v1/guests/",
        {
            "property": "hotel-a",
            "family_name": "陈",
            "given_name": "秘密",
            "phone": PHONE_TYPED,
            "email": EMAIL_TYPED,
            "documents": [{"doc_type": "prc_id", "number": ID_NUMBER}],
        },
    )
    assert created.status_code == 201, created.content
    guest_id = created.json()["id"]
    for criteria in (
        {"id_number": ID_NUMBER},
        {"phone": PHONE_TYPED},
        {"email": EMAIL_TYPED},
        {"name": "陈秘"},
    ):
        body = front.post("/api/v1/guests/search/", {"property": "hotel-a", **criteria}).json()
        assert [r["id"] for r in body["results"]] == [guest_id], criteria
    revealed = {}
    for field in ("document", "phone", "email", "date_of_birth"):
        response = manager.post(
            f"/api/v1/guests/{guest_id}/reveal/",
            {"property": "hotel-a", "field": field, "reason": "verify at desk"},
        )
        revealed[field] = response.json()["value"]
    assert revealed == {
        "document": ID_NUMBER,
        "phone": PHONE_E164,
        "email": "Secret.Guest@example.com",
        "date_of_birth": "1992-11-30",
    }
    # The screens too (sessions, messages), and a change that goes through the change log.
    html = login(bob).post(
        f"/guests/p/hotel-a/{guest_id}/reveal/",
        {"field": "phone", "reason": "guest asked"},
        HTTP_HX_REQUEST="true",
    )
    assert PHONE_E164 in html.content.decode()
    manager.patch(f"/api/v1/guests/{guest_id}/", {"property": "hotel-a", "phone": "+8613700001111"})

    assert len(_columns()) > 50  # the scan really covers the schema (audit and auditlog tables included)
    assert _hits() == []


def test_the_scan_would_find_a_leak(alice, hotel_a):
    from guests.models import Guest

    Guest.objects.create(family_name="陈", address=f"leak {PHONE_NATIONAL}", home_property=hotel_a)
    assert ("guests_guest", "address", PHONE_NATIONAL) in _hits()
