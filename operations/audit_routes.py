"""Routes of the operations app for the route-coverage test (tests/test_audit_coverage.py).
Nothing here shows guest data."""

NOT_PERSONAL = {
    "operations:index": "backup, rehearsal and response-time figures per route name; no guest data",
    "operations:metrics": "Prometheus figures per route name and job; no guest data",
}
PERSONAL: dict = {}
