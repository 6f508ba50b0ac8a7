"""Example tests for the slot engine, one behaviour each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pytest

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
WallIntervals = Sequence[tuple[dt.time, dt.time]]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def t(hour: int, minute: int = 0) -> dt.time:
    return dt.time(hour, minute)


def minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


# Well before every date used below; the booking window is widened so it never gets in the way.
NOW = utc(2026, 1, 1)


def settings(duration: int = 60, interval: int = 30, **overrides: Any) -> Settings:
    overrides.setdefault("window", dt.timedelta(days=400))
    return Settings(duration=minutes(duration), interval=minutes(interval), **overrides)


def coach(
    key: str = "ann",
    zone: str = "UTC",
    weekly: Mapping[int, WallIntervals] | None = None,
    overrides: Mapping[dt.date, WallIntervals] | None = None,
    booked: Sequence[Booked] = (),
    busy: Sequence[Interval] = (),
) -> CoachCalendar:
    hours = Hours(zone, weekly if weekly is not None else {}, overrides if overrides is not None else {})
    return CoachCalendar(key, hours, tuple(booked), tuple(busy))


def starts(
    coaches: CoachCalendar | Sequence[CoachCalendar],
    config: Settings,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime = NOW,
) -> list[dt.datetime]:
    group = [coaches] if isinstance(coaches, CoachCalendar) else list(coaches)
    return [slot.start for slot in compute_slots(group, config, start, end, now)]


MONDAY = dt.date(2026, 3, 2)  # a Monday in UTC terms, far from any DST change in the zones used with it


def monday(hour: int, minute: int = 0) -> dt.datetime:
    return utc(2026, 3, 2, hour, minute)


# --- working windows and the grid -----------------------------------------------------------------------


def test_plain_weekday_in_utc_offers_every_grid_start_whose_meeting_fits() -> None:
    ann = coach(weekly={0: [(t(9), t(12))]})
    assert starts(ann, settings(), monday(0), utc(2026, 3, 9)) == [
        monday(9),
        monday(9, 30),
        monday(10),
        monday(10, 30),
        monday(11),
    ]


def test_slot_carries_end_and_coach_key() -> None:
    ann = coach(weekly={0: [(t(9), t(10))]})
    assert compute_slots([ann], settings(), monday(0), monday(23), NOW) == [
        Slot(monday(9), monday(10), ("ann",))
    ]


def test_several_intervals_a_day_each_start_their_own_grid() -> None:
    ann = coach(weekly={0: [(t(9), t(10)), (t(13, 15), t(14, 45))]})
    assert starts(ann, settings(duration=45), monday(0), monday(23)) == [
        monday(9),
        monday(13, 15),
        monday(13, 45),
    ]


def test_overlapping_and_adjacent_intervals_merge_into_one_window() -> None:
    ann = coach(weekly={0: [(t(10), t(11)), (t(9), t(10)), (t(10, 30), t(11, 30))]})
    # One 09:00-11:30 window on a 45-minute grid; unmerged windows would give 09:00, 10:00, 10:30.
    assert starts(ann, settings(interval=45), monday(0), monday(23)) == [
        monday(9),
        monday(9, 45),
        monday(10, 30),
    ]


def test_override_replaces_the_weekly_hours_of_that_date() -> None:
    ann = coach(weekly={0: [(t(9), t(11))]}, overrides={dt.date(2026, 3, 9): [(t(14), t(15))]})
    week = starts(ann, settings(duration=60, interval=60), monday(0), utc(2026, 3, 16))
    assert week == [monday(9), monday(10), utc(2026, 3, 9, 14)]


def test_override_can_open_a_day_without_weekly_hours() -> None:
    ann = coach(weekly={0: [(t(9), t(10))]}, overrides={dt.date(2026, 3, 7): [(t(8), t(9))]})
    assert starts(ann, settings(), utc(2026, 3, 7), utc(2026, 3, 8)) == [utc(2026, 3, 7, 8)]


def test_empty_override_is_a_day_off() -> None:
    ann = coach(weekly={0: [(t(9), t(12))]}, overrides={MONDAY: []})
    assert starts(ann, settings(), monday(0), utc(2026, 3, 3)) == []
    assert availability_windows(ann.hours, monday(0), utc(2026, 3, 3)) == []


def test_midnight_end_means_the_end_of_that_day() -> None:
    ann = coach(weekly={0: [(t(22), t(0))]})
    assert starts(ann, settings(interval=60), monday(0), utc(2026, 3, 4)) == [monday(22), monday(23)]
    assert availability_windows(ann.hours, monday(0), utc(2026, 3, 4)) == [
        Interval(monday(22), utc(2026, 3, 3))
    ]


def test_whole_day_is_midnight_to_midnight() -> None:
    ann = coach(weekly={0: [(t(0), t(0))]})
    assert availability_windows(ann.hours, utc(2026, 3, 1), utc(2026, 3, 5)) == [
        Interval(monday(0), utc(2026, 3, 3))
    ]


def test_window_running_past_midnight_keeps_one_grid_whatever_range_is_asked() -> None:
    ann = coach(weekly={0: [(t(22), t(0))], 1: [(t(0), t(2))]})
    config = settings(duration=60, interval=90)
    assert starts(ann, config, monday(0), utc(2026, 3, 4)) == [monday(22), monday(23, 30), utc(2026, 3, 3, 1)]
    # Asking from Tuesday only must not restart the grid at Tuesday 00:00.
    assert starts(ann, config, utc(2026, 3, 3), utc(2026, 3, 4)) == [utc(2026, 3, 3, 1)]
    assert not is_free(ann, config, utc(2026, 3, 3), NOW)
    assert is_free(ann, config, utc(2026, 3, 3, 1), NOW)


def test_window_opened_by_an_earlier_override_is_anchored_where_it_really_starts() -> None:
    # Round-the-clock weekly hours broken by one shorter day: the window starts when that day's hours end.
    every_day = {day: [(t(0), t(0))] for day in range(7)}
    ann = coach(weekly=every_day, overrides={dt.date(2026, 2, 20): [(t(0), t(7))]})
    config = settings(duration=25, interval=25)
    # Unbroken from 2026-02-21 00:00; 10 days = 14,400 minutes = 576 * 25, so the grid hits 00:00 again.
    assert starts(ann, config, utc(2026, 3, 3), utc(2026, 3, 3, 1)) == [
        utc(2026, 3, 3, 0),
        utc(2026, 3, 3, 0, 25),
        utc(2026, 3, 3, 0, 50),
    ]


def test_round_the_clock_hours_with_no_break_use_the_utc_epoch_grid() -> None:
    ann = coach(weekly={day: [(t(0), t(0))] for day in range(7)})
    config = settings(duration=60, interval=7)
    first = starts(ann, config, utc(2026, 3, 3), utc(2026, 3, 3, 1))[0]
    assert (first - dt.datetime(1970, 1, 1, tzinfo=UTC)) % minutes(7) == dt.timedelta(0)
    assert first - utc(2026, 3, 3) < minutes(7)


def test_meeting_must_fit_inside_the_window_but_buffers_may_fall_outside() -> None:
    ann = coach(weekly={0: [(t(9), t(10))]})
    config = settings(duration=60, buffer_before=minutes(30), buffer_after=minutes(30))
    assert starts(ann, config, monday(0), monday(23)) == [monday(9)]


def test_availability_windows_are_merged_sorted_and_clipped_to_the_range() -> None:
    hours = Hours("UTC", {0: [(t(13), t(15)), (t(9), t(11)), (t(11), t(12))]})
    assert availability_windows(hours, monday(10), monday(14)) == [
        Interval(monday(10), monday(12)),
        Interval(monday(13), monday(14)),
    ]
    assert availability_windows(hours, monday(14), monday(10)) == []


# --- time zones and DST ---------------------------------------------------------------------------------


def test_new_york_hours_follow_the_march_spring_forward() -> None:
    ann = coach(zone="America/New_York", weekly={6: [(t(9), t(10))]})
    assert starts(ann, settings(), utc(2026, 3, 1), utc(2026, 3, 2)) == [utc(2026, 3, 1, 14)]  # EST
    assert starts(ann, settings(), utc(2026, 3, 8), utc(2026, 3, 9)) == [utc(2026, 3, 8, 13)]  # EDT


def test_new_york_hours_follow_the_november_fall_back() -> None:
    ann = coach(zone="America/New_York", weekly={6: [(t(9), t(10))]})
    assert starts(ann, settings(), utc(2026, 10, 25), utc(2026, 10, 26)) == [utc(2026, 10, 25, 13)]  # EDT
    assert starts(ann, settings(), utc(2026, 11, 1), utc(2026, 11, 2)) == [utc(2026, 11, 1, 14)]  # EST


def test_hours_starting_in_the_spring_forward_gap_begin_after_the_gap() -> None:
    ann = coach(zone="America/New_York", weekly={6: [(t(2), t(4))]})
    # 02:00 does not exist on 2026-03-08; the window is 03:00-04:00 EDT.
    assert availability_windows(ann.hours, utc(2026, 3, 8), utc(2026, 3, 9)) == [
        Interval(utc(2026, 3, 8, 7), utc(2026, 3, 8, 8))
    ]
    assert starts(ann, settings(duration=30), utc(2026, 3, 8), utc(2026, 3, 9)) == [
        utc(2026, 3, 8, 7),
        utc(2026, 3, 8, 7, 30),
    ]


def test_hours_ending_in_the_spring_forward_gap_end_where_the_gap_starts() -> None:
    ann = coach(zone="America/New_York", weekly={6: [(t(0), t(2, 30))]})
    assert availability_windows(ann.hours, utc(2026, 3, 8), utc(2026, 3, 9)) == [
        Interval(utc(2026, 3, 8, 5), utc(2026, 3, 8, 7))  # 00:00-02:00 EST
    ]


def test_hours_wholly_inside_the_gap_give_nothing() -> None:
    ann = coach(zone="America/New_York", weekly={6: [(t(2, 15), t(2, 45))]})
    assert availability_windows(ann.hours, utc(2026, 3, 8), utc(2026, 3, 9)) == []


def test_hours_in_the_fall_back_overlap_cover_both_repeated_hours() -> None:
    ann = coach(zone="America/New_York", weekly={6: [(t(1), t(2))]})
    assert availability_windows(ann.hours, utc(2026, 11, 1), utc(2026, 11, 2)) == [
        Interval(utc(2026, 11, 1, 5), utc(2026, 11, 1, 7))  # 01:00 EDT - 02:00 EST: two real hours
    ]
    assert starts(ann, settings(duration=30), utc(2026, 11, 1), utc(2026, 11, 2)) == [
        utc(2026, 11, 1, 5),
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 1, 6),
        utc(2026, 11, 1, 6, 30),
    ]


def test_grid_steps_in_real_time_across_a_dst_change() -> None:
    ann = coach(zone="America/New_York", weekly={6: [(t(0), t(3))]})
    # 00:00 EDT to 03:00 EST is four real hours.
    assert starts(ann, settings(duration=60, interval=60), utc(2026, 11, 1), utc(2026, 11, 2)) == [
        utc(2026, 11, 1, 4),
        utc(2026, 11, 1, 5),
        utc(2026, 11, 1, 6),
        utc(2026, 11, 1, 7),
    ]


@pytest.mark.parametrize(
    ("zone", "first_start"),
    [("Asia/Kathmandu", monday(3, 15)), ("Asia/Kolkata", monday(3, 30))],
)
def test_quarter_and_half_hour_offsets_shift_utc_starts(zone: str, first_start: dt.datetime) -> None:
    ann = coach(zone=zone, weekly={0: [(t(9), t(10))]})
    assert starts(ann, settings(duration=30), monday(0), monday(23)) == [
        first_start,
        first_start + minutes(30),
    ]


def test_auckland_monday_morning_is_sunday_across_the_date_line() -> None:
    ann = coach(zone="Pacific/Auckland", weekly={0: [(t(9), t(10))]})
    # Monday 2026-01-12 09:00 NZDT (+13) is Sunday 20:00 UTC, asked for as a Sunday range.
    found = starts(ann, settings(), utc(2026, 1, 11), utc(2026, 1, 12))
    assert found == [utc(2026, 1, 11, 20)]
    in_honolulu = found[0].astimezone(ZoneInfo("Pacific/Honolulu"))
    assert (in_honolulu.weekday(), in_honolulu.hour) == (6, 10)


def test_lord_howe_half_hour_dst() -> None:
    ann = coach(zone="Australia/Lord_Howe", weekly={6: [(t(9), t(10))], 0: [(t(9), t(10))]})
    assert starts(ann, settings(), utc(2026, 1, 11), utc(2026, 1, 12)) == [utc(2026, 1, 11, 22)]  # +11:00
    assert starts(ann, settings(), utc(2026, 7, 12), utc(2026, 7, 13)) == [utc(2026, 7, 12, 22, 30)]  # +10:30


def test_lord_howe_half_hour_gap() -> None:
    # 2026-10-04 02:00 -> 02:30: hours 02:00-03:00 are half an hour long.
    ann = coach(zone="Australia/Lord_Howe", weekly={6: [(t(2), t(3))]})
    assert availability_windows(ann.hours, utc(2026, 10, 3), utc(2026, 10, 4)) == [
        Interval(utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 16))
    ]


# --- conflicts ------------------------------------------------------------------------------------------


def test_buffers_on_both_sides_keep_clear_of_an_existing_booking() -> None:
    booking = Booked(monday(10), monday(11), buffer_after=minutes(15))
    ann = coach(weekly={0: [(t(9), t(13))]}, booked=[booking])
    config = settings(duration=30, interval=15, buffer_before=minutes(15), buffer_after=minutes(15))
    # The booking blocks [10:00, 11:15); a candidate blocks [s - 15, s + 45).
    assert starts(ann, config, monday(0), monday(23)) == [
        monday(9),
        monday(9, 15),
        monday(11, 30),
        monday(11, 45),
        monday(12),
        monday(12, 15),
        monday(12, 30),
    ]


def test_a_booking_buffer_before_blocks_earlier_candidates() -> None:
    ann = coach(
        weekly={0: [(t(9), t(12))]}, booked=[Booked(monday(11), monday(12), buffer_before=minutes(30))]
    )
    assert starts(ann, settings(), monday(0), monday(23)) == [monday(9), monday(9, 30)]


def test_touching_a_booking_is_fine() -> None:
    ann = coach(weekly={0: [(t(9), t(12))]}, booked=[Booked(monday(10), monday(11))])
    assert starts(ann, settings(duration=60, interval=60), monday(0), monday(23)) == [monday(9), monday(11)]


def test_bookings_of_every_event_type_block() -> None:
    ann = coach(weekly={0: [(t(9), t(11))]}, booked=[Booked(monday(9), monday(10), event_type_id=99)])
    assert starts(ann, settings(duration=60, interval=60, event_type_id=1), monday(0), monday(23)) == [
        monday(10)
    ]


def test_busy_intervals_block() -> None:
    ann = coach(weekly={0: [(t(9), t(12))]}, busy=[Interval(monday(10), monday(10, 30))])
    assert starts(ann, settings(duration=30), monday(0), monday(23)) == [
        monday(9),
        monday(9, 30),
        monday(10, 30),
        monday(11),
        monday(11, 30),
    ]


def test_busy_interval_in_another_zone_is_compared_as_an_instant() -> None:
    new_york = ZoneInfo("America/New_York")
    busy = Interval(dt.datetime(2026, 3, 2, 4, tzinfo=new_york), dt.datetime(2026, 3, 2, 6, tzinfo=new_york))
    ann = coach(weekly={0: [(t(8), t(12))]}, busy=[busy])  # busy 09:00-11:00 UTC
    assert starts(ann, settings(duration=60, interval=60), monday(0), monday(23)) == [monday(8), monday(11)]


# --- notice, window, now --------------------------------------------------------------------------------


def test_minimum_notice_hides_starts_too_soon() -> None:
    ann = coach(weekly={0: [(t(9), t(12))]})
    now = monday(8, 50)
    assert starts(ann, settings(minimum_notice=minutes(60)), monday(0), monday(23), now)[0] == monday(10)
    # Exactly now + notice is allowed.
    assert starts(ann, settings(minimum_notice=minutes(70)), monday(0), monday(23), now)[0] == monday(10)
    assert starts(ann, settings(minimum_notice=minutes(71)), monday(0), monday(23), now)[0] == monday(10, 30)


def test_no_start_is_in_the_past() -> None:
    ann = coach(weekly={0: [(t(9), t(12))]})
    assert starts(ann, settings(), monday(0), monday(23), now=monday(9, 10))[0] == monday(9, 30)


def test_booking_window_bounds_the_latest_start_inclusively() -> None:
    ann = coach(weekly={0: [(t(9), t(12))], 1: [(t(9), t(12))]})
    config = settings(window=dt.timedelta(days=1, hours=9, minutes=30))
    found = starts(ann, config, monday(0), utc(2026, 3, 10), now=monday(0))
    assert found[-2:] == [utc(2026, 3, 3, 9), utc(2026, 3, 3, 9, 30)]


# --- daily limit ----------------------------------------------------------------------------------------


def test_daily_limit_counts_bookings_on_the_coachs_local_day() -> None:
    # 2026-03-03 02:00 UTC is Monday 21:00 in New York: it fills Monday, not Tuesday.
    late_monday = Booked(utc(2026, 3, 3, 2), utc(2026, 3, 3, 3), event_type_id=7)
    ann = coach(
        zone="America/New_York", weekly={0: [(t(9), t(12))], 1: [(t(9), t(12))]}, booked=[late_monday]
    )
    found = starts(ann, settings(daily_limit=1, event_type_id=7), monday(0), utc(2026, 3, 5))
    assert found and all(s.astimezone(ZoneInfo("America/New_York")).weekday() == 1 for s in found)


def test_daily_limit_only_counts_the_same_event_type() -> None:
    other_type = Booked(monday(20), monday(21), event_type_id=8)
    ann = coach(weekly={0: [(t(9), t(10))]}, booked=[other_type])
    assert starts(ann, settings(daily_limit=1, event_type_id=7), monday(0), monday(23)) == [monday(9)]


def test_daily_limit_allows_the_day_until_it_is_reached() -> None:
    one = Booked(monday(20), monday(21), event_type_id=7)
    ann = coach(weekly={0: [(t(9), t(10))]}, booked=[one])
    assert starts(ann, settings(daily_limit=2, event_type_id=7), monday(0), monday(23)) == [monday(9)]
    two = coach(weekly={0: [(t(9), t(10))]}, booked=[one, Booked(monday(21), monday(22), event_type_id=7)])
    assert starts(two, settings(daily_limit=2, event_type_id=7), monday(0), monday(23)) == []


def test_daily_limit_of_zero_offers_nothing() -> None:
    ann = coach(weekly={0: [(t(9), t(10))]})
    assert starts(ann, settings(daily_limit=0), monday(0), monday(23)) == []


# --- several coaches ------------------------------------------------------------------------------------


def test_two_coaches_free_at_once_share_one_slot() -> None:
    ann = coach("ann", weekly={0: [(t(9), t(11))]})
    bob = coach(
        "bob", zone="Europe/London", weekly={0: [(t(10), t(12))]}, booked=[Booked(monday(11), monday(12))]
    )
    slots = compute_slots([ann, bob], settings(duration=60, interval=60), monday(0), monday(23), NOW)
    assert slots == [
        Slot(monday(9), monday(10), ("ann",)),
        Slot(monday(10), monday(11), ("ann", "bob")),
    ]


def test_coach_keys_are_sorted_whatever_order_coaches_come_in() -> None:
    zed, amy = coach("zed", weekly={0: [(t(9), t(10))]}), coach("amy", weekly={0: [(t(9), t(10))]})
    assert compute_slots([zed, amy], settings(), monday(0), monday(23), NOW)[0].coaches == ("amy", "zed")


def test_no_coaches_no_slots() -> None:
    assert compute_slots([], settings(), monday(0), monday(23), NOW) == []


# --- is_free --------------------------------------------------------------------------------------------


def test_is_free_agrees_with_compute_slots_minute_by_minute() -> None:
    ann = coach(
        zone="America/New_York",
        weekly={6: [(t(0), t(3)), (t(22), t(0))], 0: [(t(0), t(1)), (t(9), t(12))]},
        booked=[
            Booked(utc(2026, 11, 2, 14), utc(2026, 11, 2, 15), buffer_after=minutes(10), event_type_id=1)
        ],
        busy=[Interval(utc(2026, 11, 1, 5, 10), utc(2026, 11, 1, 5, 20))],
    )
    config = settings(duration=40, interval=25, buffer_before=minutes(5), minimum_notice=minutes(30))
    now = utc(2026, 10, 31, 12)
    listed = set(starts(ann, config, utc(2026, 11, 1), utc(2026, 11, 3), now))
    assert listed
    moment = utc(2026, 11, 1)
    while moment < utc(2026, 11, 3):
        assert is_free(ann, config, moment, now) is (moment in listed), moment
        moment += minutes(5)


def test_is_free_is_false_off_the_grid() -> None:
    ann = coach(weekly={0: [(t(9), t(12))]})
    assert is_free(ann, settings(), monday(9, 30), NOW)
    assert not is_free(ann, settings(), monday(9, 15), NOW)
    assert not is_free(ann, settings(), monday(9, 30) + dt.timedelta(microseconds=1), NOW)


def test_is_free_accepts_any_aware_zone() -> None:
    ann = coach(weekly={0: [(t(9), t(12))]})
    assert is_free(ann, settings(), dt.datetime(2026, 3, 2, 4, 30, tzinfo=ZoneInfo("America/New_York")), NOW)


# --- validation -----------------------------------------------------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    ann = coach(weekly={0: [(t(9), t(12))]})
    naive = dt.datetime(2026, 3, 2, 9)
    with pytest.raises(ValueError):
        compute_slots([ann], settings(), naive, monday(23), NOW)
    with pytest.raises(ValueError):
        compute_slots([ann], settings(), monday(0), naive, NOW)
    with pytest.raises(ValueError):
        compute_slots([ann], settings(), monday(0), monday(23), naive)
    with pytest.raises(ValueError):
        availability_windows(ann.hours, naive, monday(23))
    with pytest.raises(ValueError):
        is_free(ann, settings(), naive, NOW)
    with pytest.raises(ValueError):
        Booked(naive, monday(10))
    with pytest.raises(ValueError):
        Interval(monday(9), naive)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "America", "../etc/passwd"])
def test_unknown_zone_is_rejected(zone: str) -> None:
    with pytest.raises(ValueError):
        Hours(zone, {})


@pytest.mark.parametrize(
    "fields",
    [
        {"duration": dt.timedelta(0), "interval": minutes(30)},
        {"duration": minutes(-30), "interval": minutes(30)},
        {"duration": minutes(30), "interval": dt.timedelta(0)},
        {"duration": minutes(30), "interval": minutes(-15)},
        {"duration": minutes(30), "interval": minutes(15), "buffer_before": minutes(-5)},
        {"duration": minutes(30), "interval": minutes(15), "minimum_notice": minutes(-5)},
        {"duration": minutes(30), "interval": minutes(15), "daily_limit": -1},
    ],
)
def test_bad_settings_are_rejected(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Settings(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("weekly", "overrides"),
    [
        ({0: [(t(12), t(9))]}, {}),
        ({0: [(t(9), t(9))]}, {}),
        ({7: [(t(9), t(10))]}, {}),
        ({0: [(t(9), dt.time(10, tzinfo=UTC))]}, {}),
        ({}, {MONDAY: [(t(10), t(9))]}),
    ],
)
def test_bad_hours_are_rejected(
    weekly: dict[int, WallIntervals], overrides: dict[dt.date, WallIntervals]
) -> None:
    with pytest.raises(ValueError):
        Hours("UTC", weekly, overrides)


def test_hours_of_the_wrong_type_are_rejected() -> None:
    # A datetime key would never match the dates looked up, so the override would be silently ignored.
    with pytest.raises(TypeError):
        Hours("UTC", {}, {dt.datetime(2026, 3, 2): [(t(9), t(10))]})
    with pytest.raises(TypeError):
        Hours("UTC", {0: [("09:00", "10:00")]})  # type: ignore[list-item]


def test_inverted_intervals_and_bookings_are_rejected() -> None:
    with pytest.raises(ValueError):
        Interval(monday(10), monday(10))
    with pytest.raises(ValueError):
        Booked(monday(10), monday(9))
    with pytest.raises(ValueError):
        Booked(monday(9), monday(10), buffer_after=minutes(-1))


def test_duplicate_coach_keys_are_rejected() -> None:
    with pytest.raises(ValueError):
        compute_slots([coach("ann"), coach("ann")], settings(), monday(0), monday(23), NOW)


def test_empty_or_inverted_range_gives_nothing() -> None:
    ann = coach(weekly={0: [(t(9), t(12))]})
    assert starts(ann, settings(), monday(10), monday(10)) == []
    assert starts(ann, settings(), monday(12), monday(9)) == []
