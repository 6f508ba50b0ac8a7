"""Shared fixtures: the app on SQLite (and PostgreSQL when TEST_DATABASE_URL is set), an SMTP sink that the
outbox really delivers to, a live server, and Chromium."""
from __future__ import annotations

import html
import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
CHROMIUM = "/usr/bin/chromium"


# --- no network but loopback -------------------------------------------------------------------------

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1", "::1", "localhost"):
        raise ConnectionRefusedError(f"tests may only reach loopback, not {host}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _refuse_real_network():
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """scrypt spends ~0.1 s on each hash by design and the suite hashes hundreds of times, so tests use a
    cheap method. tests/integration/accounts/test_passwords.py checks that the real setting is scrypt."""
    import functools

    from werkzeug.security import generate_password_hash

    import portal.accounts.models as account_models
    import portal.accounts.services as account_services

    fast = functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")
    patch = pytest.MonkeyPatch()
    patch.setattr(account_models, "generate_password_hash", fast)
    patch.setattr(account_services, "generate_password_hash", fast)
    account_services._dummy_hash.cache_clear()
    yield
    patch.undo()
    account_services._dummy_hash.cache_clear()


# --- SMTP sink ---------------------------------------------------------------------------------------

class Sink:
    def __init__(self):
        self.messages: list = []
        self.fail_next = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            if self.fail_next:
                self.fail_next -= 1
                return "451 Try again later"
            from email import policy
            from email.parser import BytesParser

            self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 OK"

    def clear(self):
        with self.lock:
            self.messages.clear()
            self.fail_next = 0

    def to(self, addr: str) -> list:
        return [m for m in self.messages if addr.lower() in str(m["To"]).lower()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[Sink]:
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    sink.port = controller.port  # type: ignore[attr-defined]
    yield sink
    controller.stop()


# --- databases ---------------------------------------------------------------------------------------

def _db_params() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if PG_URL:
        params.append(pytest.param("postgresql", id="postgresql"))
    elif IN_CI:
        raise RuntimeError("CI needs TEST_DATABASE_URL (PostgreSQL)")
    return params


def fresh_postgres_schema(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


class IsolatingClient(FlaskClient):
    """A request made while the test holds an app context (the `ctx` fixture) runs in that context, so it
    shares its `g`: forget what Flask-Login and Flask-WTF cache there, or one client's logged-in user and CSRF
    token would leak into the next request, even from another client."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
            g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


def make_app(db_url: str, instance: Path, smtp_port: int | None, **overrides):
    from portal import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SECRET_KEY": "test-secret-key",
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "RATELIMIT_ENABLED": False,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}" if smtp_port else "",
        "MAIL_DIR": str(instance / "mail"),
        "SERVER_NAME": None,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatingClient
    return app


def migrate_to_head(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@pytest.fixture(scope="session", params=_db_params())
def db_kind(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def _session_app(db_kind, smtp_sink, tmp_path_factory):
    instance = tmp_path_factory.mktemp(f"instance-{db_kind}")
    if db_kind == "postgresql":
        fresh_postgres_schema(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{instance / 'test.db'}"
    app = make_app(url, instance, smtp_sink.port)
    migrate_to_head(app)
    yield app
    with app.app_context():
        from portal.extensions import db

        db.session.remove()
        db.engine.dispose()


def wipe(app) -> None:
    """Isolation between tests: every row goes, then the rows the migration seeds come back."""
    from portal.core import clock
    from portal.extensions import db
    from portal.scheduling.services import ensure_strategy_call

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        ensure_strategy_call(clock.now())
        db.session.commit()
        db.session.remove()


@pytest.fixture
def app(_session_app, smtp_sink):
    from portal.extensions import limiter

    smtp_sink.clear()
    if _session_app.config["RATELIMIT_ENABLED"]:
        with _session_app.app_context():
            limiter.reset()
    yield _session_app
    wipe(_session_app)
    from portal.scheduling import slot_cache

    slot_cache.clear()


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield app
        from portal.extensions import db

        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


_CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]*)"')


def csrf_token_from(html_text: str) -> str | None:
    """The CSRF token in a page's form, as a browser would send it."""
    match = _CSRF_INPUT.search(html_text)
    value = _VALUE.search(match.group(0)) if match else None
    return html.unescape(value.group(1)) if value else None


def csrf_token(client, path: str = "/login") -> str:
    """Fetch a form page with `client` and return its CSRF token (CSRF stays on in tests)."""
    response = client.get(path)
    token = csrf_token_from(response.get_data(as_text=True))
    if token is None:
        raise AssertionError(f"no CSRF token in the form at {path} (status {response.status_code})")
    return token


class Auth:
    """Logs a test client in and out through the real forms, CSRF token included."""

    def __init__(self, client):
        self.client = client
        self._tokens: dict[str, str] = {}

    def csrf_token(self, form_page: str = "/login") -> str:
        # A token stays valid for as long as the session keeps its CSRF secret, so the form page is fetched
        # once per secret (fetching a page would also consume flashed messages a test may want to read).
        with self.client.session_transaction() as session:
            secret = session.get("csrf_token")
        if secret is None or secret not in self._tokens:
            token = csrf_token(self.client, form_page)
            with self.client.session_transaction() as session:
                self._tokens[session["csrf_token"]] = token
            return token
        return self._tokens[secret]

    def post(self, path: str, data: dict | None = None, **kwargs):
        """POST a form the way a browser does: with this session's CSRF token."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.client.post(path, data=data, **kwargs)

    def login(self, email: str, password: str = "correct-horse-battery", **kwargs):
        return self.post("/login", {"email": email, "password": password}, **kwargs)

    def logout(self, **kwargs):
        return self.post("/logout", **kwargs)

    def register(self, email: str, name: str = "Riley Runner", password: str = "correct-horse-battery",
                 timezone: str = "Europe/London", **kwargs):
        return self.post("/register", {"email": email, "name": name, "password": password, "timezone": timezone},
                         **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def mail(app, smtp_sink):
    """Send what is due through the outbox to the SMTP sink and return the sink."""
    class Mail:
        sink = smtp_sink

        def deliver(self, now=None):
            from portal.core import clock
            from portal.jobs import run_due

            with app.app_context():
                run_due(now or clock.now())
            return smtp_sink.messages

    return Mail()


# --- live server and Chromium ------------------------------------------------------------------------

@pytest.fixture
def live_server(app):
    from werkzeug.serving import make_server

    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    thread.join(5)
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail("Chromium is missing at /usr/bin/chromium (CI installs it with apt-get)")
        pytest.skip("Chromium is not installed here")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# --- what this run exercised -------------------------------------------------------------------------

def pytest_report_header(config):
    browser = CHROMIUM if Path(CHROMIUM).exists() else "missing (browser tests skip)"
    databases = "sqlite" + (f", postgresql ({PG_URL})" if PG_URL else " only (set TEST_DATABASE_URL for PostgreSQL)")
    return [f"portal databases: {databases}", f"portal browser: {browser}"]


def pytest_terminal_summary(terminalreporter):
    passed = terminalreporter.stats.get("passed", [])
    on_pg = sum("postgresql" in r.nodeid for r in passed)
    in_browser = sum("/e2e/" in r.nodeid for r in passed)
    terminalreporter.write_line(f"portal: {len(passed)} passed, {on_pg} of them on PostgreSQL, "
                                f"{in_browser} in Chromium")
