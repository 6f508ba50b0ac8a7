"""Property tests for the slot engine: invariants over random calendars, and a brute-force oracle.

The oracle re-implements the rules naively and independently of the engine's code: wall times are turned
into UTC by trying every offset the zone uses and keeping the instants that read back as that wall time
(earliest for a start, latest for an end) and, inside a gap, by scanning minute by minute for the first
instant whose wall time passes the one asked for; candidates are checked
against every booking and busy time one by one, and daily counts by converting every booking.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.scheduling.slots import (
    Booked,
    CoachCalendar,
    Hours,
    Interval,
    Settings,
    Slot,
    availability_windows,
    compute_slots,
    is_free,
)

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
MIDNIGHT = dt.time(0, 0)
DAY = dt.timedelta(days=1)
# Each zone's 2026 DST changes (local dates) and the wall-clock hours they touch, so that hypothesis lands
# on gaps and overlaps often instead of almost never.
ZONE_PROFILES: dict[str, tuple[list[dt.date], list[int]]] = {
    "America/New_York": ([dt.date(2026, 3, 8), dt.date(2026, 11, 1)], [1, 2]),  # gap 02-03, overlap 01-02
    "Europe/London": ([dt.date(2026, 3, 29), dt.date(2026, 10, 25)], [1]),  # gap 01-02, overlap 01-02
    "Pacific/Auckland": ([dt.date(2026, 4, 5), dt.date(2026, 9, 27)], [2]),  # overlap 02-03, gap 02-03
    "Pacific/Chatham": ([dt.date(2026, 4, 5), dt.date(2026, 9, 27)], [2, 3]),  # overlap/gap 02:45-03:45
    "Australia/Lord_Howe": (
        [dt.date(2026, 4, 5), dt.date(2026, 10, 4)],
        [1, 2],
    ),  # overlap 01:30-02, gap 02-02:30
    "Asia/Kathmandu": ([], []),
    "UTC": ([], []),
}
ZONES = list(ZONE_PROFILES)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


# --- strategies -----------------------------------------------------------------------------------------


@functools.cache  # building strategies is slow; build each once per zone
def wall_times(zone: str) -> st.SearchStrategy[dt.time]:
    hours = st.integers(0, 23)
    if ZONE_PROFILES[zone][1]:
        hours = st.one_of(hours, st.sampled_from(ZONE_PROFILES[zone][1]))
    return st.builds(
        dt.time, hour=hours, minute=st.one_of(st.sampled_from([0, 15, 30, 45]), st.integers(0, 59))
    )


@st.composite
def wall_intervals(draw: st.DrawFn, zone: str) -> tuple[dt.time, dt.time]:
    a, b = sorted([draw(wall_times(zone)), draw(wall_times(zone))])
    if a == b or draw(st.integers(0, 5)) == 0:
        b = MIDNIGHT  # runs to the end of the day
    return a, b


@functools.cache
def day_rules(zone: str, min_size: int = 0) -> st.SearchStrategy[list[tuple[dt.time, dt.time]]]:
    return st.lists(wall_intervals(zone), min_size=min_size, max_size=3)


ROUND_THE_CLOCK = {day: [(MIDNIGHT, MIDNIGHT)] for day in range(7)}


@functools.cache
def weekly_rules(zone: str) -> st.SearchStrategy[dict[int, list[tuple[dt.time, dt.time]]]]:
    """Every weekday drawn, most with hours (so a DST Sunday usually has hours); sometimes round the clock."""
    working = day_rules(zone, min_size=1)
    drawn = st.fixed_dictionaries({day: st.one_of(working, working, st.just([])) for day in range(7)})
    return st.one_of(drawn, drawn, drawn, drawn, drawn, drawn, drawn, drawn, drawn, st.just(ROUND_THE_CLOCK))


@functools.cache
def interesting_dates(zone: str) -> st.SearchStrategy[dt.date]:
    """Mostly a day around one of the zone's DST changes, otherwise any date of 2026."""
    any_date = st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    if not ZONE_PROFILES[zone][0]:
        return any_date
    near_change = st.builds(
        lambda day, shift: day + dt.timedelta(days=shift),
        st.sampled_from(ZONE_PROFILES[zone][0]),
        st.integers(-1, 1),
    )
    return st.one_of(near_change, near_change, any_date)


@st.composite
def scenarios(
    draw: st.DrawFn, n_coaches: int = 1
) -> tuple[list[CoachCalendar], Settings, dt.datetime, dt.datetime, dt.datetime]:
    first_zone = draw(st.sampled_from(ZONES))
    base = draw(interesting_dates(first_zone))
    base_utc = dt.datetime.combine(base, MIDNIGHT, tzinfo=UTC)

    def instant(low_minutes: int, high_minutes: int) -> dt.datetime:
        return base_utc + minutes(draw(st.integers(low_minutes, high_minutes)))

    event_type_id = draw(st.sampled_from([None, 1, 2]))
    coaches = []
    for index in range(n_coaches):
        zone = first_zone if index == 0 else draw(st.sampled_from(ZONES))
        weekly = draw(weekly_rules(zone))
        override_dates = st.integers(-3, 4).map(lambda offset: base + dt.timedelta(days=offset))
        overrides = draw(st.dictionaries(override_dates, day_rules(zone), max_size=3))
        booked = [
            Booked(
                start := instant(-3 * 1440, 4 * 1440),
                start + minutes(draw(st.one_of(st.sampled_from([15, 30, 60]), st.integers(1, 240)))),
                buffer_before=minutes(draw(st.sampled_from([0, 0, 5, 15, 30]))),
                buffer_after=minutes(draw(st.sampled_from([0, 0, 5, 15, 30]))),
                # Mostly the event type being offered, so daily limits bite.
                event_type_id=draw(st.sampled_from([event_type_id, event_type_id, 3])),
            )
            for _ in range(draw(st.one_of(st.integers(0, 3), st.integers(3, 10))))
        ]
        busy = [
            Interval(start := instant(-2 * 1440, 4 * 1440), start + minutes(draw(st.integers(1, 240))))
            for _ in range(draw(st.integers(0, 3)))
        ]
        coaches.append(CoachCalendar(f"coach-{index}", Hours(zone, weekly, overrides), booked, busy))

    config = Settings(
        duration=minutes(draw(st.one_of(st.sampled_from([15, 30, 45, 60, 90]), st.integers(1, 180)))),
        interval=minutes(draw(st.one_of(st.sampled_from([15, 30, 60]), st.integers(1, 120)))),
        buffer_before=minutes(draw(st.sampled_from([0, 0, 10, 15, 30]))),
        buffer_after=minutes(draw(st.sampled_from([0, 0, 10, 15, 30]))),
        minimum_notice=minutes(draw(st.sampled_from([0, 0, 0, 30, 240, 720]))),
        window=minutes(draw(st.sampled_from([720, 1440, 3 * 1440, 60 * 1440, 60 * 1440, 60 * 1440]))),
        daily_limit=draw(st.sampled_from([None, None, 0, 1, 1, 2, 3])),
        event_type_id=event_type_id,
    )
    start = instant(-720, 720)
    end = start + minutes(draw(st.one_of(st.sampled_from([1440, 2 * 1440]), st.integers(1, 2 * 1440))))
    now = instant(-2 * 1440, draw(st.sampled_from([-720, 1440])))  # mostly before the range
    return coaches, config, start, end, now


# --- the oracle -----------------------------------------------------------------------------------------


def wall_of(instant: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


@functools.cache
def offsets_in_use(zone_name: str) -> tuple[dt.timedelta, ...]:
    """Every UTC offset the zone uses around 2026 (offsets last months, so sampling daily finds them all)."""
    zone = ZoneInfo(zone_name)
    first = dt.datetime(2025, 9, 1, tzinfo=UTC)
    offsets = {(first + days * DAY).astimezone(zone).utcoffset() or dt.timedelta(0) for days in range(600)}
    return tuple(sorted(offsets))


def naive_wall_to_utc(zone: ZoneInfo, wall: dt.datetime, is_end: bool) -> dt.datetime:
    """Try every offset the zone uses; keep the instants that really read `wall` there."""
    offsets = offsets_in_use(zone.key)
    hits = [
        instant for offset in offsets if wall_of(instant := wall.replace(tzinfo=UTC) - offset, zone) == wall
    ]
    if hits:
        return max(hits) if is_end else min(hits)
    # A gap: the first instant whose wall time is past `wall` (transitions fall on whole minutes).
    instant = wall.replace(tzinfo=UTC) - offsets[-1]
    while wall_of(instant, zone) <= wall:
        instant += minutes(1)
    return instant


def naive_windows(hours: Hours, first_day: dt.date, last_day: dt.date) -> list[list[dt.datetime]]:
    zone = ZoneInfo(hours.timezone)
    pieces = []
    day = first_day
    while day <= last_day:
        rules = hours.overrides[day] if day in hours.overrides else hours.weekly.get(day.weekday(), [])
        for a, b in rules:
            start = naive_wall_to_utc(zone, dt.datetime.combine(day, a), is_end=False)
            end_day = day + DAY if b == MIDNIGHT else day
            end = naive_wall_to_utc(zone, dt.datetime.combine(end_day, b), is_end=True)
            if start < end:
                pieces.append([start, end])
        day += DAY
    pieces.sort()
    merged: list[list[dt.datetime]] = []
    for piece in pieces:
        if merged and piece[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], piece[1])
        else:
            merged.append(piece)
    return merged


def anchored_windows(
    hours: Hours, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime, dt.datetime]]:
    """(anchor, start, end) for every window; a window that reaches back past 40 days is anchored on the
    epoch (with these scenarios that only happens with unbroken round-the-clock hours)."""
    zone = ZoneInfo(hours.timezone)
    last_day = end.astimezone(zone).date() + 2 * DAY
    for lookback in (3, 40):
        first_day = start.astimezone(zone).date() - lookback * DAY
        windows = naive_windows(hours, first_day, last_day)
        boundary = naive_wall_to_utc(zone, dt.datetime.combine(first_day, MIDNIGHT), is_end=False)
        if not windows or windows[0][0] > boundary:
            return [(w_start, w_start, w_end) for w_start, w_end in windows]
    return [(EPOCH if i == 0 else w_start, w_start, w_end) for i, (w_start, w_end) in enumerate(windows)]


def overlaps(a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime) -> bool:
    return a_start < b_end and b_start < a_end


def oracle_starts(
    coach: CoachCalendar, config: Settings, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[dt.datetime]:
    zone = ZoneInfo(coach.hours.timezone)
    found = []
    for anchor, w_start, w_end in anchored_windows(coach.hours, start, end + config.duration):
        k = -((anchor - max(w_start, start)) // config.interval)  # first grid step at or after both
        candidate = anchor + k * config.interval
        while candidate < end and candidate + config.duration <= w_end:
            if acceptable(coach, config, candidate, now, zone):
                found.append(candidate)
            candidate += config.interval
    return found


def acceptable(
    coach: CoachCalendar, config: Settings, s: dt.datetime, now: dt.datetime, zone: ZoneInfo
) -> bool:
    if s < now or s < now + config.minimum_notice or s > now + config.window:
        return False
    blocked = (s - config.buffer_before, s + config.duration + config.buffer_after)
    if any(overlaps(*blocked, b.start - b.buffer_before, b.end + b.buffer_after) for b in coach.booked):
        return False
    if any(overlaps(*blocked, busy.start, busy.end) for busy in coach.busy):
        return False
    if config.daily_limit is not None:
        local_day = s.astimezone(zone).date()
        same_day = sum(
            1
            for b in coach.booked
            if b.event_type_id == config.event_type_id and b.start.astimezone(zone).date() == local_day
        )
        if same_day >= config.daily_limit:
            return False
    return True


# --- properties -----------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(scenarios())
def test_every_slot_obeys_every_rule(
    scenario: tuple[list[CoachCalendar], Settings, dt.datetime, dt.datetime, dt.datetime],
) -> None:
    (coach,), config, start, end, now = scenario
    zone = ZoneInfo(coach.hours.timezone)
    slots = compute_slots([coach], config, start, end, now)
    assert [s.start for s in slots] == sorted({s.start for s in slots})
    horizon = start - dt.timedelta(days=30)
    windows = availability_windows(coach.hours, horizon, end + config.duration + DAY)
    for slot in slots:
        assert slot.coaches == (coach.key,)
        assert slot.end == slot.start + config.duration
        assert start <= slot.start < end
        assert max(now, now + config.minimum_notice) <= slot.start <= now + config.window
        # Inside a working window, on that window's grid (the epoch grid when it never breaks).
        (window,) = [w for w in windows if w.start <= slot.start and slot.end <= w.end]
        anchor = EPOCH if window.start == horizon else window.start
        assert (slot.start - anchor) % config.interval == dt.timedelta(0)
        blocked = (slot.start - config.buffer_before, slot.end + config.buffer_after)
        for b in coach.booked:
            assert not overlaps(*blocked, b.start - b.buffer_before, b.end + b.buffer_after)
        for busy in coach.busy:
            assert not overlaps(*blocked, busy.start, busy.end)
        if config.daily_limit is not None:
            local_day = slot.start.astimezone(zone).date()
            assert (
                sum(
                    1
                    for b in coach.booked
                    if b.event_type_id == config.event_type_id
                    and b.start.astimezone(zone).date() == local_day
                )
                < config.daily_limit
            )
        assert is_free(coach, config, slot.start, now)


@PROPERTY_SETTINGS
@given(scenarios())
def test_engine_agrees_with_the_brute_force_oracle(
    scenario: tuple[list[CoachCalendar], Settings, dt.datetime, dt.datetime, dt.datetime],
) -> None:
    (coach,), config, start, end, now = scenario
    expected = oracle_starts(coach, config, start, end, now)
    assert [s.start for s in compute_slots([coach], config, start, end, now)] == expected


@PROPERTY_SETTINGS
@given(scenarios(), st.lists(st.integers(-600, 3000), max_size=10))
def test_is_free_is_true_exactly_for_listed_starts(
    scenario: tuple[list[CoachCalendar], Settings, dt.datetime, dt.datetime, dt.datetime], probes: list[int]
) -> None:
    (coach,), config, start, end, now = scenario
    listed = [s.start for s in compute_slots([coach], config, start, end, now)]
    # Probe listed starts, their grid neighbours and random minutes inside the range.
    candidates = {
        s + delta for s in listed[:20] for delta in (dt.timedelta(0), config.interval, -config.interval)
    }
    candidates |= {start + minutes(p) for p in probes}
    for moment in candidates:
        if start <= moment < end:
            assert is_free(coach, config, moment, now) is (moment in listed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(n_coaches=3))
def test_coaches_merge_into_one_slot_per_start(
    scenario: tuple[list[CoachCalendar], Settings, dt.datetime, dt.datetime, dt.datetime],
) -> None:
    coaches, config, start, end, now = scenario
    by_start: dict[dt.datetime, list[str]] = {}
    for coach in coaches:
        for s in oracle_starts(coach, config, start, end, now):
            by_start.setdefault(s, []).append(coach.key)
    expected = [Slot(s, s + config.duration, tuple(sorted(keys))) for s, keys in sorted(by_start.items())]
    assert compute_slots(coaches, config, start, end, now) == expected


@st.composite
def hours_and_ranges(draw: st.DrawFn) -> tuple[Hours, dt.datetime, dt.datetime]:
    zone = draw(st.sampled_from(ZONES))
    base = draw(interesting_dates(zone))
    weekly = draw(weekly_rules(zone))
    override_dates = st.integers(-2, 2).map(lambda offset: base + dt.timedelta(days=offset))
    overrides = draw(st.dictionaries(override_dates, day_rules(zone), max_size=3))
    start = dt.datetime.combine(base, MIDNIGHT, tzinfo=UTC) + minutes(draw(st.integers(-1440, 1440)))
    return Hours(zone, weekly, overrides), start, start + minutes(draw(st.integers(1, 3 * 1440)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hours_and_ranges())
def test_working_windows_agree_with_the_oracle_around_dst_changes(
    case: tuple[Hours, dt.datetime, dt.datetime],
) -> None:
    hours, start, end = case
    zone = ZoneInfo(hours.timezone)
    naive = naive_windows(
        hours, start.astimezone(zone).date() - 2 * DAY, end.astimezone(zone).date() + 2 * DAY
    )
    expected = [Interval(max(s, start), min(e, end)) for s, e in naive if s < end and e > start]
    assert availability_windows(hours, start, end) == expected
