"""Routes of the shell (pms) for the route-coverage test (tests/test_audit_coverage.py).

None of them serves guest personal data, so each is declared NOT_PERSONAL with its reason."""

NOT_PERSONAL = {
    "dashboard": "the signed-in user's own roles and tiles; no guest data",
    "login": "the log-in form; attempts are recorded by audit.signals",
    "logout": "ends the session; recorded by audit.signals",
    "password_change": "the user's own password form",
    "password_change_done": "a confirmation message",
    "switch_property": "stores the chosen hotel in the session",
    "property_home": "a hotel's name, address and the user's roles there",
    "healthz": "database and Redis health, no data",
    "set_language": "stores the language choice",
    "javascript-catalog": "translated strings for scripts",
    "api-me": "the caller's own roles and hotels",
    "api-properties": "hotels where the caller works",
    "api-schema": "the OpenAPI document",
    "api-docs": "Swagger UI, static",
    "staff_admin:*": "IT screens for hotels, staff accounts and roles; no guest data (changes in auditlog)",
    "admin:*": "Django admin, superusers only; no guest model is registered there",
}
PERSONAL: dict = {}
