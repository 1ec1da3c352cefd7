"""Logs: JSON lines, and no ID number, phone, e-mail or booking reference in any record."""

import io
import json
import logging

import pytest

from operations.logs import JsonFormatter, MaskPersonalData, mask_text

LINE = "guest 110101199003071234 (old 110101900307123) called from 138 1234 5678 and +86-13912345678, mail Zhang.Wei@Example.com, booking K7M2QX9ABC"


def test_mask_text_masks_id_numbers_phones_emails_and_references():
    masked = mask_text(LINE)
    for secret in (
        "110101199003071234",
        "110101900307123",
        "1234 5678",
        "13912345678",
        "Zhang.Wei",
        "K7M2QX9ABC",
    ):
        assert secret not in masked
    assert "110101********1234" in masked
    assert "139****5678" in masked
    assert "z***@example.com" in masked
    assert "[reference]" in masked


def test_passports_permits_and_letter_only_references_are_masked_too():
    masked = mask_text("passport E12345678, HK permit H1234567890, booking KMQXABCDEF")
    assert "E12345678" not in masked and "H1234567890" not in masked and "KMQXABCDEF" not in masked
    assert masked.count("[document]") == 2 and "[reference]" in masked


def test_celery_workers_keep_the_filtered_logging():
    from pms.celery import app

    assert app.conf.worker_hijack_root_logger is False


def test_ordinary_numbers_and_words_stay():
    text = "GET operations:index 200 3.2ms, 1500 rows, request 4f1c2b0e9d8a7c6b5a4f3e2d1c0b9a88, HOTELCODES"
    assert mask_text(text) == text


@pytest.fixture
def configured_console():
    """The console handler as pms/settings.py configures it, writing into a buffer."""
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, MaskPersonalData) for f in h.filters)
    )
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    yield handler, buffer
    handler.setStream(old)


def test_every_record_through_the_configured_handler_is_masked(configured_console):
    _handler, buffer = configured_console
    logger = logging.getLogger("pms.some.module")
    logger.warning("lookup %s by %s", "110101199003071234", "13812345678")
    try:
        raise ValueError("bad e-mail zhang.wei@example.com")
    except ValueError:
        logger.exception("failed for ID 11010119900307123X")
    out = buffer.getvalue()
    assert out, "nothing reached the handler"
    for secret in ("110101199003071234", "13812345678", "zhang.wei@example.com", "11010119900307123X"):
        assert secret not in out
    assert "110101********1234" in out and "138****5678" in out and "z***@example.com" in out


def test_json_lines_carry_request_fields():
    handler_out = io.StringIO()
    handler = logging.StreamHandler(handler_out)
    handler.addFilter(MaskPersonalData())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("pms.request.test")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "GET %s",
            "x",
            extra={
                "request_id": "req-12345678",
                "user_id": 7,
                "route": "dashboard",
                "status": 200,
                "duration_ms": 1.5,
            },
        )
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    line = json.loads(handler_out.getvalue().strip())
    assert line["request_id"] == "req-12345678"
    assert (line["user_id"], line["route"], line["status"], line["duration_ms"]) == (7, "dashboard", 200, 1.5)
    assert line["message"] == "GET x" and line["level"] == "WARNING"
