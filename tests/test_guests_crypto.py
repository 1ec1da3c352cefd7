"""Encryption of guest data: AES-GCM bound to its row, loud failures, key rotation."""

import base64
import os

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction

from guests.models import Guest, IdentityDocument
from pms import crypto

from .guests_fixtures import *  # noqa: F403  (fixtures)
from .guests_fixtures import EMAIL_A, ID_A, PHONE_A

pytestmark = pytest.mark.django_db


def _raw(table, column, pk):
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def _set_raw(table, column, pk, value):
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])


def test_values_round_trip_and_are_stored_encrypted(guest_a):
    stored = _raw("guests_guest", "phone", guest_a.pk)
    assert stored.startswith("v1:") and PHONE_A not in stored
    fresh = Guest.objects.get(pk=guest_a.pk)
    assert fresh.phone == PHONE_A and fresh.email == EMAIL_A
    assert IdentityDocument.objects.get(guest=fresh).number == ID_A


def test_a_value_copied_to_another_row_does_not_decrypt(guest_a, hotel_a):
    other = Guest.objects.create(family_name="李", given_name="四", home_property=hotel_a)
    _set_raw("guests_guest", "phone", other.pk, _raw("guests_guest", "phone", guest_a.pk))
    with pytest.raises(crypto.DecryptionError):
        _ = Guest.objects.get(pk=other.pk).phone


def test_a_value_copied_to_another_column_does_not_decrypt(guest_a):
    _set_raw("guests_guest", "email", guest_a.pk, _raw("guests_guest", "phone", guest_a.pk))
    with pytest.raises(crypto.DecryptionError):
        _ = Guest.objects.get(pk=guest_a.pk).email


def test_a_flipped_byte_does_not_decrypt(guest_a):
    stored = _raw("guests_guest", "phone", guest_a.pk)
    version, kid, b64 = stored.split(":", 2)
    raw = bytearray(base64.b64decode(b64))
    raw[-1] ^= 0x01
    _set_raw("guests_guest", "phone", guest_a.pk, f"{version}:{kid}:{base64.b64encode(bytes(raw)).decode()}")
    with pytest.raises(crypto.DecryptionError):
        _ = Guest.objects.get(pk=guest_a.pk).phone


def test_an_unknown_key_fails_loudly(guest_a, settings):
    settings.PMS_ENCRYPTION_KEYS = [f"other:{base64.b64encode(os.urandom(32)).decode()}"]
    with pytest.raises(crypto.DecryptionError, match="not in PMS_ENCRYPTION_KEYS"):
        _ = Guest.objects.get(pk=guest_a.pk).phone


def test_no_keys_at_all_refuses_to_encrypt(settings, hotel_a):
    settings.PMS_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured), transaction.atomic():
        Guest.objects.create(family_name="赵", phone="+8613700137000", home_property=hotel_a)
    assert not Guest.objects.filter(family_name="赵").exists()


@pytest.mark.parametrize("lookup", ["phone", "phone__startswith", "email__icontains"])
def test_filtering_on_an_encrypted_column_raises(lookup):
    with pytest.raises(FieldError, match="encrypted"):
        Guest.objects.filter(**{lookup: PHONE_A}).exists()


def test_rotation_moves_every_row_to_the_new_key_and_the_old_key_can_go(guest_a, hotel_a, settings, capsys):
    old_entries = list(settings.PMS_ENCRYPTION_KEYS)
    old_kid = crypto.key_ring().primary
    for i in range(7):
        Guest.objects.create(
            family_name="张", given_name=f"{i}", phone=f"+861380013800{i}", home_property=hotel_a
        )
    new_entry = f"k2026:{base64.b64encode(os.urandom(32)).decode()}"
    settings.PMS_ENCRYPTION_KEYS = [new_entry, *old_entries]

    call_command("rotate_keys", "--batch-size", "3")
    out = capsys.readouterr().out
    assert f"guests_guest.phone: {old_kid}=8" in out  # before
    assert "guests_guest.phone: k2026=8" in out  # after
    assert "guests_identitydocument.number: k2026=1" in out
    assert PHONE_A not in out and ID_A not in out

    settings.PMS_ENCRYPTION_KEYS = [new_entry]  # the old key dropped
    assert Guest.objects.get(pk=guest_a.pk).phone == PHONE_A
    assert IdentityDocument.objects.get(guest=guest_a).number == ID_A
    assert sorted(g.phone for g in Guest.objects.filter(family_name="张")) == [
        f"+861380013800{i}" for i in range(7)
    ]


def test_rotation_is_resumable(guest_a, hotel_a, settings, capsys):
    old_entries = list(settings.PMS_ENCRYPTION_KEYS)
    new_entry = f"k2027:{base64.b64encode(os.urandom(32)).decode()}"
    settings.PMS_ENCRYPTION_KEYS = [new_entry, *old_entries]
    # A first run that stopped half-way: one column already on the new key.
    _set_raw(
        "guests_guest",
        "phone",
        guest_a.pk,
        crypto.encrypt(PHONE_A, table="guests_guest", field="phone", row_id=guest_a.pk),
    )
    call_command("rotate_keys")
    out = capsys.readouterr().out
    assert "guests_guest.phone: k2027=1" in out
    assert "guests_guest.email: k2027=1" in out
    call_command("rotate_keys")  # nothing left: a second run changes nothing and succeeds
    assert "Re-encrypted 0 rows" in capsys.readouterr().out
