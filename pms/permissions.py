"""One family of helpers decides "may this user do X at this property" and "this property or 404".

Views and the API use only these. Per-property rights are guardian object permissions on `Property`
held through per-property role groups (see `pms.signals`); group-wide memberships hold their role's
capabilities at every property. Another property's objects answer 404, never 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import wraps

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import Http404
from rest_framework.permissions import BasePermission

from .models import Property, StaffMembership
from .roles import capabilities_of


def property_group_name(property_code: str, role: str) -> str:
    return f"property:{property_code}:{role}"


def active_memberships(user) -> list[StaffMembership]:
    """The user's active memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_pms_memberships", None)
    if cached is None:
        cached = list(
            StaffMembership.objects.filter(user=user, is_active=True)
            .select_related("property")
            .order_by("property__code", "role")
        )
        user._pms_memberships = cached
    return cached


def group_wide_roles(user) -> set[str]:
    return {m.role for m in active_memberships(user) if m.property_id is None}


def roles_at(user, prop: Property | None) -> set[str]:
    """Roles the user holds at this property (group-wide ones included)."""
    roles = group_wide_roles(user)
    if prop is not None:
        roles |= {m.role for m in active_memberships(user) if m.property_id == prop.pk}
    return roles


_GRANTS_SQL = """
    SELECT gop.object_pk, perm.codename
      FROM guardian_groupobjectpermission gop
      JOIN auth_user_groups ug ON ug.group_id = gop.group_id
      JOIN auth_permission perm ON perm.id = gop.permission_id
     WHERE ug.user_id = %(user)s AND gop.content_type_id = %(ct)s
    UNION ALL
    SELECT uop.object_pk, perm.codename
      FROM guardian_userobjectpermission uop
      JOIN auth_permission perm ON perm.id = uop.permission_id
     WHERE uop.user_id = %(user)s AND uop.content_type_id = %(ct)s
"""


def _property_grants(user) -> dict[str, set[str]]:
    """Guardian's object permissions of the user on every property, in one query per request.

    Guardian's own checker asks twice per property through the ORM; this reads the same tables
    (group and user object permissions) at once and is cached on the user object for the request."""
    grants = getattr(user, "_pms_grants", None)
    if grants is None:
        grants = {}
        ct = ContentType.objects.get_for_model(Property)
        with connection.cursor() as cur:
            cur.execute(_GRANTS_SQL, {"user": user.pk, "ct": ct.pk})
            for object_pk, codename in cur.fetchall():
                grants.setdefault(object_pk, set()).add(codename)
        user._pms_grants = grants
    return grants


def forget_cached_rights(user) -> None:
    """Drop what this request cached about the user's rights (after a change, or in benchmarks)."""
    for attr in ("_pms_memberships", "_pms_grants"):
        user.__dict__.pop(attr, None)


def has_property_perm(user, capability: str, prop: Property) -> bool:
    """May `user` do `capability` at `prop`? Fails closed for anonymous, inactive or role-less users."""
    if prop is None or not active_memberships(user):
        return False
    if any(capability in capabilities_of(role) for role in group_wide_roles(user)):
        return True
    # Guardian holds the per-property grant; the membership must also still be active.
    if not any(m.property_id == prop.pk for m in active_memberships(user)):
        return False
    return capability in _property_grants(user).get(str(prop.pk), ())


def has_capability_anywhere(user, capability: str) -> bool:
    return any(capability in capabilities_of(m.role) for m in active_memberships(user))


def properties_for(user, capability: str | None = None) -> list[Property]:
    """Properties where the user works (and may do `capability`, when given)."""
    memberships = active_memberships(user)
    if not memberships:
        return []
    if any(m.property_id is None for m in memberships):
        candidates = list(Property.objects.filter(is_active=True))
    else:
        seen: dict[int, Property] = {}
        for m in memberships:
            seen.setdefault(m.property_id, m.property)
        candidates = sorted(seen.values(), key=lambda p: p.code)
    if capability is None:
        return candidates
    return [p for p in candidates if has_property_perm(user, capability, p)]


def get_property_or_404(user, code: str, capability: str | None = None) -> Property:
    """The property with this code if the user works there (and may do `capability`), else 404."""
    for prop in properties_for(user):
        if prop.code == code and (capability is None or has_property_perm(user, capability, prop)):
            return prop
    raise Http404("No such property")


def require_any(user, capabilities: Iterable[str]) -> None:
    if not any(has_capability_anywhere(user, c) for c in capabilities):
        raise Http404("Not available")


def property_required(capability: str | None = None):
    """View decorator: resolves the `property_code` URL argument into `request.property`, or 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, property_code: str, *args, **kwargs):
            request.property = get_property_or_404(request.user, property_code, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def capability_required(capability: str):
    """View decorator: the user holds `capability` at some property (or group-wide), else 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_any(request.user, [capability])
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class IsStaffMember(BasePermission):
    """API default: an authenticated, active user with at least one active staff membership."""

    message = "This API is for hotel staff with an active role."

    def has_permission(self, request, view) -> bool:
        return bool(active_memberships(request.user))
