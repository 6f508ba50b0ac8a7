"""Load what the slot engine needs for a range, in a fixed number of queries whatever the days or coaches."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import CoachProfile, User
from portal.core.timezones import day_bounds
from portal.extensions import db
from portal.scheduling import slots
from portal.scheduling.models import (
    AvailabilityOverride,
    BlockedTime,
    Booking,
    BookingStatus,
    BusyTime,
    EventType,
    EventTypeCoach,
    TimeOff,
    WeeklyHours,
)

# Bookings this far either side of the range matter: buffers reach across it, and the daily limit counts
# whole local days, which can start up to 14 hours before or end 14 hours after a UTC date.
MARGIN = dt.timedelta(days=2)


def engine_settings(event: EventType) -> slots.Settings:
    return slots.Settings(
        duration=dt.timedelta(minutes=event.duration_minutes),
        interval=dt.timedelta(minutes=event.slot_interval_minutes),
        buffer_before=dt.timedelta(minutes=event.buffer_before_minutes),
        buffer_after=dt.timedelta(minutes=event.buffer_after_minutes),
        minimum_notice=dt.timedelta(minutes=event.minimum_notice_minutes),
        window=dt.timedelta(days=event.booking_window_days),
        daily_limit=event.daily_limit,
        event_type_id=event.id,
    )


def bookable_coaches(event: EventType, coach_slug: str | None = None) -> list[CoachProfile]:
    """The active coaches who take this event type, in one query."""
    query = (select(CoachProfile).join(EventTypeCoach, EventTypeCoach.coach_id == CoachProfile.id)
             .join(User, User.id == CoachProfile.user_id)
             .where(EventTypeCoach.event_type_id == event.id, CoachProfile.takes_bookings.is_(True),
                    User.active.is_(True))
             .options(joinedload(CoachProfile.user))
             # Fresh calendar_version and zone even if this session saw the rows before (slot_cache keys on them).
             .execution_options(populate_existing=True)
             .order_by(CoachProfile.id))
    if coach_slug is not None:
        query = query.where(CoachProfile.slug == coach_slug)
    return list(db.session.scalars(query))


def _parse_wall(pairs: Sequence[Sequence[str]]) -> list[tuple[dt.time, dt.time]]:
    return [(dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in pairs]


def load_calendars(coaches: Sequence[CoachProfile], start: dt.datetime, end: dt.datetime,
                   exclude_booking_id: int | None = None) -> list[slots.CoachCalendar]:
    """Hours, overrides, time off, blocked and busy times and bookings for `coaches` around [start, end).

    Six queries in all, one per kind of input, so the cost does not grow with days or coaches."""
    if not coaches:
        return []
    ids = [c.id for c in coaches]
    lo, hi = start - MARGIN, end + MARGIN

    weekly: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for row in db.session.scalars(select(WeeklyHours).where(WeeklyHours.coach_id.in_(ids))
                                  .order_by(WeeklyHours.starts)):
        weekly[row.coach_id][row.weekday].append((row.starts, row.ends))

    overrides: dict[int, dict[dt.date, list]] = defaultdict(dict)
    for row in db.session.scalars(select(AvailabilityOverride).where(
            AvailabilityOverride.coach_id.in_(ids), AvailabilityOverride.on >= lo.date() - dt.timedelta(days=1),
            AvailabilityOverride.on <= hi.date() + dt.timedelta(days=1))):
        overrides[row.coach_id][row.on] = _parse_wall(row.intervals)

    busy: dict[int, list[slots.Interval]] = defaultdict(list)
    zones = {c.id: c.user.timezone for c in coaches}
    for row in db.session.scalars(select(TimeOff).where(
            TimeOff.coach_id.in_(ids), TimeOff.ends_on >= lo.date() - dt.timedelta(days=1),
            TimeOff.starts_on <= hi.date() + dt.timedelta(days=1))):
        first, _ = day_bounds(row.starts_on, zones[row.coach_id])
        _, last = day_bounds(row.ends_on, zones[row.coach_id])
        busy[row.coach_id].append(slots.Interval(first, last))
    for model in (BlockedTime, BusyTime):
        for coach_id, busy_start, busy_end in db.session.execute(select(model.coach_id, model.start_at, model.end_at)
                                                                 .where(model.coach_id.in_(ids), model.end_at > lo,
                                                                        model.start_at < hi)):
            busy[coach_id].append(slots.Interval(busy_start, busy_end))

    booked: dict[int, list[slots.Booked]] = defaultdict(list)
    query = select(Booking.coach_id, Booking.start_at, Booking.blocked_start_at, Booking.blocked_end_at,
                   Booking.event_type_id).where(
        Booking.coach_id.in_(ids), Booking.status == BookingStatus.CONFIRMED,
        Booking.blocked_end_at > lo, Booking.blocked_start_at < hi)
    if exclude_booking_id is not None:
        query = query.where(Booking.id != exclude_booking_id)
    for coach_id, b_start, blocked_start, blocked_end, event_type_id in db.session.execute(query):
        # The engine needs the time the booking keeps (its blocked range) and its start (for the daily limit);
        # counting the buffer after into `end` gives the same blocked range with one column less to read.
        booked[coach_id].append(slots.Booked(start=b_start, end=blocked_end, buffer_before=b_start - blocked_start,
                                             event_type_id=event_type_id))

    return [
        slots.CoachCalendar(
            key=c.slug,
            hours=slots.Hours(timezone=c.user.timezone, weekly={d: tuple(v) for d, v in weekly[c.id].items()},
                              overrides=overrides[c.id]),
            booked=tuple(booked[c.id]),
            busy=tuple(busy[c.id]),
        )
        for c in coaches
    ]


def upcoming_load(event: EventType, coach_ids: Sequence[int], now: dt.datetime,
                  weeks: int = 4) -> dict[int, tuple[int, dt.datetime | None]]:
    """Per coach: active bookings of this event type in the coming weeks, and when they were last given one."""
    counts = dict(db.session.execute(
        select(Booking.coach_id, func.count()).where(
            Booking.event_type_id == event.id, Booking.coach_id.in_(coach_ids),
            Booking.status == BookingStatus.CONFIRMED, Booking.start_at >= now,
            Booking.start_at < now + dt.timedelta(weeks=weeks)).group_by(Booking.coach_id)).all())
    last = dict(db.session.execute(
        select(Booking.coach_id, func.max(Booking.created_at)).where(
            Booking.event_type_id == event.id, Booking.coach_id.in_(coach_ids)).group_by(Booking.coach_id)).all())
    result = {}
    for cid in coach_ids:
        last_at = last.get(cid)
        if last_at is not None and last_at.tzinfo is None:  # SQLite aggregates lose the column type
            last_at = last_at.replace(tzinfo=dt.UTC)
        elif isinstance(last_at, str):
            last_at = dt.datetime.fromisoformat(last_at).replace(tzinfo=dt.UTC)
        result[cid] = (counts.get(cid, 0), last_at)
    return result


def free_slots(event: EventType, first_day: dt.date, last_day: dt.date, zone_name: str, now: dt.datetime,
               coach_slug: str | None = None, coaches: Sequence[CoachProfile] | None = None) -> list[slots.Slot]:
    """Free slots on the days first_day..last_day as the viewer in `zone_name` sees them."""
    if coaches is None:
        coaches = bookable_coaches(event, coach_slug)
    start, _ = day_bounds(first_day, zone_name)
    _, end = day_bounds(last_day, zone_name)
    calendars = load_calendars(coaches, start, end)
    return slots.compute_slots(calendars, engine_settings(event), start, end, now)
