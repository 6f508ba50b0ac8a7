"""Fifty people press "book" for one time at once, against several server processes.

Each case first runs with the booking lock switched off, to show the test can see the race, then with it on."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import IN_CI, PG_URL, _free_port

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 50
pytestmark = pytest.mark.slow


def _flask(env, *args):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def _call(base, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base + path, method=method, headers=headers,
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")


class Server:
    """The app under gunicorn: 4 worker processes with 8 threads each, on one database."""

    def __init__(self, database_url: str, locks: bool):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "race-secret",
                    "RATELIMIT_ENABLED": "false", "PUBLIC_BASE_URL": self.base,
                    "PORTAL_BOOKING_LOCKS": "true" if locks else "false"}
        self.proc = None

    def prepare(self, coaches: int) -> list[str]:
        _flask(self.env, "db", "upgrade")
        slugs, tokens = [], []
        for i in range(coaches):
            email = f"race{i}@stridelab.example"
            slugs.append(_flask(self.env, "create-coach", email, "--name", f"Race Coach {i}", "--timezone", "UTC")
                         .splitlines()[-1])
            tokens.append(_flask(self.env, "create-api-token", email).splitlines()[-1])
        self.tokens = tokens
        return slugs

    def __enter__(self):
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", "4", "-k", "gthread", "--threads", "8",
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)


def _open_calendar(server: Server) -> str:
    """Every coach works around the clock; returns the first free start."""
    weekly = {d: [["00:00", "24:00"]] for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
    for token in server.tokens:
        assert _call(server.base, "PUT", "/api/v1/me/availability",
                     {"timezone": "UTC", "weekly": weekly, "overrides": []}, token)[0] == 200
    assert _call(server.base, "PATCH", "/api/v1/event-types/strategy-call",
                 {"minimum_notice_minutes": 120, "booking_window_days": 30}, server.tokens[0])[0] == 200
    import datetime as dt

    day = dt.date.today() + dt.timedelta(days=2)
    status, body = _call(server.base, "GET", f"/api/v1/event-types/strategy-call/slots?start={day}&end={day}"
                                             "&timezone=UTC")
    assert status == 200 and body["slots"]
    return body["slots"][10]["start"]


def _stampede(server: Server, start: str, coach: str | None) -> Counter:
    barrier = threading.Barrier(REQUESTS)
    results: list[int] = []
    lock = threading.Lock()

    def book(i: int) -> None:
        body = {"event_type": "strategy-call", "start": start, "timezone": "Europe/London",
                "name": f"Runner {i}", "email": f"runner{i}@example.com", "answers": {"goal": "PR", "injury": "knee"}}
        if coach:
            body["coach"] = coach
        barrier.wait()
        status, payload = _call(server.base, "POST", "/api/v1/bookings", body)
        if status == 409:
            assert payload["error"]["code"] in {"slot_unavailable", "busy"}
        with lock:
            results.append(status)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(REQUESTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return Counter(results)


def _active_bookings(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM bookings WHERE status = 'confirmed'"))
    finally:
        engine.dispose()


def _postgres_database():
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI needs TEST_DATABASE_URL")
        pytest.skip("TEST_DATABASE_URL is not set")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"portal_race_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def postgres_database():
    yield from _postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.db'}"
    else:
        yield from _postgres_database()


def _race(database: str, coaches: int, named: bool, locks: bool) -> tuple[Counter, int]:
    server = Server(database, locks=locks)
    slugs = server.prepare(coaches)
    with server:
        start = _open_calendar(server)
        outcome = _stampede(server, start, slugs[0] if named else None)
    return outcome, _active_bookings(database)


def test_without_the_lock_sqlite_shows_the_race(tmp_path):
    """The control: with the lock off, SQLite (which has no exclusion constraint) double-books or errors.

    A race is a matter of timing, so the stampede runs up to three rounds on fresh databases; the lock tests
    below must hold in every round they run."""
    seen = []
    for attempt in range(3):
        outcome, booked = _race(f"sqlite:///{tmp_path / f'race{attempt}.db'}", coaches=1, named=True, locks=False)
        seen.append((outcome, booked))
        if booked > 1 or any(status >= 500 for status in outcome):
            return
    pytest.fail(f"no race seen without the lock in three rounds: {seen}")


def test_without_the_lock_postgresql_still_refuses_overlaps_through_its_exclusion_constraint(postgres_database):
    outcome, booked = _race(postgres_database, coaches=1, named=True, locks=False)
    assert booked == 1 and outcome[201] == 1, outcome
    assert not any(status >= 500 for status in outcome), outcome


def test_fifty_requests_for_one_coachs_slot_book_it_exactly_once(database):
    outcome, booked = _race(database, coaches=1, named=True, locks=True)
    assert outcome[201] == 1 and outcome[409] == REQUESTS - 1, outcome
    assert booked == 1


def test_fifty_requests_with_two_free_coaches_and_none_named_book_exactly_two(database):
    outcome, booked = _race(database, coaches=2, named=False, locks=True)
    assert outcome[201] == 2 and outcome[409] == REQUESTS - 2, outcome
    assert booked == 2
