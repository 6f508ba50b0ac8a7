"""A signed-in person changes their name, time zone and password."""
from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from portal.accounts.models import User
from portal.extensions import db
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def member(ctx, auth):
    user = UserFactory(email="pro@example.com", name="Pat Pro", timezone="America/New_York")
    assert auth.login("pro@example.com").status_code == 302
    return user


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_profile_saves_a_new_name_and_time_zone(member, client, auth):
    response = auth.post("/account", {"name": "  Patricia   Pro ", "timezone": "Asia/Kolkata"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    user = reload(member)
    assert (user.name, user.timezone) == ("Patricia Pro", "Asia/Kolkata")
    page = client.get("/account").get_data(as_text=True)
    assert "Your profile is saved." in page
    assert 'value="Patricia Pro"' in page


def test_profile_refuses_an_unknown_time_zone_and_changes_nothing(member, client, auth):
    response = auth.post("/account", {"name": "Someone Else", "timezone": "Mars/Olympus_Mons"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    user = reload(member)
    assert (user.name, user.timezone) == ("Pat Pro", "America/New_York")


def test_profile_refuses_a_blank_name_and_changes_nothing(member, client, auth):
    response = auth.post("/account", {"name": "   ", "timezone": "Europe/Paris"})
    assert 400 <= response.status_code < 500
    user = reload(member)
    assert (user.name, user.timezone) == ("Pat Pro", "America/New_York")


def test_times_are_shown_in_the_zone_saved_on_the_profile(member, client, auth):
    auth.post("/account", {"name": "Pat Pro", "timezone": "Asia/Tokyo"})
    assert "Times are shown in Asia/Tokyo" in client.get("/").get_data(as_text=True)


def test_change_password_needs_the_current_one(member, client, auth):
    response = auth.post("/account/password", {"current_password": "not-my-password", "password": "brand-new-pass-1",
                                               "confirm": "brand-new-pass-1"})
    assert response.status_code == 422
    assert '<p class="error" id="current_password-error">Not right.</p>' in response.get_data(as_text=True)
    assert reload(member).check_password(PASSWORD)


def test_change_password_refuses_two_different_new_passwords(member, client, auth):
    response = auth.post("/account/password", {"current_password": PASSWORD, "password": "brand-new-pass-1",
                                               "confirm": "brand-new-pass-2"})
    assert response.status_code == 422
    assert "The two passwords differ." in response.get_data(as_text=True)
    assert reload(member).check_password(PASSWORD)


def test_change_password_replaces_the_old_one_for_the_next_login(member, app, client, auth):
    response = auth.post("/account/password", {"current_password": PASSWORD, "password": "brand-new-pass-1",
                                               "confirm": "brand-new-pass-1"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # still logged in after the change
    from tests.conftest import Auth

    fresh = Auth(app.test_client())
    assert fresh.login("pro@example.com", PASSWORD).status_code == 401
    assert fresh.login("pro@example.com", "brand-new-pass-1").status_code == 302


def test_passwords_are_stored_with_scrypt(ctx, monkeypatch):
    """The suite hashes cheaply for speed (see conftest); the app itself uses werkzeug's scrypt default."""
    from portal.accounts import models

    monkeypatch.setattr(models, "generate_password_hash", generate_password_hash)
    user = UserFactory(email="hash@example.com", password="a-long-enough-password")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("a-long-enough-password")
    assert not user.check_password("a-long-enough-passworD")
