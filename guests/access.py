"""Who may see which guest, and how much: the one place the guest visibility rule lives.

A guest is *linked* to a property when they were registered there (`home_property`) or when
another app says so: Reservations registers "has a booking at this property" with

    from guests.access import register_link
    register_link("bookings", lambda prop: Exists(Booking.objects.filter(guest=OuterRef("pk"), property=prop)))

(a callable taking the property and returning a Q or boolean expression over `Guest`).

Levels at a property (the URL's property, where the actor works):
- "full": the actor holds `view_guest_full` there (manager) and the guest is linked to it; or the
  actor holds it group-wide; or the actor has a valid access grant for this guest at this property.
- "basic": the actor holds `view_guest_basic` there and the guest is linked to it (or holds it
  group-wide).
- None: the guest does not exist for this actor (404, and a denied event).
A grant counts only while approved, unexpired and backed by the guardian permission: an expired
grant stops working at the next read, before the expiry task has run.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone

from pms.permissions import active_memberships, has_property_perm
from pms.roles import Capability, capabilities_of

from .models import AccessGrant, GrantState, Guest

GRANT_PERM = "guests.view_guest_full"

_links: dict[str, Callable] = {}


def register_link(key: str, condition: Callable) -> None:
    """Another app links guests to a property (e.g. a booking there). See the module docstring."""
    _links[key] = condition


def linked_q(prop) -> Q:
    q = Q(home_property=prop)
    for condition in _links.values():
        extra = condition(prop)
        q |= extra if isinstance(extra, Q) else Q(extra)
    return q


def _group_wide(actor, capability: str) -> bool:
    return any(
        m.property_id is None and capability in capabilities_of(m.role) for m in active_memberships(actor)
    )


def sees_all_guests(actor, capability: str = Capability.VIEW_GUEST_BASIC) -> bool:
    """Group-wide holders of the capability are not limited to linked guests."""
    return _group_wide(actor, capability)


def visible_guests(actor, prop, capability: str = Capability.VIEW_GUEST_BASIC):
    """Guests the actor may find at `prop` by name, phone or e-mail (merged and erased left out)."""
    qs = Guest.objects.filter(merged_into__isnull=True, erased_at__isnull=True)
    if not has_property_perm(actor, capability, prop):
        return qs.none()
    if sees_all_guests(actor, capability):
        return qs
    return qs.filter(linked_q(prop))


def is_linked(guest: Guest, prop) -> bool:
    return Guest.objects.filter(pk=guest.pk).filter(linked_q(prop)).exists()


def active_grant(actor, guest: Guest, prop) -> AccessGrant | None:
    """The actor's approved, unexpired grant for this guest at this property, if guardian agrees."""
    if not getattr(actor, "is_authenticated", False):
        return None
    grant = (
        AccessGrant.objects.filter(
            guest=guest,
            requester=actor,
            property=prop,
            state=GrantState.APPROVED,
            expires_at__gt=timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )
    if grant is None:
        return None
    from guardian.core import ObjectPermissionChecker

    # A fresh checker: guardian's per-user cache must not outlive a revocation.
    if not ObjectPermissionChecker(actor).has_perm("view_guest_full", guest):
        return None
    return grant


def profile_level(actor, guest: Guest, prop) -> tuple[str | None, AccessGrant | None]:
    """("full" | "basic" | None, the grant that gave full access or None)."""
    if guest.erased_at is not None:
        return None, None
    full_role = has_property_perm(actor, Capability.VIEW_GUEST_FULL, prop)
    basic_role = has_property_perm(actor, Capability.VIEW_GUEST_BASIC, prop)
    linked = None
    if full_role or basic_role:
        if _group_wide(actor, Capability.VIEW_GUEST_FULL):
            return "full", None
        linked = is_linked(guest, prop)
        if full_role and linked:
            return "full", None
    grant = active_grant(actor, guest, prop)
    if grant is not None:
        return "full", grant
    if basic_role and (linked or _group_wide(actor, Capability.VIEW_GUEST_BASIC)):
        return "basic", None
    return None, None


def may_reveal(actor, guest: Guest, prop, level: str | None, grant: AccessGrant | None) -> bool:
    """Unmasked values: the reveal capability at a property the guest is linked to, or a grant."""
    if level is None:
        return False
    if grant is not None:
        return True
    if _group_wide(actor, Capability.REVEAL_PERSONAL_DATA):
        return True
    return has_property_perm(actor, Capability.REVEAL_PERSONAL_DATA, prop) and level == "full"
