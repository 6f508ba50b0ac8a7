"""Every response carries the security headers; cookies are HttpOnly and SameSite=Lax; user text is escaped."""
from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from tests.conftest import Auth
from tests.factories import UserFactory


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def check_headers(response, where: str) -> list[str]:
    problems = []
    csp = csp_directives(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    if scripts is None:
        problems.append(f"{where}: no Content-Security-Policy limits scripts")
    elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts:
        problems.append(f"{where}: script-src allows {scripts}")
    if "frame-ancestors" not in csp and response.headers.get("X-Frame-Options") not in ("DENY", "SAMEORIGIN"):
        problems.append(f"{where}: the page may be framed by any site")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{where}: X-Content-Type-Options is {response.headers.get('X-Content-Type-Options')}")
    if not response.headers.get("Referrer-Policy"):
        problems.append(f"{where}: no Referrer-Policy")
    return problems


def get_paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {}
        for name in rule.arguments:
            values[name] = 1 if isinstance(rule._converters[name], IntegerConverter) else "strategy-call"
        if rule.endpoint == "static":
            values = {"filename": "css/portal.css"}
        paths.append(rule.build(values, append_unknown=False)[1])
    return sorted(paths) + ["/no-such-page", "/api/v1/no-such-thing"]


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_every_page_carries_the_security_headers(app, who):
    auth = Auth(app.test_client())
    if who == "member":
        with app.app_context():
            UserFactory(email="headers@example.com")
        auth.login("headers@example.com")
    problems = []
    for path in get_paths(app):
        problems += check_headers(auth.client.get(path), f"GET {path} as {who}")
    problems += check_headers(auth.post("/login", {"email": "x@example.com", "password": "nope"}), "POST /login")
    assert not problems, "\n".join(problems)


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    response = client.get("/login")  # the CSRF secret goes into the session
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "the login form should start a session"
    attributes = [a.strip().lower() for a in cookies[0].split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_the_session_cookie_is_secure_when_the_site_is_served_over_https(tmp_path):
    from portal import config as settings

    config = settings.load(str(tmp_path), env={"PUBLIC_BASE_URL": "https://portal.example", "SECRET_KEY": "k"})
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert settings.load(str(tmp_path), env={"SECRET_KEY": "k"})["SESSION_COOKIE_SECURE"] is False


def test_https_sites_send_strict_transport_security(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'h.db'}", tmp_path, None, SESSION_COOKIE_SECURE=True)
    assert "max-age=" in app.test_client().get("/login").headers["Strict-Transport-Security"]


def test_a_name_with_markup_is_shown_as_text(app, client):
    auth = Auth(client)
    response = auth.register("xss@example.com", name="<script>alert(1)</script>")
    assert response.status_code == 302
    for path in ("/", "/account"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_a_coach_name_with_markup_is_escaped_on_the_team_page(app, client):
    from tests.factories import make_coach

    with app.app_context():
        make_coach("Maya Torres", email="maya@stridelab.example", admin=True)
        make_coach('Evil "><img src=x onerror=alert(1)>', email="evil@stridelab.example")
    auth = Auth(client)
    auth.login("maya@stridelab.example")
    page = client.get("/admin/coaches").get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
