"""Extension points of settlement: what other apps do when a folio moves, without reservations
knowing them (the members app adds its tier discount, stored-value and points payments, and the
settled stay with its points).

    from reservations import settlement
    settlement.register(settlement.Hooks(
        pays_with=("stored_value", "points"),     # payment kinds it must debit
        payment_posted=lambda *, actor, booking, line: ...,
        nights_posted=lambda *, actor, booking: ...,
        checked_out=lambda *, actor, booking: ...,
        redeem_code=lambda *, actor, booking, code: ...,  # a voucher code: posts its credit line
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
    redeem_code: Callable[..., object] | None = None


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


def takes_codes() -> bool:
    """Whether an app redeems codes (vouchers) on a folio: the check-out page shows the form then."""
    return any(h.redeem_code is not None for h in _hooks)


def redeem_code(*, actor, booking, code: str):
    """Redeem a code on the booking's folio through the app that issued it (the credit line it
    posts, in the hook's own transaction). Without such an app, the code is refused."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    for h in _hooks:
        if h.redeem_code is not None:
            return h.redeem_code(actor=actor, booking=booking, code=code)
    raise ValidationError({"code": [_("Vouchers are not used at this hotel.")]})
