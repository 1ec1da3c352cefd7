from django.conf import settings

from .navigation import items_for
from .permissions import active_memberships, properties_for


def backoffice(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "active_property"):
        return {"debug_banner": settings.DEBUG}
    memberships = active_memberships(user)
    return {
        "nav_items": items_for(request),
        "my_properties": properties_for(user),
        "active_property": request.active_property,
        "my_roles": sorted({m.get_role_display() for m in memberships}),
        "debug_banner": settings.DEBUG,
    }
