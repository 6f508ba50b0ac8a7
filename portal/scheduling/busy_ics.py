"""Busy times from a coach's own calendar file (.ics), so bookings avoid them.

Pure: no clock, no database, no network. Parsing is done by `icalendar`, recurrence expansion by
`recurring-ical-events` (which also applies Google's X-WR-TIMEZONE).

Rules (RFC 5545 unless noted):

* Only VEVENTs count. Skipped: TRANSP:TRANSPARENT and STATUS:CANCELLED (also when set on a single
  moved/overridden occurrence). Nothing else is skipped: tentative events, events the coach
  declined as an attendee, private events all block time.
* Times with a TZID are read in that zone (IANA names, Windows names and the file's own VTIMEZONE
  definitions all work). Floating times (no TZID) and TZIDs nobody defines are read in the
  calendar's X-WR-TIMEZONE if it declares a valid one (Google's meaning of that property), else in
  `default_zone`. All-day events (DATE values) block whole local days in `default_zone`.
* An event with a start time but no DTEND/DURATION takes no time (RFC 5545), so it blocks nothing;
  an all-day event without an end blocks its one day.
* Results are clipped to [start, end), converted to UTC, sorted, and merged (overlapping or
  touching intervals become one).
* A file is rejected as a whole (never partly read): anything wrong with it raises InvalidInput
  with one message that is safe to show, and no other exception type. That includes recurrence
  rules too costly to expand (e.g. FREQ=SECONDLY starting years ago), which would otherwise hang
  the request.

Arguments other than `data` are the caller's responsibility: a naive `start`/`end`, `end <= start`
or an unknown `default_zone` raise ValueError; `data` that is not bytes raises TypeError.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from collections.abc import Iterator

import recurring_ical_events
from icalendar import Calendar
from icalendar.prop import vDDDTypes, vRecur

from portal.core.errors import InvalidInput

__all__ = ["MAX_ICS_BYTES", "UNREADABLE", "parse_busy"]

MAX_ICS_BYTES = 2_000_000
UNREADABLE = "That file is not a calendar (.ics) we can read."

Interval = tuple[dt.datetime, dt.datetime]

# Expansion limits. dateutil walks every recurrence period from DTSTART, so a tiny file can ask for
# billions of steps; such files are refused before any expansion. The budget is for the whole file
# and costs a few seconds of CPU at worst; real calendars (hundreds of weekly series running for
# years) use a fraction of it.
MAX_RECURRENCE_STEPS = 2_000_000
MAX_OCCURRENCES = 100_000
_PERIOD_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3_600,
    "DAILY": 86_400,
    "WEEKLY": 7 * 86_400,
    "MONTHLY": 28 * 86_400,
    "YEARLY": 365 * 86_400,
}
_STEP_WEIGHT = {"SECONDLY": 10}  # dateutil is ~10x slower per step for SECONDLY rules
_LOOKUPS_PER_STEP = 20  # scanning ~20 cached time zone transitions costs about one rule step
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")  # each value multiplies the work per period
_FAR_FUTURE = dt.datetime(9999, 12, 31)
# Floating/all-day values are compared with our UTC window in unknown ways before we convert them,
# so expansion runs over a window padded by more than any UTC offset, and we clip afterwards.
_PAD = dt.timedelta(days=2)
# Properties whose bad values change the answer. A bad value elsewhere (e.g. a CREATED or
# LAST-MODIFIED that is not a date) is tolerated, as calendar apps do; a line that is not a content
# line at all is not.
_TIME_PROPERTIES = frozenset({"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"})


def parse_busy(data: bytes, start: dt.datetime, end: dt.datetime, default_zone: str) -> list[Interval]:
    """Busy intervals (UTC-aware, merged, sorted) from an .ics file's events that overlap [start, end).

    Recurring events (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) are expanded with
    recurring-ical-events. See the module docstring for what counts as busy.

    Raises InvalidInput(UNREADABLE) for: empty data, data over MAX_ICS_BYTES, undecodable bytes,
    text that is not a VCALENDAR, broken content lines or nesting, an event without a usable
    DTSTART, bad recurrence data, or recurrences too costly to expand; never another exception
    type for bad data.
    """
    window = _window(start, end)
    zone = _zone(default_zone)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("data must be bytes")
    try:
        calendars = _load(bytes(data), until=(window[1] + 2 * _PAD).replace(tzinfo=None))
        busy: list[Interval] = []
        for begin, finish in _busy_in(calendars, window, zone):
            begin, finish = max(begin, window[0]), min(finish, window[1])
            if begin < finish:
                busy.append((begin, finish))
    except InvalidInput:
        raise
    except Exception as exc:  # the libraries raise many types for bad data; callers get one
        raise _unreadable() from exc
    return _merge(busy)


# ---------------------------------------------------------------------------------------------
# Arguments


def _window(start: dt.datetime, end: dt.datetime) -> Interval:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be a timezone-aware datetime")
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    if end <= start:
        raise ValueError("end must be after start")
    return start, end


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone: {name!r}") from exc


# ---------------------------------------------------------------------------------------------
# Reading the file


def _unreadable() -> InvalidInput:
    return InvalidInput(UNREADABLE, fields={"file": UNREADABLE})


def _load(data: bytes, until: dt.datetime) -> list[Calendar]:
    if not data.strip() or len(data) > MAX_ICS_BYTES:
        raise _unreadable()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _unreadable() from exc
    _check_structure(text)
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except Exception as exc:
        raise _unreadable() from exc
    if not calendars or any(c.name != "VCALENDAR" for c in calendars):
        raise _unreadable()
    for calendar in calendars:
        _check_components(calendar)
        _drop_unknown_x_wr_timezone(calendar)
    _check_recurrence_cost(calendars, until)
    return calendars


_NEWLINE = re.compile(r"\r\n|\n|\r")
_FOLD = re.compile(r"(?:\r\n|\n|\r)[ \t]")


def _check_structure(text: str) -> None:
    """BEGIN/END must nest and close, everything must sit inside a component, and the file must
    start with BEGIN:VCALENDAR. (icalendar silently accepts a file cut off before its END lines.)"""
    stack: list[str] = []
    seen_component = False
    for line in _NEWLINE.split(_FOLD.sub("", text)):
        if not line.strip():
            continue
        head, _, value = line.partition(":")
        head, value = head.strip().upper(), value.strip().upper()
        if head == "BEGIN":
            if not stack and (value != "VCALENDAR"):
                raise _unreadable()
            stack.append(value)
            seen_component = True
        elif head == "END":
            if not stack or stack.pop() != value:
                raise _unreadable()
        elif not stack:
            raise _unreadable()
    if stack or not seen_component:
        raise _unreadable()


def _check_components(calendar: Calendar) -> None:
    for component in calendar.walk():
        for prop, _message in component.errors:
            if prop is None or prop.upper() in _TIME_PROPERTIES or component.name in (
                "VTIMEZONE", "STANDARD", "DAYLIGHT"
            ):
                raise _unreadable()
        if component.name == "VEVENT":
            dtstart = component.get("DTSTART")
            if not isinstance(dtstart, vDDDTypes) or not isinstance(dtstart.dt, dt.date):
                raise _unreadable()


def _drop_unknown_x_wr_timezone(calendar: Calendar) -> None:
    """recurring-ical-events applies X-WR-TIMEZONE and fails on a zone name it cannot find;
    a bad or repeated one is ignored instead (the file's other times are still meaningful)."""
    value = calendar.get("X-WR-TIMEZONE")
    if value is None:
        return
    try:
        if isinstance(value, list):
            raise ValueError("repeated X-WR-TIMEZONE")
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        del calendar["X-WR-TIMEZONE"]


# ---------------------------------------------------------------------------------------------
# Cost guard


def _check_recurrence_cost(calendars: list[Calendar], until: dt.datetime) -> None:
    """Estimate the steps dateutil will take and refuse the file if it is over budget.

    VEVENT rules are walked from DTSTART to `until` (past the window's end); time zone rules
    (STANDARD/DAYLIGHT in a VTIMEZONE) may be walked to any date an event uses, so to year 9999.
    A time zone only the file defines (not in the tz database, e.g. Outlook's "Customized Time
    Zone") becomes a dateutil zone that scans its transitions on every offset lookup, so each step
    of an event in it costs that scan too.
    Only naive values are used here: asking a custom VTIMEZONE for an offset would itself expand it.
    """
    steps = 0.0
    for calendar in calendars:
        lookup_cost: dict[str, float] = {}
        for timezone in calendar.walk("VTIMEZONE"):
            parts = timezone.subcomponents
            steps += sum(_component_steps(part, _FAR_FUTURE) for part in parts)
            lookup_cost[str(timezone.get("TZID", ""))] = sum(_component_steps(part, until) for part in parts)
        for event in calendar.walk("VEVENT"):
            dtstart = event["DTSTART"]  # present and a date/datetime: checked by _check_components
            weight = 1.0
            tzinfo = getattr(dtstart.dt, "tzinfo", None)
            if tzinfo is not None and not isinstance(tzinfo, (zoneinfo.ZoneInfo, dt.timezone)):
                tzid = str(dtstart.params.get("TZID", ""))
                weight = max(1.0, lookup_cost.get(tzid, 0.0) / _LOOKUPS_PER_STEP)
            steps += max(_component_steps(event, until), 1.0) * weight
        if steps > MAX_RECURRENCE_STEPS:
            raise _unreadable()


def _component_steps(component, upper: dt.datetime) -> float:
    rules = component.get("RRULE")
    if rules is None:
        return 0.0
    dtstart = component.get("DTSTART")
    if not isinstance(dtstart, vDDDTypes) or not isinstance(dtstart.dt, dt.date):
        raise _unreadable()
    total = 0.0
    for rule in rules if isinstance(rules, list) else [rules]:
        if not isinstance(rule, vRecur):
            raise _unreadable()
        total += _rule_steps(rule, _naive(dtstart.dt), upper)
        if total > MAX_RECURRENCE_STEPS:
            raise _unreadable()
    return total


def _rule_steps(rule: vRecur, dtstart: dt.datetime, upper: dt.datetime) -> float:
    freq = str(_first(rule, "FREQ", "")).upper()
    if freq not in _PERIOD_SECONDS:
        raise _unreadable()
    interval = int(_first(rule, "INTERVAL", 1) or 1)
    if interval < 1:
        raise _unreadable()
    until = _first(rule, "UNTIL", None)
    if until is not None:
        upper = min(upper, _naive(until))
    span = max((upper - dtstart).total_seconds(), 0.0)
    periods = math.floor(span / (_PERIOD_SECONDS[freq] * interval)) + 1
    count = _first(rule, "COUNT", None)
    if count is not None and not any(key.startswith("BY") for key in rule):
        periods = min(periods, int(count))  # every period yields exactly one occurrence
    per_period = 1
    for part in _TIME_PARTS:
        per_period *= max(len(rule.get(part, [])), 1)
    return periods * per_period * _STEP_WEIGHT.get(freq, 1)


def _first(rule: vRecur, key: str, default):
    values = rule.get(key)
    return values[0] if values else default


def _naive(value: dt.date) -> dt.datetime:
    """A wall-clock datetime for estimates; never asks a tzinfo for its offset."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value, dt.time())


# ---------------------------------------------------------------------------------------------
# Expansion


def _busy_in(calendars: list[Calendar], window: Interval, zone: zoneinfo.ZoneInfo) -> Iterator[Interval]:
    """(start, end) in UTC of every blocking occurrence near the window (unclipped)."""
    low, high = window[0] - _PAD, window[1] + _PAD
    # Series are walked lazily (rather than with query.between(), which builds the whole list)
    # so that MAX_OCCURRENCES stops a runaway expansion early.
    series = [s for calendar in calendars for s in recurring_ical_events.of(calendar).series]
    occurrences = (occurrence for s in series for occurrence in s.between(low, high))
    for count, occurrence in enumerate(occurrences, start=1):
        if count > MAX_OCCURRENCES:
            raise _unreadable()
        component = occurrence.as_component(False)
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(component.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        yield _instant(occurrence.start, zone), _instant(occurrence.end, zone)


def _instant(value: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    raise TypeError(f"not a date or datetime: {value!r}")


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            if finish > merged[-1][1]:
                merged[-1] = (merged[-1][0], finish)
        else:
            merged.append((begin, finish))
    return merged
