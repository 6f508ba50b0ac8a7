"""Demo bookings so the coaches' calendars look lived-in when `make run` starts."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from portal.core.errors import DomainError
from portal.extensions import db
from portal.scheduling import booking as service
from portal.scheduling.availability import free_slots
from portal.scheduling.models import STRATEGY_CALL, Booking, EventType

PROSPECTS = [
    ("Gina Alvarez", "gina.alvarez@example.com", "America/Denver",
     {"goal": "Boston qualifier at the Chicago marathon", "injury": "Right Achilles tightness, 4 months",
      "weekly_mileage": "45", "next_race": "Chicago Marathon"}),
    ("Tom Becker", "tom.becker@example.com", "Europe/Berlin",
     {"goal": "First 50K trail race", "injury": "IT band pain after 10 miles, since spring", "weekly_mileage": "30"}),
    ("Priya Raman", "priya.raman@example.com", "Asia/Kolkata",
     {"goal": "Run a half marathon pain-free", "injury": "Runner's knee on downhills, 6 weeks",
      "weekly_mileage": "15"}),
    ("Lena Okafor", "lena.okafor@example.com", "America/New_York",
     {"goal": "Sub-20 5K", "injury": "Recurring calf strains, 1 year", "weekly_mileage": "25",
      "next_race": "Turkey Trot"}),
    ("Marcus Hill", "marcus.hill@example.com", "America/Los_Angeles",
     {"goal": "Get back to running after a stress fracture", "injury": "Left tibia stress fracture, healed",
      "weekly_mileage": "5"}),
    ("Ana Souza", "ana.souza@example.com", "America/Sao_Paulo",
     {"goal": "Comrades Marathon", "injury": "Hip flexor pain on long runs, 2 months", "weekly_mileage": "60"}),
]


def seed_bookings(now: dt.datetime, secret_key: str = "demo") -> list[str]:
    """A few strategy calls over the coming days, booked through the real service (idempotent)."""
    event = db.session.scalar(select(EventType).where(EventType.slug == STRATEGY_CALL))
    if event is None or db.session.scalar(select(func.count()).select_from(Booking)):
        return []
    today = now.date()
    found = free_slots(event, today + dt.timedelta(days=1), today + dt.timedelta(days=10), "UTC", now)
    if not found:
        return []
    step = max(len(found) // (len(PROSPECTS) + 1), 1)
    made = 0
    for i, (name, email, zone_name, answers) in enumerate(PROSPECTS):
        slot = found[min((i + 1) * step, len(found) - 1)]
        try:
            service.book_call(event_slug=event.slug, start=slot.start,
                              invitee=service.Invitee(name=name, email=email, timezone=zone_name), answers=answers,
                              coach_slug=None, now=now, secret_key=secret_key)
            made += 1
        except DomainError:
            db.session.rollback()
    return [f"booked {made} demo strategy calls"]
