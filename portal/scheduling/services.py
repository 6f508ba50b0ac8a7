"""Scheduling use cases that are not about one booking: event types and coach membership."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.accounts.models import CoachProfile
from portal.extensions import db
from portal.scheduling.models import STRATEGY_CALL, EventType, EventTypeCoach

# Out of the box nothing is mandatory, so any program can book with `"answers": {}`; a business makes
# questions required on its event type (the demo requires the goal and the injury).
STRATEGY_CALL_QUESTIONS = [
    {"key": "goal", "label": "What is your running goal?", "type": "text", "required": False},
    {"key": "injury", "label": "What injury or pain is holding you back, and for how long?", "type": "text",
     "required": False},
    {"key": "weekly_mileage", "label": "Weekly mileage (miles)", "type": "number", "required": False},
    {"key": "next_race", "label": "Your next race", "type": "text", "required": False},
    {"key": "next_race_on", "label": "Date of your next race", "type": "date", "required": False},
]


def ensure_strategy_call(now: dt.datetime) -> EventType:
    """The free 30-minute strategy call exists in every Portal (the migration creates it too)."""
    event = db.session.scalar(select(EventType).where(EventType.slug == STRATEGY_CALL))
    if event is None:
        event = EventType(slug=STRATEGY_CALL, title="Free 30-minute strategy call",
                          description="A free video call with a physical-therapist running coach: we look at what "
                                      "keeps you from running pain-free and map the next steps.",
                          duration_minutes=30, slot_interval_minutes=30, buffer_before_minutes=0,
                          buffer_after_minutes=0, minimum_notice_minutes=240, booking_window_days=30,
                          daily_limit=None, cancel_notice_minutes=120, questions=STRATEGY_CALL_QUESTIONS,
                          auto_join=True, active=True, created_at=now)
        db.session.add(event)
        db.session.flush()
    return event


def require_answers(event: EventType, keys: set[str]) -> None:
    """Make these intake questions required (and only these)."""
    event.questions = [dict(q, required=q["key"] in keys) for q in event.questions or []]


def add_coach_to_default_event_types(profile: CoachProfile, now: dt.datetime) -> None:
    ensure_strategy_call(now)
    for event in db.session.scalars(select(EventType).where(EventType.auto_join.is_(True))):
        exists = db.session.get(EventTypeCoach, (event.id, profile.id))
        if exists is None:
            db.session.add(EventTypeCoach(event_type_id=event.id, coach_id=profile.id))
    db.session.flush()
