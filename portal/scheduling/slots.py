"""The slot engine: which start times can a client book, with which coaches.

Pure functions over plain values: coach hours, bookings and busy times go in together with an explicit
`now`; UTC slots come out. Nothing here reads a clock, a database or a request.

The rules, in the order they are applied to each coach:

1. Working windows. For every local date (coach's zone) that can touch the requested range, the day's
   wall-clock intervals are `hours.overrides[date]` when that date is overridden (an empty sequence is a day
   off), else `hours.weekly[date.weekday()]`. An end of 00:00 means 24:00, the next local midnight. Each
   wall time becomes a UTC instant with these DST rules:
   - a start inside a spring-forward gap moves to the first real instant after the gap, and an end inside
     a gap moves to the gap's start; both are the transition instant, so 02:00-04:00 on a New York
     spring-forward day covers 03:00-04:00 EDT (one real hour);
   - in a fall-back overlap a start takes the earlier instant (fold=0) and an end the later one (fold=1),
     so 01:00-02:00 on a New York fall-back day covers both 01:00 hours (two real hours).
   Intervals that become empty are dropped; overlapping or touching intervals, also across midnight and
   across days, merge into one window.
2. Grid. Within a window, candidate starts are `anchor + k * interval` (k = 0, 1, ...) that also satisfy
   `window.start <= candidate` and `candidate + duration <= window.end`. The anchor is the window's start,
   found by following the window back across as many days as it runs unbroken (so the grid never depends
   on the range asked for). A window that never breaks going back (round-the-clock hours with no earlier
   break in the overrides) is anchored on the UTC epoch grid, 1970-01-01T00:00Z + k * interval. Steps
   are in real (UTC) time, also across a DST change. Buffers may fall outside the window.
3. Notice and booking window: `max(now, now + minimum_notice) <= candidate <= now + window`.
4. Conflicts: the candidate's blocked range `[s - buffer_before, s + duration + buffer_after)` must not
   overlap any booking's `[b.start - b.buffer_before, b.end + b.buffer_after)` (bookings of any event
   type) nor any busy interval. All ranges are half-open, so touching is fine.
5. Daily limit: when `daily_limit` is set, a local date (coach's zone) on which the coach already has
   `daily_limit` or more bookings with `event_type_id == settings.event_type_id` (None matches None)
   starting offers no candidates whose start falls on that local date. A limit of 0 offers nothing.
6. Output: coaches free at the same instant share one `Slot`; `Slot.coaches` is sorted, slots are sorted
   by start, and all datetimes are UTC (`datetime.timezone.utc`).

Cost: per coach one pass over the local days of the range, one filter + sort of the bookings and busy
times that can matter, and one walk over the candidates with a moving pointer into the merged blocked
ranges (a blocked candidate jumps straight past the range that blocks it).
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Booked",
    "CoachCalendar",
    "Hours",
    "Interval",
    "Settings",
    "Slot",
    "availability_windows",
    "compute_slots",
    "is_free",
]

UTC = dt.UTC
_DAY = dt.timedelta(days=1)
_ZERO = dt.timedelta(0)
_MICROSECOND = dt.timedelta(microseconds=1)
_MIDNIGHT = dt.time(0, 0)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
# UTC offsets span -12h..+14h, so two instants on the same local date are always closer than this.
_LOCAL_DAY_REACH = dt.timedelta(days=3)
# Following a window back further than this only happens with contrived overrides; treat it as endless.
_MAX_LOOKBACK_DAYS = 400

WallInterval = tuple[dt.time, dt.time]


# --- values ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span of time [start, end); aware datetimes (UTC from this module), start < end."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "Interval.start")
        _require_aware(self.end, "Interval.end")
        if not self.start < self.end:
            raise ValueError("Interval.start must be before Interval.end")


@dataclass(frozen=True, slots=True)
class Hours:
    """A coach's rules, in the coach's IANA zone.

    `weekly` maps weekday (0=Mon..6=Sun) to wall-clock intervals; `overrides` maps a local date to intervals
    that replace that day's weekly hours (an empty sequence is a day off). In an interval `(start, end)` an
    end of 00:00 means 24:00; otherwise start < end. Times are naive wall-clock times.
    """

    timezone: str
    weekly: Mapping[int, Sequence[WallInterval]]
    overrides: Mapping[dt.date, Sequence[WallInterval]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _zone(self.timezone)
        for weekday, intervals in self.weekly.items():
            if isinstance(weekday, bool) or weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {weekday!r}")
            _check_wall_intervals(intervals)
        for day, intervals in self.overrides.items():
            # A datetime key would never equal the dates we look up, silently ignoring the override.
            if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
                raise TypeError(f"override keys must be dates, got {day!r}")
            _check_wall_intervals(intervals)


@dataclass(frozen=True, slots=True)
class Booked:
    """An existing active booking of the coach (any event type)."""

    start: dt.datetime
    end: dt.datetime
    buffer_before: dt.timedelta = dt.timedelta(0)
    buffer_after: dt.timedelta = dt.timedelta(0)
    event_type_id: int | None = None

    def __post_init__(self) -> None:
        _require_aware(self.start, "Booked.start")
        _require_aware(self.end, "Booked.end")
        if not self.start < self.end:
            raise ValueError("Booked.start must be before Booked.end")
        if self.buffer_before < _ZERO or self.buffer_after < _ZERO:
            raise ValueError("booking buffers must not be negative")


@dataclass(frozen=True, slots=True)
class CoachCalendar:
    """Everything the engine needs about one coach. `busy` holds blocked times, time off and busy times
    from external calendars."""

    key: str
    hours: Hours
    booked: Sequence[Booked] = ()
    busy: Sequence[Interval] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    """How an event type is offered. `window` bounds the latest start (now + window, inclusive);
    `daily_limit` counts, per coach and local day, the coach's bookings of `event_type_id`."""

    duration: dt.timedelta
    interval: dt.timedelta
    buffer_before: dt.timedelta = dt.timedelta(0)
    buffer_after: dt.timedelta = dt.timedelta(0)
    minimum_notice: dt.timedelta = dt.timedelta(0)
    window: dt.timedelta = dt.timedelta(days=60)
    daily_limit: int | None = None
    event_type_id: int | None = None

    def __post_init__(self) -> None:
        if self.duration <= _ZERO:
            raise ValueError("duration must be positive")
        if self.interval <= _ZERO:
            raise ValueError("interval must be positive")
        if min(self.buffer_before, self.buffer_after, self.minimum_notice, self.window) < _ZERO:
            raise ValueError("buffers, minimum notice and window must not be negative")
        if self.daily_limit is not None and self.daily_limit < 0:
            raise ValueError("daily_limit must not be negative")


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable start. `coaches` holds the keys of the coaches free then, sorted."""

    start: dt.datetime
    end: dt.datetime
    coaches: tuple[str, ...]


# --- public functions -----------------------------------------------------------------------------------


def compute_slots(
    coaches: Sequence[CoachCalendar],
    settings: Settings,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> list[Slot]:
    """Free slots whose start lies in [start, end) (UTC-aware), sorted by start, merged across coaches.

    See the module docstring for the rules. ValueError for naive datetimes or duplicate coach keys.
    """
    start = _require_aware(start, "start")
    end = _require_aware(end, "end")
    now = _require_aware(now, "now")
    keys = [coach.key for coach in coaches]
    if len(set(keys)) != len(keys):
        raise ValueError("coach keys must be unique")
    free: dict[dt.datetime, list[str]] = {}
    for coach in coaches:
        for slot_start in _free_starts(coach, settings, start, end, now):
            free.setdefault(slot_start, []).append(coach.key)
    return [
        Slot(slot_start, slot_start + settings.duration, tuple(sorted(free[slot_start])))
        for slot_start in sorted(free)
    ]


def availability_windows(hours: Hours, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """The coach's working time within [start, end) as UTC intervals: merged, sorted, disjoint and
    non-touching, each clipped to [start, end). Used by the coach's week view too."""
    start = _require_aware(start, "start")
    end = _require_aware(end, "end")
    if start >= end:
        return []
    windows, _ = _working_windows(hours, _zone(hours.timezone), start, end)
    return [
        Interval(max(w_start, start), min(w_end, end))
        for w_start, w_end in windows
        if w_start < end and w_end > start
    ]


def is_free(coach: CoachCalendar, settings: Settings, slot_start: dt.datetime, now: dt.datetime) -> bool:
    """True when slot_start is one of compute_slots([coach], ...) for any range containing it.

    Runs the very same code as compute_slots on a one-microsecond range, so listing and booking cannot
    disagree; only the local days around slot_start are expanded (bookings are filtered, not sorted).
    """
    slot_start = _require_aware(slot_start, "slot_start")
    now = _require_aware(now, "now")
    return slot_start in _free_starts(coach, settings, slot_start, slot_start + _MICROSECOND, now)


# --- one coach ------------------------------------------------------------------------------------------


def _free_starts(
    coach: CoachCalendar, settings: Settings, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[dt.datetime]:
    """The coach's free starts in [start, end), ascending, UTC."""
    earliest = max(start, now, now + settings.minimum_notice)
    latest = min(end - _MICROSECOND, now + settings.window)  # inclusive; datetimes have µs resolution
    if earliest > latest or settings.daily_limit == 0:
        return []
    hours = coach.hours
    zone = _zone(hours.timezone)
    duration, step = settings.duration, settings.interval
    windows, first_day = _working_windows(hours, zone, earliest, latest + duration)
    if not windows:
        return []
    first_anchor = _grid_anchor(hours, zone, first_day, windows[0][0])
    blocked_starts, blocked_ends = _blocked_ranges(coach, settings, earliest, latest)
    full_days = _full_days(coach, settings, zone, earliest, latest)

    free: list[dt.datetime] = []
    pointer, n_blocked = 0, len(blocked_starts)
    for index, (w_start, w_end) in enumerate(windows):
        anchor = first_anchor if index == 0 else w_start
        last = min(latest, w_end - duration)
        candidate = _next_on_grid(anchor, max(w_start, earliest), step)
        while candidate <= last:
            # Candidates only move forward: a range ending before this blocked range never matters again.
            reach_back = candidate - settings.buffer_before
            while pointer < n_blocked and blocked_ends[pointer] <= reach_back:
                pointer += 1
            if pointer < n_blocked and blocked_starts[pointer] < candidate + duration + settings.buffer_after:
                candidate = _next_on_grid(anchor, blocked_ends[pointer] + settings.buffer_before, step)
                continue
            if not full_days or candidate.astimezone(zone).date() not in full_days:
                free.append(candidate)
            candidate += step
    return free


def _next_on_grid(anchor: dt.datetime, at_least: dt.datetime, step: dt.timedelta) -> dt.datetime:
    """The first `anchor + k * step` (integer k) at or after `at_least`."""
    return anchor + -((anchor - at_least) // step) * step


def _blocked_ranges(
    coach: CoachCalendar, settings: Settings, earliest: dt.datetime, latest: dt.datetime
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """Merged blocked ranges (bookings with their buffers, busy times) that can touch a candidate starting
    in [earliest, latest], as parallel start/end lists."""
    low = earliest - settings.buffer_before
    high = latest + settings.duration + settings.buffer_after
    ranges: list[tuple[dt.datetime, dt.datetime]] = []
    for booking in coach.booked:
        b_start = booking.start - booking.buffer_before
        b_end = booking.end + booking.buffer_after
        if b_start < high and b_end > low:
            ranges.append((b_start.astimezone(UTC), b_end.astimezone(UTC)))
    for busy in coach.busy:
        if busy.start < high and busy.end > low:
            ranges.append((busy.start.astimezone(UTC), busy.end.astimezone(UTC)))
    merged = _merge(ranges)
    return [r[0] for r in merged], [r[1] for r in merged]


def _full_days(
    coach: CoachCalendar,
    settings: Settings,
    zone: zoneinfo.ZoneInfo,
    earliest: dt.datetime,
    latest: dt.datetime,
) -> set[dt.date]:
    """Local dates that have reached the daily limit (empty when there is no limit)."""
    limit = settings.daily_limit
    if limit is None:
        return set()
    low, high = earliest - _LOCAL_DAY_REACH, latest + _LOCAL_DAY_REACH
    counts: dict[dt.date, int] = {}
    for booking in coach.booked:
        if booking.event_type_id == settings.event_type_id and low <= booking.start <= high:
            day = booking.start.astimezone(zone).date()
            counts[day] = counts.get(day, 0) + 1
    return {day for day, count in counts.items() if count >= limit}


# --- working windows ------------------------------------------------------------------------------------


def _working_windows(
    hours: Hours, zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime
) -> tuple[list[list[dt.datetime]], dt.date]:
    """Merged UTC windows of every local date that can touch [start, end), and the first such date.

    A day before/after the range is included because a local day's hours can reach well past its UTC date
    (UTC+14 to UTC-12). Only the first window can be cut short by where we started; see _grid_anchor.
    """
    first_day = (start - _DAY).astimezone(zone).date()
    last_day = (end + _DAY).astimezone(zone).date()
    pieces: list[tuple[dt.datetime, dt.datetime]] = []
    day = first_day
    while day <= last_day:
        pieces.extend(_day_windows(hours, zone, day))
        day += _DAY
    return _merge(pieces), first_day


def _day_windows(
    hours: Hours, zone: zoneinfo.ZoneInfo, day: dt.date
) -> list[tuple[dt.datetime, dt.datetime]]:
    """One local date's hours as UTC intervals (unmerged; empty ones dropped)."""
    windows = []
    for start_time, end_time in _rules_for(hours, day):
        start = _wall_to_utc(zone, dt.datetime.combine(day, start_time), is_end=False)
        end_day = day + _DAY if end_time == _MIDNIGHT else day
        end = _wall_to_utc(zone, dt.datetime.combine(end_day, end_time), is_end=True)
        if start < end:  # e.g. 02:15-02:45 inside a spring-forward gap is no time at all
            windows.append((start, end))
    return windows


def _rules_for(hours: Hours, day: dt.date) -> Sequence[WallInterval]:
    rules = hours.overrides.get(day)
    return hours.weekly.get(day.weekday(), ()) if rules is None else rules


def _grid_anchor(
    hours: Hours, zone: zoneinfo.ZoneInfo, first_day: dt.date, window_start: dt.datetime
) -> dt.datetime:
    """Where the grid of the first generated window starts: the window's true start.

    The window was built from `first_day` on, but it may run unbroken from earlier days (night shifts,
    multi-day overrides). Anchoring on the generated start would make the grid depend on the range asked
    for, and then is_free could disagree with a listing. So follow it back a day at a time; through a run
    of round-the-clock weekly days jump straight to the previous override; if nothing ever breaks the
    window, use the epoch grid.
    """
    round_the_clock = _weekly_is_round_the_clock(hours)
    override_days: list[dt.date] | None = None
    start, day = window_start, first_day
    for _ in range(_MAX_LOOKBACK_DAYS):
        previous = day - _DAY
        if round_the_clock and previous not in hours.overrides:
            # A whole day ends at the next local midnight; it extends the window only if it reaches it.
            if start > _wall_to_utc(zone, dt.datetime.combine(day, _MIDNIGHT), is_end=True):
                return start
            if override_days is None:
                override_days = sorted(hours.overrides)
            i = bisect.bisect_left(override_days, previous)
            if i == 0:
                return _EPOCH
            day = override_days[i - 1] + _DAY  # every day from here to `previous` is whole
            start = _wall_to_utc(zone, dt.datetime.combine(day, _MIDNIGHT), is_end=False)
            continue
        # Merged windows are disjoint, so at most one of the previous day's runs from before `start` into it.
        earlier = [
            w_start
            for w_start, w_end in _merge(_day_windows(hours, zone, previous))
            if w_start < start <= w_end
        ]
        if not earlier:
            return start
        start, day = earlier[0], previous
    return _EPOCH


def _weekly_is_round_the_clock(hours: Hours) -> bool:
    """True when every weekday's weekly hours cover 00:00-24:00 without a gap (in wall-clock terms)."""
    for weekday in range(7):
        covered = dt.timedelta(0)
        for start_time, end_time in sorted(
            (_since_midnight(a, False), _since_midnight(b, True)) for a, b in hours.weekly.get(weekday, ())
        ):
            if start_time > covered:
                return False
            covered = max(covered, end_time)
        if covered < _DAY:
            return False
    return True


def _since_midnight(time: dt.time, is_end: bool) -> dt.timedelta:
    if is_end and time == _MIDNIGHT:
        return _DAY
    return dt.timedelta(
        hours=time.hour, minutes=time.minute, seconds=time.second, microseconds=time.microsecond
    )


def _wall_to_utc(zone: zoneinfo.ZoneInfo, wall: dt.datetime, *, is_end: bool) -> dt.datetime:
    """A naive local wall time as a UTC instant, with the module's DST rules for starts and ends."""
    at_fold0, at_fold1 = _read_as_utc(zone, wall, 0), _read_as_utc(zone, wall, 1)
    if at_fold0 == at_fold1:
        return at_fold0
    if at_fold0 < at_fold1:  # the wall time happens twice (fall back)
        return at_fold1 if is_end else at_fold0
    # The wall time never happens (spring forward): fold=1 reads it with the later offset, landing before
    # the transition, fold=0 after it. Starts and ends alike go to the transition itself.
    return _transition_between(zone, at_fold1, at_fold0)


def _read_as_utc(zone: zoneinfo.ZoneInfo, wall: dt.datetime, fold: int) -> dt.datetime:
    """The UTC instant `wall` names in `zone` with the given fold (zoneinfo always knows the offset)."""
    offset = wall.replace(tzinfo=zone, fold=fold).utcoffset() or _ZERO
    return (wall - offset).replace(tzinfo=UTC, fold=0)


def _transition_between(zone: zoneinfo.ZoneInfo, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    """The first instant in (low, high] whose UTC offset differs from low's (binary search, µs precision).

    zoneinfo does not expose transition times; this runs only for wall times inside a gap.
    """
    offset_before = low.astimezone(zone).utcoffset()
    while high - low > _MICROSECOND:
        middle = low + (high - low) // 2
        if middle.astimezone(zone).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return high


def _merge(pieces: list[tuple[dt.datetime, dt.datetime]]) -> list[list[dt.datetime]]:
    """Sort half-open ranges and merge the ones that overlap or touch."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(pieces):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


# --- validation -----------------------------------------------------------------------------------------

_zones: dict[str, zoneinfo.ZoneInfo] = {}


def _zone(name: str) -> zoneinfo.ZoneInfo:
    """A cached ZoneInfo; ValueError for anything that is not a known IANA zone."""
    zone = _zones.get(name)
    if zone is None:
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
            raise ValueError(f"unknown time zone: {name!r}") from exc
        _zones[name] = zone
    return zone


def _require_aware(value: dt.datetime, what: str) -> dt.datetime:
    """The value as UTC; ValueError for naive datetimes (mixing them with aware ones is always a bug)."""
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(UTC)


def _check_wall_intervals(intervals: Sequence[WallInterval]) -> None:
    for interval in intervals:
        start, end = interval
        for time in (start, end):
            if not isinstance(time, dt.time):
                raise TypeError(f"hours must be datetime.time values, got {time!r}")
            if time.tzinfo is not None:
                raise ValueError(f"hours must be naive wall-clock times, got {time!r}")
        if not (start < end or end == _MIDNIGHT):
            raise ValueError(f"hours interval must end after it starts (00:00 = midnight): {start}-{end}")
