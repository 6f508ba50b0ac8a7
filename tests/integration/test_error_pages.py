"""Errors show a friendly page (HTML) or the JSON error format (API), never a traceback."""
from __future__ import annotations

import pytest

from portal.core.access import public
from tests.conftest import make_app


def test_an_unknown_page_shows_the_friendly_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "We could not find that page" in page
    assert 'href="/"' in page  # a way back home


def test_a_wrong_method_shows_the_friendly_405_page(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "That is not something this page does" in response.get_data(as_text=True)


@pytest.fixture
def boom_app(tmp_path):
    """A fresh app with test-only routes that fail the way a bug would."""
    app = make_app(f"sqlite:///{tmp_path / 'boom.db'}", tmp_path, None)

    @app.get("/boom")
    @public
    def boom():
        raise RuntimeError("secret detail: password=hunter2")

    @app.get("/api/v1/boom")
    @public
    def api_boom():
        raise RuntimeError("secret detail: password=hunter2")

    return app


def test_an_unexpected_error_shows_the_friendly_500_page_without_details(boom_app):
    response = boom_app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page
    assert "hunter2" not in page and "Traceback" not in page and "RuntimeError" not in page


def test_an_unexpected_api_error_answers_in_the_json_error_format(boom_app):
    response = boom_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json() == {"error": {"code": "server_error", "message": "Something went wrong on our side."}}
    assert "hunter2" not in response.get_data(as_text=True)


def test_an_unknown_api_path_answers_404_in_the_json_error_format(client):
    for path in ("/api/v1/nothing-here", "/api/v2/event-types", "/api/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/json"
        error = response.get_json()["error"]
        assert error["code"] == "not_found" and error["message"]


def test_a_wrong_method_on_the_api_answers_405_in_json(client):
    response = client.delete("/api/v1/openapi.json")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_a_body_too_large_is_refused_politely(client):
    response = client.post("/login", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "That was too big" in response.get_data(as_text=True)


def test_an_id_too_big_for_the_database_is_a_404_not_a_crash(client):
    assert client.get("/dev/mail/99999999999999999999").status_code == 404
    assert client.get("/coach/calls/2147483648").status_code in (302, 404)  # anonymous: sent to log in
