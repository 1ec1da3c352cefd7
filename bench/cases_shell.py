"""The shell's hot paths: the per-property permission check every view makes."""

from __future__ import annotations

from .runner import BenchContext, Case


def setup(ctx: BenchContext) -> None:
    from pms import demo

    demo.load(lambda line: None)


def cases(ctx: BenchContext) -> list[Case]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from pms.models import Property
    from pms.permissions import has_property_perm
    from pms.roles import Capability

    alice = get_user_model().objects.get(username="alice")
    prop = Property.objects.get(code="sh-bund")

    def cold_check():
        # A new request: memberships and guardian's cache are loaded afresh.
        for attr in ("_pms_memberships", "_pms_grants"):
            alice.__dict__.pop(attr, None)
        has_property_perm(alice, Capability.SEARCH_GUESTS, prop)

    def bare_select():
        with connection.cursor() as cur:
            cur.execute("SELECT 1")

    return [
        Case("shell: SELECT 1 round trip", bare_select),
        Case("shell: permission check, new request", cold_check, baseline="shell: SELECT 1 round trip"),
    ]
