"""Editing when a coach can be booked: weekly hours, date overrides, time off, blocked times; event settings."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, select

from portal.accounts.models import CoachProfile
from portal.accounts.services import check_zone
from portal.core.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.scheduling.models import AvailabilityOverride, BlockedTime, EventType, TimeOff, WeeklyHours
from portal.scheduling.schemas import WEEKDAYS

MIDNIGHT = dt.time(0, 0)


def _to_time(text: str) -> dt.time:
    return MIDNIGHT if text == "24:00" else dt.time.fromisoformat(text)


def _to_text(value: dt.time, end: bool = False) -> str:
    return "24:00" if end and value == MIDNIGHT else value.strftime("%H:%M")


def availability(coach: CoachProfile) -> dict:
    """The coach's rules in the API's shape."""
    weekly: dict[str, list[list[str]]] = {day: [] for day in WEEKDAYS}
    for row in db.session.scalars(select(WeeklyHours).where(WeeklyHours.coach_id == coach.id)
                                  .order_by(WeeklyHours.weekday, WeeklyHours.starts)):
        weekly[WEEKDAYS[row.weekday]].append([_to_text(row.starts), _to_text(row.ends, end=True)])
    overrides = [{"date": row.on.isoformat(), "intervals": row.intervals}
                 for row in db.session.scalars(select(AvailabilityOverride)
                                               .where(AvailabilityOverride.coach_id == coach.id)
                                               .order_by(AvailabilityOverride.on))]
    return {"timezone": coach.user.timezone, "weekly": weekly, "overrides": overrides}


def set_weekly(coach: CoachProfile, weekly: Mapping[str, Sequence[Sequence[str]]]) -> None:
    db.session.execute(delete(WeeklyHours).where(WeeklyHours.coach_id == coach.id))
    for day, intervals in weekly.items():
        for start, end in intervals:
            db.session.add(WeeklyHours(coach_id=coach.id, weekday=WEEKDAYS.index(day), starts=_to_time(start),
                                       ends=_to_time(end)))


def set_availability(coach: CoachProfile, *, zone_name: str, weekly: Mapping[str, Sequence[Sequence[str]]],
                     overrides: Sequence[tuple[dt.date, Sequence[Sequence[str]]]]) -> None:
    """Replace the coach's zone, weekly hours and every override at once (input already checked)."""
    coach.user.timezone = check_zone(zone_name)
    set_weekly(coach, weekly)
    db.session.execute(delete(AvailabilityOverride).where(AvailabilityOverride.coach_id == coach.id))
    for on, intervals in overrides:
        db.session.add(AvailabilityOverride(coach_id=coach.id, on=on, intervals=[list(i) for i in intervals]))
    db.session.commit()


def set_override(coach: CoachProfile, on: dt.date, intervals: Sequence[Sequence[str]]) -> None:
    row = db.session.scalar(select(AvailabilityOverride).where(AvailabilityOverride.coach_id == coach.id,
                                                              AvailabilityOverride.on == on))
    if row is None:
        db.session.add(AvailabilityOverride(coach_id=coach.id, on=on, intervals=[list(i) for i in intervals]))
    else:
        row.intervals = [list(i) for i in intervals]
    db.session.commit()


def remove_override(coach: CoachProfile, override_id: int) -> None:
    row = db.session.get(AvailabilityOverride, override_id)
    if row is None or row.coach_id != coach.id:
        raise NotFound("No such date.")
    db.session.delete(row)
    db.session.commit()


def add_time_off(coach: CoachProfile, starts_on: dt.date, ends_on: dt.date, note: str) -> TimeOff:
    if ends_on < starts_on:
        raise InvalidInput("The last day is before the first.", fields={"ends_on": "On or after the first day."})
    if (ends_on - starts_on).days > 366:
        raise InvalidInput("Time off is at most a year at a time.", fields={"ends_on": "Too long."})
    row = TimeOff(coach_id=coach.id, starts_on=starts_on, ends_on=ends_on, note=(note or "").strip()[:200])
    db.session.add(row)
    db.session.commit()
    return row


def remove_time_off(coach: CoachProfile, row_id: int) -> None:
    row = db.session.get(TimeOff, row_id)
    if row is None or row.coach_id != coach.id:
        raise NotFound("No such time off.")
    db.session.delete(row)
    db.session.commit()


def add_block(coach: CoachProfile, start: dt.datetime, end: dt.datetime, note: str) -> BlockedTime:
    if end <= start:
        raise InvalidInput("The end is before the start.", fields={"end": "After the start."})
    if end - start > dt.timedelta(days=31):
        raise InvalidInput("Block at most 31 days at a time; use time off for longer.", fields={"end": "Too long."})
    row = BlockedTime(coach_id=coach.id, start_at=start, end_at=end, note=(note or "").strip()[:200])
    db.session.add(row)
    db.session.commit()
    return row


def remove_block(coach: CoachProfile, row_id: int) -> None:
    row = db.session.get(BlockedTime, row_id)
    if row is None or row.coach_id != coach.id:
        raise NotFound("No such blocked time.")
    db.session.delete(row)
    db.session.commit()


EDITABLE = ("duration_minutes", "slot_interval_minutes", "buffer_before_minutes", "buffer_after_minutes",
            "minimum_notice_minutes", "booking_window_days", "daily_limit", "cancel_notice_minutes")


def update_event_type(slug: str, changes: Mapping[str, int | None]) -> EventType:
    """Change an event type's settings; only the keys given change (daily_limit may be set to null)."""
    event = db.session.scalar(select(EventType).where(EventType.slug == slug))
    if event is None:
        raise NotFound("No such event type.")
    for key, value in changes.items():
        if key not in EDITABLE:
            raise InvalidInput(f"{key} cannot be changed.", fields={key: "Not editable."})
        if value is None and key != "daily_limit":
            raise InvalidInput(f"{key} cannot be empty.", fields={key: "Required."})
        setattr(event, key, value)
    db.session.commit()
    return event
