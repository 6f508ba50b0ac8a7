"""Calendar invites, the coach feed and "add to calendar" links.

Golden files pin the exact bytes of request/update/cancel. To regenerate them after a deliberate
change, run with UPDATE_GOLDEN=1 and read the diff of tests/unit/notifications/golden/ by eye.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from portal.notifications.ics import (
    PRODID,
    FeedEvent,
    Invite,
    feed,
    google_calendar_url,
    invite_cancel,
    invite_request,
    outlook_calendar_url,
)

GOLDEN = Path(__file__).parent / "golden"
UTC = dt.UTC

INVITE = Invite(
    uid="booking-42@stridelab.example",
    sequence=0,
    start=dt.datetime(2025, 3, 4, 17, 0, tzinfo=UTC),
    end=dt.datetime(2025, 3, 4, 17, 30, tzinfo=UTC),
    stamp=dt.datetime(2025, 2, 20, 9, 15, tzinfo=UTC),
    summary="Free strategy call: Zoë Runner and Coach Ann",
    description=(
        "What is your goal? Sub-3:30 marathon; maybe Boston, 2026.\n"
        "Any injuries? None right now \\ knee was sore in January.\n"
        "Manage or cancel: https://portal.stridelab.example/bookings/42/manage?token=abc123&src=ics"
    ),
    location="https://meet.example/ann-strategy-call",
    url="https://portal.stridelab.example/bookings/42/manage?token=abc123&src=ics",
    organizer_name="Coach Ann, Stride Lab",
    organizer_email="ann@stridelab.example",
    attendee_name="Zoë Runner",
    attendee_email="zoe.runner@example.com",
)
UPDATE = dataclasses.replace(
    INVITE,
    sequence=1,
    start=dt.datetime(2025, 3, 6, 16, 0, tzinfo=UTC),
    end=dt.datetime(2025, 3, 6, 16, 30, tzinfo=UTC),
    stamp=dt.datetime(2025, 2, 21, 8, 0, tzinfo=UTC),
)
CANCEL = dataclasses.replace(UPDATE, sequence=2, stamp=dt.datetime(2025, 2, 22, 7, 45, tzinfo=UTC))


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def in_utc(event, name: str) -> bool:
    """Written as a UTC ("Z") time: no TZID, zero offset."""
    value = event[name]
    return "TZID" not in value.params and value.dt.utcoffset() == dt.timedelta(0)


def only_event(data: bytes):
    cal = parse(data)
    assert len(cal.events) == 1
    return cal, cal.events[0]


# ---------------------------------------------------------------------------------------------
# Golden files


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("request", lambda: invite_request(INVITE)),
        ("update", lambda: invite_request(UPDATE)),
        ("cancel", lambda: invite_cancel(CANCEL)),
    ],
)
def test_matches_golden_file(name, build):
    path = GOLDEN / f"{name}.ics"
    actual = build()
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual)
    assert actual == path.read_bytes()


def test_output_uses_crlf_and_folds_long_lines():
    data = invite_request(dataclasses.replace(INVITE, description="long Zoë " * 40))
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # no bare LF anywhere
    assert max(len(line) for line in lines) <= 75  # octets, not characters
    assert all(line.decode() for line in lines[:-1])  # folding never splits a UTF-8 character
    assert any(line.startswith(b" ") for line in lines)  # folded continuation


# ---------------------------------------------------------------------------------------------
# Request / update / cancel, read back


def test_request_reads_back():
    cal, event = only_event(invite_request(INVITE))
    assert cal["METHOD"] == "REQUEST"
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"] == PRODID == "-//Stride Lab//Portal//EN"
    assert event["STATUS"] == "CONFIRMED"
    assert event["UID"] == "booking-42@stridelab.example"
    assert event["SEQUENCE"] == 0
    assert event.DTSTART == INVITE.start and in_utc(event, "DTSTART")
    assert event.DTEND == INVITE.end and in_utc(event, "DTEND")
    assert event["DTSTAMP"].dt == INVITE.stamp
    assert event["SUMMARY"] == INVITE.summary
    assert event["DESCRIPTION"] == INVITE.description
    assert event["LOCATION"] == INVITE.location
    assert event["URL"] == INVITE.url

    organizer = event["ORGANIZER"]
    assert organizer == "mailto:ann@stridelab.example"
    assert organizer.params["CN"] == "Coach Ann, Stride Lab"

    attendee = event["ATTENDEE"]  # exactly one: a single vCalAddress, not a list
    assert attendee == "mailto:zoe.runner@example.com"
    assert attendee.params["CN"] == "Zoë Runner"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"

    [alarm] = event.subcomponents
    assert alarm.name == "VALARM"
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["TRIGGER"].dt == -dt.timedelta(minutes=10)


def test_update_keeps_uid_and_raises_sequence():
    _, first = only_event(invite_request(INVITE))
    cal, update = only_event(invite_request(UPDATE))
    assert cal["METHOD"] == "REQUEST"
    assert update["UID"] == first["UID"]
    assert update["SEQUENCE"] == 1
    assert update.DTSTART == dt.datetime(2025, 3, 6, 16, 0, tzinfo=UTC)
    assert update["ATTENDEE"].params["RSVP"] == "TRUE"


def test_cancel_reads_back():
    cal, event = only_event(invite_cancel(CANCEL))
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == INVITE.uid
    assert event["SEQUENCE"] == 2
    assert event["ORGANIZER"] == "mailto:ann@stridelab.example"
    assert event["ATTENDEE"] == "mailto:zoe.runner@example.com"
    assert "RSVP" not in event["ATTENDEE"].params
    assert not event.subcomponents  # no reminder for a cancelled call


def test_cancel_needs_a_higher_sequence():
    with pytest.raises(ValueError, match="SEQUENCE"):
        invite_cancel(INVITE)


def test_other_zones_are_written_in_utc():
    berlin = ZoneInfo("Europe/Berlin")
    invite = dataclasses.replace(
        INVITE,
        start=dt.datetime(2025, 3, 4, 18, 0, tzinfo=berlin),
        end=dt.datetime(2025, 3, 4, 18, 30, tzinfo=berlin),
        stamp=dt.datetime(2025, 2, 20, 10, 15, tzinfo=berlin),
    )
    data = invite_request(invite)
    assert b"DTSTART:20250304T170000Z\r\n" in data
    assert b"DTEND:20250304T173000Z\r\n" in data
    assert b"DTSTAMP:20250220T091500Z\r\n" in data
    assert b"TZID" not in data


def test_empty_location_and_url_are_left_out():
    _, event = only_event(invite_request(dataclasses.replace(INVITE, location="", url="")))
    assert "LOCATION" not in event
    assert "URL" not in event


@pytest.mark.parametrize("field", ["start", "end", "stamp"])
def test_naive_datetimes_are_rejected(field):
    naive = dataclasses.replace(INVITE, **{field: getattr(INVITE, field).replace(tzinfo=None)})
    with pytest.raises(ValueError, match="aware"):
        invite_request(naive)
    with pytest.raises(ValueError, match="aware"):
        invite_cancel(dataclasses.replace(naive, sequence=1))


@pytest.mark.parametrize(
    "changes",
    [
        {"end": INVITE.start},  # empty
        {"sequence": -1},
        {"uid": ""},
        {"uid": "booking-42\r\nATTENDEE:mailto:evil@x"},
        {"attendee_email": "zoe@example.com\r\nATTENDEE:mailto:evil@x"},
        {"attendee_email": "Zoë <zoe@example.com>"},
        {"organizer_email": "not-an-address"},
        {"url": "javascript:alert(1)"},
        {"url": "https://portal.example/x\r\nATTENDEE:mailto:evil@x"},
    ],
)
def test_bad_values_are_rejected(changes):
    with pytest.raises(ValueError):
        invite_request(dataclasses.replace(INVITE, **changes))


# ---------------------------------------------------------------------------------------------
# Escaping of user text

EVIL = "x\r\nATTENDEE:mailto:evil@x"


def test_user_text_cannot_inject_properties():
    invite = dataclasses.replace(
        INVITE,
        summary=f"Call with {EVIL}",
        description=f"Answer: {EVIL}\nEND:VEVENT\nBEGIN:VEVENT",
        location=EVIL,
        organizer_name=EVIL,
        attendee_name=f'Pat "{EVIL}"; ROLE=CHAIR',
    )
    for data in (invite_request(invite), invite_cancel(dataclasses.replace(invite, sequence=1))):
        lines = data.split(b"\r\n")
        assert [line for line in lines if line.startswith(b"ATTENDEE")] and all(
            b"evil" not in line for line in lines if line.startswith(b"ATTENDEE:")
        )
        assert sum(line.startswith(b"BEGIN:VEVENT") for line in lines) == 1
        cal, event = only_event(data)
        attendees = [c for c in cal.walk("VEVENT")[0].property_items() if c[0] == "ATTENDEE"]
        assert len(attendees) == 1
        assert event["ATTENDEE"] == "mailto:zoe.runner@example.com"
        assert event["ATTENDEE"].params["ROLE"] == "REQ-PARTICIPANT"
        assert event["ORGANIZER"] == "mailto:ann@stridelab.example"
        # The text survives as text (one-line fields have line breaks turned into spaces).
        assert event["SUMMARY"] == "Call with x ATTENDEE:mailto:evil@x"
        assert event["DESCRIPTION"] == "Answer: x\nATTENDEE:mailto:evil@x\nEND:VEVENT\nBEGIN:VEVENT"
        assert event["ATTENDEE"].params["CN"] == 'Pat "x ATTENDEE:mailto:evil@x"; ROLE=CHAIR'


def test_special_characters_round_trip():
    text = "Zoë's pace, 4:45/km; \"easy\" \\ hard — 🏃 日本語"
    invite = dataclasses.replace(INVITE, summary=text, description=text + "\nsecond line", attendee_name=text)
    data = invite_request(invite)
    unfolded = data.replace(b"\r\n ", b"")
    assert "SUMMARY:Zoë's pace\\, 4:45/km\\; \"easy\" \\\\ hard".encode() in unfolded
    _, event = only_event(data)
    assert event["SUMMARY"] == text
    assert event["DESCRIPTION"] == text + "\nsecond line"
    assert event["ATTENDEE"].params["CN"] == text


def test_control_characters_are_dropped():
    invite = dataclasses.replace(INVITE, summary="a\x00b\x1bc", description="tab\there\x07")
    _, event = only_event(invite_request(invite))
    assert event["SUMMARY"] == "a b c"
    assert event["DESCRIPTION"] == "tab\there"


# ---------------------------------------------------------------------------------------------
# Feed


def feed_event(uid: str, day: int, **changes) -> FeedEvent:
    return dataclasses.replace(
        FeedEvent(
            uid=uid,
            sequence=0,
            start=dt.datetime(2025, 3, day, 17, 0, tzinfo=UTC),
            end=dt.datetime(2025, 3, day, 17, 30, tzinfo=UTC),
            stamp=dt.datetime(2025, 2, 20, 9, 15, tzinfo=UTC),
            summary=f"Strategy call {day}",
            description="Client answers, go here",
            location="https://meet.example/ann",
            url=f"https://portal.example/coach/bookings/{day}",
        ),
        **changes,
    )


def test_feed():
    events = [
        feed_event("booking-1@stridelab.example", 4),
        feed_event("booking-2@stridelab.example", 5, sequence=2, cancelled=True),
        feed_event("booking-3@stridelab.example", 6, location="", url=""),
    ]
    cal = parse(feed("Stride Lab – Coach Ann, calls", events))
    assert cal["METHOD"] == "PUBLISH"
    assert cal["PRODID"] == PRODID
    assert cal["X-WR-CALNAME"] == "Stride Lab – Coach Ann, calls"
    assert [e["UID"] for e in cal.events] == [e.uid for e in events]
    first, cancelled, bare = cal.events
    assert first["STATUS"] == "CONFIRMED" and first["TRANSP"] == "OPAQUE"
    assert first.DTSTART == events[0].start and in_utc(first, "DTSTART")
    assert first["URL"] == events[0].url
    assert cancelled["STATUS"] == "CANCELLED" and cancelled["TRANSP"] == "TRANSPARENT"
    assert cancelled["SEQUENCE"] == 2
    assert "LOCATION" not in bare and "URL" not in bare
    for event in cal.events:
        assert "ATTENDEE" not in event and "ORGANIZER" not in event


def test_empty_feed_is_a_valid_calendar():
    cal = parse(feed("Calls", []))
    assert cal["METHOD"] == "PUBLISH"
    assert cal.events == []


def test_feed_rejects_duplicate_uids_and_naive_times():
    with pytest.raises(ValueError, match="duplicate"):
        feed("Calls", [feed_event("same@x", 4), feed_event("same@x", 5)])
    with pytest.raises(ValueError, match="aware"):
        feed("Calls", [feed_event("a@x", 4, start=dt.datetime(2025, 3, 4, 17, 0))])


# ---------------------------------------------------------------------------------------------
# "Add to calendar" links

BERLIN = ZoneInfo("Europe/Berlin")
START = dt.datetime(2025, 3, 4, 18, 0, tzinfo=BERLIN)  # 17:00 UTC
END = dt.datetime(2025, 3, 4, 18, 30, tzinfo=BERLIN)
DETAILS = "Goal: sub-3:30 & more\nManage: https://portal.example/b/42?t=a+b"


def test_google_calendar_url():
    url = google_calendar_url("Strategy call: Zoë & Ann", START, END, DETAILS, "https://meet.example/x?y=1")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://calendar.google.com/calendar/render"
    assert parse_qs(parts.query, strict_parsing=True) == {
        "action": ["TEMPLATE"],
        "text": ["Strategy call: Zoë & Ann"],
        "dates": ["20250304T170000Z/20250304T173000Z"],
        "details": [DETAILS],
        "location": ["https://meet.example/x?y=1"],
    }
    assert "dates=20250304T170000Z/20250304T173000Z" in url
    assert " " not in url and "\n" not in url
    assert "Zo%C3%AB%20%26%20Ann" in url  # UTF-8, spaces as %20, & escaped


def test_outlook_calendar_url():
    url = outlook_calendar_url("Strategy call: Zoë & Ann", START, END, DETAILS, "Track, lane 1")
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    assert base == "https://outlook.live.com/calendar/0/deeplink/compose"
    assert parse_qs(parts.query, strict_parsing=True) == {
        "subject": ["Strategy call: Zoë & Ann"],
        "startdt": ["2025-03-04T17:00:00Z"],
        "enddt": ["2025-03-04T17:30:00Z"],
        "body": [DETAILS],
        "location": ["Track, lane 1"],
        "path": ["/calendar/action/compose"],
        "rru": ["addevent"],
    }
    assert url.endswith("&path=/calendar/action/compose&rru=addevent")


def test_url_builders_leave_out_empty_details_and_location():
    for build, details_key in ((google_calendar_url, "details"), (outlook_calendar_url, "body")):
        query = parse_qs(urlsplit(build("Call", START, END, "", "")).query)
        assert details_key not in query and "location" not in query


@pytest.mark.parametrize("build", [google_calendar_url, outlook_calendar_url])
def test_url_builders_reject_naive_or_empty_spans(build):
    with pytest.raises(ValueError, match="aware"):
        build("Call", START.replace(tzinfo=None), END, "", "")
    with pytest.raises(ValueError, match="after"):
        build("Call", END, START, "", "")
