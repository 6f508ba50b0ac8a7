"""CSRF protection stays on in tests: a form post without its token is refused and changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD, UserFactory


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_csrf_protection_is_on_in_the_test_app(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_register_without_a_csrf_token_is_refused_and_creates_no_account(app, client):
    before = _user_count(app)
    response = client.post("/register", data={"name": "Sly Fox", "email": "sly@example.com",
                                              "password": PASSWORD, "timezone": "UTC"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert _user_count(app) == before


def test_register_with_the_token_from_the_form_creates_the_account(app, client):
    token = csrf_token(client, "/register")
    response = client.post("/register", data={"name": "Sly Fox", "email": "sly@example.com", "password": PASSWORD,
                                              "timezone": "UTC", "csrf_token": token})
    assert response.status_code == 302
    assert _user_count(app) == 1


def test_login_without_a_csrf_token_is_refused_and_does_not_log_in(ctx, client):
    UserFactory(email="ada@example.com")
    response = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/account").status_code == 302


def test_login_with_the_token_from_the_form_logs_in(ctx, client):
    UserFactory(email="ada@example.com")
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_a_token_from_another_session_is_refused(ctx, app, client):
    UserFactory(email="ada@example.com")
    stolen = csrf_token(app.test_client(), "/login")
    csrf_token(client, "/login")  # the victim's own session has a different secret
    response = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": stolen})
    assert response.status_code == 400


def test_logout_without_a_csrf_token_keeps_the_user_logged_in(ctx, client, auth):
    UserFactory(email="ada@example.com")
    auth.login("ada@example.com")
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/account").status_code == 200


def test_json_api_never_asks_for_a_csrf_token(client):
    """Bearer-token and public JSON calls carry no cookie secret, so CSRF must not apply to /api."""
    response = client.post("/api/v1/bookings", json={})
    body = response.get_json()
    assert response.status_code == 422
    assert body["error"]["code"] == "invalid_input"
    response = client.post("/api/v1/no-such-thing", json={})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
