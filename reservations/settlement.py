"""Extension points of settlement: what other apps do when a folio moves, without reservations
knowing them (the members app adds its tier discount, stored-value and points payments, and the
settled stay with its points).

    from reservations import settlement
    settlement.register(settlement.Hooks(
        pays_with=("stored_value", "points"),     # payment kinds it must debit
        payment_posted=lambda *, actor, booking, line: ...,
        nights_posted=lambda *, actor, booking: ...,
        checked_out=lambda *, actor, booking: ...,
    ))

Each hook runs inside the caller's transaction: raising a ValidationError refuses the whole
operation and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def _nothing(**kwargs) -> None:
    return None


@dataclass(frozen=True)
class Hooks:
    pays_with: tuple[str, ...] = ()
    payment_posted: Callable[..., None] = _nothing
    nights_posted: Callable[..., None] = _nothing
    checked_out: Callable[..., None] = _nothing


_hooks: list[Hooks] = []


def register(hooks: Hooks) -> None:
    _hooks.append(hooks)


def payment_posted(*, actor, booking, line) -> None:
    for h in _hooks:
        if line.kind in h.pays_with:
            h.payment_posted(actor=actor, booking=booking, line=line)


def nights_posted(*, actor, booking) -> None:
    for h in _hooks:
        h.nights_posted(actor=actor, booking=booking)


def checked_out(*, actor, booking) -> None:
    for h in _hooks:
        h.checked_out(actor=actor, booking=booking)
