"""In Chromium: register, log out, log in, reset the password by the emailed link, log in with the new one.
Every page on the way passes axe-core (no serious or critical violations)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

EMAIL = "journey@example.com"
FIRST_PASSWORD = "first-password-123"
NEW_PASSWORD = "second-password-456"


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()


def log_in(page, base: str, password: str) -> None:
    page.goto(f"{base}/login")
    assert_accessible(page, "the login page")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def emailed_reset_link(mail, base: str) -> str:
    mail.deliver()
    messages = mail.sink.to(EMAIL)
    assert messages, "the reset email should have reached the SMTP sink"
    text = messages[-1].get_body(preferencelist=("plain",)).get_content()
    match = re.search(re.escape(base) + r"/reset-password/[\w.\-]+", text)
    assert match, text
    return match.group(0)


def test_a_member_registers_logs_in_and_resets_a_forgotten_password(page, live_server, mail):
    base = live_server.url

    page.goto(f"{base}/register")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    assert_accessible(page, "the register page")
    page.get_by_label("Your name").fill("Jo Journey")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(FIRST_PASSWORD)
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Your account is ready. Welcome to Stride Lab!")).to_be_visible()
    assert_accessible(page, "the home page, logged in")

    log_out(page)
    log_in(page, base, FIRST_PASSWORD)
    expect(page.get_by_text("Welcome back, Jo.")).to_be_visible()
    log_out(page)

    page.goto(f"{base}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert_accessible(page, "the reset request page")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("If an account exists for that email")).to_be_visible()

    page.goto(emailed_reset_link(mail, base))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert_accessible(page, "the set-password page")
    page.get_by_label(re.compile(r"^New password")).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your password is changed and you are logged in.")).to_be_visible()

    log_out(page)
    log_in(page, base, FIRST_PASSWORD)
    expect(page.get_by_text("Email or password is not right.")).to_be_visible()
    assert_accessible(page, "the login page with an error")
    log_in(page, base, NEW_PASSWORD)
    expect(page.get_by_text("Welcome back, Jo.")).to_be_visible()
    page.goto(f"{base}/account")
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    assert_accessible(page, "the profile page")


def test_a_used_reset_link_shows_a_page_that_explains_and_offers_a_new_one(page, live_server, mail, app):
    from tests.factories import UserFactory

    with app.app_context():
        UserFactory(email=EMAIL, name="Jo Journey")
    base = live_server.url
    page.goto(f"{base}/reset-password")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Send the link").click()
    link = emailed_reset_link(mail, base)
    page.goto(link)
    page.get_by_label(re.compile(r"^New password")).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()

    response = page.goto(link)
    assert response.status == 400
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_accessible(page, "the used-link page")
    page.get_by_role("link", name="Ask for a new link").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()


def test_the_accessibility_check_fails_on_an_inaccessible_page(page):
    """The check above is able to fail: an unlabelled field and an image without alt text are caught."""
    page.set_content('<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></body></html>')
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "a deliberately bad page")
    assert "image-alt" in str(failure.value) and "label" in str(failure.value)
