from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _open_alerts_badge(request):
    from .selectors import open_alert_count

    return open_alert_count(request.user)


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from pms.navigation import NavItem, register
        from pms.roles import Capability

        from . import signals  # noqa: F401  (log-in, log-out, failed log-in, lock-out)
        from .changelog import register as changelog_register

        register(NavItem("audit", _("Access log"), "audit:events", Capability.REVIEW_AUDIT, order=80))
        register(
            NavItem(
                "audit-dashboard",
                _("Audit dashboard"),
                "audit:dashboard",
                Capability.REVIEW_AUDIT,
                order=81,
                badge=_open_alerts_badge,
            )
        )
        # Staff accounts: who was activated, suspended or made superuser (not last_login noise).
        changelog_register(
            get_user_model(), include_fields=["username", "is_active", "is_staff", "is_superuser"]
        )
