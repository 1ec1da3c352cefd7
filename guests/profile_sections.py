"""The guests app's own profile sections (registered in GuestsConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import AccessGrant
from .sections import ProfileSection, register


def _identity(actor, guest, prop) -> dict:
    from .selectors import masked_identity

    return {"identity": masked_identity(guest)}


def _preferences(actor, guest, prop) -> dict:
    return {"tags": list(guest.tags.all()), "special_needs": guest.special_needs, "is_vip": guest.is_vip}


def _notes(actor, guest, prop) -> dict:
    return {
        "staff_notes": guest.staff_notes,
        "address": guest.address,
        "marketing_consent": guest.marketing_consent,
        "marketing_consent_at": guest.marketing_consent_at,
        "marketing_consent_channel": guest.get_marketing_consent_channel_display(),
        "merged_profiles": list(guest.merged_profiles.values_list("pk", flat=True)),
    }


def _grants(actor, guest, prop) -> dict:
    return {
        "grants": list(
            AccessGrant.objects.filter(guest=guest).select_related("requester", "approver", "property")[:50]
        )
    }


def register_own() -> None:
    register(
        ProfileSection(
            key="identity",
            title=_("Identity and contact"),
            level="basic",
            order=10,
            template="guests/sections/identity.html",
            context=_identity,
        )
    )
    register(
        ProfileSection(
            key="preferences",
            title=_("Preferences and special needs"),
            level="basic",
            order=20,
            template="guests/sections/preferences.html",
            context=_preferences,
        )
    )
    register(
        ProfileSection(
            key="staff_notes",
            title=_("Staff notes"),
            level="full",
            order=80,
            template="guests/sections/notes.html",
            context=_notes,
        )
    )
    register(
        ProfileSection(
            key="access_grants",
            title=_("Access grants"),
            level="full",
            order=90,
            template="guests/sections/grants.html",
            context=_grants,
        )
    )
