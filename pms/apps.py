from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmsConfig(AppConfig):
    name = "pms"
    verbose_name = _("Hotel group")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model

        from . import checks, signals  # noqa: F401  (system checks; property role groups in step)
        from .models import Property, StaffMembership
        from .navigation import NavItem, register
        from .roles import Capability

        register(NavItem("dashboard", _("Dashboard"), "dashboard", order=0))
        register(NavItem("property", _("This hotel"), "property_home", per_property=True, order=5))
        register(NavItem("staff", _("Staff"), "staff_admin:staff_list", Capability.MANAGE_STAFF, order=900))
        register(
            NavItem("hotels", _("Hotels"), "staff_admin:property_list", Capability.MANAGE_STAFF, order=910)
        )

        # Staff accounts and roles are part of the change log; passwords never are.
        auditlog.register(Property)
        auditlog.register(StaffMembership)
        auditlog.register(get_user_model(), exclude_fields=["password", "last_login"])
