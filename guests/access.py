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
_link_finders: dict[str, Callable] = {}


def register_link(key: str, condition: Callable, linked_among: Callable | None = None) -> None:
    """Another app links guests to a property (e.g. a booking there). See the module docstring.

    `linked_among(prop, guest_ids) -> set of ids`, when given, answers the same question for a few
    known guests with a plain indexed query (the search's openable check); without it the
    condition is used."""
    _links[key] = condition
    if linked_among is not None:
        _link_finders[key] = linked_among
    else:
        _link_finders.pop(key, None)


def linked_among(prop, guests) -> set:
    """The ids among `guests` (Guest rows with home_property_id) linked to `prop`."""
    linked = {g.pk for g in guests if g.home_property_id == prop.pk}
    rest = [g.pk for g in guests if g.pk not in linked]
    for key, condition in _links.items():
        if not rest:
            break
        finder = _link_finders.get(key)
        if finder is not None:
            hit = set(finder(prop, rest))
        else:
            extra = condition(prop)
            hit = set(
                Guest.objects.filter(pk__in=rest)
                .filter(extra if isinstance(extra, Q) else Q(extra))
                .values_list("pk", flat=True)
            )
        linked |= hit
        rest = [pk for pk in rest if pk not in hit]
    return linked


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


# ------------------------------------------------------------------ the document pass
#
# An exact ID-document search finds a guest registered at another hotel of the group (the guest
# is at the desk with the document). The hit is masked and not openable, but the desk must be able
# to book them here rather than register a duplicate. The search hands out a *document pass*: a
# signed, short-lived token naming the guest, the actor and the property, and nothing else. A
# booking for a guest the actor cannot otherwise find is accepted only with a valid pass; the
# booking then links the guest to this hotel and the basic profile opens as for any guest booked
# here.

PASS_SALT = "guests.document-pass"


def document_pass(actor, prop, guest_id) -> str:
    from django.core import signing

    return signing.dumps(
        {"g": str(guest_id), "u": actor.pk, "p": str(prop.pk)}, salt=PASS_SALT, compress=True
    )


def document_pass_guest_id(token: str, actor, prop) -> str | None:
    """The guest id a pass names, if it is genuine, unexpired and was issued to this actor here."""
    from django.conf import settings
    from django.core import signing

    if not token:
        return None
    try:
        data = signing.loads(token, salt=PASS_SALT, max_age=settings.GUEST_DOCUMENT_PASS_MINUTES * 60)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("u") != actor.pk or data.get("p") != str(prop.pk):
        return None
    return data.get("g")


# What a document pass can be used for, as links on the search results (Reservations registers
# "Book them here"). `url` takes the property code and the pass; `capability` gates the link.
_pass_actions: list[tuple[str, str, Callable]] = []


def register_pass_action(label, capability: str, url: Callable) -> None:
    _pass_actions.append((label, capability, url))


def pass_actions(actor, prop, token: str) -> list[tuple[str, str]]:
    """(label, url) for each registered action the actor may take at `prop` with this pass."""
    return [
        (label, url(prop.code, token))
        for label, capability, url in _pass_actions
        if has_property_perm(actor, capability, prop)
    ]
