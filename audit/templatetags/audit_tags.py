"""Template helpers of the review screens: criteria shown masked only."""

from django import template

register = template.Library()


@register.filter
def masked_criteria(criteria) -> list[tuple[str, str]]:
    """(name, shown value) pairs: a {"masked", "bidx"} criterion shows its masked form only."""
    if not isinstance(criteria, dict):
        return []
    out = []
    for key, value in sorted(criteria.items()):
        if isinstance(value, dict) and "masked" in value:
            out.append((key, value.get("masked") or "***"))
        elif isinstance(value, dict | list):
            out.append(
                (key, ", ".join(str(v) for v in (value.values() if isinstance(value, dict) else value)))
            )
        else:
            out.append((key, str(value)))
    return out
