"""What the members app adds to the guest profile (the membership section) and to the guest search
(the membership card number). Registered in MembersConfig.ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def _membership_context(actor, guest, prop) -> dict:
    # The profile selector has decided the level and recorded the event; this only reads.
    from .models import Membership
    from .selectors import statement

    m = Membership.objects.filter(guest=guest).select_related("tier").first()
    if m is None:
        return {"membership": None, "guest": guest, "property": prop}
    data = statement(m)
    data["points"] = data["points"][:10]
    data["stored_value"] = data["stored_value"][:10]
    return {"membership": m, "guest": guest, "property": prop, **data}


def _by_card(actor, value, properties, date_from=None, date_to=None):
    from .models import Membership

    card = "".join((value or "").split())
    if not card.isdigit():
        return []
    # A card is handed over at the desk, like an ID document: found group-wide, shown per the
    # guest search's own rules (masked and not openable unless the guest is linked here).
    return list(Membership.objects.filter(card_number=card).values_list("guest_id", flat=True))


def register_all() -> None:
    from guests import search, sections

    sections.register(
        sections.ProfileSection(
            key="membership",
            title=_("Membership"),
            level="basic",
            order=30,
            template="members/profile_section.html",
            context=_membership_context,
        )
    )
    search.register(
        search.SearchCriterion(
            key="card_number",
            label=_("Membership card number"),
            kind="card_number",
            guest_ids=_by_card,
            order=15,
        )
    )
