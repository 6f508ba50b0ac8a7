"""Every API error has one shape, {"error": {"code", "message", "fields"?}}, and the right status."""
from __future__ import annotations

import pytest
from flask import abort

from portal.core.access import public
from portal.core.errors import (
    Busy,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    SlotUnavailable,
    TokenInvalid,
)
from tests.conftest import Auth, make_app

BOOKINGS = "/api/v1/bookings"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"code", "message", "fields"}
    return error


def test_an_unknown_api_path_is_a_404_json_error(client):
    assert_error(client.get("/api/v1/does-not-exist"), 404, "not_found")


def test_a_body_that_is_not_json_is_refused_with_415(client):
    assert_error(client.post(BOOKINGS, data="name=x", content_type="application/x-www-form-urlencoded"),
                 415, "unsupported_media_type")


def test_broken_json_is_refused_with_400(client):
    assert_error(client.post(BOOKINGS, data="{not json", content_type="application/json"), 400, "bad_json")


def test_a_json_value_that_is_not_an_object_is_refused_with_422(client):
    assert_error(client.post(BOOKINGS, json=["a", "list"]), 422, "invalid_input")


def test_invalid_fields_are_named_in_the_error(client):
    error = assert_error(client.post(BOOKINGS, json={"event_type": "strategy-call"}), 422, "invalid_input")
    assert "email" in error["fields"] and "start" in error["fields"]


def test_a_huge_body_is_refused_with_413(client):
    assert_error(client.post(BOOKINGS, data='{"name": "' + "x" * 100_000 + '"}', content_type="application/json"),
                 413, "payload_too_large")


def test_an_api_post_needs_no_csrf_token_even_with_a_session_cookie(app, client):
    Auth(client).csrf_token()  # the session now holds a CSRF secret, as a logged-in browser's would
    error = assert_error(client.post(BOOKINGS, json={}), 422, "invalid_input")
    assert error["code"] != "csrf_failed"


def _raiser(exc: Exception):
    @public
    def view():
        raise exc

    return view


@pytest.fixture
def failing_api(tmp_path):
    """A fresh app with test-only API routes that raise each kind of error."""
    app = make_app(f"sqlite:///{tmp_path / 'errors.db'}", tmp_path, None)
    raising = {
        "invalid": InvalidInput("Start must be a date.", fields={"start": "Not a date."}),
        "missing": NotFound("No such event type."),
        "forbidden": Forbidden("Not yours."),
        "conflict": Conflict("Already done."),
        "taken": SlotUnavailable("That time was just booked."),
        "busy": Busy("Busy, try again."),
        "token": TokenInvalid("This link is not valid."),
    }
    for name, exc in raising.items():
        app.add_url_rule(f"/api/v1/test/{name}", f"raise_{name}", _raiser(exc))
    app.add_url_rule("/api/v1/test/limited", "raise_429", public(lambda: abort(429)))
    app.add_url_rule("/api/v1/test/bad", "raise_400", public(lambda: abort(400, "Bad thing.")))
    return app.test_client()


@pytest.mark.parametrize("name, status, code", [
    ("invalid", 422, "invalid_input"), ("missing", 404, "not_found"), ("forbidden", 403, "forbidden"),
    ("conflict", 409, "conflict"), ("taken", 409, "slot_unavailable"), ("busy", 409, "busy"),
    ("token", 400, "invalid_token"), ("limited", 429, "rate_limited"), ("bad", 400, "bad_request"),
])
def test_domain_and_http_errors_become_json_errors(failing_api, name, status, code):
    assert_error(failing_api.get(f"/api/v1/test/{name}"), status, code)


def test_a_domain_error_message_and_fields_reach_the_client(failing_api):
    error = assert_error(failing_api.get("/api/v1/test/invalid"), 422, "invalid_input")
    assert error == {"code": "invalid_input", "message": "Start must be a date.", "fields": {"start": "Not a date."}}
