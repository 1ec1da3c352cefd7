"""The back-office navigation: each app registers its entries; each role sees only what it may use.

An entry names a capability; it shows when the user holds it at the active property (or group-wide).
A badge callable returns a count (e.g. open alerts) for the user, or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    capability: str | None = None
    per_property: bool = False
    order: int = 100
    badge: Callable | None = None


_registry: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _registry[item.key] = item


def items_for(request) -> list[dict]:
    from .permissions import active_memberships, has_capability_anywhere, has_property_perm

    user = request.user
    if not active_memberships(user):
        return []
    prop = request.active_property
    visible = []
    for item in sorted(_registry.values(), key=lambda i: (i.order, i.key)):
        if item.capability:
            if item.per_property:
                if prop is None or not has_property_perm(user, item.capability, prop):
                    continue
            elif not has_capability_anywhere(user, item.capability):
                continue
        try:
            url = reverse(item.url_name, kwargs={"property_code": prop.code} if item.per_property else None)
        except NoReverseMatch:
            continue
        badge = item.badge(request) if item.badge else None
        visible.append(
            {
                "key": item.key,
                "label": item.label,
                "url": url,
                "badge": badge,
                "active": request.path.startswith(url) and url != "/",
            }
        )
    return visible
