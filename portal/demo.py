"""Demo data: a physical-therapist running-coach business with three coaches and a member."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.core.access import Role
from portal.extensions import db
from portal.scheduling.models import WeeklyHours
from portal.scheduling.services import ensure_strategy_call, require_answers

DEMO_PASSWORD = "demo-password-123"

COACHES = [
    # email, name, zone, role, title, bio, weekly hours
    ("maya@stridelab.example", "Maya Torres", "America/New_York", Role.ADMIN, "Head coach, DPT",
     "Physical therapist and 2:41 marathoner. Maya built the five-muscle strength method after a decade of "
     "treating runners who kept getting hurt in the same places.",
     {0: [("09:00", "12:00"), ("13:00", "17:00")], 1: [("09:00", "12:00")], 2: [("09:00", "12:00"), ("13:00", "17:00")],
      3: [("13:00", "18:00")], 4: [("09:00", "13:00")]}),
    ("jordan@stridelab.example", "Jordan Lee", "America/Chicago", Role.COACH, "Associate coach, DPT",
     "Trail and ultra runner. Jordan specialises in knees, IT bands and getting back to the mountains.",
     {0: [("08:00", "12:00")], 1: [("08:00", "12:00"), ("14:00", "18:00")], 3: [("08:00", "12:00"), ("14:00", "18:00")],
      5: [("09:00", "12:00")]}),
    ("sam@stridelab.example", "Sam Patel", "America/Los_Angeles", Role.COACH, "Associate coach, PT",
     "Former collegiate 1500 m runner. Sam works with runners coming back from Achilles and calf injuries.",
     {1: [("10:00", "16:00")], 2: [("07:00", "11:00")], 3: [("10:00", "16:00")],
      4: [("07:00", "12:00"), ("13:00", "15:00")]}),
]
MEMBER = ("gina@example.com", "Gina Jensen", "America/Denver")


def _hhmm(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def seed_demo(now: dt.datetime) -> list[str]:
    """Create what is missing; running it again changes nothing that exists."""
    lines = []
    if accounts.find_by_email(COACHES[0][0]) is None:
        # The demo business wants to know the goal and the injury before every call.
        require_answers(ensure_strategy_call(now), {"goal", "injury"})
        db.session.commit()
    for email, name, zone_name, role, title, bio, weekly in COACHES:
        user = accounts.find_by_email(email)
        if user is None:
            user = accounts.create_coach(email=email, name=name, zone_name=zone_name, password=DEMO_PASSWORD,
                                         now=now, role=role, title=title, bio=bio,
                                         video_url=f"https://meet.example.com/{email.split('@')[0]}-stridelab")
            for weekday, intervals in weekly.items():
                for start, end in intervals:
                    db.session.add(WeeklyHours(coach_id=user.coach.id, weekday=weekday, starts=_hhmm(start),
                                               ends=_hhmm(end)))
            db.session.commit()
            lines.append(f"created {role} {email}")
    email, name, zone_name = MEMBER
    if accounts.find_by_email(email) is None:
        accounts.register_member(email=email, name=name, zone_name=zone_name, password=DEMO_PASSWORD, now=now)
        lines.append(f"created member {email}")
    lines.extend(_extend(now))
    return lines or ["demo data already present"]


def _extend(now: dt.datetime) -> list[str]:
    """Later capabilities add their demo content here."""
    from flask import current_app

    from portal.scheduling.demo import seed_bookings

    return seed_bookings(now, current_app.config["SECRET_KEY"])


def demo_logins() -> list[tuple[str, str, str]]:
    users = db.session.scalars(select(User).order_by(User.id)).all()
    return [(u.role, u.email, DEMO_PASSWORD) for u in users if u.email.endswith(("stridelab.example", "example.com"))]
