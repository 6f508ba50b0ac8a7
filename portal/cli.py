"""flask commands: create-coach, create-api-token, seed-demo, jobs run-due, worker."""
from __future__ import annotations

import signal
import threading

import click
from flask import Flask
from flask.cli import AppGroup

from portal.core import clock
from portal.core.errors import DomainError
from portal.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("create-coach")
    @click.argument("email")
    @click.option("--name", required=True)
    @click.option("--timezone", "zone_name", required=True, help="IANA zone, e.g. America/New_York")
    @click.option("--password", default=None, help="Leave out to set one later by reset link")
    @click.option("--admin", is_flag=True, help="Make this coach an admin (the head coach)")
    def create_coach_cmd(email: str, name: str, zone_name: str, password: str | None, admin: bool) -> None:
        """Create a coach and print their slug."""
        from portal.accounts.services import create_coach
        from portal.core.access import Role
        from portal.core.timezones import is_valid_zone

        if not is_valid_zone(zone_name):
            raise click.BadParameter(f"{zone_name!r} is not a time zone; use an IANA name such as America/New_York.",
                                     param_hint="--timezone")
        try:
            user = create_coach(email=email, name=name, zone_name=zone_name, password=password, now=clock.now(),
                                role=Role.ADMIN if admin else Role.COACH)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(user.coach.slug)

    @app.cli.command("create-api-token")
    @click.argument("email")
    def create_api_token_cmd(email: str) -> None:
        """Print a new bearer token for a coach or admin (only its hash is stored)."""
        from portal.accounts.services import create_api_token

        try:
            click.echo(create_api_token(email, clock.now()))
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc

    @app.cli.command("seed-demo")
    def seed_demo_cmd() -> None:
        """Load the demo business (safe to run again)."""
        from portal.demo import seed_demo

        for line in seed_demo(clock.now()):
            click.echo(line)

    jobs = AppGroup("jobs", help="Time-driven duties.")

    @jobs.command("run-due")
    def run_due_cmd() -> None:
        """Run every due duty once."""
        from portal.jobs import run_due

        for name, count in run_due(clock.now()).items():
            click.echo(f"{name}: {count}")

    app.cli.add_command(jobs)

    @app.cli.command("worker")
    @click.option("--interval", default=5.0, help="Seconds between passes")
    def worker_cmd(interval: float) -> None:
        """Run due duties in a loop until SIGTERM or Ctrl-C."""
        from portal.jobs import run_due

        stop = threading.Event()

        def request_stop(signum, frame) -> None:  # noqa: ARG001
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        click.echo(f"worker: running due jobs every {interval:g}s")
        while not stop.is_set():
            run_due(clock.now())
            db.session.remove()
            stop.wait(interval)
        click.echo("worker: stopped")
