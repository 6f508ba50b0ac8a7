"""Password reset by emailed link: works once, expires, cannot be forged, and never reveals who has an account."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from portal.accounts import services
from portal.accounts.models import User
from portal.core import tokens
from portal.extensions import db
from tests.conftest import Auth
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a-fresh-new-password"


def reset_link(mail, address: str) -> str:
    """The path of the newest reset link emailed to `address`."""
    mail.deliver()
    messages = mail.sink.to(address)
    assert messages, f"no email reached {address}"
    text = messages[-1].get_body(preferencelist=("plain",)).get_content()
    found = re.findall(r"http://127\.0\.0\.1:5000(/reset-password/[\w.\-]+)", text)
    assert found, text
    return found[-1]


def flashes(client) -> list:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


@pytest.fixture
def runner(ctx):
    return UserFactory(email="reset@example.com", name="Rae Runner")


def request_reset(auth, email: str = "reset@example.com"):
    return auth.post("/reset-password", {"email": email})


def set_password(auth, path: str, password: str = NEW_PASSWORD):
    return auth.post(path, {"password": password, "confirm": password})


def test_reset_email_arrives_with_a_link_that_sets_the_password_and_logs_in(runner, client, auth, mail):
    response = request_reset(auth)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    path = reset_link(mail, "reset@example.com")
    message = mail.sink.to("reset@example.com")[0]
    assert message["Subject"] == "Reset your Stride Lab password"
    assert path in message.get_body(preferencelist=("html",)).get_content()

    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    response = set_password(auth, path)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200  # logged in

    fresh = Auth(client.application.test_client())
    assert fresh.login("reset@example.com", PASSWORD).status_code == 401
    assert fresh.login("reset@example.com", NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_only_once(runner, client, auth, mail):
    request_reset(auth)
    path = reset_link(mail, "reset@example.com")
    assert set_password(auth, path).status_code == 302
    again = client.get(path)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert set_password(auth, path, "yet-another-password").status_code == 400
    db.session.expire_all()
    assert db.session.get(User, runner.id).check_password(NEW_PASSWORD)


def test_a_reset_link_past_its_max_age_is_refused(runner, app, client, auth, mail):
    request_reset(auth)
    path = reset_link(mail, "reset@example.com")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=app.config["PASSWORD_RESET_MAX_AGE"] + 5)
    with time_machine.travel(later):
        response = client.get(path)
        assert response.status_code == 400
        assert "expired" in response.get_data(as_text=True)
        assert set_password(auth, path).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, runner.id).check_password(PASSWORD)


def test_a_reset_link_just_inside_its_max_age_still_works(runner, app, client, auth, mail):
    request_reset(auth)
    path = reset_link(mail, "reset@example.com")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=app.config["PASSWORD_RESET_MAX_AGE"] - 60)
    with time_machine.travel(later):
        assert set_password(auth, path).status_code == 302


def _altered(token: str) -> str:
    i = len(token) // 2
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


def test_forged_or_altered_reset_links_are_refused(runner, app, client, auth):
    good = services.reset_token(runner, app.config["SECRET_KEY"])
    forged = [
        _altered(good),
        good[:-2],
        services.reset_token(runner, "some-other-secret"),
        services.invite_token(runner, app.config["SECRET_KEY"]),  # right key, wrong purpose
        tokens.sign(app.config["SECRET_KEY"], "reset", {"uid": runner.id, "pw": "guessed"}),
        tokens.sign(app.config["SECRET_KEY"], "reset", {"uid": str(runner.id)}),
        "x" * 3000,
    ]
    for token in forged:
        assert client.get(f"/reset-password/{token}").status_code == 400, token
        assert set_password(auth, f"/reset-password/{token}").status_code == 400, token
    db.session.expire_all()
    assert db.session.get(User, runner.id).check_password(PASSWORD)


def test_a_changed_password_invalidates_older_reset_links(runner, client, auth, mail):
    request_reset(auth)
    first = reset_link(mail, "reset@example.com")
    mail.sink.clear()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)):
        request_reset(auth)
        second = reset_link(mail, "reset@example.com")
        assert first != second
        assert set_password(auth, second).status_code == 302
        response = client.get(first)
        assert response.status_code == 400
        assert "no longer valid" in response.get_data(as_text=True)


def test_asking_twice_in_the_same_second_sends_one_email(runner, auth, mail):
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        request_reset(auth)
        request_reset(auth)
    mail.deliver()
    assert len(mail.sink.to("reset@example.com")) == 1


def test_a_password_changed_on_the_profile_invalidates_reset_links(runner, client, auth, mail):
    request_reset(auth)
    path = reset_link(mail, "reset@example.com")
    auth.login("reset@example.com")
    auth.post("/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get(path).status_code == 400


def test_a_too_short_new_password_is_refused_and_the_link_still_works(runner, client, auth, mail):
    request_reset(auth)
    path = reset_link(mail, "reset@example.com")
    response = set_password(auth, path, "short")
    assert response.status_code == 422
    assert set_password(auth, path).status_code == 302


def _reset_answer(app, email: str):
    auth = Auth(app.test_client())
    response = request_reset(auth, email)
    return response.status_code, response.headers.get("Location"), flashes(auth.client)


def test_reset_request_answers_the_same_whether_or_not_the_account_exists(runner, app, mail):
    UserFactory(email="gone@example.com", inactive=True)
    known = _reset_answer(app, "reset@example.com")
    unknown = _reset_answer(app, "nobody@example.com")
    deactivated = _reset_answer(app, "gone@example.com")
    assert known == unknown == deactivated
    assert known[0] == 302
    assert "If an account exists for that email" in known[2][0][1]
    mail.deliver()
    assert [m["To"] for m in mail.sink.messages] == ["Rae Runner <reset@example.com>"]


def test_reset_request_finds_the_account_whatever_the_case_of_the_email(runner, auth, mail):
    request_reset(auth, "RESET@Example.com")
    assert reset_link(mail, "reset@example.com")


def test_a_link_recorded_as_used_is_refused_even_before_the_password_changes(runner, app, client):
    """Spent links are remembered by hash, so a replay is refused however the password stands."""
    from portal.accounts.models import UsedToken

    token = services.reset_token(runner, app.config["SECRET_KEY"])
    db.session.add(UsedToken(token_hash=tokens.spent_key(token), used_at=dt.datetime.now(dt.UTC)))
    db.session.commit()
    assert client.get(f"/reset-password/{token}").status_code == 400
    # Base64 allows other spellings of the same token (spare bits in the last character): refused as well.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    respelled = token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]
    assert client.get(f"/reset-password/{respelled}").status_code == 400
