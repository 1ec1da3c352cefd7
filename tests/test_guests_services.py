"""Guest services: creation with normalised data, bad input refused naming the field, nothing
half-saved, merge, tags and the change log with encrypted values masked."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from guests import services
from guests.models import Guest, IdentityDocument
from guests.testing import prc_id

from .guests_fixtures import *  # noqa: F403  (fixtures)
from .guests_fixtures import ID_A, ID_B

pytestmark = pytest.mark.django_db


def _counts():
    return Guest.objects.count(), IdentityDocument.objects.count()


def test_create_normalises_and_derives_the_birth_date(alice, hotel_a, tags):
    guest = services.guest_create(
        actor=alice,
        property=hotel_a,
        family_name=" 王 ",
        given_name="伟",
        phone="138 0013 8000",
        email="Wang.Wei@Example.COM",
        document_type="prc_id",
        document_number=ID_A.lower(),
        tags=["non-smoking"],
    )
    guest = Guest.objects.get(pk=guest.pk)
    assert guest.family_name == "王"
    assert guest.phone == "+8613800138000"
    assert guest.email == "Wang.Wei@example.com"
    assert guest.date_of_birth == "1985-03-07" and guest.birth_month_day == "03-07"
    assert guest.documents.get().number == ID_A
    assert [t.code for t in guest.tags.all()] == ["non-smoking"]
    assert guest.home_property == hotel_a


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("document_number", "11010119850307421", "18 characters"),
        ("document_number", "110101198502304218", "birth date"),
        ("document_number", ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1"), "check digit"),
        ("phone", "12345", "country code"),
        ("phone", "+86 1380013", "+86 number"),
        ("phone", "138-abc-8000", "only digits"),
        ("email", "wang.wei@", "before and after the @"),
    ],
)
def test_bad_input_is_refused_naming_the_wrong_part_and_nothing_is_saved(
    alice, hotel_a, field, value, message
):
    data = {"family_name": "王", "document_number": ID_A, field: value}
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.guest_create(actor=alice, property=hotel_a, **data)
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert _counts() == before


def test_a_date_of_birth_that_contradicts_the_resident_id_is_refused(alice, hotel_a):
    with pytest.raises(ValidationError) as exc:
        services.guest_create(
            actor=alice, property=hotel_a, family_name="王", document_number=ID_A, date_of_birth="1986-03-07"
        )
    assert "date_of_birth" in exc.value.message_dict
    assert _counts() == (0, 0)


def test_a_document_number_already_on_file_is_refused(alice, hotel_a, guest_a):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.guest_create(actor=alice, property=hotel_a, family_name="王", document_number=ID_A)
    assert "exists already" in exc.value.message_dict["document_number"][0]
    assert _counts() == before


def test_an_unknown_tag_refuses_the_whole_creation(alice, hotel_a, tags):
    with pytest.raises(ValidationError) as exc:
        services.guest_create(
            actor=alice,
            property=hotel_a,
            family_name="王",
            document_number=ID_A,
            tags=["non-smoking", "jacuzzi"],
        )
    assert "jacuzzi" in exc.value.message_dict["tags"][0]
    assert _counts() == (0, 0)


def test_front_desk_cannot_set_staff_notes_on_update(alice, hotel_a, guest_a):
    with pytest.raises(ValidationError) as exc:
        services.guest_update(actor=alice, property=hotel_a, guest=guest_a, staff_notes="rude")
    assert "staff_notes" in exc.value.message_dict
    assert Guest.objects.get(pk=guest_a.pk).staff_notes == ""


def test_update_with_a_bad_phone_changes_nothing(bob, hotel_a, guest_a):
    with pytest.raises(ValidationError):
        services.guest_update(actor=bob, property=hotel_a, guest=guest_a, given_name="伟明", phone="123")
    fresh = Guest.objects.get(pk=guest_a.pk)
    assert fresh.given_name == "伟" and fresh.phone == guest_a.phone


def test_update_replaces_the_document_and_keeps_other_values(bob, hotel_a, guest_a):
    new_id = prc_id("110101", "19850307", "555")
    services.guest_update(
        actor=bob, property=hotel_a, guest=guest_a, document_number=new_id, staff_notes="VIP suite"
    )
    fresh = Guest.objects.get(pk=guest_a.pk)
    assert fresh.documents.get().number == new_id
    assert fresh.staff_notes == "VIP suite" and fresh.phone == "+8613800138000"


def test_tags_are_added_and_removed(alice, hotel_a, guest_a, tags):
    services.guest_tag_add(actor=alice, property=hotel_a, guest=guest_a, code="high-floor")
    assert [t.code for t in guest_a.tags.all()] == ["high-floor"]
    services.guest_tag_remove(actor=alice, property=hotel_a, guest=guest_a, code="high-floor")
    assert guest_a.tags.count() == 0
    with pytest.raises(ValidationError):
        services.guest_tag_add(actor=alice, property=hotel_a, guest=guest_a, code="no-such-tag")


def test_merge_moves_documents_tags_and_grants_and_keeps_merged_into(bob, alice, hotel_a, guest_a, tags):
    dup = Guest.objects.create(
        family_name="王", given_name="伟", home_property=hotel_a, email="w@example.com"
    )
    IdentityDocument.objects.create(guest=dup, doc_type="passport", number="E12345678")
    dup.tags.add(tags[0])
    grant = services.grant_request(actor=alice, property=hotel_a, guest=dup, reason="same person twice")
    services.guest_merge(actor=bob, property=hotel_a, source=dup, target=guest_a)
    dup.refresh_from_db()
    grant.refresh_from_db()
    assert dup.merged_into_id == guest_a.pk
    assert sorted(d.doc_type for d in guest_a.documents.all()) == ["passport", "prc_id"]
    assert grant.guest_id == guest_a.pk
    assert [t.code for t in guest_a.tags.all()] == ["non-smoking"]
    assert Guest.objects.get(pk=guest_a.pk).email == "wang.wei@example.com"  # the target's own value kept


def test_merge_into_itself_is_refused(bob, hotel_a, guest_a):
    with pytest.raises(ValidationError, match="into itself"):
        services.guest_merge(actor=bob, property=hotel_a, source=guest_a, target=guest_a)
    assert Guest.objects.get(pk=guest_a.pk).merged_into_id is None


def test_merge_of_two_people_with_different_resident_ids_is_refused(bob, hotel_a, guest_a):
    other = Guest.objects.create(family_name="王", given_name="伟", home_property=hotel_a)
    IdentityDocument.objects.create(guest=other, doc_type="prc_id", number=ID_B)
    with pytest.raises(ValidationError, match="two people"):
        services.guest_merge(actor=bob, property=hotel_a, source=other, target=guest_a)
    other.refresh_from_db()
    assert other.merged_into_id is None and other.documents.count() == 1


def test_front_desk_may_not_merge(alice, hotel_a, guest_a):
    other = Guest.objects.create(family_name="王", home_property=hotel_a)
    with pytest.raises(Exception) as exc:
        services.guest_merge(actor=alice, property=hotel_a, source=other, target=guest_a)
    assert exc.type.__name__ == "PermissionDenied"


def test_change_log_records_changes_with_encrypted_values_and_names_masked(bob, hotel_a, guest_a):
    services.guest_update(
        actor=bob, property=hotel_a, guest=guest_a, phone="+8613911112222", given_name="伟明", is_vip=True
    )
    entry = LogEntry.objects.get_for_object(Guest.objects.get(pk=guest_a.pk)).order_by("-id").first()
    changes = entry.changes_dict
    assert changes["is_vip"] == [False, True]  # what changed is there...
    assert changes["given_name"] == ["***", "***"]  # ...but not a name an erasure must remove
    assert "伟明" not in entry.changes_text
    assert changes["phone"] == ["***", "***"]
    assert "phone_bidx" not in changes
    assert "13911112222" not in entry.changes_text and "13800138000" not in entry.changes_text


def test_demo_data_loads_valid_guests_once():
    from guests import demo
    from guests.validators import validate_document_number
    from pms import demo as pms_demo

    pms_demo.load(lambda line: None)
    demo.load(lambda line: None)
    demo.load(lambda line: None)  # idempotent
    assert Guest.objects.count() == demo.COUNT
    docs = list(IdentityDocument.objects.all())
    assert len(docs) == demo.COUNT and len({d.number_bidx for d in docs}) == demo.COUNT
    for doc in docs:
        assert validate_document_number(doc.doc_type, doc.number) == doc.number
    assert (
        Guest.objects.filter(nationality="CN").count() > Guest.objects.exclude(nationality="CN").count() > 0
    )
    assert Guest.objects.filter(marketing_consent=True, marketing_consent_at__isnull=False).exists()
