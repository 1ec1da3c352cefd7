"""The guest profile page is built from role-gated sections that apps register.

    from guests.sections import ProfileSection, register
    register(ProfileSection(
        key="bookings", title=_("Current and upcoming bookings"), level="basic", order=40,
        template="reservations/profile_bookings.html",
        context=lambda actor, guest, prop: {"bookings": ...},
    ))

`level` is "basic" (front desk and up) or "full" (manager at own property, group-wide roles
allowed to see guests, or the holder of an access grant). The profile selector decides the level
once and records one access event; a section's context callable must only read what its level
allows and must not record events of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

LEVELS = ("basic", "full")


@dataclass(frozen=True)
class ProfileSection:
    key: str
    title: str
    level: str
    template: str
    context: Callable[..., dict]
    order: int = 100

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}")


_sections: dict[str, ProfileSection] = {}


def register(section: ProfileSection) -> None:
    _sections[section.key] = section


def sections_for(level: str) -> list[ProfileSection]:
    allowed = LEVELS[: LEVELS.index(level) + 1]
    return sorted((s for s in _sections.values() if s.level in allowed), key=lambda s: (s.order, s.key))
