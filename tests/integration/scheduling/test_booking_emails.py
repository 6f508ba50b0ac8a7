"""What a booking sends: a multipart invitation with an .ics, updates with the same UID, cancellations, reminders."""
from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from tests.integration.scheduling.conftest import booking_body


def _book(client, start="2026-12-08T14:00:00+00:00", **extra):
    response = client.post("/api/v1/bookings", json=booking_body(start, **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _calendar_part(message, method):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert parts, "no text/calendar part"
    inline = [p for p in parts if not p.get_filename()]
    attached = [p for p in parts if p.get_filename()]
    assert inline and attached, "an inline invitation and an .ics attachment"
    assert inline[0].get_param("method") == method
    return Calendar.from_ical(inline[0].get_content().encode() if isinstance(inline[0].get_content(), str)
                              else inline[0].get_content())


def test_booking_emails_both_sides_a_multipart_invitation(client, ny_coach, frozen, mail):
    _book(client)
    messages = mail.deliver()
    assert len(messages) == 2
    [invitee] = mail.sink.to("pat@example.com")
    [coach] = mail.sink.to(ny_coach.email)
    assert invitee.get_content_type() == "multipart/mixed"
    alternative = next(p for p in invitee.walk() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    assert "Tue 8 Dec, 2:00 pm" in invitee["Subject"]  # in the invitee's zone (London)
    assert "9:00 am" in coach["Subject"]                # in the coach's zone (New York)
    text = invitee.get_body(("plain",)).get_content()
    assert "/manage/" in text and "Google Calendar" in text
    cal = _calendar_part(invitee, "REQUEST")
    [event] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "REQUEST" and str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 8, 14, 0, tzinfo=dt.UTC)
    assert "nora@stridelab.example" in str(event["ORGANIZER"]).lower()
    attendee = event["ATTENDEE"]
    assert "pat@example.com" in str(attendee).lower() and attendee.params["RSVP"] == "TRUE"
    assert "Runner's knee" in coach.get_body(("plain",)).get_content()


def test_rescheduling_sends_the_same_uid_with_a_higher_sequence_and_cancel_sends_method_cancel(
        client, ny_coach, frozen, mail):
    made = _book(client)
    token = made["manage_url"].rsplit("/", 1)[1]
    first_uid = str(next(iter(_calendar_part(mail.deliver()[0], "REQUEST").walk("VEVENT")))["UID"])
    mail.sink.clear()
    from portal.core import clock
    from portal.scheduling import booking as service

    with client.application.app_context():
        booking = service.booking_for_token(token, "test-secret-key", clock.now())
        service.reschedule_booking(booking, start=dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC), by="invitee",
                                   now=clock.now())
    mail.deliver()
    [moved] = mail.sink.to("pat@example.com")
    [event] = _calendar_part(moved, "REQUEST").walk("VEVENT")
    assert str(event["UID"]) == first_uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC)
    mail.sink.clear()
    assert client.post("/api/v1/bookings/cancel", json={"token": token, "reason": "Injured my ankle"}).status_code == 200
    mail.deliver()
    [cancelled] = mail.sink.to("pat@example.com")
    cal = _calendar_part(cancelled, "CANCEL")
    [event] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == first_uid and int(event["SEQUENCE"]) == 2
    assert "Injured my ankle" in mail.sink.to(ny_coach.email)[0].get_body(("plain",)).get_content()


def test_user_text_is_escaped_in_emails_and_cannot_inject_into_the_invite(client, ny_coach, frozen, mail):
    _book(client, name="<b>Bold</b> Pat", answers={"goal": "<script>alert(1)</script>",
                                                   "injury": "x\r\nATTENDEE:mailto:evil@example.com"})
    mail.deliver()
    [coach] = mail.sink.to(ny_coach.email)
    html = coach.get_body(("html",)).get_content()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>Bold</b>" not in html
    [event] = _calendar_part(coach, "REQUEST").walk("VEVENT")
    attendees = event.get("ATTENDEE")
    assert not isinstance(attendees, list), "exactly one attendee"
    assert "evil" not in str(attendees)


def test_reminders_go_out_24_hours_and_1_hour_before_each_once(client, ny_coach, frozen, mail):
    _book(client)
    mail.deliver()
    mail.sink.clear()
    frozen.move_to(dt.datetime(2026, 12, 7, 14, 5, tzinfo=dt.UTC))  # 23h55m before
    mail.deliver()
    mail.deliver()
    reminders = mail.sink.to("pat@example.com")
    assert len(reminders) == 1 and "tomorrow" in reminders[0]["Subject"]
    frozen.move_to(dt.datetime(2026, 12, 8, 13, 10, tzinfo=dt.UTC))  # 50 minutes before
    mail.deliver()
    mail.deliver()
    reminders = mail.sink.to("pat@example.com")
    assert len(reminders) == 2 and "in one hour" in reminders[1]["Subject"]
    assert "/manage/" in reminders[1].get_body(("plain",)).get_content()


def test_a_call_booked_at_short_notice_gets_no_24_hour_reminder(client, ny_coach, frozen, mail):
    _book(client, start="2026-12-07T18:00:00+00:00")  # seven hours ahead
    mail.deliver()
    mail.sink.clear()
    frozen.move_to(dt.datetime(2026, 12, 7, 17, 5, tzinfo=dt.UTC))
    mail.deliver()
    [reminder] = mail.sink.to("pat@example.com")
    assert "in one hour" in reminder["Subject"]
