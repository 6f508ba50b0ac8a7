"""The coach's calendar pages: hours, dates, time off, blocks, other calendars, the feed, a call's page.

The clock is frozen on Monday 7 December 2026, 06:00 in New York (see conftest.NOW); Nora works Monday to
Friday 09:00-12:00 and 13:00-17:00 there. Every change is checked through the public slots API, which is what
prospects see."""
from __future__ import annotations

import datetime as dt
import http.server
import re
import threading
from html import unescape

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from portal.extensions import db
from portal.scheduling.models import Booking, BusyTime, CalendarSource
from tests.factories import UserFactory, make_coach
from tests.integration.scheduling.conftest import booking_body

SLOTS = "/api/v1/event-types/strategy-call/slots"
NY = "America/New_York"
FULL_DAY = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "13:00", "13:30", "14:00", "14:30", "15:00",
            "15:30", "16:00", "16:30"]
ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:dentist@example.com\r
DTSTAMP:20261201T000000Z\r
DTSTART;TZID=America/New_York:20261208T140000\r
DTEND;TZID=America/New_York:20261208T150000\r
SUMMARY:Dentist\r
END:VEVENT\r
END:VCALENDAR\r
"""


def times_on(client, coach, day: str) -> list[str]:
    """The start times (HH:MM in New York) the public slots API offers with this coach on `day`."""
    response = client.get(SLOTS, query_string={"start": day, "end": day, "timezone": NY, "coach": coach.coach.slug})
    assert response.status_code == 200, response.get_json()
    return [s["start"][11:16] for s in response.get_json()["slots"]]


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def nora(ny_coach, auth, frozen):
    """Nora, logged in."""
    assert auth.login(ny_coach.email).status_code == 302
    return ny_coach


def book(client, start: str = "2026-12-08T14:00:00+00:00", **extra) -> int:
    response = client.post("/api/v1/bookings", json=booking_body(start, **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def hours_form(**days) -> dict:
    form = {"timezone": NY, **{d: "" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
    form.update(days)
    return form


# --- weekly hours ---------------------------------------------------------------------------------------

def test_the_hours_editor_saves_and_the_slots_api_offers_the_new_hours(client, auth, nora):
    response = auth.post("/coach/calendar/hours", hours_form(tue="10:00-11:00", sat="8-9"))
    assert response.status_code == 302
    assert times_on(client, nora, "2026-12-08") == ["10:00", "10:30"]
    assert times_on(client, nora, "2026-12-12") == ["08:00", "08:30"]  # Saturday, written without minutes
    assert times_on(client, nora, "2026-12-07") == []  # Monday left blank: a day off
    page = text_of(client.get("/coach/calendar/hours"))
    assert 'value="10:00-11:00"' in page and 'value="08:00-09:00"' in page


def test_the_hours_editor_changes_the_coachs_time_zone(client, auth, nora):
    response = auth.post("/coach/calendar/hours", hours_form(timezone="Europe/London", tue="09:00-10:00"))
    assert response.status_code == 302
    db.session.refresh(nora)
    assert nora.timezone == "Europe/London"
    assert times_on(client, nora, "2026-12-08") == ["04:00", "04:30"]  # 09:00 in London is 04:00 in New York


@pytest.mark.parametrize("text, message", [
    ("9 to five", 'Could not read "9 to five"'),
    ("17:00-09:00", "17:00-09:00 ends before it starts."),
    ("09:00-12:00, 11:00-13:00", "09:00-12:00 and 11:00-13:00 overlap."),
    ("25:00-26:00", 'Could not read "25:00-26:00"'),
])
def test_bad_interval_text_is_refused_with_its_message_on_the_field_and_nothing_changes(client, auth, nora, text,
                                                                                       message):
    response = auth.post("/coach/calendar/hours", hours_form(mon="10:00-11:00", tue=text))
    assert response.status_code == 422
    page = text_of(response)
    assert message in page
    assert re.search(r'id="tue-error">[^<]*' + re.escape(message), page), "the message sits under Tuesday"
    assert 'aria-invalid="true"' in page
    assert times_on(client, nora, "2026-12-07") == FULL_DAY  # Monday not changed to 10-11 either


# --- dates, time off, blocks ----------------------------------------------------------------------------

def test_a_day_off_override_removes_that_days_slots_and_removing_it_brings_them_back(client, auth, nora):
    response = auth.post("/coach/calendar/overrides", {"override_on": "2026-12-08", "override_intervals": ""})
    assert response.status_code == 302
    assert times_on(client, nora, "2026-12-08") == []
    assert times_on(client, nora, "2026-12-09") == FULL_DAY
    page = client.get("/coach/calendar/availability").get_data(as_text=True)
    assert "Tue 8 Dec 2026" in page and "Day off" in page
    override_id = re.search(r'/coach/calendar/overrides/(\d+)/remove', page).group(1)
    assert auth.post(f"/coach/calendar/overrides/{override_id}/remove").status_code == 302
    assert times_on(client, nora, "2026-12-08") == FULL_DAY


def test_an_override_with_hours_replaces_that_days_hours(client, auth, nora):
    auth.post("/coach/calendar/overrides", {"override_on": "2026-12-08", "override_intervals": "18:00-19:00"})
    assert times_on(client, nora, "2026-12-08") == ["18:00", "18:30"]


def test_an_override_with_bad_hours_is_a_form_error(client, auth, nora):
    response = auth.post("/coach/calendar/overrides", {"override_on": "2026-12-08", "override_intervals": "noon"})
    assert response.status_code == 422
    assert 'Could not read "noon"' in text_of(response)
    assert times_on(client, nora, "2026-12-08") == FULL_DAY


def test_time_off_removes_every_day_in_it(client, auth, nora):
    response = auth.post("/coach/calendar/time-off", {"off_first": "2026-12-08", "off_last": "2026-12-09",
                                                      "off_note": "Race week"})
    assert response.status_code == 302
    assert times_on(client, nora, "2026-12-08") == []
    assert times_on(client, nora, "2026-12-09") == []
    assert times_on(client, nora, "2026-12-10") == FULL_DAY
    assert "Race week" in client.get("/coach/calendar?week=2026-12-08").get_data(as_text=True)


def test_time_off_ending_before_it_starts_is_refused(client, auth, nora):
    response = auth.post("/coach/calendar/time-off", {"off_first": "2026-12-09", "off_last": "2026-12-08"})
    assert response.status_code == 422
    assert "On or after the first day." in text_of(response)
    assert times_on(client, nora, "2026-12-08") == FULL_DAY


def test_a_blocked_time_removes_its_slots_and_shows_in_the_week(client, auth, nora):
    response = auth.post("/coach/calendar/blocks", {"block_on": "2026-12-08", "block_start": "10:00",
                                                    "block_end": "11:00", "block_note": "Physio"})
    assert response.status_code == 302
    assert times_on(client, nora, "2026-12-08") == [t for t in FULL_DAY if t not in ("10:00", "10:30")]
    week = client.get("/coach/calendar?week=2026-12-08").get_data(as_text=True)
    assert re.search(r'class="event event-blocked"><span class="time">10:00 am – 11:00 am</span> Physio', week)


# --- other calendars --------------------------------------------------------------------------------------

def test_a_block_ending_at_midnight_runs_to_the_end_of_the_day_and_typo_years_are_refused(client, auth, nora):
    assert auth.post("/coach/calendar/blocks", {"block_on": "2026-12-08", "block_start": "16:00",
                                                "block_end": "00:00"}).status_code == 302
    assert times_on(client, nora, "2026-12-08")[-1] == "15:30"
    response = auth.post("/coach/calendar/blocks", {"block_on": "9999-12-31", "block_start": "16:00",
                                                    "block_end": "00:00"})
    assert response.status_code == 422 and "Pick a date between 2000 and 2200." in text_of(response)


def test_an_uploaded_ics_makes_its_events_busy(client, auth, nora):
    response = auth.post("/coach/calendar/calendars/upload", {"file": (_bytes_io(ICS), "family.ics")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    assert times_on(client, nora, "2026-12-08") == [t for t in FULL_DAY if t not in ("14:00", "14:30")]
    page = text_of(client.get("/coach/calendar/calendars"))
    assert "family.ics" in page and "1 busy time" in page
    assert "Busy (family.ics)" in client.get("/coach/calendar?week=2026-12-08").get_data(as_text=True)


def test_a_malformed_ics_is_a_form_error_and_stores_nothing(client, auth, nora):
    response = auth.post("/coach/calendar/calendars/upload",
                         {"file": (_bytes_io(b"<html>not a calendar</html>"), "oops.ics")},
                         content_type="multipart/form-data")
    assert response.status_code == 422
    assert re.search(r'id="file-error">That file is not a calendar', response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(CalendarSource)) == 0
    assert times_on(client, nora, "2026-12-08") == FULL_DAY


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


@pytest.fixture
def ics_server():
    """A calendar address on 127.0.0.1: /cal.ics serves ICS, anything else is 404."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/cal.ics":
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(ICS)))
                self.end_headers()
                self.wfile.write(ICS)
            else:
                self.send_error(404, "Not Found")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_an_ics_address_is_fetched_and_its_status_says_ok_with_the_count(client, auth, nora, ics_server):
    response = auth.post("/coach/calendar/calendars/address", {"name": "Family", "url": f"{ics_server}/cal.ics"})
    assert response.status_code == 302
    assert times_on(client, nora, "2026-12-08") == [t for t in FULL_DAY if t not in ("14:00", "14:30")]
    page = text_of(client.get("/coach/calendar/calendars"))
    assert "Family" in page and "ok, 1 busy time, refreshed just now" in page


def test_refresh_now_fetches_an_address_again(client, auth, nora, ics_server, frozen):
    auth.post("/coach/calendar/calendars/address", {"name": "Family", "url": f"{ics_server}/cal.ics"})
    source_id = db.session.scalar(select(CalendarSource.id))
    frozen.shift(dt.timedelta(minutes=5))
    page = text_of(client.get("/coach/calendar/calendars"))
    assert "refreshed 5 minutes ago" in page
    response = auth.post(f"/coach/calendar/calendars/{source_id}/refresh", follow_redirects=True)
    assert "Family is up to date: 1 busy time." in text_of(response)
    assert "refreshed just now" in text_of(response)


def test_a_failing_address_shows_the_error_and_keeps_nothing_busy(client, auth, nora, ics_server):
    response = auth.post("/coach/calendar/calendars/address", {"name": "Work", "url": f"{ics_server}/gone.ics"},
                         follow_redirects=True)
    assert response.status_code == 200
    page = text_of(response)
    assert "Could not fetch the address: Not Found" in page
    assert 'class="badge badge-danger">Error' in page
    assert db.session.scalar(select(func.count()).select_from(BusyTime)) == 0


def test_an_address_that_is_not_a_web_address_is_a_form_error(client, auth, nora):
    response = auth.post("/coach/calendar/calendars/address", {"name": "Work", "url": "file:///etc/passwd"})
    assert response.status_code == 422
    assert "Enter an https:// or webcal:// address." in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(CalendarSource)) == 0


# --- the private feed -------------------------------------------------------------------------------------

def _feed_path(page: str) -> str:
    url = re.search(r'value="(http://[^"]+/calendar/feed/[^"]+\.ics)"', page).group(1)
    return url[url.index("/calendar/feed/"):]


def test_the_feed_address_serves_the_calls_and_a_reset_retires_the_old_one(client, auth, nora):
    book(client)
    page = auth.post("/coach/calendar/feed")
    assert page.status_code == 200 and "Copy it now" in page.get_data(as_text=True)
    first = _feed_path(page.get_data(as_text=True))
    assert first not in client.get("/coach/calendar/calendars").get_data(as_text=True), "shown once only"

    auth.logout()
    feed = client.get(first)
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(feed.data).walk("VEVENT")]
    assert len(events) == 1
    assert "Pat Runner" in str(events[0]["SUMMARY"])
    assert events[0].decoded("DTSTART") == dt.datetime(2026, 12, 8, 14, 0, tzinfo=dt.UTC)

    auth.login(nora.email)
    second = _feed_path(auth.post("/coach/calendar/feed").get_data(as_text=True))
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


# --- a call's page ------------------------------------------------------------------------------------------

def test_the_call_page_shows_labelled_answers_and_keeps_markup_as_text(client, auth, nora):
    booking_id = book(client, answers={"goal": "<script>alert(1)</script>", "injury": "Achilles, 2 months"},
                      timezone="Europe/Berlin")
    response = client.get(f"/coach/calls/{booking_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "What is your running goal?" in page and "Achilles, 2 months" in page
    # 14:00 UTC is 9:00 am in New York for Nora and 3:00 pm in Berlin for the prospect.
    assert "Tue 8 Dec 2026, 9:00 am" in page
    assert "Tue 8 Dec 2026, 3:00 pm in Europe/Berlin" in page


def test_notes_and_outcome_are_saved_once_the_call_has_started(client, auth, nora, frozen):
    booking_id = book(client)
    early = auth.post(f"/coach/calls/{booking_id}", {"notes": "Check hip drop", "outcome": "completed"})
    assert early.status_code == 422
    assert "once the call has started" in text_of(early)

    frozen.move_to(dt.datetime(2026, 12, 8, 14, 40, tzinfo=dt.UTC))
    response = auth.post(f"/coach/calls/{booking_id}", {"notes": "Check hip drop", "outcome": "enrolled"})
    assert response.status_code == 302
    booking = db.session.get(Booking, booking_id)
    db.session.refresh(booking)
    assert (booking.notes, booking.outcome) == ("Check hip drop", "enrolled")
    page = client.get(f"/coach/calls/{booking_id}").get_data(as_text=True)
    assert "Check hip drop</textarea>" in page and '<option selected value="enrolled">' in page


def test_a_coach_cancelling_a_call_emails_the_prospect_with_the_reason(client, auth, nora, mail):
    booking_id = book(client)
    response = auth.post(f"/coach/calls/{booking_id}/cancel", {"reason": "I am ill, sorry"})
    assert response.status_code == 302
    booking = db.session.get(Booking, booking_id)
    db.session.refresh(booking)
    assert (booking.status, booking.cancelled_by) == ("cancelled", "coach")
    mail.deliver()
    cancelled = [m for m in mail.sink.to("pat@example.com") if m["Subject"].strip().startswith("Cancelled:")]
    assert len(cancelled) == 1
    assert "I am ill, sorry" in cancelled[0].get_body(("plain",)).get_content()
    assert times_on(client, nora, "2026-12-08") == FULL_DAY  # the time is free again
    week = client.get("/coach/calendar?week=2026-12-08").get_data(as_text=True)
    assert "event event-call event-cancelled" in week


def test_a_coach_moving_a_call_emails_the_prospect_the_new_time(client, auth, nora, mail):
    booking_id = book(client)
    response = auth.post(f"/coach/calls/{booking_id}/move", {"move_on": "2026-12-09", "move_at": "10:00"})
    assert response.status_code == 302
    booking = db.session.get(Booking, booking_id)
    db.session.refresh(booking)
    assert booking.start_at == dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York
    mail.deliver()
    moved = [m for m in mail.sink.to("pat@example.com") if m["Subject"].strip().startswith("Moved:")]
    assert len(moved) == 1 and "Wed 9 Dec, 3:00 pm" in moved[0]["Subject"]  # in the prospect's London time


def test_a_coach_cannot_move_a_call_onto_another_call(client, auth, nora):
    first = book(client)
    book(client, "2026-12-08T15:00:00+00:00", email="sam@example.com", name="Sam")
    response = auth.post(f"/coach/calls/{first}/move", {"move_on": "2026-12-08", "move_at": "10:00"})
    assert response.status_code == 409
    assert "clashes with another call" in text_of(response)


def test_another_coachs_call_is_not_found(client, auth, ctx, frozen, ny_coach):
    booking_id = book(client)
    other = make_coach("Omar Other", NY, email="omar@stridelab.example")
    auth.login(other.email)
    assert client.get(f"/coach/calls/{booking_id}").status_code == 404
    assert auth.post(f"/coach/calls/{booking_id}/cancel", {"reason": "x"}).status_code == 404
    assert db.session.get(Booking, booking_id).status == "confirmed"


def test_a_member_is_refused_and_an_anonymous_visitor_is_sent_to_log_in(client, auth, ctx, frozen, ny_coach):
    booking_id = book(client)
    assert client.get(f"/coach/calls/{booking_id}").headers["Location"].startswith("/login")
    assert client.get("/coach/calendar").headers["Location"].startswith("/login")
    UserFactory(email="member@example.com")
    auth.login("member@example.com")
    assert client.get(f"/coach/calls/{booking_id}").status_code == 403
    assert client.get("/coach/calendar").status_code == 403


# --- admins and other coaches' calendars ------------------------------------------------------------------

def test_an_admin_sees_and_edits_another_coachs_calendar_with_the_coach_parameter(client, auth, ctx, frozen,
                                                                                 ny_coach):
    book(client)
    admin = make_coach("Avery Admin", "Europe/London", email="avery@stridelab.example", admin=True)
    auth.login(admin.email)
    slug = ny_coach.coach.slug
    week = client.get(f"/coach/calendar?coach={slug}&week=2026-12-08")
    assert week.status_code == 200
    page = week.get_data(as_text=True)
    assert "Pat Runner" in page and "Nora York" in page
    assert f'<option value="{slug}" selected>' in page
    assert client.get("/coach/calendar?week=2026-12-08").get_data(as_text=True).count("Pat Runner") == 0

    response = auth.post(f"/coach/calendar/time-off?coach={slug}", {"off_first": "2026-12-08",
                                                                    "off_last": "2026-12-08"})
    assert response.headers["Location"] == f"/coach/calendar/availability?coach={slug}"
    assert times_on(client, ny_coach, "2026-12-08") == []


def test_a_coach_asking_for_another_coachs_calendar_is_refused(client, auth, nora):
    make_coach("Omar Other", NY, email="omar@stridelab.example")
    assert client.get("/coach/calendar?coach=omar-other").status_code == 403
    assert client.get("/coach/calendar/hours?coach=omar-other").status_code == 403
    assert auth.post("/coach/calendar/time-off?coach=omar-other",
                     {"off_first": "2026-12-08", "off_last": "2026-12-08"}).status_code == 403


def test_the_week_view_moves_by_weeks_and_shows_working_hours(client, nora):
    page = client.get("/coach/calendar?week=2026-12-10").get_data(as_text=True)
    assert "7 Dec – 13 Dec 2026" in page
    assert 'href="/coach/calendar?week=2026-11-30"' in page and 'href="/coach/calendar?week=2026-12-14"' in page
    assert page.count("Working </span>9:00 am – 12:00 pm") == 5
    assert client.get("/coach/calendar?week=soon").status_code == 422
    assert client.get("/coach/calendar?week=9999-12-31").status_code == 422  # not a 500 past the calendar's end


# --- event types ------------------------------------------------------------------------------------------

def _event_form(**changes) -> dict:
    form = {"title": "Gait analysis", "slug": "", "description": "Film your run", "duration_minutes": "45",
            "slot_interval_minutes": "15", "buffer_before_minutes": "0", "buffer_after_minutes": "15",
            "minimum_notice_minutes": "60", "booking_window_days": "30", "daily_limit": "",
            "cancel_notice_minutes": "120", "active": "y",
            "questions-0-key": "shoe", "questions-0-label": "Which shoes?", "questions-0-type": "choice",
            "questions-0-choices": "Neutral, Stability", "questions-0-required": "y"}
    form.update(changes)
    return form


def test_a_coach_adds_a_kind_of_call_with_questions_and_takes_it(client, auth, nora):
    from portal.scheduling.models import EventType

    response = auth.post("/coach/event-types/new", _event_form(coaches=str(nora.coach.id)))
    assert response.status_code == 302
    event = db.session.scalar(select(EventType).where(EventType.slug == "gait-analysis"))
    assert event.duration_minutes == 45 and event.daily_limit is None
    assert event.questions == [{"key": "shoe", "label": "Which shoes?", "type": "choice", "required": True,
                                "choices": ["Neutral", "Stability"]}]
    assert [link.coach_id for link in event.coaches] == [nora.coach.id]
    assert "Gait analysis" in client.get("/coach/event-types").get_data(as_text=True)


def test_a_bad_question_is_refused_on_its_own_field(client, auth, nora):
    response = auth.post("/coach/event-types/strategy-call",
                         _event_form(**{"questions-0-key": "Shoe Size", "questions-0-type": "text"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="questions-0-key-error">Use a-z, 0-9 and _.', page)
