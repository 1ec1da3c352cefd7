"""Walks the URL configuration for tests/test_audit_coverage.py."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def all_routes() -> list[tuple[str, str]]:
    """(name, pattern) of every route; name is namespaced ("audit:events"), "ns:" when unnamed in a
    namespace, or "" when unnamed outside one."""
    out: list[tuple[str, str]] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                # An unnamed route inside a namespace reads "admin:" so "admin:*" covers it.
                name = f"{namespace}:{p.name or ''}" if namespace else (p.name or "")
                out.append((name, prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return out
