from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from pms.navigation import NavItem, register
        from pms.roles import Capability

        from . import checks, health  # noqa: F401  (system checks)

        register(
            NavItem("operations", _("Operations"), "operations:index", Capability.VIEW_OPERATIONS, order=950)
        )
        health.register()
