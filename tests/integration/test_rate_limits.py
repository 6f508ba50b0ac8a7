"""Login attempts are limited per email and per address, in memory (one process) or in Redis (many)."""
from __future__ import annotations

import uuid

import pytest

from tests.conftest import IN_CI, Auth, make_app, migrate_to_head

REDIS_URL = "redis://127.0.0.1:6379"


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, tmp_path):
    """A fresh app with rate limiting on: 3 logins a minute per email, 5 per address."""
    prefix = f"portal-test-{uuid.uuid4().hex}"
    if request.param == "redis":
        if not _redis_up():
            if IN_CI:
                pytest.fail(f"Redis is not reachable at {REDIS_URL}")
            pytest.skip(f"Redis is not reachable at {REDIS_URL}")
        storage = REDIS_URL
    else:
        storage = "memory://"
    app = make_app(f"sqlite:///{tmp_path / 'limits.db'}", tmp_path, None, RATELIMIT_ENABLED=True,
                   RATELIMIT_STORAGE_URI=storage, RATELIMIT_KEY_PREFIX=prefix,
                   RATELIMIT_LOGIN_EMAIL="3 per minute", RATELIMIT_LOGIN_IP="5 per minute",
                   RATELIMIT_FORMS_IP="4 per minute")
    migrate_to_head(app)
    yield app
    if request.param == "redis":
        import redis

        r = redis.Redis.from_url(REDIS_URL)
        keys = list(r.scan_iter(f"*{prefix}*"))
        if keys:
            r.delete(*keys)
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


def client_from(app, address: str) -> Auth:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Auth(client)


def test_failed_logins_for_one_email_are_limited_whatever_the_address(limited_app):
    codes = [client_from(limited_app, f"10.0.0.{i}").login("target@example.com", "wrong-guess").status_code
             for i in range(1, 5)]
    assert codes == [401, 401, 401, 429]
    response = client_from(limited_app, "10.0.0.99").login("TARGET@example.com", "wrong-guess")
    assert response.status_code == 429  # the email is the key, in any case
    assert client_from(limited_app, "10.0.0.99").login("other@example.com", "x").status_code == 401


def test_login_attempts_from_one_address_are_limited_whatever_the_email(limited_app):
    auth = client_from(limited_app, "10.0.1.1")
    codes = [auth.login(f"guess{i}@example.com", "wrong-guess").status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    assert client_from(limited_app, "10.0.1.2").login("guess0@example.com", "x").status_code == 401


def test_the_limit_answers_with_a_friendly_page(limited_app):
    auth = client_from(limited_app, "10.0.2.1")
    for _ in range(3):
        auth.login("target@example.com", "wrong-guess")
    response = auth.login("target@example.com", "wrong-guess")
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Please slow down" in page
    assert "Traceback" not in page
    assert "Retry-After" in response.headers
    if limited_app.config["RATELIMIT_STORAGE_URI"].startswith("redis://"):
        import redis

        prefix = limited_app.config["RATELIMIT_KEY_PREFIX"]
        assert list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}*")), "the counters should live in Redis"


def test_showing_the_login_form_is_never_limited(limited_app):
    auth = client_from(limited_app, "10.0.3.1")
    assert {auth.client.get("/login").status_code for _ in range(12)} == {200}


def test_reset_requests_are_limited_per_address(limited_app):
    auth = client_from(limited_app, "10.0.4.1")
    codes = [auth.post("/reset-password", {"email": f"r{i}@example.com"}).status_code for i in range(5)]
    assert codes == [302] * 4 + [429]


def test_a_limited_app_leaves_other_apps_in_the_process_unlimited(limited_app, app):
    """Flask-Limiter is one object per process; the test app beside it must keep its limits off."""
    for _ in range(4):
        client_from(limited_app, "10.0.5.1").login("target@example.com", "wrong-guess")
    auth = Auth(app.test_client())
    assert {auth.login("target@example.com", "wrong-guess").status_code for _ in range(8)} == {401}
    assert client_from(limited_app, "10.0.5.2").login("target@example.com", "x").status_code == 429

