from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmsConfig(AppConfig):
    name = "pms"
    verbose_name = _("Hotel group")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401
            signals,  # noqa: F401  (keeps property role groups in step)
        )
