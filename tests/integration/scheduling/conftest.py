"""Scheduling fixtures: coaches with weekly hours, a fixed clock, and small API helpers."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import make_coach

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# A Monday, early morning in New York: the coming days are all in standard time.
NOW = dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def set_hours(coach_user, weekly: dict[str, list[list[str]]], zone: str | None = None, overrides=()) -> None:
    from portal.scheduling import hours

    full = {d: weekly.get(d, []) for d in WEEKDAYS}
    hours.set_availability(coach_user.coach, zone_name=zone or coach_user.timezone, weekly=full,
                           overrides=list(overrides))


def open_event(**changes) -> None:
    """Make the strategy call easy to book in tests: no notice, long window, unless told otherwise."""
    from portal.scheduling import hours

    from portal.extensions import db
    from portal.scheduling.services import ensure_strategy_call, require_answers

    settings = {"minimum_notice_minutes": 0, "booking_window_days": 60}
    settings.update(changes)
    # As in the demo business: the goal and the injury must be answered.
    require_answers(ensure_strategy_call(dt.datetime.now(dt.UTC)), {"goal", "injury"})
    db.session.commit()
    hours.update_event_type("strategy-call", settings)


@pytest.fixture
def ny_coach(ctx):
    coach = make_coach("Nora York", "America/New_York", email="nora@stridelab.example")
    set_hours(coach, {d: [["09:00", "12:00"], ["13:00", "17:00"]] for d in WEEKDAYS[:5]})
    open_event()
    return coach


def booking_body(start: str, **extra) -> dict:
    body = {"event_type": "strategy-call", "start": start, "timezone": "Europe/London", "name": "Pat Runner",
            "email": "pat@example.com", "answers": {"goal": "Sub-4 marathon", "injury": "Runner's knee, 3 months"}}
    body.update(extra)
    return body


def count_bookings() -> int:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.scheduling.models import Booking

    return db.session.scalar(select(func.count()).select_from(Booking))
