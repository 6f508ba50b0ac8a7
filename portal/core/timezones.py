"""IANA time-zone helpers. Zones are validated against the bundled tz database."""
from __future__ import annotations

import datetime as dt
import functools
import zoneinfo


@functools.cache
def all_zones() -> tuple[str, ...]:
    regions = (z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return (*sorted(regions), "UTC")


def is_valid_zone(name: str | None) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def day_bounds(day: dt.date, zone_name: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where `day` starts and ends in `zone_name` (23 or 25 hours apart on DST days)."""
    tz = zoneinfo.ZoneInfo(zone_name)
    start = dt.datetime.combine(day, dt.time(0), tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz).astimezone(dt.UTC)
    return start, end


def local(at: dt.datetime, zone_name: str) -> dt.datetime:
    """A UTC instant as wall-clock time in `zone_name`."""
    return at.astimezone(zoneinfo.ZoneInfo(zone_name))
