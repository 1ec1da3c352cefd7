"""The change log: django-auditlog, configured once for every app.

Every personal-data model is registered where it is defined, through `register` below, so that
encrypted fields never reach the stored diff in any readable form and blind indexes (keyed hashes
that link rows) are left out. Each `auditlog.LogEntry` carries the actor and the client address
(`audit.middleware.AuditlogMiddleware`, which uses the same address rules as the access log) and
the request id in its `cid` column (`AUDITLOG_CID_GETTER = "audit.changelog.current_request_id"`),
so a change and the access events of the same request can be joined on the request id.

Usage, in the app that defines the model (e.g. at the end of guests/models.py or in its
AppConfig.ready)::

    from audit.changelog import register

    register(Guest)                                   # encrypted fields found and masked automatically
    register(IdentityDocument, masked_fields=["issuing_authority"], exclude_fields=["scan"])

`masked_fields` adds plain fields that must be masked as well; `exclude_fields` keeps fields out of
the diff entirely; other keyword arguments go to `auditlog.registry.auditlog.register` as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"


def mask_value(value) -> str:
    """The mask for an encrypted or personal field in the diff: the change is visible, the value not."""
    return MASK if value not in (None, "", "None") else ""


def current_request_id() -> str | None:
    """auditlog's correlation id: the request id of `pms.context` (also in the access events)."""
    from pms import context

    return context.current().request_id or None


def _field_kinds(model) -> tuple[list[str], list[str]]:
    from pms.fields import BlindIndexField, EncryptedTextField

    encrypted, indexes = [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, EncryptedTextField):
            encrypted.append(field.name)
        elif isinstance(field, BlindIndexField):
            indexes.append(field.name)
    return encrypted, indexes


def register(
    model,
    *,
    masked_fields: Iterable[str] = (),
    exclude_fields: Iterable[str] = (),
    **options,
):
    """Register `model` with django-auditlog: encrypted fields masked, blind indexes excluded.

    Returns the model, so it also works as a class decorator (`@register`)."""
    from auditlog.registry import auditlog

    encrypted, indexes = _field_kinds(model)
    auditlog.register(
        model,
        mask_fields=sorted(set(encrypted) | set(masked_fields)),
        mask_callable="audit.changelog.mask_value",
        exclude_fields=sorted(set(indexes) | set(exclude_fields)),
        **options,
    )
    return model
