"""The `flask` commands other programs rely on: create-coach, seed-demo, jobs run-due and worker."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.accounts.models import CoachProfile, User
from portal.core import clock
from portal.extensions import db
from portal.notifications.models import EmailStatus, OutboxEmail
from portal.notifications.outbox import queue_email
from portal.scheduling.models import STRATEGY_CALL, EventType, EventTypeCoach

ROOT = Path(__file__).resolve().parents[2]


def flask(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_create_coach_prints_a_slug_and_puts_the_coach_on_strategy_calls(app):
    result = flask(app, "create-coach", "nora@stridelab.example", "--name", "Nora O'Brien-Smith",
                   "--timezone", "America/New_York", "--password", "a-long-password")
    assert result.exit_code == 0, result.output
    slug = result.output.strip()
    assert re.fullmatch(r"[a-z0-9-]+", slug)
    assert slug == "nora-o-brien-smith"
    with app.app_context():
        profile = db.session.scalar(select(CoachProfile).where(CoachProfile.slug == slug))
        assert (profile.user.email, profile.user.role, profile.user.timezone) == (
            "nora@stridelab.example", "coach", "America/New_York")
        assert profile.user.check_password("a-long-password")
        call = db.session.scalar(select(EventType).where(EventType.slug == STRATEGY_CALL))
        assert db.session.get(EventTypeCoach, (call.id, profile.id)) is not None


def test_a_second_coach_with_the_same_name_gets_another_slug(app):
    first = flask(app, "create-coach", "jo1@stridelab.example", "--name", "Jo Lane", "--timezone", "UTC")
    second = flask(app, "create-coach", "jo2@stridelab.example", "--name", "Jo Lane", "--timezone", "UTC")
    assert first.exit_code == second.exit_code == 0
    assert first.output.strip() == "jo-lane"
    assert second.output.strip() != first.output.strip()
    assert re.fullmatch(r"[a-z0-9-]+", second.output.strip())


def test_a_name_with_no_latin_letters_still_gets_a_usable_slug(app):
    result = flask(app, "create-coach", "yuki@stridelab.example", "--name", "由紀", "--timezone", "Asia/Tokyo")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"[a-z0-9-]+", result.output.strip())


def test_create_coach_with_an_unknown_zone_fails_with_a_clear_message(app):
    result = flask(app, "create-coach", "bad@stridelab.example", "--name", "Bad Zone", "--timezone", "Mars/Base")
    assert result.exit_code != 0
    assert "Mars/Base" in result.output and "time zone" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "bad@stridelab.example")) is None


def test_create_coach_refuses_an_email_that_is_taken(app):
    flask(app, "create-coach", "dup@stridelab.example", "--name", "Dee Up", "--timezone", "UTC")
    result = flask(app, "create-coach", "DUP@stridelab.example", "--name", "Dee Up", "--timezone", "UTC")
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_create_coach_with_admin_makes_the_head_coach(app):
    result = flask(app, "create-coach", "head@stridelab.example", "--name", "Hea Dcoach", "--timezone", "UTC",
                   "--admin")
    assert result.exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "head@stridelab.example")) == "admin"


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def test_seed_demo_can_run_twice_and_changes_nothing_the_second_time(app):
    first = flask(app, "seed-demo")
    assert first.exit_code == 0, first.output
    after_first = _counts(app)
    assert after_first["users"] >= 4 and after_first["coach_profiles"] >= 3
    second = flask(app, "seed-demo")
    assert second.exit_code == 0, second.output
    assert _counts(app) == after_first


def test_jobs_run_due_sends_what_is_due(app, smtp_sink):
    with app.app_context():
        queue_email(dedupe_key="cli:1", to_addr="cli@example.com", subject="Due", template="password_reset",
                    context={"user": {"first_name": "C"}, "link": "http://127.0.0.1:5000/x", "minutes": 60},
                    now=clock.now())
        db.session.commit()
    result = flask(app, "jobs", "run-due")
    assert result.exit_code == 0, result.output
    assert "emails: 1" in result.output
    assert len(smtp_sink.to("cli@example.com")) == 1
    assert "emails: 0" in flask(app, "jobs", "run-due").output


# --- the worker, as a real process ---------------------------------------------------------------------

def _env(tmp_path, smtp_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "RATELIMIT_"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}", "SECRET_KEY": "worker-test",
                "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "PYTHONUNBUFFERED": "1", "RATELIMIT_ENABLED": "false"})
    return env


def _flask_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


@pytest.mark.slow
def test_worker_sends_due_mail_and_stops_promptly_on_sigterm(tmp_path, smtp_sink):
    from tests.conftest import make_app, migrate_to_head

    env = _env(tmp_path, smtp_sink.port)
    app = make_app(env["DATABASE_URL"], tmp_path, smtp_sink.port)
    migrate_to_head(app)
    with app.app_context():
        queue_email(dedupe_key="worker:1", to_addr="worker@example.com", subject="From the worker",
                    template="password_reset", now=clock.now(),
                    context={"user": {"first_name": "W"}, "link": "http://127.0.0.1:5000/x", "minutes": 60})
        db.session.commit()

    worker = subprocess.Popen(_flask_cmd("worker"), cwd=ROOT, env=env,  # the default 5 s between passes
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not smtp_sink.to("worker@example.com") and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read()
            time.sleep(0.05)
        assert len(smtp_sink.to("worker@example.com")) == 1, "the worker should send due mail"
        asked = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=5)
        took = time.monotonic() - asked
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, err
    assert "worker: stopped" in out
    assert took < 3, f"the worker took {took:.1f}s to stop"
    with app.app_context():
        assert db.session.scalar(select(OutboxEmail.status)) == EmailStatus.SENT
        db.engine.dispose()
