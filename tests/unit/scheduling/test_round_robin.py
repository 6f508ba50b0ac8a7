"""Round-robin coach assignment."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from portal.scheduling.round_robin import Candidate, pick_coach

UTC = dt.UTC


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=UTC)


def test_fewest_upcoming_bookings_wins() -> None:
    assert (
        pick_coach([Candidate("ann", 3, None), Candidate("bob", 1, at(20)), Candidate("cat", 2, None)])
        == "bob"
    )


def test_tie_on_load_goes_to_the_coach_idle_longest() -> None:
    assert (
        pick_coach([Candidate("ann", 2, at(10)), Candidate("bob", 2, at(3)), Candidate("cat", 2, at(7))])
        == "bob"
    )


def test_a_coach_never_booked_beats_any_timestamp() -> None:
    assert (
        pick_coach([Candidate("ann", 1, dt.datetime(1990, 1, 1, tzinfo=UTC)), Candidate("zed", 1, None)])
        == "zed"
    )


def test_final_tie_is_broken_by_key() -> None:
    assert (
        pick_coach([Candidate("cat", 0, None), Candidate("ann", 0, None), Candidate("bob", 0, None)]) == "ann"
    )
    assert pick_coach([Candidate("cat", 0, at(5)), Candidate("bob", 0, at(5))]) == "bob"


def test_timestamps_in_different_zones_compare_as_instants() -> None:
    # 08:00 EST is 13:00 UTC, later than 11:00 UTC.
    new_york = dt.datetime(2026, 3, 5, 8, tzinfo=ZoneInfo("America/New_York"))
    assert pick_coach([Candidate("ann", 0, new_york), Candidate("bob", 0, at(5, 11))]) == "bob"


def test_result_does_not_depend_on_order() -> None:
    pool = [
        Candidate("ann", 1, at(4)),
        Candidate("bob", 1, at(4)),
        Candidate("cat", 1, None),
        Candidate("dan", 0, at(9)),
    ]
    assert {pick_coach(order) for order in itertools.permutations(pool)} == {"dan"}
    assert {pick_coach(order) for order in itertools.permutations(pool[:3])} == {"cat"}


def test_single_candidate_is_picked() -> None:
    assert pick_coach((Candidate("ann", 40, at(1)),)) == "ann"


def test_empty_sequence_is_an_error() -> None:
    with pytest.raises(ValueError):
        pick_coach([])


def test_naive_timestamp_and_negative_load_are_rejected() -> None:
    with pytest.raises(ValueError):
        Candidate("ann", 0, dt.datetime(2026, 3, 1))
    with pytest.raises(ValueError):
        Candidate("ann", -1, None)
