"""A coach's own calendars as busy times (an uploaded .ics, or an ICS address refreshed every 15 minutes),
and the private feed of their calls that Google or Apple Calendar can subscribe to."""
from __future__ import annotations

import datetime as dt
import logging
import urllib.error
import urllib.request

from sqlalchemy import delete, or_, select

from portal.accounts.models import CoachProfile
from portal.core import tokens
from portal.core.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.jobs import duty
from portal.notifications import ics
from portal.scheduling.busy_ics import MAX_ICS_BYTES, parse_busy
from portal.scheduling.models import Booking, BusyTime, CalendarFeed, CalendarSource

log = logging.getLogger(__name__)

REFRESH_EVERY = dt.timedelta(minutes=15)
HORIZON = dt.timedelta(days=120)  # busy times are kept this far ahead (longer than any booking window)
FETCH_TIMEOUT = 10


def _store_busy(source: CalendarSource, data: bytes, now: dt.datetime) -> int:
    """Replace the source's busy times with those in `data` (InvalidInput when it is not a calendar)."""
    intervals = parse_busy(data, now - dt.timedelta(days=1), now + HORIZON, source_zone(source))
    db.session.execute(delete(BusyTime).where(BusyTime.source_id == source.id))
    db.session.add_all(BusyTime(coach_id=source.coach_id, source_id=source.id, start_at=a, end_at=b)
                       for a, b in intervals)
    return len(intervals)


def busy_count(count: int) -> str:
    return f"{count} busy time{'' if count == 1 else 's'}"


def source_zone(source: CalendarSource) -> str:
    coach = db.session.get(CoachProfile, source.coach_id)
    return coach.user.timezone if coach else "UTC"


def upload_calendar(coach: CoachProfile, filename: str, data: bytes, now: dt.datetime) -> CalendarSource:
    """Busy times from an uploaded .ics file; a file that is not a calendar changes nothing."""
    name = (filename or "Uploaded calendar")[:200]
    source = CalendarSource(coach_id=coach.id, kind="upload", name=name, url="", status="ok", last_error="",
                            last_fetched_at=now, created_at=now)
    db.session.add(source)
    db.session.flush()
    try:
        count = _store_busy(source, data, now)
    except InvalidInput:
        db.session.rollback()
        raise
    source.last_error = busy_count(count)
    db.session.commit()
    return source


def add_calendar_url(coach: CoachProfile, name: str, url: str, now: dt.datetime) -> CalendarSource:
    url = (url or "").strip()
    if url.startswith("webcal://"):
        url = "https://" + url[len("webcal://"):]
    if not url.startswith(("https://", "http://")) or len(url) > 1000 or " " in url:
        raise InvalidInput("Paste the calendar's address (it starts with https:// or webcal://).",
                           fields={"url": "Enter an https:// or webcal:// address."})
    source = CalendarSource(coach_id=coach.id, kind="url", name=(name or "My calendar").strip()[:200], url=url,
                            status="pending", last_error="", next_fetch_at=now, created_at=now)
    db.session.add(source)
    db.session.commit()
    refresh_source(source, now)
    return source


def list_calendars(coach: CoachProfile) -> list[CalendarSource]:
    return list(db.session.scalars(select(CalendarSource).where(CalendarSource.coach_id == coach.id)
                                   .order_by(CalendarSource.created_at, CalendarSource.id)))


def remove_calendar(coach: CoachProfile, source_id: int) -> None:
    source = db.session.get(CalendarSource, source_id)
    if source is None or source.coach_id != coach.id:
        raise NotFound("No such calendar.")
    db.session.delete(source)
    db.session.execute(delete(BusyTime).where(BusyTime.source_id == source_id))
    db.session.commit()


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "Portal calendar sync", "Accept": "text/calendar"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 - the coach's own URL
        data = response.read(MAX_ICS_BYTES + 1)
    return data


def refresh_source(source: CalendarSource, now: dt.datetime) -> bool:
    """Fetch one address; on failure keep the last good busy times and say clearly what went wrong."""
    source.next_fetch_at = now + REFRESH_EVERY
    try:
        data = fetch(source.url)
        count = _store_busy(source, data, now)
    except InvalidInput as exc:
        source.status, source.last_error = "error", exc.message
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "code", None) or exc
        source.status, source.last_error = "error", f"Could not fetch the address: {reason}"[:500]
    else:
        source.status, source.last_error, source.last_fetched_at = "ok", busy_count(count), now
        db.session.commit()
        return True
    db.session.commit()
    return False


def refresh_calendar(coach: CoachProfile, source_id: int, now: dt.datetime) -> CalendarSource:
    """Refresh one of the coach's calendar addresses now; its status says how it went."""
    source = db.session.get(CalendarSource, source_id)
    if source is None or source.coach_id != coach.id or source.kind != "url":
        raise NotFound("No such calendar address.")
    refresh_source(source, now)
    return source


@duty("calendar_refresh")
def refresh_due_calendars(now: dt.datetime) -> int:
    due = db.session.scalars(select(CalendarSource).where(
        CalendarSource.kind == "url",
        or_(CalendarSource.next_fetch_at.is_(None), CalendarSource.next_fetch_at <= now))).all()
    return sum(refresh_source(source, now) for source in due)


# --- the coach's private subscription feed ----------------------------------------------------------

def reset_feed_token(coach: CoachProfile, now: dt.datetime) -> str:
    """A new secret feed address; the old one stops working."""
    raw = tokens.random_token(24)
    feed = db.session.get(CalendarFeed, coach.id)
    if feed is None:
        db.session.add(CalendarFeed(coach_id=coach.id, token_hash=tokens.hash_token(raw), created_at=now))
    else:
        feed.token_hash, feed.created_at = tokens.hash_token(raw), now
    db.session.commit()
    return raw


def feed_for(coach: CoachProfile) -> CalendarFeed | None:
    """The coach's feed, if they made one (its address cannot be shown again: only the hash is kept)."""
    return db.session.get(CalendarFeed, coach.id)


def coach_for_feed(raw: str) -> CoachProfile:
    if not raw or len(raw) > 200:
        raise NotFound("No such calendar.")
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == tokens.hash_token(raw)))
    if feed is None:
        raise NotFound("No such calendar.")
    return db.session.get(CoachProfile, feed.coach_id)


def feed_ics(coach: CoachProfile, now: dt.datetime, public_base: str) -> bytes:
    rows = db.session.scalars(select(Booking).where(
        Booking.coach_id == coach.id, Booking.start_at >= now - dt.timedelta(days=30),
        Booking.start_at < now + HORIZON).order_by(Booking.start_at)).all()
    events = [ics.FeedEvent(uid=f"booking-{b.id}@stridelab.example", sequence=b.sequence, start=b.start_at,
                            end=b.end_at, stamp=b.updated_at, summary=f"{b.event_type.title}: {b.invitee_name}",
                            description=f"{b.invitee_email}\n{public_base}/coach/calls/{b.id}",
                            location=coach.video_url,
                            url=f"{public_base}/coach/calls/{b.id}", cancelled=b.status == "cancelled")
              for b in rows]
    return ics.feed(f"{coach.name} · Stride Lab calls", events)
