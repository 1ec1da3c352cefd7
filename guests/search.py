"""Extension point of the guest search: other apps add criteria (booking reference, room number
with a date window, membership card number) to the same search.

    from guests.search import SearchCriterion, register
    register(SearchCriterion(
        key="booking_reference", label=_("Booking reference"), kind=None,   # kind: a pms.crypto masker
        guest_ids=lambda actor, value, properties, date_from, date_to: <queryset or list of guest ids>,
    ))

`kind` names how the value is written into the audit criteria: a pms.crypto masking kind
("id_number", "phone", "email", "card_number", "name") means masked and blind-indexed; None means
the value is not personal and is stored as typed (a booking reference is a credential: use
"card_number" so only its last four characters are kept). The guest search selector calls the
criterion and records the one access event for the whole search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchCriterion:
    key: str
    label: str
    guest_ids: Callable[..., object]
    kind: str | None = None
    needs_dates: bool = False
    order: int = 100


_criteria: dict[str, SearchCriterion] = {}


def register(criterion: SearchCriterion) -> None:
    _criteria[criterion.key] = criterion


def registered() -> list[SearchCriterion]:
    return sorted(_criteria.values(), key=lambda c: (c.order, c.key))
