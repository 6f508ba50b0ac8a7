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


def local(at: dt.datetime, zone_name: str) -> dt.datetime:
    """A UTC instant as wall-clock time in `zone_name`."""
    return at.astimezone(zoneinfo.ZoneInfo(zone_name))
