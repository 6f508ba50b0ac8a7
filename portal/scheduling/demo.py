"""Demo bookings so the coaches' calendars look lived-in."""
from __future__ import annotations

import datetime as dt


def seed_bookings(now: dt.datetime) -> list[str]:
    return []
