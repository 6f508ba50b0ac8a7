"""The coach's calls: the week their calendar shows, one call's page, and what they record after a call."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.models import CoachProfile, User
from portal.core.errors import InvalidInput, NotFound
from portal.core.timezones import zone
from portal.extensions import db
from portal.scheduling import slots
from portal.scheduling.availability import load_calendars
from portal.scheduling.models import (
    AvailabilityOverride,
    BlockedTime,
    Booking,
    BookingStatus,
    BusyTime,
    CalendarSource,
    Outcome,
    TimeOff,
)

MAX_NOTES = 20_000
ROW_MINUTES = 15  # one row of the week grid
MAX_LANES = 3  # side by side in a day column when things overlap
DEFAULT_DAY = (8 * 60, 18 * 60)  # the hours a week always shows, widened to fit what is in it


# --- one call ---------------------------------------------------------------------------------------------

def call_for(user: User, booking_id: int) -> Booking:
    """A coach sees only their own calls, an admin every call; anything else is 'not found'."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or not (user.is_admin or (user.coach is not None and booking.coach_id == user.coach.id)):
        raise NotFound("There is no such call in your calendar.")
    return booking


def answers_with_labels(booking: Booking) -> list[tuple[str, str]]:
    """The intake answers in the order of the event type's questions, under their labels."""
    questions = booking.event_type.questions or []
    answers = dict(booking.answers or {})
    shown = [(q["label"], answers.pop(q["key"])) for q in questions if answers.get(q["key"]) not in (None, "")]
    # Answers to questions removed since the booking still belong to the prospect's story.
    return shown + [(key.replace("_", " ").capitalize(), str(value)) for key, value in answers.items() if value]


def record_outcome(booking: Booking, outcome: str | None, notes: str, now: dt.datetime) -> Booking:
    """Private notes at any time; an outcome only for a call that was not cancelled and has started."""
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise InvalidInput("Please keep notes under 20,000 characters.", fields={"notes": "Too long."})
    outcome = outcome or None
    if outcome is not None:
        if outcome not in set(Outcome):
            raise InvalidInput("Choose completed, no-show or enrolled.", fields={"outcome": "Not an outcome."})
        if booking.status == BookingStatus.CANCELLED:
            raise InvalidInput("This call was cancelled, so it has no outcome.", fields={"outcome": "Cancelled."})
        if now < booking.start_at:
            raise InvalidInput("You can record the outcome once the call has started.",
                               fields={"outcome": "The call has not started yet."})
    booking.notes, booking.outcome = notes, outcome
    db.session.commit()
    return booking


# --- the week view ----------------------------------------------------------------------------------------

@dataclass
class Entry:
    """Something drawn in a day: working hours, a call, a blocked or busy time, time off (local times)."""

    kind: str  # working | call | blocked | busy | time_off
    start: dt.datetime
    end: dt.datetime
    label: str = ""
    booking: Booking | None = None
    all_day: bool = False
    first_row: int = 1  # grid lines of the day column
    last_row: int = 2
    lane: int = 0

    @property
    def is_short(self) -> bool:
        """Drawn half an hour tall or less: room for one line."""
        return self.last_row - self.first_row <= 2

    @property
    def cancelled(self) -> bool:
        return self.booking is not None and self.booking.status == BookingStatus.CANCELLED


@dataclass
class Day:
    on: dt.date
    start: dt.datetime  # local midnight, as an aware datetime
    end: dt.datetime
    working: list[Entry] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)  # calls, blocked and busy times, by start
    all_day: list[Entry] = field(default_factory=list)
    special_hours: bool = False  # a date override applies
    lanes: int = 1
    is_today: bool = False

    @property
    def timeline(self) -> list[Entry]:
        """Working hours and everything else in one list by start time (working hours first on a tie)."""
        return sorted(self.working + self.entries, key=lambda e: (e.start, e.kind != "working"))

    @property
    def is_off(self) -> bool:
        return any(e.kind == "time_off" for e in self.all_day) or (self.special_hours and not self.working)


@dataclass
class Week:
    zone: str
    first_day: dt.date
    days: list[Day]
    first_minute: int  # the grid shows first_minute..last_minute of every day
    last_minute: int

    @property
    def rows(self) -> int:
        return (self.last_minute - self.first_minute) // ROW_MINUTES

    @property
    def hour_marks(self) -> list[tuple[int, int]]:
        """(hour, grid line) for each hour the grid shows."""
        return [(minute // 60, (minute - self.first_minute) // ROW_MINUTES + 1)
                for minute in range(self.first_minute, self.last_minute, 60)]

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=6)


def week_start(any_day: dt.date) -> dt.date:
    return any_day - dt.timedelta(days=any_day.weekday())


def coach_week(coach: CoachProfile, any_day: dt.date, today: dt.date) -> Week:
    """Everything in the coach's week (Monday to Sunday in the coach's zone) that the calendar draws."""
    zone_name = coach.user.timezone
    tz = zone(zone_name)
    first = week_start(any_day)
    days = []
    for i in range(7):
        on = first + dt.timedelta(days=i)
        days.append(Day(on=on, start=dt.datetime.combine(on, dt.time(0), tz),
                        end=dt.datetime.combine(on + dt.timedelta(days=1), dt.time(0), tz), is_today=on == today))
    lo, hi = days[0].start.astimezone(dt.UTC), days[-1].end.astimezone(dt.UTC)

    calendar = load_calendars([coach], lo, hi)[0]
    for window in slots.availability_windows(calendar.hours, lo, hi):
        _place(days, "working", window.start, window.end, tz)
    for on in db.session.scalars(select(AvailabilityOverride.on).where(
            AvailabilityOverride.coach_id == coach.id, AvailabilityOverride.on >= first,
            AvailabilityOverride.on <= first + dt.timedelta(days=6))):
        days[(on - first).days].special_hours = True

    bookings = db.session.scalars(select(Booking).options(joinedload(Booking.event_type)).where(
        Booking.coach_id == coach.id, Booking.end_at > lo, Booking.start_at < hi).order_by(Booking.start_at))
    for booking in bookings:
        _place(days, "call", booking.start_at, booking.end_at, tz, label=booking.invitee_name, booking=booking)
    for block in db.session.scalars(select(BlockedTime).where(
            BlockedTime.coach_id == coach.id, BlockedTime.end_at > lo, BlockedTime.start_at < hi)):
        _place(days, "blocked", block.start_at, block.end_at, tz, label=block.note or "Blocked")
    busy = db.session.execute(select(BusyTime.start_at, BusyTime.end_at, CalendarSource.name)
                              .join(CalendarSource, CalendarSource.id == BusyTime.source_id)
                              .where(BusyTime.coach_id == coach.id, BusyTime.end_at > lo, BusyTime.start_at < hi))
    for start, end, name in busy:
        _place(days, "busy", start, end, tz, label=f"Busy ({name})")
    for off in db.session.scalars(select(TimeOff).where(
            TimeOff.coach_id == coach.id, TimeOff.ends_on >= first, TimeOff.starts_on <= days[-1].on)):
        for day in days:
            if off.starts_on <= day.on <= off.ends_on:
                day.all_day.append(Entry("time_off", day.start, day.end, label=off.note or "Time off", all_day=True))
                day.working = []  # not working that day, whatever the usual hours say
    return _lay_out(Week(zone=zone_name, first_day=first, days=days, first_minute=0, last_minute=0))


def _place(days: list[Day], kind: str, start: dt.datetime, end: dt.datetime, tz, **extra) -> None:
    """Add [start, end) to each local day it touches, clipped to that day."""
    for day in days:
        if start >= day.end or end <= day.start:
            continue
        a, b = max(start, day.start).astimezone(tz), min(end, day.end).astimezone(tz)
        entry = Entry(kind, a, b, all_day=a == day.start and b == day.end and kind != "working", **extra)
        if entry.all_day:
            day.all_day.append(entry)
        elif kind == "working":
            day.working.append(entry)
        else:
            day.entries.append(entry)


def _minutes(at: dt.datetime, day: Day) -> int:
    """Wall-clock minutes since the day's midnight (the day's end is 24:00)."""
    return 24 * 60 if at >= day.end else at.hour * 60 + at.minute


def _lay_out(week: Week) -> Week:
    """Grid rows for every timed entry, and side-by-side lanes where entries overlap."""
    low, high = DEFAULT_DAY
    for day in week.days:
        for entry in day.working + day.entries:
            low = min(low, _minutes(entry.start, day) // 60 * 60)
            high = max(high, math.ceil(max(_minutes(entry.end, day), 1) / 60) * 60)
    week.first_minute, week.last_minute = low, high
    for day in week.days:
        day.entries.sort(key=lambda e: (e.start, e.end))
        lane_ends: list[dt.datetime] = []
        for entry in day.working + day.entries:
            begin, finish = _minutes(entry.start, day), _minutes(entry.end, day)
            entry.first_row = (begin - low) // ROW_MINUTES + 1
            entry.last_row = max(math.ceil((finish - low) / ROW_MINUTES) + 1, entry.first_row + 1)
            if entry.kind == "working":
                continue
            lane = next((i for i, busy_until in enumerate(lane_ends) if busy_until <= entry.start), len(lane_ends))
            if lane == len(lane_ends):
                lane_ends.append(entry.end)
            else:
                lane_ends[lane] = entry.end
            entry.lane = min(lane, MAX_LANES - 1)
        day.lanes = max(1, min(len(lane_ends), MAX_LANES))
    return week
