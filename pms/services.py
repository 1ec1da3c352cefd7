"""Writes of the shell: hotels, staff accounts and their roles. Each runs in one transaction; the
change log (django-auditlog) records who changed what."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Property, StaffMembership


@transaction.atomic
def property_save(*, actor, instance: Property | None = None, **fields) -> Property:
    prop = instance or Property()
    for name, value in fields.items():
        setattr(prop, name, value)
    prop.full_clean()
    prop.save()
    return prop


@transaction.atomic
def staff_create(
    *,
    actor,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    property: Property | None,
    role: str,
):
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken; choose another.")})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    membership_save(actor=actor, user=user, property=property, role=role)
    return user


@transaction.atomic
def membership_save(*, actor, user, instance: StaffMembership | None = None, **fields) -> StaffMembership:
    m = instance or StaffMembership(user=user)
    for name, value in fields.items():
        setattr(m, name, value)
    m.full_clean()
    m.save()
    return m


@transaction.atomic
def staff_set_active(*, actor, user, active: bool) -> None:
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot suspend your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
