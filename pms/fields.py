"""Encrypted model fields (DESIGN.md, Encryption).

`EncryptedTextField` keeps AES-256-GCM ciphertext in the column and plaintext on the instance:
the value read from the database stays encrypted until an attribute access decrypts it with the
row's id as associated data, so loading a row costs no decryption and a value copied to another
row fails. Filtering on the column raises: search through the blind-index companion field, which
the field keeps in step whenever a plaintext value is assigned.

    phone = EncryptedTextField()
    phone_bidx = BlindIndexField(source="phone", kind="phone")

The model must have a UUID primary key assigned before save (`default=uuid.uuid4`).
"""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models

from . import crypto


class Ciphertext(str):
    """A value as stored: encrypted, not yet decrypted."""

    __slots__ = ()


class EncryptedAttribute:
    def __init__(self, field: EncryptedTextField):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if isinstance(value, Ciphertext):
            plain = crypto.decrypt(
                value, table=instance._meta.db_table, field=self.field.column, row_id=instance.pk
            )
            instance.__dict__[self.field.attname] = plain
            instance.__dict__[self.field.stored_attname] = value
            return plain
        return value

    def __set__(self, instance, value):
        if value is not None and not isinstance(value, Ciphertext):
            value = str(value)
            instance.__dict__.pop(self.field.stored_attname, None)
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database; plaintext only on the instance, after access."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    @property
    def stored_attname(self) -> str:
        return f"_{self.attname}_stored"

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        setattr(cls, self.attname, EncryptedAttribute(self))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return Ciphertext(value)

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value is None or value == "" or isinstance(value, Ciphertext):
            return value
        stored = model_instance.__dict__.get(self.stored_attname)
        if stored is not None:  # decrypted on access but not changed: keep the stored ciphertext
            return stored
        return crypto.encrypt(
            value, table=model_instance._meta.db_table, field=self.column, row_id=model_instance.pk
        )

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted and cannot be filtered on "
            f"('{lookup_name}'); filter on {self.name}_bidx with pms.crypto.blind_index() instead."
        )

    def get_transform(self, name):
        raise FieldError(f"{self.model.__name__}.{self.name} is encrypted; no transforms.")

    def value_to_string(self, obj):
        # Serialisation (dumpdata, admin history) gets the ciphertext, never the plaintext.
        value = obj.__dict__.get(self.attname)
        return value if isinstance(value, Ciphertext) else obj.__dict__.get(self.stored_attname, "")

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        pk = self.model._meta.pk
        if not isinstance(pk, models.UUIDField):
            errors.append(
                checks.Error(
                    "EncryptedTextField needs a UUID primary key (the row id is part of the associated data).",
                    obj=self,
                    id="pms.E010",
                )
            )
        return errors


class BlindIndexField(models.CharField):
    """HMAC-SHA256 (hex) of the normalised plaintext of its companion encrypted field, computed on
    save whenever that field holds a new plaintext (an untouched ciphertext keeps its index)."""

    def __init__(self, *args, source: str, kind: str, **kwargs):
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["kind"] = self.source, self.kind
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        current = model_instance.__dict__.get(self.source)
        if isinstance(current, Ciphertext) or (
            current and model_instance.__dict__.get(f"_{self.source}_stored") is not None
        ):
            return getattr(model_instance, self.attname)  # plaintext unchanged since load
        value = crypto.blind_index(self.kind, current or "")
        setattr(model_instance, self.attname, value)
        return value
