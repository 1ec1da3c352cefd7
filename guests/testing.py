"""Helpers for tests, the route-coverage declarations, demo data and the bench: fictitious
checksum-correct resident ID numbers and a quick way to put a guest in the database."""

from __future__ import annotations

import random

from .validators import prc_check_digit


def prc_id(region: str = "110101", born: str = "19850307", seq: str | None = None, rng=random) -> str:
    """A checksum-correct, fictitious PRC resident ID number."""
    seq = seq if seq is not None else f"{rng.randrange(1000):03d}"
    first17 = f"{region}{born}{seq}"
    return first17 + prc_check_digit(first17)


def make_guest(prop, *, family="王", given="伟", id_number=None, phone="", email="", **extra):
    """A guest registered at `prop` with a resident ID (saved through the models, not the services)."""
    from .models import DocumentType, Guest, IdentityDocument

    guest = Guest.objects.create(
        family_name=family, given_name=given, phone=phone, email=email, home_property=prop, **extra
    )
    IdentityDocument.objects.create(
        guest=guest, doc_type=DocumentType.PRC_ID, number=id_number or prc_id(rng=random.SystemRandom())
    )
    return guest
