"""SMS backends, in the manner of Django's e-mail backends: `MEMBERS_SMS_BACKEND` names a class with
`send(to, text) -> None` (raising on failure). Console and file backends for development, a
local-memory one for tests; a gateway's backend is one more class here."""

from __future__ import annotations

import sys
import threading
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class BaseBackend:
    def send(self, to: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, to: str, text: str) -> None:
        sys.stdout.write(f"SMS to {to}: {text}\n")


class FileBackend(BaseBackend):
    """One file per day under MEMBERS_SMS_FILE_PATH, one message per line."""

    def send(self, to: str, text: str) -> None:
        folder = Path(settings.MEMBERS_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f"{datetime.now():%Y%m%d}.log").open("a", encoding="utf-8") as f:
            f.write(f"{datetime.now().isoformat()}\t{to}\t{text}\n")


outbox: list[tuple[str, str]] = []
_lock = threading.Lock()


class LocmemBackend(BaseBackend):
    """Keeps messages in `members.sms.outbox` (tests)."""

    def send(self, to: str, text: str) -> None:
        with _lock:
            outbox.append((to, text))


def get_backend() -> BaseBackend:
    return import_string(settings.MEMBERS_SMS_BACKEND)()
