"""The shell in a real browser: sign in through the form, navigate, switch language and hotel."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile("User name|用户名")).fill(username)
    page.get_by_label(re.compile("^(Password|密码)$")).fill(password)
    page.get_by_role("button", name=re.compile("Sign in|登录")).click()


def test_front_desk_signs_in_and_switches_to_english(page: Page, people, password):
    _sign_in(page, "alice", password)
    expect(page.locator("h1")).to_contain_text("alice")
    page.select_option("#language-switch", "en")  # submits by itself (static/js/pms.js)
    expect(page.get_by_role("heading", name="Your roles")).to_be_visible()
    expect(page.locator("nav [data-nav=staff]")).to_have_count(0)
    page.locator("nav [data-nav=property]").click()
    expect(page.locator("h1")).to_have_text("Hotel A")


def test_it_admin_sees_staff_and_a_wrong_password_gives_a_clear_message(page: Page, people, password):
    _sign_in(page, "erin", "not-the-password")
    expect(page.get_by_role("alert")).to_be_visible()
    _sign_in(page, "erin", password)
    page.select_option("#language-switch", "en")
    page.locator("nav [data-nav=staff]").click()
    expect(page.get_by_role("heading", name="Staff")).to_be_visible()
    expect(page.get_by_role("link", name="alice")).to_be_visible()


def test_the_page_has_no_csp_violations(page: Page, people, password):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    _sign_in(page, "bob", password)
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui")).to_be_visible()
    assert errors == []
