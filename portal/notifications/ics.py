"""Calendar files (.ics) and "add to calendar" links for booked calls.

Everything here is pure: no clock, no database, no network. All iCalendar text is written by
the `icalendar` library, which escapes user text (commas, semicolons, newlines, non-ASCII) and
folds long lines; this module only cleans values the library would pass through unchanged
(control characters, e-mail addresses and URLs, which are written verbatim).

Bad arguments are programming errors here (the values come from our own database), so they
raise ValueError rather than a domain error.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration

__all__ = [
    "PRODID",
    "FeedEvent",
    "Invite",
    "feed",
    "google_calendar_url",
    "invite_cancel",
    "invite_request",
    "outlook_calendar_url",
]

PRODID = "-//Stride Lab//Portal//EN"
REMINDER = dt.timedelta(minutes=10)
FEED_REFRESH = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Invite:
    uid: str  # stable per booking, e.g. "booking-42@stridelab.example"
    sequence: int  # 0 for the first invite; higher on every update/cancel
    start: dt.datetime  # aware (written in UTC)
    end: dt.datetime  # aware (written in UTC)
    stamp: dt.datetime  # DTSTAMP, aware; passed in, never read from the clock
    summary: str
    description: str  # plain text; may hold user-written answers
    location: str  # the coach's video link ("" allowed)
    url: str  # the manage link ("" allowed)
    organizer_name: str
    organizer_email: str
    attendee_name: str
    attendee_email: str


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    sequence: int
    start: dt.datetime
    end: dt.datetime
    stamp: dt.datetime
    summary: str
    description: str
    location: str
    url: str
    cancelled: bool = False


# ---------------------------------------------------------------------------------------------
# Invites (iTIP, RFC 5546)


def invite_request(invite: Invite) -> bytes:
    """METHOD:REQUEST: the invitation itself, and every later update (same UID, higher SEQUENCE)."""
    event = _event(invite.uid, invite.sequence, invite.start, invite.end, invite.stamp, invite.summary,
                   invite.description, invite.location, invite.url)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(invite.organizer_email, invite.organizer_name, "organizer_email"))
    event.add("attendee", _address(invite.attendee_email, invite.attendee_name, "attendee_email", {
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "TRUE",
    }))
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _line(invite.summary) or "Reminder")
    alarm.add("trigger", -REMINDER)
    event.add_component(alarm)
    return _calendar("REQUEST", [event]).to_ical()


def invite_cancel(invite: Invite) -> bytes:
    """METHOD:CANCEL for the same UID. The SEQUENCE must be higher than the last one sent (so >= 1)."""
    if invite.sequence < 1:
        raise ValueError("a cancellation needs a SEQUENCE above the invite's (at least 1)")
    event = _event(invite.uid, invite.sequence, invite.start, invite.end, invite.stamp, invite.summary,
                   invite.description, invite.location, invite.url)
    event.add("status", "CANCELLED")
    event.add("organizer", _address(invite.organizer_email, invite.organizer_name, "organizer_email"))
    event.add("attendee", _address(invite.attendee_email, invite.attendee_name, "attendee_email", {
        "ROLE": "REQ-PARTICIPANT",
    }))
    return _calendar("CANCEL", [event]).to_ical()


# ---------------------------------------------------------------------------------------------
# A coach's private subscription feed


def feed(name: str, events: Sequence[FeedEvent]) -> bytes:
    """METHOD:PUBLISH calendar with one VEVENT per event, in the order given.

    No ORGANIZER/ATTENDEE (a feed is not a scheduling message). Cancelled events stay in the
    feed as STATUS:CANCELLED and TRANSP:TRANSPARENT so subscribed clients drop them from busy time.
    UIDs must be unique within the feed.
    """
    seen: set[str] = set()
    vevents = []
    for item in events:
        event = _event(item.uid, item.sequence, item.start, item.end, item.stamp, item.summary,
                       item.description, item.location, item.url)
        if item.uid in seen:
            raise ValueError(f"duplicate UID in feed: {item.uid!r}")
        seen.add(item.uid)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if item.cancelled else "OPAQUE")
        vevents.append(event)
    cal = _calendar("PUBLISH", vevents)
    cal_name = _line(name)
    if cal_name:
        cal.add("name", cal_name)
        cal.add("x-wr-calname", cal_name)
    cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(FEED_REFRESH))
    return cal.to_ical()


# ---------------------------------------------------------------------------------------------
# "Add to calendar" links


def google_calendar_url(
    summary: str, start: dt.datetime, end: dt.datetime, details: str, location: str
) -> str:
    """Google Calendar's event template link; times in UTC (YYYYMMDDTHHMMSSZ).

    Empty details/location are left out."""
    start, end = _span(start, end)
    params = [
        ("action", "TEMPLATE"),
        ("text", _line(summary)),
        ("dates", f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"),
    ]
    params += _optional(("details", _text(details)), ("location", _line(location)))
    return "https://calendar.google.com/calendar/render?" + _query(params)


def outlook_calendar_url(
    summary: str, start: dt.datetime, end: dt.datetime, details: str, location: str
) -> str:
    """Outlook.com's compose deeplink; times as ISO 8601 in UTC. Empty details/location are left out."""
    start, end = _span(start, end)
    params = [
        ("subject", _line(summary)),
        ("startdt", f"{start:%Y-%m-%dT%H:%M:%SZ}"),
        ("enddt", f"{end:%Y-%m-%dT%H:%M:%SZ}"),
    ]
    params += _optional(("body", _text(details)), ("location", _line(location)))
    params += [("path", "/calendar/action/compose"), ("rru", "addevent")]
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + _query(params)


# ---------------------------------------------------------------------------------------------
# Helpers

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # everything but TAB and LF
_EMAIL = re.compile(r"[^\s@<>()\[\]\\,;:\"\x00-\x1f\x7f]+@[^\s@<>()\[\]\\,;:\"\x00-\x1f\x7f]+")


def _text(value: str) -> str:
    """Multi-line text: CRLF/CR become LF (icalendar writes it as \\n); other control characters go."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _line(value: str) -> str:
    """One-line text (names, summaries, locations): all whitespace runs become one space."""
    return " ".join(_CONTROL.sub(" ", value).split())


def _utc(value: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValueError(f"{field} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware")
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _span(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        raise ValueError("end must be after start")
    return start, end


def _event(uid: str, sequence: int, start: dt.datetime, end: dt.datetime, stamp: dt.datetime,
           summary: str, description: str, location: str, url: str) -> Event:
    if not uid or uid != _line(uid):
        raise ValueError("uid must be non-empty single-line text without surrounding spaces")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ValueError("sequence must be an int >= 0")
    start, end = _span(start, end)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(stamp, "stamp"))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", _line(summary))
    if description := _text(description).strip():
        event.add("description", description)
    if location := _line(location):
        event.add("location", location)
    if url:
        event.add("url", _checked_url(url))
    return event


def _calendar(method: str, events: list[Event]) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    for event in events:
        cal.add_component(event)
    return cal


def _address(email: str, name: str, field: str, params: dict[str, str] | None = None) -> vCalAddress:
    # vCalAddress writes its value verbatim, so the address itself must be clean.
    if not isinstance(email, str) or not _EMAIL.fullmatch(email):
        raise ValueError(f"{field} is not a plain e-mail address")
    address = vCalAddress(f"mailto:{email}")
    if cn := _line(name):
        address.params["CN"] = cn  # quoted / RFC 6868-encoded by icalendar
    for key, value in (params or {}).items():
        address.params[key] = value
    return address


def _checked_url(url: str) -> str:
    # vUri writes its value verbatim: refuse anything that could break the content line.
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s\x00-\x1f\x7f]", url):
        raise ValueError("url must be an absolute http(s) URL without spaces or control characters")
    return url


def _optional(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    return [(key, value) for key, value in pairs if value.strip()]


def _query(params: list[tuple[str, str]]) -> str:
    return urlencode(params, quote_via=quote, safe="/")
