"""What guests/apps.py `GuestsConfig.ready()` should call (the lead wires it): the navigation entry
and the Celery task module (the worker only autodiscovers `guests.tasks`)."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from pms.navigation import NavItem, register
    from pms.roles import Capability

    from . import tasks  # noqa: F401  (registers guests.privacy.build_export and .retention)

    register(
        NavItem(
            "privacy-requests",
            _("Privacy requests"),
            "guests:privacy:register",
            Capability.HANDLE_PRIVACY_REQUESTS,
            order=85,
        )
    )
