"""Request context (request id, IP, user agent, channel) that reaches the audit trail and the logs
without being passed through every call. Set by `pms.middleware.RequestContextMiddleware`; Celery
tasks and commands run with the `system` channel."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""
    channel: str = "system"
    route: str = ""


_EMPTY = RequestContext()  # frozen, so sharing it as the default is safe
_current: contextvars.ContextVar = contextvars.ContextVar("pms_request_context", default=_EMPTY)


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def update(**changes) -> None:
    _current.set(replace(_current.get(), **changes))


@contextmanager
def using(**values):
    token = _current.set(replace(_current.get(), **values))
    try:
        yield
    finally:
        _current.reset(token)
