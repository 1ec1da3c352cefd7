"""System checks that catch a misconfigured key before the first guest is saved."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def encryption_keys_check(app_configs, **kwargs):
    from .crypto import key_ring

    errors = []
    try:
        key_ring()
    except ImproperlyConfigured as exc:
        errors.append(Error(str(exc), id="pms.E001"))
    if not settings.PMS_BLIND_INDEX_KEY:
        errors.append(
            Error("PMS_BLIND_INDEX_KEY is not set.", hint="Run `make keys` in development.", id="pms.E002")
        )
    return errors
