"""A per-process cache of serialised slot lists, keyed on everything that decides them.

The key holds each coach's calendar_version (bumped by database triggers on any change to bookings, hours,
overrides, time off, blocked or busy times), zone, the event type's settings and the range asked. So a cached
list is never served after its data changed, whichever process made the change. Entries also expire after a
minute, and the minute is in the key, because `now` moves the notice and window edges. Booking never uses this cache: it re-checks with the engine under the coach's lock."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from portal.accounts.models import CoachProfile
from portal.scheduling.models import EventType

TTL_SECONDS = 60.0
MAX_ENTRIES = 512

_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[float, dt.datetime | None, bytes]] = OrderedDict()


def key_for(event: EventType, coaches: Sequence[CoachProfile], first: dt.date, last: dt.date, zone_name: str,
            now: dt.datetime) -> tuple:
    settings = (event.id, event.duration_minutes, event.slot_interval_minutes, event.buffer_before_minutes,
                event.buffer_after_minutes, event.minimum_notice_minutes, event.booking_window_days,
                event.daily_limit)
    # The minute is part of the key: the window's far edge moves with `now`.
    minute = int(now.timestamp() // 60)
    return settings, tuple((c.id, c.calendar_version, c.user.timezone) for c in coaches), first, last, zone_name, minute


def get_or_compute(key: tuple, now: dt.datetime, notice: dt.timedelta,
                   compute: Callable[[], tuple[dt.datetime | None, dict]]) -> bytes:
    """The JSON body for `key`: cached when still right for `now`, else computed and stored."""
    clock = time.monotonic()
    with _lock:
        hit = _entries.get(key)
        if hit is not None:
            expires, first_start, body = hit
            if clock < expires and (first_start is None or first_start >= now + notice):
                _entries.move_to_end(key)
                return body
            del _entries[key]
    first_start, payload = compute()
    body = json.dumps(payload, separators=(",", ":")).encode()
    with _lock:
        _entries[key] = (clock + TTL_SECONDS, first_start, body)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return body


def clear() -> None:
    with _lock:
        _entries.clear()
