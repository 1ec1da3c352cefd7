from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuestsConfig(AppConfig):
    name = "guests"
    verbose_name = _("Guests")

    def ready(self) -> None:
        from .profile_sections import register_own

        register_own()
        self._register_navigation()
        self._register_changelog()
        from .privacy.apps_hooks import ready as privacy_ready

        privacy_ready()  # privacy requests: navigation entry and Celery tasks

    def _register_navigation(self) -> None:
        from pms.navigation import NavItem, register
        from pms.roles import Capability

        def badge(request):
            from .services import pending_count

            return pending_count(request.user) or None

        register(
            NavItem(
                "guests", _("Guests"), "guests:search", Capability.SEARCH_GUESTS, per_property=True, order=20
            )
        )
        register(
            NavItem(
                "guest-grants",
                _("Access requests"),
                "guests:grant-queue",
                Capability.APPROVE_ACCESS,
                per_property=True,
                order=25,
                badge=badge,
            )
        )
        register(
            NavItem(
                "guest-break-glass",
                _("Break-the-glass reviews"),
                "guests:break-glass-queue",
                Capability.REVIEW_AUDIT,
                per_property=True,
                order=26,
            )
        )

    def _register_changelog(self) -> None:
        """Guest, documents and grants in the change log through audit.changelog.register: encrypted
        fields become a fixed mask, blind indexes (HMACs that link rows) stay out of the diff."""
        from audit.changelog import register

        from .models import AccessGrant, Guest, IdentityDocument

        # Names, address and free texts are masked too: the change log must not keep what an
        # erasure removes (the access log holds only the guest's id).
        register(
            Guest,
            m2m_fields={"tags"},
            masked_fields=["family_name", "given_name", "address", "special_needs", "staff_notes"],
        )
        register(IdentityDocument)
        register(AccessGrant)
