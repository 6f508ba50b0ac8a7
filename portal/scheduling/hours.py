"""Editing when a coach can be booked: weekly hours, date overrides, time off, blocked times; event settings."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, select

from portal.accounts.models import CoachProfile
from portal.accounts.services import check_zone, slugify
from portal.core.errors import InvalidInput, NotFound
from portal.core.timezones import local
from portal.extensions import db
from portal.scheduling.intake import check_questions
from portal.scheduling.models import (
    AvailabilityOverride,
    BlockedTime,
    EventType,
    EventTypeCoach,
    TimeOff,
    WeeklyHours,
)
from portal.scheduling.schemas import WEEKDAYS
from portal.scheduling.schemas import _check_intervals as check_intervals

MIDNIGHT = dt.time(0, 0)


def _to_time(text: str) -> dt.time:
    return MIDNIGHT if text == "24:00" else dt.time.fromisoformat(text)


def _to_text(value: dt.time, end: bool = False) -> str:
    return "24:00" if end and value == MIDNIGHT else value.strftime("%H:%M")


def _stored(intervals: Sequence[Sequence[str]]) -> list[list[str]]:
    """Override intervals as the slot engine reads them: an end of 24:00 is stored as 00:00 (midnight)."""
    return [[start, "00:00" if end == "24:00" else end] for start, end in intervals]


def _shown(intervals: Sequence[Sequence[str]]) -> list[list[str]]:
    return [[start, "24:00" if end == "00:00" else end] for start, end in intervals]


def availability(coach: CoachProfile) -> dict:
    """The coach's rules in the API's shape."""
    weekly: dict[str, list[list[str]]] = {day: [] for day in WEEKDAYS}
    for row in db.session.scalars(select(WeeklyHours).where(WeeklyHours.coach_id == coach.id)
                                  .order_by(WeeklyHours.weekday, WeeklyHours.starts)):
        weekly[WEEKDAYS[row.weekday]].append([_to_text(row.starts), _to_text(row.ends, end=True)])
    overrides = [{"date": row.on.isoformat(), "intervals": _shown(row.intervals)}
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
        db.session.add(AvailabilityOverride(coach_id=coach.id, on=on, intervals=_stored(intervals)))
    db.session.commit()


def set_override(coach: CoachProfile, on: dt.date, intervals: Sequence[Sequence[str]]) -> None:
    """Other hours for one date (no intervals: a day off); a second override for a date replaces the first."""
    try:
        intervals = check_intervals([list(i) for i in intervals])
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"intervals": str(exc)}) from exc
    row = db.session.scalar(select(AvailabilityOverride).where(AvailabilityOverride.coach_id == coach.id,
                                                              AvailabilityOverride.on == on))
    if row is None:
        db.session.add(AvailabilityOverride(coach_id=coach.id, on=on, intervals=_stored(intervals)))
    else:
        row.intervals = _stored(intervals)
    db.session.commit()


def _remove_own(model, coach: CoachProfile, row_id: int, missing: str) -> None:
    """Delete one of the coach's own rows; another coach's row is as good as missing."""
    row = db.session.get(model, row_id)
    if row is None or row.coach_id != coach.id:
        raise NotFound(missing)
    db.session.delete(row)
    db.session.commit()


def remove_override(coach: CoachProfile, override_id: int) -> None:
    _remove_own(AvailabilityOverride, coach, override_id, "No such date.")


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
    _remove_own(TimeOff, coach, row_id, "No such time off.")


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
    _remove_own(BlockedTime, coach, row_id, "No such blocked time.")


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


# --- the coach's calendar pages -------------------------------------------------------------------------

def set_weekly_hours(coach: CoachProfile, zone_name: str, weekly: Mapping[str, Sequence[Sequence[str]]]) -> None:
    """Replace the coach's zone and weekly hours at once; days left out are days off."""
    zone_name = check_zone(zone_name)
    clean: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        try:
            clean[day] = check_intervals(weekly.get(day, []))
        except ValueError as exc:
            raise InvalidInput(str(exc), fields={day: str(exc)}) from exc
    coach.user.timezone = zone_name
    set_weekly(coach, clean)
    db.session.commit()


def upcoming_rules(coach: CoachProfile, now: dt.datetime) -> dict[str, list]:
    """The coach's date overrides, time off and blocked times that are not over yet."""
    today = local(now, coach.user.timezone).date()
    return {
        "overrides": db.session.scalars(select(AvailabilityOverride).where(
            AvailabilityOverride.coach_id == coach.id, AvailabilityOverride.on >= today)
            .order_by(AvailabilityOverride.on)).all(),
        "time_off": db.session.scalars(select(TimeOff).where(TimeOff.coach_id == coach.id, TimeOff.ends_on >= today)
                                       .order_by(TimeOff.starts_on)).all(),
        "blocks": db.session.scalars(select(BlockedTime).where(BlockedTime.coach_id == coach.id,
                                                               BlockedTime.end_at > now)
                                     .order_by(BlockedTime.start_at)).all(),
    }


SETTING_LIMITS = {
    "duration_minutes": (5, 480), "slot_interval_minutes": (5, 480), "buffer_before_minutes": (0, 240),
    "buffer_after_minutes": (0, 240), "minimum_notice_minutes": (0, 60 * 24 * 90), "booking_window_days": (1, 365),
    "daily_limit": (1, 100), "cancel_notice_minutes": (0, 60 * 24 * 30),
}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def save_event_type(event: EventType | None, *, title: str, slug: str, description: str,
                    settings: Mapping[str, int | None], questions: list, coach_ids: Sequence[int], active: bool,
                    now: dt.datetime) -> EventType:
    """Create (event=None) or change a kind of call, its intake questions and the coaches who take it."""
    fields: dict[str, str] = {}
    title = (title or "").strip()
    if not title or len(title) > 120:
        fields["title"] = "Give it a title of up to 120 characters."
    if event is None:
        slug = (slug or "").strip().lower() or slugify(title)
        if not SLUG.match(slug):
            fields["slug"] = "Use a-z, 0-9 and hyphens."
        elif db.session.scalar(select(EventType.id).where(EventType.slug == slug)) is not None:
            fields["slug"] = "Another kind of call has this address."
    for key, (low, high) in SETTING_LIMITS.items():
        value = settings.get(key)
        if value is None:
            if key != "daily_limit":
                fields[key] = "Required."
        elif not low <= value <= high:
            fields[key] = f"Between {low} and {high}."
    if fields:
        raise InvalidInput("Some settings need another look.", fields=fields)
    questions = check_questions(questions)
    known = set(db.session.scalars(select(CoachProfile.id).where(CoachProfile.id.in_(list(coach_ids)))))
    if event is None:
        event = EventType(slug=slug, created_at=now, auto_join=False)
        db.session.add(event)
    event.title, event.description, event.active = title, (description or "").strip()[:5000], bool(active)
    for key in SETTING_LIMITS:
        setattr(event, key, settings.get(key))
    event.questions = questions
    event.coaches = [link for link in event.coaches if link.coach_id in known]
    have = {link.coach_id for link in event.coaches}
    event.coaches.extend(EventTypeCoach(coach_id=cid) for cid in sorted(known - have))
    db.session.commit()
    return event
