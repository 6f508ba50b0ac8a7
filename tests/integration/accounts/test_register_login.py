"""Register, log in (email in any case), log out by POST, and redirects after login that stay on this site."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from tests.factories import PASSWORD, UserFactory


def flashes(client) -> list[tuple[str, str]]:
    """Flashed messages waiting in the session, read without consuming them."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def logged_in_user_id(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


def test_register_creates_a_member_logs_them_in_and_welcomes_them(ctx, client, auth):
    response = auth.register("New.Runner@Example.com", name="Nia Runner", timezone="Europe/Berlin")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = db.session.scalar(select(User))
    assert (user.email, user.name, user.role, user.timezone) == ("new.runner@example.com", "Nia Runner", "member",
                                                                 "Europe/Berlin")
    assert user.password_hash and PASSWORD not in user.password_hash
    assert logged_in_user_id(client) == str(user.id)
    assert ("success", "Your account is ready. Welcome to Stride Lab!") in flashes(client)


def test_register_refuses_an_email_already_taken_in_another_case(ctx, client, auth):
    UserFactory(email="taken@example.com")
    response = auth.register("TAKEN@example.com")
    assert response.status_code == 409
    assert "An account with that email already exists" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(User)).all()) == 1


def test_register_refuses_a_short_password_with_a_form_error(ctx, client, auth):
    response = auth.register("short@example.com", password="too-short")
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True).lower()
    assert db.session.scalar(select(User)) is None


def test_register_refuses_a_zone_that_is_not_in_the_list(ctx, client, auth):
    response = auth.register("zone@example.com", timezone="Mars/Olympus_Mons")
    assert response.status_code == 422
    assert db.session.scalar(select(User)) is None


def test_login_accepts_the_email_in_any_case_and_surrounding_spaces(ctx, client, auth):
    UserFactory(email="mixed@example.com")
    response = auth.login("  MiXeD@Example.COM ")
    assert response.status_code == 302
    assert logged_in_user_id(client) is not None


def test_member_lands_on_the_home_page_and_staff_on_the_coach_page_after_login(ctx, app, client, auth):
    UserFactory(email="member@example.com")
    UserFactory(coach=True, email="coach@stridelab.example")
    assert auth.login("member@example.com").headers["Location"] == "/"
    coach_auth = type(auth)(app.test_client())
    assert coach_auth.login("coach@stridelab.example").headers["Location"] == "/coach"


def test_logout_is_a_post_and_ends_the_session(ctx, client, auth):
    UserFactory(email="out@example.com")
    auth.login("out@example.com")
    page = client.get("/logout")
    assert page.status_code == 200  # GET only asks; it never logs out
    assert logged_in_user_id(client) is not None
    response = auth.logout()
    assert response.status_code == 302
    assert logged_in_user_id(client) is None
    assert client.get("/account").status_code == 302


def _login_failure(app, email: str, password: str) -> tuple[int, str, list]:
    from tests.conftest import Auth

    auth = Auth(app.test_client())
    response = auth.login(email, password)
    body = response.get_data(as_text=True)
    body = re.sub(r'value="[^"]*"', 'value=""', body)  # the echoed email and the CSRF token
    return response.status_code, body, flashes(auth.client)


def test_login_failure_looks_the_same_for_unknown_email_wrong_password_and_deactivated_account(ctx, app):
    UserFactory(email="known@example.com")
    UserFactory(email="gone@example.com", inactive=True)
    unknown = _login_failure(app, "nobody@example.com", PASSWORD)
    wrong = _login_failure(app, "known@example.com", "not-the-password")
    deactivated = _login_failure(app, "gone@example.com", PASSWORD)
    assert unknown[0] == 401
    assert "Email or password is not right." in unknown[1]
    assert unknown == wrong == deactivated


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example", "\\\\evil.example",
                                    "javascript:alert(1)", "http:evil.example", "/\t/evil.example", "///evil.example",
                                    " //evil.example"])
def test_login_never_redirects_off_the_site(ctx, client, auth, target):
    UserFactory(email="next@example.com")
    response = auth.post("/login", {"email": "next@example.com", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_next_to_a_page_on_this_site(ctx, client, auth):
    UserFactory(email="next@example.com")
    response = auth.post("/login", {"email": "next@example.com", "password": PASSWORD,
                                    "next": "/account/password?from=mail"})
    assert response.headers["Location"] == "/account/password?from=mail"
