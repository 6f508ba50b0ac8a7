"""Busy times read from a coach's own .ics file (fixtures in tests/unit/scheduling/data/)."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.core.errors import InvalidInput
from portal.scheduling import busy_ics
from portal.scheduling.busy_ics import MAX_ICS_BYTES, UNREADABLE, parse_busy

DATA = Path(__file__).parent / "data"
UTC = dt.UTC
MARCH = (dt.datetime(2025, 3, 1, tzinfo=UTC), dt.datetime(2025, 4, 5, tzinfo=UTC))


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def busy(name: str, zone: str = "America/Los_Angeles", window=MARCH) -> list[tuple[dt.datetime, dt.datetime]]:
    return parse_busy(fixture(name), *window, zone)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_event_in_a_named_zone_is_converted_to_utc():
    assert busy("tz_one_off.ics") == [(utc(2025, 3, 5, 17), utc(2025, 3, 5, 18))]  # 09:00 PST
    summer = (utc(2025, 7, 1), utc(2025, 8, 1))
    assert busy("tz_one_off.ics", window=summer) == [(utc(2025, 7, 10, 16), utc(2025, 7, 10, 16, 45))]  # PDT


def test_weekly_rule_with_exdate_and_moved_occurrence():
    # Tuesdays 07:00 New York; the US clocks change on 9 March; 18 March is excluded; 25 March moved.
    assert busy("weekly_rrule.ics") == [
        (utc(2025, 3, 4, 12), utc(2025, 3, 4, 13)),
        (utc(2025, 3, 11, 11), utc(2025, 3, 11, 12)),
        (utc(2025, 3, 26, 16), utc(2025, 3, 26, 17)),  # Wednesday noon, not Tuesday 25th
        (utc(2025, 4, 1, 11), utc(2025, 4, 1, 12)),
    ]


def test_all_day_events_block_local_days_in_the_coach_zone():
    assert busy("all_day.ics", zone="Europe/Berlin") == [
        (utc(2025, 3, 4, 23), utc(2025, 3, 5, 23)),  # no DTEND: one day
        (utc(2025, 3, 28, 23), utc(2025, 3, 30, 22)),  # Sat+Sun; Berlin moves to CEST on the 30th
    ]
    assert busy("all_day.ics", zone="America/Los_Angeles")[0] == (utc(2025, 3, 5, 8), utc(2025, 3, 6, 8))


def test_transparent_and_cancelled_events_are_skipped_and_nothing_else():
    assert busy("skipped.ics") == [
        (utc(2025, 3, 3, 13), utc(2025, 3, 3, 14)),  # tentative still blocks
        (utc(2025, 3, 3, 15), utc(2025, 3, 3, 15, 15)),
        # 4 March's stand-up is cancelled by its RECURRENCE-ID override
        (utc(2025, 3, 5, 15), utc(2025, 3, 5, 15, 15)),
    ]


def test_floating_times_are_read_in_the_coach_zone():
    # The fixture also has bare LF line ends, which are accepted.
    assert busy("floating.ics", zone="Asia/Tokyo") == [(utc(2025, 3, 5, 0), utc(2025, 3, 5, 0, 30))]
    assert busy("floating.ics", zone="America/Los_Angeles") == [
        (utc(2025, 3, 5, 17), utc(2025, 3, 5, 17, 30))
    ]


def test_floating_times_follow_x_wr_timezone_when_the_file_declares_one():
    data = fixture("floating.ics").replace(b"VERSION:2.0\n", b"VERSION:2.0\nX-WR-TIMEZONE:Europe/Paris\n")
    assert parse_busy(data, *MARCH, "Asia/Tokyo") == [(utc(2025, 3, 5, 8), utc(2025, 3, 5, 8, 30))]
    unknown = data.replace(b"Europe/Paris", b"Nowhere/Special")  # ignored, not an error
    assert parse_busy(unknown, *MARCH, "Asia/Tokyo") == [(utc(2025, 3, 5, 0), utc(2025, 3, 5, 0, 30))]


def test_bad_values_in_properties_we_do_not_use_are_tolerated():
    data = fixture("floating.ics").replace(b"SUMMARY:", b"LAST-MODIFIED:yesterday\nCREATED:soon\nSUMMARY:")
    assert parse_busy(data, *MARCH, "UTC") == [(utc(2025, 3, 5, 9), utc(2025, 3, 5, 9, 30))]


def test_only_the_part_inside_the_range_counts():
    week = (utc(2025, 3, 1), utc(2025, 3, 8))
    assert busy("range.ics", window=week) == [
        (utc(2025, 3, 1, 0), utc(2025, 3, 1, 1)),  # clipped at the start
        (utc(2025, 3, 2, 10), utc(2025, 3, 2, 11)),
        (utc(2025, 3, 7, 23), utc(2025, 3, 8, 0)),  # clipped at the end
    ]  # events ending at the start / starting at the end, later ones and zero-length ones are out
    assert busy("range.ics", window=(utc(2025, 6, 1), utc(2025, 7, 1))) == []


def test_google_export():
    # X-WR-TIMEZONE America/Los_Angeles, VTIMEZONE blocks, folded lines, a weekly series with
    # UNTIL and EXDATE, a weekly series stored in UTC, and all-day events (one marked free).
    assert busy("google_export.ics") == [
        # Weekly check-in stored as 17:00Z: Google means 09:00 in X-WR-TIMEZONE, also after DST.
        (utc(2025, 3, 5, 17), utc(2025, 3, 5, 18)),
        (utc(2025, 3, 11, 0, 30), utc(2025, 3, 11, 1, 30)),  # Track Monday 17:30 PDT (3 March is EXDATE)
        (utc(2025, 3, 12, 16), utc(2025, 3, 12, 17)),
        (utc(2025, 3, 18, 0, 30), utc(2025, 3, 18, 1, 30)),
        (utc(2025, 3, 19, 16), utc(2025, 3, 19, 17)),
        (utc(2025, 3, 21, 7), utc(2025, 3, 22, 7)),  # all-day clinic; the free birthday is skipped
        (utc(2025, 3, 25, 0, 30), utc(2025, 3, 25, 1, 30)),  # 31 March is after UNTIL
    ]


def test_output_is_merged_and_sorted():
    assert busy("overlaps.ics") == [
        (utc(2025, 3, 3, 8), utc(2025, 3, 3, 9)),
        (utc(2025, 3, 4, 12), utc(2025, 3, 4, 15)),  # overlapping, nested and touching blocks joined
    ]


def test_results_are_utc_aware_and_nonempty():
    for name in ("google_export.ics", "weekly_rrule.ics", "all_day.ics", "floating.ics"):
        for begin, end in busy(name, zone="Australia/Lord_Howe"):
            assert begin.tzinfo is UTC and end.tzinfo is UTC
            assert begin < end


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b" \r\n\t", id="blank"),
        pytest.param(bytes(range(256)) * 8, id="binary-junk"),
        pytest.param(b"\x00" * 512, id="nul-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(200), id="png"),
        pytest.param(fixture("html_page.ics"), id="html-page"),
        pytest.param(b"BEGIN:VCALENDAR", id="begin-only"),
        pytest.param(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", id="no-end"),
        pytest.param(fixture("no_end.ics"), id="cut-off-file"),
        pytest.param(fixture("bad_dtstart.ics"), id="bad-dtstart"),
        pytest.param(fixture("no_dtstart.ics"), id="no-dtstart"),
        pytest.param(fixture("broken_line.ics"), id="broken-content-line"),
        pytest.param(fixture("costly_rrule.ics"), id="secondly-rule-from-2000"),
        pytest.param(fixture("tz_bomb.ics"), id="secondly-vtimezone-rule"),
        pytest.param(fixture("tz_one_off.ics").decode().encode("utf-16"), id="utf-16"),
        pytest.param(fixture("weekly_rrule.ics").replace(b"FREQ=WEEKLY", b"FREQ=SOMETIMES"), id="bad-rrule"),
        pytest.param(
            fixture("weekly_rrule.ics").replace(b"END:VEVENT\r\nBEGIN:VEVENT", b"END:VTODO\r\nBEGIN:VEVENT"),
            id="mismatched-end",
        ),
        pytest.param(
            b"BEGIN:VEVENT\r\nDTSTART:20250303T100000Z\r\nEND:VEVENT\r\n", id="event-without-calendar"
        ),
        pytest.param(fixture("floating.ics") + b"trailing junk\n", id="trailing-junk"),
        pytest.param(fixture("floating.ics").replace(b"VERSION:2.0", b"CALSCALE:JULIAN"), id="non-gregorian"),
        pytest.param(
            fixture("floating.ics").replace(b"DTEND:20250305T093000", b"DURATION:soon"), id="bad-duration"
        ),
    ],
)
def test_unreadable_files_raise_invalid_input_only(data):
    with pytest.raises(InvalidInput) as info:
        parse_busy(data, *MARCH, "America/Los_Angeles")
    assert type(info.value) is InvalidInput
    assert info.value.message == UNREADABLE == "That file is not a calendar (.ics) we can read."
    assert info.value.fields == {"file": UNREADABLE}


def calendar_of_size(size: int) -> bytes:
    """floating.ics with a long folded DESCRIPTION, exactly `size` bytes long."""
    base = fixture("floating.ics")
    marker = b"SUMMARY:Floating time"
    filler_room = size - len(base) - len(b"DESCRIPTION:\n")
    chunk = b"\n " + b"x" * 200
    filler = chunk * (filler_room // len(chunk))
    filler += b"x" * (filler_room - len(filler))
    data = base.replace(marker, b"DESCRIPTION:" + filler + b"\n" + marker)
    assert len(data) == size
    return data


def test_file_size_limit():
    at_limit = calendar_of_size(MAX_ICS_BYTES)
    assert parse_busy(at_limit, *MARCH, "UTC") == [(utc(2025, 3, 5, 9), utc(2025, 3, 5, 9, 30))]
    started = time.perf_counter()
    with pytest.raises(InvalidInput):
        parse_busy(calendar_of_size(MAX_ICS_BYTES + 1), *MARCH, "UTC")
    assert time.perf_counter() - started < 0.1  # refused before parsing


def test_costly_recurrences_are_refused_quickly():
    for name in ("costly_rrule.ics", "tz_bomb.ics"):
        started = time.perf_counter()
        with pytest.raises(InvalidInput):
            busy(name)
        assert time.perf_counter() - started < 0.5


def test_long_running_series_and_outlook_time_zones_are_read():
    # A custom VTIMEZONE with rules from 1601, a weekly series since 1990, a yearly one since 1950:
    # all inside the expansion budget.
    started = time.perf_counter()
    result = busy("long_history.ics", zone="Europe/Berlin", window=(utc(2025, 3, 1), utc(2025, 3, 3)))
    assert time.perf_counter() - started < 2  # generous: only "does not hang"
    assert result == [
        (utc(2025, 3, 1, 5), utc(2025, 3, 1, 5, 30)),  # Saturday 06:00 in the file's zone (CET)
        (utc(2025, 3, 1, 23), utc(2025, 3, 2, 23)),  # the birthday, a whole Berlin day
    ]


def test_series_in_a_custom_time_zone_costs_more():
    # Every offset lookup in a file-defined zone scans its transitions since 1601, so an hourly
    # series there is refused (in a tz-database zone the same rule would be within budget).
    data = fixture("long_history.ics").replace(b"RRULE:FREQ=WEEKLY;BYDAY=SA", b"RRULE:FREQ=HOURLY")
    started = time.perf_counter()
    with pytest.raises(InvalidInput):
        parse_busy(data, utc(2025, 3, 1), utc(2025, 3, 3), "Europe/Berlin")
    assert time.perf_counter() - started < 0.5


def test_too_many_occurrences_are_refused(monkeypatch):
    monkeypatch.setattr(busy_ics, "MAX_OCCURRENCES", 3)
    with pytest.raises(InvalidInput):
        busy("weekly_rrule.ics")  # 4 occurrences (and a few more in the padding around the window)
    monkeypatch.setattr(busy_ics, "MAX_OCCURRENCES", 10)
    assert len(busy("weekly_rrule.ics")) == 4


def test_unknown_tzid_is_read_as_floating():
    data = fixture("tz_one_off.ics").replace(b"TZID=America/Los_Angeles", b"TZID=Nowhere/Special")
    assert parse_busy(data, *MARCH, "Europe/London") == [(utc(2025, 3, 5, 9), utc(2025, 3, 5, 10))]


def test_end_before_start_blocks_the_time_between():
    # recurring-ical-events reads a reversed DTSTART/DTEND as the period between them; we keep that.
    data = fixture("tz_one_off.ics").replace(
        b"DTEND;TZID=America/Los_Angeles:20250305T100000", b"DTEND;TZID=America/Los_Angeles:20250305T080000"
    )
    assert parse_busy(data, *MARCH, "UTC") == [(utc(2025, 3, 5, 16), utc(2025, 3, 5, 17))]


def test_byte_order_mark_is_accepted():
    assert parse_busy(b"\xef\xbb\xbf" + fixture("floating.ics"), *MARCH, "UTC") == [
        (utc(2025, 3, 5, 9), utc(2025, 3, 5, 9, 30))
    ]


def test_bad_arguments_are_programming_errors():
    data = fixture("floating.ics")
    with pytest.raises(ValueError, match="aware"):
        parse_busy(data, dt.datetime(2025, 3, 1), MARCH[1], "UTC")
    with pytest.raises(ValueError, match="after"):
        parse_busy(data, MARCH[1], MARCH[0], "UTC")
    with pytest.raises(ValueError, match="time zone"):
        parse_busy(data, *MARCH, "Mars/Olympus_Mons")
    with pytest.raises(TypeError):
        parse_busy(data.decode(), *MARCH, "UTC")  # type: ignore[arg-type]


GOOGLE = fixture("google_export.ics")
GOOGLE_LINES = GOOGLE.split(b"\r\n")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dropped=st.sets(st.integers(0, len(GOOGLE_LINES) - 1), max_size=2),
    flips=st.lists(st.tuples(st.integers(0, len(GOOGLE) - 1), st.integers(0, 255)), max_size=3),
    cut=st.none() | st.integers(min_value=0, max_value=len(GOOGLE)),
)
def test_damaged_files_give_busy_times_or_invalid_input(dropped, flips, cut):
    data = bytearray(b"\r\n".join(line for i, line in enumerate(GOOGLE_LINES) if i not in dropped))
    for index, byte in flips:
        if index < len(data):
            data[index] = byte
    if cut is not None:
        del data[cut:]
    try:
        result = parse_busy(bytes(data), *MARCH, "America/Los_Angeles")
    except InvalidInput as exc:
        assert exc.message == UNREADABLE
    else:
        assert result == sorted(result)
        assert all(MARCH[0] <= a < b <= MARCH[1] for a, b in result)
        assert all(b < c for (_, b), (c, _) in zip(result, result[1:], strict=False))  # merged
