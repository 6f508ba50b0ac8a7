"""API tokens: printed once by `flask create-api-token`, stored only as a hash, refused once the coach goes."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select, update

from portal.accounts.models import ApiToken, User
from portal.extensions import db
from tests.conftest import Auth
from tests.factories import UserFactory, make_coach

STAFF_URL = "/api/v1/me/availability"


def create_token(app, email: str):
    return app.test_cli_runner().invoke(args=["create-api-token", email])


@pytest.fixture
def coach_token(app):
    with app.app_context():
        make_coach("Toni Token", email="toni@stridelab.example")
    result = create_token(app, "toni@stridelab.example")
    assert result.exit_code == 0, result.output
    return result.output.strip()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_create_api_token_prints_a_token_and_stores_only_its_hash(app, coach_token):
    assert coach_token.startswith("ptl_") and len(coach_token) > 40
    with app.app_context():
        [row] = db.session.scalars(select(ApiToken)).all()
        assert row.token_hash == hashlib.sha256(coach_token.encode()).hexdigest()
        stored = [str(v) for v in db.session.execute(select(ApiToken.__table__)).one()]
        assert not any(coach_token in v for v in stored)


def test_each_call_makes_a_new_token(app, coach_token):
    second = create_token(app, "toni@stridelab.example").output.strip()
    assert second != coach_token
    with app.app_context():
        assert len(db.session.scalars(select(ApiToken)).all()) == 2


def test_a_coach_token_opens_the_staff_api(client, coach_token):
    response = client.get(STAFF_URL, headers=bearer(coach_token))
    assert response.status_code == 200


def test_an_admin_token_opens_the_staff_api(app, client):
    with app.app_context():
        make_coach("Maya Torres", email="maya@stridelab.example", admin=True)
    token = create_token(app, "maya@stridelab.example").output.strip()
    assert client.get(STAFF_URL, headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Bearer ptl_not-a-real-token", "Basic dG9uaTpwdw==",
                                    "Token ptl_x", "Bearer " + "x" * 500])
def test_missing_or_wrong_tokens_get_a_401_json_error(client, coach_token, header):
    response = client.get(STAFF_URL, headers={"Authorization": header} if header is not None else {})
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and "Bearer" in error["message"]


def test_the_token_scheme_is_not_case_sensitive(client, coach_token):
    assert client.get(STAFF_URL, headers={"Authorization": f"bearer {coach_token}"}).status_code == 200


def test_a_deactivated_coachs_token_is_refused(app, client, coach_token):
    with app.app_context():
        db.session.execute(update(User).where(User.email == "toni@stridelab.example").values(active=False))
        db.session.commit()
    response = client.get(STAFF_URL, headers=bearer(coach_token))
    assert response.status_code == 401


def test_a_deactivated_coach_is_refused_through_the_admin_page_too(app, client, coach_token):
    with app.app_context():
        make_coach("Maya Torres", email="maya@stridelab.example", admin=True)
        coach_id = db.session.scalar(select(User.id).where(User.email == "toni@stridelab.example"))
    admin = Auth(app.test_client())
    admin.login("maya@stridelab.example")
    admin.post(f"/admin/coaches/{coach_id}/active", {"active": "0"})
    assert client.get(STAFF_URL, headers=bearer(coach_token)).status_code == 401


def test_a_revoked_token_is_refused(app, client, coach_token):
    with app.app_context():
        db.session.execute(update(ApiToken).values(revoked_at=dt.datetime.now(dt.UTC)))
        db.session.commit()
    assert client.get(STAFF_URL, headers=bearer(coach_token)).status_code == 401


def test_members_cannot_have_an_api_token(app):
    with app.app_context():
        UserFactory(email="member@example.com")
    result = create_token(app, "member@example.com")
    assert result.exit_code != 0
    assert "No coach or admin has that email." in result.output
    assert create_token(app, "nobody@example.com").exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


def test_a_logged_in_coach_session_does_not_open_the_api(app, coach_token):
    auth = Auth(app.test_client())
    assert auth.login("toni@stridelab.example").status_code == 302
    assert auth.client.get("/coach").status_code == 200
    assert auth.client.get(STAFF_URL).status_code == 401
