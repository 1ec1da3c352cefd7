"""Optional log-in limits from staff memberships: allowed hours (in the property's time zone) and
allowed networks. A user may log in when at least one active membership allows the time and the
address; the hours are checked again on every request through a compact copy in the session."""

from __future__ import annotations

import ipaddress
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Rule:
    tz: str
    start: time | None
    end: time | None
    networks: tuple[str, ...]

    def hours_allow(self, at: datetime) -> bool:
        if self.start is None or self.end is None:
            return True
        local = at.astimezone(zoneinfo.ZoneInfo(self.tz)).time()
        if self.start <= self.end:
            return self.start <= local <= self.end
        return local >= self.start or local <= self.end  # a night shift across midnight

    def network_allows(self, ip: str | None) -> bool:
        if not self.networks:
            return True
        if not ip:
            return False
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in ipaddress.ip_network(n, strict=False) for n in self.networks)


@dataclass(frozen=True)
class LoginWindow:
    rules: tuple[Rule, ...]

    @classmethod
    def for_memberships(cls, memberships) -> LoginWindow:
        return cls(
            tuple(
                Rule(
                    tz=m.property.time_zone if m.property_id else settings.TIME_ZONE,
                    start=m.allowed_from,
                    end=m.allowed_until,
                    networks=tuple(m.allowed_networks or ()),
                )
                for m in memberships
            )
        )

    def refusal(self, ip: str | None, at: datetime | None = None) -> str | None:
        """None when a log-in is allowed, else 'no_role', 'hours' or 'network'."""
        at = at or timezone.now()
        if not self.rules:
            return "no_role"
        if any(r.hours_allow(at) and r.network_allows(ip) for r in self.rules):
            return None
        if not any(r.hours_allow(at) for r in self.rules):
            return "hours"
        return "network"

    def allows_now(self) -> bool:
        now = timezone.now()
        return any(r.hours_allow(now) for r in self.rules)

    @property
    def is_limited(self) -> bool:
        return any(r.start is not None for r in self.rules)

    def to_session(self) -> list:
        return [
            [r.tz, r.start.isoformat() if r.start else None, r.end.isoformat() if r.end else None]
            for r in self.rules
        ]

    @classmethod
    def from_session(cls, data: list) -> LoginWindow:
        return cls(
            tuple(
                Rule(
                    tz=tz,
                    start=time.fromisoformat(s) if s else None,
                    end=time.fromisoformat(e) if e else None,
                    networks=(),
                )
                for tz, s, e in data
            )
        )
