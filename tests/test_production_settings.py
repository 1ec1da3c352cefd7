"""Production mode: `check --deploy` is clean, and start-up refuses missing secrets."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

GOOD = {
    "DJANGO_DEBUG": "false",
    "PMS_ENV_FILE": "/nonexistent",  # no development .env in production
    "SECRET_KEY": "p" * 20 + "x9-Q" * 10 + "k" * 20,
    "ALLOWED_HOSTS": "pms.example.com",
    "PMS_ENCRYPTION_KEYS": "k2026:" + base64.b64encode(b"\x01" * 32).decode(),
    "PMS_BLIND_INDEX_KEY": "blind-index-key-for-the-test",
    "PMS_AUDIT_KEY": "audit-key-for-the-test",
    "PMS_BACKUP_KEY": base64.b64encode(b"\x02" * 32).decode(),
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pms"),
}


def _manage(*args, env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PMS_", "DJANGO_", "SECRET_KEY"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_mode():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=GOOD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "PMS_ENCRYPTION_KEYS",
        "PMS_BLIND_INDEX_KEY",
        "PMS_AUDIT_KEY",
        "PMS_BACKUP_KEY",
    ],
)
def test_start_up_refuses_a_missing_secret(missing):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr and missing in result.stderr


def test_start_up_refuses_a_short_secret_key():
    result = _manage("check", env={**GOOD, "SECRET_KEY": "too-short"})
    assert result.returncode != 0 and "at least 50" in result.stderr


def test_start_up_refuses_a_malformed_encryption_key():
    result = _manage("check", env={**GOOD, "PMS_ENCRYPTION_KEYS": "k1:not-base64!"})
    assert result.returncode != 0 and "PMS_ENCRYPTION_KEYS" in (result.stdout + result.stderr)


@pytest.mark.parametrize(
    "extra, expected", [({}, "1"), ({"BEHIND_TLS_PROXY": "false"}, "0"), ({"PROXY_COUNT": "2"}, "2")]
)
def test_behind_the_tls_proxy_the_client_is_one_hop_back(extra, expected):
    code = "from django.conf import settings; print(settings.AXES_IPWARE_PROXY_COUNT)"
    result = _manage("shell", "-c", code, env={**GOOD, **extra})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
