"""A per-process cache of serialised slot lists, keyed on everything that decides them.

The key holds each coach's calendar_version (bumped by database triggers on any change to bookings, hours,
overrides, time off, blocked or busy times), zone, the event type's settings and the range asked. So a cached
list is never served after its data changed, whichever process made the change. Entries also expire after a
minute, and the minute is in the key, because `now` moves the notice and window edges. Booking never uses this
cache: it re-checks with the engine under the coach's lock."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app
from sqlalchemy import and_, bindparam, select

from portal.accounts.models import CoachProfile, User
from portal.extensions import db
from portal.scheduling.models import EventType, EventTypeCoach

TTL_SECONDS = 60.0
MAX_ENTRIES = 512

_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[float, dt.datetime | None, bytes]] = OrderedDict()


def _key_query(one_coach: bool):
    coach_match = [CoachProfile.id == EventTypeCoach.coach_id, CoachProfile.takes_bookings.is_(True)]
    if one_coach:
        coach_match.append(CoachProfile.slug == bindparam("coach"))
    return (select(EventType.id, EventType.duration_minutes, EventType.slot_interval_minutes,
                   EventType.buffer_before_minutes, EventType.buffer_after_minutes, EventType.minimum_notice_minutes,
                   EventType.booking_window_days, EventType.daily_limit,
                   CoachProfile.id, CoachProfile.calendar_version, User.timezone)
            .select_from(EventType)
            .outerjoin(EventTypeCoach, EventTypeCoach.event_type_id == EventType.id)
            .outerjoin(CoachProfile, and_(*coach_match))
            .outerjoin(User, and_(User.id == CoachProfile.user_id, User.active.is_(True)))
            .where(EventType.slug == bindparam("slug"), EventType.active.is_(True))
            .order_by(CoachProfile.id))


# Built once: on a cache hit this one query is all the database work a slots request does.
_KEY_QUERIES = {False: _key_query(False), True: _key_query(True)}


def key_for(slug: str, coach_slug: str | None, first: dt.date, last: dt.date, zone_name: str,
            now: dt.datetime) -> tuple | None:
    """The cache key for a slots request, or None when the event type does not exist (or is switched off).

    The key holds the event's settings and, per bookable coach, id, calendar_version and zone. A key with no
    coaches means nobody takes the event (or not the coach asked for)."""
    params = {"slug": slug, **({"coach": coach_slug} if coach_slug else {})}
    rows = db.session.execute(_KEY_QUERIES[coach_slug is not None], params).all()
    if not rows:
        return None
    settings = tuple(rows[0][:8])
    coaches = tuple((r[8], r[9], r[10]) for r in rows if r[8] is not None and r[10] is not None)
    # The minute is part of the key: the window's far edge moves with `now`.
    minute = int(now.timestamp() // 60)
    return settings, coaches, first, last, zone_name, minute


def get_or_compute(key: tuple, now: dt.datetime, notice: dt.timedelta,
                   compute: Callable[[], tuple[dt.datetime | None, dict]]) -> bytes:
    """The JSON body for `key`: cached when still right for `now`, else computed and stored."""
    if not current_app.config["SLOT_CACHE"]:
        return json.dumps(compute()[1], separators=(",", ":")).encode()
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
