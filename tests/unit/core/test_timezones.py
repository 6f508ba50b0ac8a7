"""Time-zone names are checked against the tz database; conversions keep the instant and follow DST."""
from __future__ import annotations

import datetime as dt

import pytest

from portal.core.timezones import all_zones, is_valid_zone, local


@pytest.mark.parametrize("name", ["UTC", "America/New_York", "Europe/London", "Asia/Kathmandu",
                                  "America/Argentina/Buenos_Aires", "Pacific/Chatham"])
def test_iana_zone_names_are_valid(name):
    assert is_valid_zone(name)


@pytest.mark.parametrize("name", [None, "", "Mars/Olympus_Mons", "america/new york", "../../etc/passwd",
                                  "/etc/localtime", "America/New_York\x00", "A" * 65, "Europe/"])
def test_anything_else_is_not_a_zone(name):
    assert not is_valid_zone(name)


def test_the_zone_list_offers_area_city_names_and_utc_only():
    zones = all_zones()
    assert "America/New_York" in zones and "UTC" in zones
    assert not any(z.startswith(("Etc/", "SystemV/")) for z in zones)
    assert all(is_valid_zone(z) for z in zones)


def test_local_shows_the_same_instant_on_the_wall_clock_of_the_zone():
    at = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    there = local(at, "America/New_York")
    assert (there.hour, there.utcoffset()) == (8, dt.timedelta(hours=-4))
    assert there == at


def test_local_follows_daylight_saving_changes():
    winter = local(dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC), "Europe/London")
    summer = local(dt.datetime(2026, 7, 15, 12, 0, tzinfo=dt.UTC), "Europe/London")
    assert (winter.hour, summer.hour) == (12, 13)
