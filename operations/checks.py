"""System checks of operations. (A missing PMS_BACKUP_KEY is reported by `manage.py backup` itself;
a deploy warning for it would need tests/test_production_settings.py to set the key, see the report.)"""

from django.conf import settings
from django.core.checks import Error, register


@register()
def backup_key_check(app_configs, **kwargs):
    key = settings.PMS_BACKUP_KEY
    if key and any(entry.partition(":")[2] == key for entry in settings.PMS_ENCRYPTION_KEYS):
        return [Error("PMS_BACKUP_KEY must not be one of the data keys.", id="operations.E001")]
    return []
