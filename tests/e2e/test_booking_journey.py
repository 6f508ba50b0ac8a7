"""A prospect in London books a New York coach, gets the invitation, moves the call, then cancels it."""
from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from tests.e2e.axe import assert_accessible
from tests.factories import make_coach
from tests.integration.scheduling.conftest import WEEKDAYS, open_event, set_hours

pytestmark = pytest.mark.e2e


def _invite(message) -> Calendar:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar" and not p.get_filename())
    content = part.get_content()
    return Calendar.from_ical(content.encode() if isinstance(content, str) else content)


@pytest.fixture
def coach(app):
    with app.app_context():
        user = make_coach("Nora York", "America/New_York", email="nora@stridelab.example")
        set_hours(user, {d: [["00:00", "24:00"]] for d in WEEKDAYS})
        open_event(minimum_notice_minutes=24 * 60, cancel_notice_minutes=60)
        return user.coach.slug


def test_prospect_books_reschedules_and_cancels_from_the_emailed_link(page, live_server, coach, mail):
    page.goto(f"{live_server.url}/book/strategy-call/{coach}")
    # The script found the browser's zone and fetched the times for it from the slots endpoint.
    page.wait_for_selector("#zone-name:text-is('Europe/London')")
    assert_accessible(page, "booking page")
    first = page.locator("a.slot").first
    chosen = first.inner_text()
    assert re.fullmatch(r"\d{1,2}:\d\d [ap]m", chosen)
    first.click()

    page.wait_for_selector("text=Your details")
    assert "Europe/London" in page.inner_text(".chosen-time")
    assert_accessible(page, "intake form")
    page.fill("#name", "Pat Runner")
    page.fill("#email", "pat@example.com")
    page.fill("#q_goal", "Sub-4 marathon in April")
    page.fill("#q_injury", "Runner's knee, three months")
    page.fill("#q_weekly_mileage", "25")
    page.click("button:has-text('Book the call')")

    page.wait_for_selector("text=You are booked, Pat!")
    confirmation = page.inner_text(".confirm-card")
    assert chosen in confirmation.lower() and "Europe/London" in confirmation and "Nora York" in confirmation
    assert page.locator("a:has-text('Google Calendar')").count() == 1
    assert_accessible(page, "confirmation")

    mail.deliver()
    [invitee] = mail.sink.to("pat@example.com")
    [to_coach] = mail.sink.to("nora@stridelab.example")
    invite = _invite(invitee)
    [event] = invite.walk("VEVENT")
    assert str(invite["METHOD"]) == "REQUEST" and int(event["SEQUENCE"]) == 0
    assert "pat@example.com" in str(event["ATTENDEE"]).lower()
    assert "Runner's knee" in to_coach.get_body(("plain",)).get_content()
    manage = re.search(r"http://\S+/manage/\S+", invitee.get_body(("plain",)).get_content()).group(0)

    mail.sink.clear()
    page.goto(manage)
    page.wait_for_selector("text=Move to another time")
    assert_accessible(page, "manage page")
    page.locator("button.slot").nth(3).click()
    page.wait_for_selector("text=Your call has moved")
    mail.deliver()
    [moved] = mail.sink.to("pat@example.com")
    [moved_event] = _invite(moved).walk("VEVENT")
    assert str(moved_event["UID"]) == str(event["UID"]) and int(moved_event["SEQUENCE"]) == 1
    assert moved_event.decoded("DTSTART") != event.decoded("DTSTART")

    mail.sink.clear()
    page.goto(manage)
    page.fill("#reason", "Booked a physio nearer home")
    page.click("button:has-text('Cancel the call')")
    page.wait_for_selector("text=This call is cancelled")
    mail.deliver()
    [cancelled] = mail.sink.to("pat@example.com")
    cancel = _invite(cancelled)
    assert str(cancel["METHOD"]) == "CANCEL"
    assert "Booked a physio" in mail.sink.to("nora@stridelab.example")[0].get_body(("plain",)).get_content()


def test_without_javascript_the_page_lists_times_in_the_zone_asked(browser, live_server, coach):
    context = browser.new_context(java_script_enabled=False, timezone_id="Asia/Kathmandu")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/book/strategy-call/{coach}?timezone=Asia/Kathmandu")
        assert "Asia/Kathmandu" in page.inner_text("#zone-line")
        times = page.locator("a.slot").all_inner_texts()
        # The coach works around the clock in New York, so Kathmandu sees times at :15 and :45.
        assert times and all(t.split(":")[1][:2] in {"15", "45"} for t in times)
    finally:
        context.close()
